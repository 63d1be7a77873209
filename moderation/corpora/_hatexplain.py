"""HateXplain, the flat derived copy."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from moderation.corpora._base import JEWISH_KEYWORDS, UNKNOWN, mapped_rows, read_table, require_file, where
from moderation.errors import DataError

_HATEXPLAIN_TARGETS = {
    "Race": "No_race",
    "Religion": "Nonreligious",
    "Gender": "No_gender",
    "Sexual Orientation": "No_orientation",
    "Miscellaneous": "",
}


def load_hatexplain(folder: Path) -> pd.DataFrame:
    """HateXplain, derived flat copy (``final_hateXplain.csv``): one label per post, target columns.

    * hatespeech: hateful 1, offensive 0; antisemitic 1 when ``Religion`` is ``Jewish``. Otherwise 0, except
      -1 when the text uses Jewish/Israel keywords: the copy aggregated the annotators' targets by an unknown
      rule and keeps one value per category, and such posts are often antisemitic as well as hostile to the
      group that was kept ("...jews paying sand niggers...", Religion=Islam).
    * offensive: hateful 0, antisemitic 0, offensive 1 (Religion=Jewish offensive posts stay 0: the annotators
      judged them not hate, and a non-hateful row is not antisemitic).
    * normal: 0, 0, 0.
    * target: the non-default target columns, e.g. "african; jewish".
    """
    frame = read_table(
        require_file(folder, "final_hateXplain.csv"),
        columns=("comment", "label", *_HATEXPLAIN_TARGETS),
        keep_default_na=False,
    )
    label = frame["label"].to_numpy()
    unexpected = sorted(set(label) - {"hatespeech", "offensive", "normal"})
    if unexpected:
        raise DataError(f"corpus {folder.name}: unexpected label(s) {', '.join(map(str, unexpected))}")
    hateful = label == "hatespeech"
    jewish_target = (frame["Religion"] == "Jewish").to_numpy()
    mentions_jews = frame["comment"].str.contains(JEWISH_KEYWORDS).to_numpy()
    antisemitic = np.select([~hateful, jewish_target, mentions_jews], [0, 1, UNKNOWN], default=0).astype(
        np.int8
    )
    defaults = list(_HATEXPLAIN_TARGETS.values())
    targets = [
        "; ".join(
            str(value).strip().lower()
            for value, default in zip(row, defaults, strict=True)
            if str(value).strip() and str(value).strip() not in (default, "None")
        )
        for row in zip(*(frame[column] for column in _HATEXPLAIN_TARGETS), strict=True)
    ]
    return mapped_rows(
        frame["comment"],
        hateful=hateful.astype(np.int8),
        antisemitic=antisemitic,
        offensive=where(label == "offensive", 1, 0),
        target=np.asarray(targets, dtype=object),
    )
