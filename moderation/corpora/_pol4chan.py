"""4chan /pol/ antisemitism subset (Le 2021): evaluation only."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from moderation.corpora._base import UNKNOWN, mapped_rows, read_table, require_file, where
from moderation.errors import DataError


def load_pol4chan(folder: Path) -> pd.DataFrame:
    """4chan /pol/ antisemitism subset (Le 2021): ``data_train.csv`` + ``data_test.csv``, one annotator.

    The official train/test files are concatenated; the project's split rule re-splits them (23 texts sit in
    both files; dedupe merges them). No license: evaluation only.

    * label 1: antisemitic 1, hateful 1, offensive 0, target "jews".
    * label 0: antisemitic 0, hateful -1 (/pol/ comments not antisemitic are often hateful to other groups),
      offensive -1.
    """
    parts = [
        read_table(require_file(folder, name), columns=("text", "label"))
        for name in ("data_train.csv", "data_test.csv")
    ]
    frame = pd.concat(parts, ignore_index=True)
    label = frame["label"].to_numpy()
    if not np.isin(label, (0, 1)).all():
        raise DataError(f"corpus {folder.name}: label must be 0 or 1")
    return mapped_rows(
        frame["text"],
        hateful=where(label == 1, 1, UNKNOWN),
        antisemitic=label,
        offensive=where(label == 1, 0, UNKNOWN),
        target=np.where(label == 1, "jews", ""),
    )
