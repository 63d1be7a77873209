"""Davidson et al. 2017: hate speech and offensive language tweets."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from moderation.corpora._base import UNKNOWN, mapped_rows, read_table, require_file, where
from moderation.errors import DataError


def load_davidson(folder: Path) -> pd.DataFrame:
    """Davidson et al. 2017 (``labeled_data.csv``, multi-line tweets): the majority ``class`` decides.

    * class 0 "hate speech": hateful 1, antisemitic -1 (no target column), offensive 0 (hate, not mere abuse).
    * class 1 "offensive language": hateful 0, antisemitic 0, offensive 1.
    * class 2 "neither": 0, 0, 0.
    """
    frame = read_table(require_file(folder, "labeled_data.csv"), columns=("class", "tweet"))
    label = frame["class"].to_numpy()
    if not np.isin(label, (0, 1, 2)).all():
        raise DataError(f"corpus {folder.name}: class must be 0, 1 or 2")
    return mapped_rows(
        frame["tweet"],
        hateful=where(label == 0, 1, 0),
        antisemitic=where(label == 0, UNKNOWN, 0),
        offensive=where(label == 1, 1, 0),
    )
