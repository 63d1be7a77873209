"""ETHOS binary and multi-label (Mollas et al. 2022)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from moderation.corpora._base import JEWISH_KEYWORDS, UNKNOWN, mapped_rows, read_table, require_file, where

_ETHOS_TARGETS = ("gender", "race", "national_origin", "disability", "religion", "sexual_orientation")
_ETHOS_COULD_BE_JEWS = ("race", "national_origin", "religion")


def load_ethos(folder: Path) -> pd.DataFrame:
    """ETHOS (Mollas et al. 2022): ``Ethos_Dataset_Binary.csv`` labels, ``*_Multi_Label.csv`` targets (``;``).

    * isHate >= 0.5 (the fraction of annotators): hateful 1, offensive 0. antisemitic -1, except 0 when the
      multi-label file (joined on the text) gives targets and none of them could cover Jews (race, national
      origin, religion all < 0.5) and the text has no Jewish/Israel keyword.
    * isHate < 0.5: hateful 0, antisemitic 0, offensive -1 (not annotated).
    * target: multi-label categories >= 0.5, e.g. "gender; disability".
    """
    binary = read_table(
        require_file(folder, "Ethos_Dataset_Binary.csv"), sep=";", columns=("comment", "isHate")
    )
    multi = read_table(
        require_file(folder, "Ethos_Dataset_Multi_Label.csv"), sep=";", columns=("comment", *_ETHOS_TARGETS)
    )
    multi = multi.assign(key=multi["comment"].astype(str).str.strip()).drop_duplicates("key").set_index("key")
    hateful = (binary["isHate"].astype(float) >= 0.5).to_numpy()
    keys = binary["comment"].astype(str).str.strip()
    known = keys.isin(multi.index).to_numpy()
    matched = multi.reindex(keys)
    could_be_jews = (matched[list(_ETHOS_COULD_BE_JEWS)].astype(float) >= 0.5).any(axis=1).to_numpy()
    mentions_jews = keys.str.contains(JEWISH_KEYWORDS).to_numpy()
    antisemitic = np.select(
        [~hateful, known & ~could_be_jews & ~mentions_jews], [0, 0], default=UNKNOWN
    ).astype(np.int8)
    flags = matched[list(_ETHOS_TARGETS)].astype(float) >= 0.5
    targets = [
        "; ".join(name for name, on in zip(_ETHOS_TARGETS, row, strict=True) if on) if hit else ""
        for row, hit in zip(flags.itertuples(index=False), known, strict=True)
    ]
    return mapped_rows(
        binary["comment"],
        hateful=hateful.astype(np.int8),
        antisemitic=antisemitic,
        offensive=where(hateful, 0, UNKNOWN),
        target=np.asarray(targets, dtype=object),
    )
