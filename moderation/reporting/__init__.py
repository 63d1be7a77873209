"""Batch reports over scored articles: the report data, and its HTML, CSV and JSONL renderings.

``build_report(moderated_articles, failures)`` summarises; ``write_report(report, path)`` picks the format
from the file extension (``.html``/``.htm``, ``.csv``, ``.jsonl``) and writes atomically.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from moderation.errors import InputError
from moderation.reporting.render import render_csv, render_html, render_jsonl
from moderation.reporting.report import ArticleRow, FailedInput, FlaggedComment, Report, build_report

RENDERERS = {".html": render_html, ".htm": render_html, ".csv": render_csv, ".jsonl": render_jsonl}


def report_format(path: str | Path) -> str:
    """The extension that names the format of ``path``; InputError when it names none."""
    suffix = Path(path).suffix.lower()
    if suffix not in RENDERERS:
        shown = suffix or "(no extension)"
        raise InputError(f"{path}: unknown report format {shown}; use .html, .csv or .jsonl")
    return suffix


def write_atomically(path: str | Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path`` and rename it over ``path``."""
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise InputError(f"{path}: directory {directory} does not exist")
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_report(report: Report, path: str | Path) -> None:
    """Render ``report`` in the format its extension names and write it atomically."""
    write_atomically(path, RENDERERS[report_format(path)](report))


__all__ = [
    "ArticleRow",
    "FailedInput",
    "FlaggedComment",
    "Report",
    "build_report",
    "render_csv",
    "render_html",
    "render_jsonl",
    "report_format",
    "write_atomically",
    "write_report",
]
