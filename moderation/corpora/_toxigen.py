"""ToxiGen's human-written seed sentences."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd

from moderation.corpora._base import mapped_rows, read_table, where
from moderation.errors import DataError


def _toxigen_from_prompts(folder: Path) -> pd.DataFrame:
    """The seed sentences rebuilt from ``prompts/<hate|neutral>_<group>_1k.txt.gz`` as SOURCE.md describes."""
    rows: dict[tuple[str, str, str], None] = {}
    prompt_files = sorted((folder / "prompts").glob("*_1k.txt.gz"))
    if not prompt_files:
        raise DataError(
            f"corpus {folder.name}: missing toxigen_prompt_sentences_dedup.csv and prompts/*.txt.gz"
        )
    for path in prompt_files:
        label, _, group = path.name.removesuffix("_1k.txt.gz").partition("_")
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            for line in lines:
                for part in line.rstrip("\n").split("\\n-"):
                    sentence = part.strip().removeprefix("- ").strip()
                    if sentence:
                        rows[(sentence, group, label)] = None
    return pd.DataFrame(list(rows), columns=["text", "target_group", "label"])


def load_toxigen(folder: Path) -> pd.DataFrame:
    """ToxiGen human-written seed sentences: ``toxigen_prompt_sentences_dedup.csv`` (else the gzip prompts).

    * hate_<group>: hateful 1, antisemitic 1 when the group is ``jewish`` else 0, offensive 0.
    * neutral_<group>: 0, 0, 0 (author-curated benign statements about the group).
    * target: the group. A sentence used for several groups is merged by dedupe (targets joined).
    """
    csv_path = folder / "toxigen_prompt_sentences_dedup.csv"
    if csv_path.is_file():
        frame = read_table(csv_path, columns=("text", "target_group", "label"), keep_default_na=False)
    else:
        frame = _toxigen_from_prompts(folder)
    unexpected = sorted(set(frame["label"]) - {"hate", "neutral"})
    if unexpected:
        raise DataError(f"corpus {folder.name}: unexpected label(s) {', '.join(unexpected)}")
    hateful = (frame["label"] == "hate").to_numpy()
    group = frame["target_group"].astype(str).str.strip().str.lower()
    return mapped_rows(
        frame["text"],
        hateful=hateful.astype(np.int8),
        antisemitic=where(hateful & (group == "jewish").to_numpy(), 1, 0),
        offensive=0,
        target=group.to_numpy(dtype=object),
    )
