"""Latent Hatred: the implicit hate corpus (ElSherief et al. 2021)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from moderation.corpora._base import JEWISH_TARGET, UNKNOWN, mapped_rows, read_table, require_file, where
from moderation.errors import DataError

_UNSPECIFIED_TARGET = re.compile(
    r"not specified|no specific|unspecified|unknown|^none$|^n/?a$", re.IGNORECASE
)


def load_implicit_hate(folder: Path) -> pd.DataFrame:
    """Latent Hatred (ElSherief et al. 2021): stage 1 labels, stage 3 targets joined on the post text.

    * implicit_hate / explicit_hate: hateful 1, offensive 0. antisemitic 1 when a stage 3 target of the post
      names Jews (jew|juda|zion|israel|semit|hebrew), 0 when stage 3 names only other targets, -1 when the
      post has no stage 3 row (all explicit posts, some implicit ones) or its target is "not specified".
    * not_hate: hateful 0, antisemitic 0, offensive -1 (not annotated).
    * target: the stage 3 target(s), lower case.
    """
    stage1 = read_table(
        require_file(folder, "implicit_hate_v1_stg1_posts.tsv"), sep="\t", columns=("post", "class")
    )
    stage3 = read_table(
        require_file(folder, "implicit_hate_v1_stg3_posts.tsv"), sep="\t", columns=("post", "target")
    )
    label = stage1["class"].to_numpy()
    unexpected = sorted(set(label) - {"implicit_hate", "explicit_hate", "not_hate"})
    if unexpected:
        raise DataError(f"corpus {folder.name}: unexpected class(es) {', '.join(map(str, unexpected))}")

    stage3 = stage3.dropna(subset=["post", "target"])
    stage3_target = stage3["target"].astype(str).str.strip().str.lower().str.rstrip(".")
    specified = ~stage3_target.str.contains(_UNSPECIFIED_TARGET) & (stage3_target != "")
    by_post: dict[str, tuple[bool, list[str]]] = {}
    for post, target, named in zip(
        stage3["post"].astype(str).str.strip(), stage3_target, specified, strict=True
    ):
        names_jews, targets = by_post.get(post, (False, []))
        if named:
            names_jews = names_jews or bool(JEWISH_TARGET.search(target))
            if target not in targets:
                targets = [*targets, target]
        by_post[post] = (names_jews, targets)

    hateful = label != "not_hate"
    antisemitic = np.empty(len(stage1), dtype=np.int8)
    targets_out = []
    for i, (post, is_hateful) in enumerate(zip(stage1["post"].astype(str).str.strip(), hateful, strict=True)):
        names_jews, targets = by_post.get(post, (False, []))
        targets_out.append("; ".join(targets))
        if not is_hateful:
            antisemitic[i] = 0
        elif names_jews:
            antisemitic[i] = 1
        elif targets:
            antisemitic[i] = 0
        else:
            antisemitic[i] = UNKNOWN
    return mapped_rows(
        stage1["post"],
        hateful=hateful.astype(np.int8),
        antisemitic=antisemitic,
        offensive=where(hateful, 0, UNKNOWN),
        target=np.asarray(targets_out, dtype=object),
    )
