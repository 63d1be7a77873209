"""ISCA Antisemitism on Twitter gold standard 2024."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from moderation.corpora._base import UNKNOWN, mapped_rows, read_table, require_file, where
from moderation.errors import DataError


def load_isca(folder: Path) -> pd.DataFrame:
    """ISCA "Antisemitism on Twitter" gold standard 2024 (``GoldStandard2024.csv``, multi-line tweets).

    Every tweet was sampled by a Jewish/Israel keyword and annotated for antisemitism (IHRA).

    * Biased 1: antisemitic 1, hateful 1, offensive 0, target "jews".
    * Biased 0: antisemitic 0 and hateful 0. Hateful 0 is a judgement call: the annotators only asked "is it
      antisemitic", but these are tweets about Jews and Israel that experts read as not hostile to Jews,
      nearly all news, religion, politics and counter-speech (a slur search finds ~50 of 9,358, mostly
      quoting). They are the best examples of non-hateful mentions of Jews; the rare tweet hostile to another
      group is noise.
      offensive -1 (not annotated; some are profane).

    The text is kept as stored: line breaks appear as a literal backslash-n, and some tweets carry mojibake.
    """
    frame = read_table(
        require_file(folder, "GoldStandard2024.csv"), columns=("Biased", "Text"), dtype={"ID": str}
    )
    biased = frame["Biased"].to_numpy()
    if not np.isin(biased, (0, 1)).all():
        raise DataError(f"corpus {folder.name}: Biased must be 0 or 1")
    return mapped_rows(
        frame["Text"],
        hateful=biased,
        antisemitic=biased,
        offensive=where(biased == 1, 0, UNKNOWN),
        target=np.where(biased == 1, "jews", ""),
    )
