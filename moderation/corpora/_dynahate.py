"""DynaHate dev + test (Vidgen et al. 2021): evaluation only."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from moderation.corpora._base import UNKNOWN, as_strings, mapped_rows, read_table, require_file, where
from moderation.errors import DataError


def load_dynahate(folder: Path) -> pd.DataFrame:
    """DynaHate (Vidgen et al. 2021), official dev and test splits only: adversarial statements written to
    fool models. No license: evaluation only, and it never enters training or tuning.

    * hate: hateful 1, antisemitic 1 when ``target`` names Jews ("jew"), else -1 (round 1 has no target)
      or 0; offensive 0.
    * nothate: 0, 0, offensive -1 (not annotated).
    """
    frame = pd.concat(
        [
            read_table(require_file(folder, name), columns=("text", "label", "target"))
            for name in ("dev.csv", "test.csv")
        ],
        ignore_index=True,
    )
    unexpected = sorted(set(frame["label"]) - {"hate", "nothate"})
    if unexpected:
        raise DataError(f"corpus {folder.name}: unexpected label(s) {', '.join(map(str, unexpected))}")
    hateful = (frame["label"] == "hate").to_numpy()
    target = as_strings(frame["target"]).str.strip().str.lower()
    jewish = target.str.contains("jew").to_numpy()
    unknown_target = target.isin(["notgiven", "", "none"]).to_numpy()
    return mapped_rows(
        frame["text"],
        hateful=hateful.astype(np.int8),
        antisemitic=np.select([~hateful, jewish, unknown_target], [0, 1, UNKNOWN], default=0),
        offensive=where(hateful, 0, UNKNOWN),
        target=target.to_numpy(dtype=object),
    )
