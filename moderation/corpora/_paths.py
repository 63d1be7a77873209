"""Where the labelled data lives: the corpora root, and the project's own data files."""

from __future__ import annotations

import os
from pathlib import Path

CORPORA_ENV = "MODERATE_CORPORA"


def project_root() -> Path | None:
    """The checkout this runs in (the folder with ``pyproject.toml``), from the current dir or this file."""
    for start in (Path.cwd(), Path(__file__).resolve().parent):
        for folder in (start, *start.parents):
            if (folder / "pyproject.toml").is_file():
                return folder
    return None


def project_file(relative: str) -> Path | None:
    """A file of the project's checkout (``data/lexicon.json``, ...), when there is one."""
    project = project_root()
    path = project / relative if project else None
    return path if path is not None and path.is_file() else None


def default_corpora_root() -> Path | None:
    """``$MODERATE_CORPORA`` if set, else ``../shared/datasets`` from the current dir or the project root."""
    configured = os.environ.get(CORPORA_ENV)
    if configured:
        return Path(configured).expanduser()
    candidates = [Path.cwd().parent / "shared" / "datasets"]
    project = project_root()
    if project is not None:
        candidates.append(project.parent / "shared" / "datasets")
    for candidate in candidates:
        if candidate.is_dir():
            return candidate.resolve()
    return None


def default_in_domain_path() -> Path | None:
    """``data/comments.jsonl`` in the project root, when it exists."""
    return project_file("data/comments.jsonl")
