"""The labelled set a training or evaluation run reads: corpora, in-domain comments and labelled files."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import pandas as pd

from moderation.corpora._base import concat_frames
from moderation.corpora._paths import default_in_domain_path
from moderation.corpora._registry import IN_DOMAIN, load_corpora
from moderation.corpora._user import load_in_domain, load_labelled_file
from moderation.errors import DataError


def load_labelled_set(
    root: str | Path | None,
    *,
    in_domain: str | Path | None | bool = True,
    files: Iterable[str | Path] = (),
    trainable_only: bool = False,
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """Everything a training or evaluation run reads: the corpora under ``root`` (None: none), the project's
    in-domain comments (True: ``data/comments.jsonl`` when present; a path; False: none) and labelled files."""
    parts = []
    if root is not None:
        parts.append(load_corpora(root, trainable_only=trainable_only, progress=progress))
    if in_domain is True:
        in_domain = default_in_domain_path()
    if in_domain:
        if progress is not None:
            progress(IN_DOMAIN)
        parts.append(load_in_domain(in_domain))
    for path in files:
        if progress is not None:
            progress(str(path))
        parts.append(load_labelled_file(path))
    if not parts:
        raise DataError(
            "no labelled data: give a corpora root (--data), the in-domain file or labelled files"
        )
    return concat_frames(parts)
