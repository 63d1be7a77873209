"""Gab Hate Corpus (Kennedy et al.): evaluation only."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from moderation.corpora._base import UNKNOWN, mapped_rows, read_table, require_file, where
from moderation.errors import DataError


def load_gab(folder: Path) -> pd.DataFrame:
    """Gab Hate Corpus (Kennedy et al.): ``ghc_train.tsv`` + ``ghc_test.tsv``, majority-vote hd/cv/vo.

    The given train/test split is not used; the project's split rule re-splits the union. This copy states no
    license: evaluation only.

    * hd (assault on human dignity) or cv (call for violence): hateful 1, antisemitic -1 (no target columns in
      this copy), offensive 0 (hate, whatever vo says).
    * otherwise: hateful 0, antisemitic 0, offensive = vo.
    """
    parts = [
        read_table(require_file(folder, name), sep="\t", columns=("text", "hd", "cv", "vo"))
        for name in ("ghc_train.tsv", "ghc_test.tsv")
    ]
    frame = pd.concat(parts, ignore_index=True)
    for column in ("hd", "cv", "vo"):
        if not frame[column].isin((0, 1)).all():
            raise DataError(f"corpus {folder.name}: {column} must be 0 or 1")
    hateful = ((frame["hd"] == 1) | (frame["cv"] == 1)).to_numpy()
    return mapped_rows(
        frame["text"],
        hateful=hateful.astype(np.int8),
        antisemitic=where(hateful, UNKNOWN, 0),
        offensive=where(hateful, 0, frame["vo"].to_numpy()),
    )
