"""Stormfront sentences (de Gibert et al. 2018)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from moderation.corpora._base import UNKNOWN, mapped_rows, read_table, require_file, where
from moderation.errors import DataError

_STORMFRONT_LABELS = {"hate", "noHate", "relation", "idk/skip"}


def load_stormfront(folder: Path) -> pd.DataFrame:
    """Stormfront sentences (de Gibert et al. 2018): ``stormfront_sentences.csv``, one sentence per row.

    * hate: hateful 1, antisemitic -1 (no target column), offensive 0.
    * noHate: hateful 0, antisemitic 0, offensive -1 (not annotated).
    * relation (hateful only together with neighbouring sentences) and idk/skip: dropped. Alone, a relation
      sentence is not hate, yet labelling it 0 would contradict the annotators.
    """
    frame = read_table(
        require_file(folder, "stormfront_sentences.csv"), columns=("text", "label"), keep_default_na=False
    )
    unexpected = sorted(set(frame["label"]) - _STORMFRONT_LABELS)
    if unexpected:
        raise DataError(f"corpus {folder.name}: unexpected label(s) {', '.join(unexpected)}")
    frame = frame[frame["label"].isin(("hate", "noHate"))]
    hateful = (frame["label"] == "hate").to_numpy()
    return mapped_rows(
        frame["text"],
        hateful=hateful.astype(np.int8),
        antisemitic=where(hateful, UNKNOWN, 0),
        offensive=where(hateful, 0, UNKNOWN),
    )
