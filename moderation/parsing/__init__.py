"""Scraped page (plain text or HTML) -> :class:`moderation.Article`. (Being built: issue 2.)"""

from __future__ import annotations

from pathlib import Path

from moderation.types import Article


def parse(text: str, *, source: str | None = None, kind: str = "auto") -> Article:
    """Split a scraped page into title, byline, body, reader comments and dropped boilerplate.

    ``kind`` is ``"auto"`` (HTML when it looks like markup), ``"text"`` or ``"html"``.
    """
    raise NotImplementedError


def parse_file(path: str | Path, *, max_bytes: int = 20_000_000) -> Article:
    """Read ``path`` (``-`` for stdin) with :func:`moderation.reading.read_text` and :func:`parse` it."""
    raise NotImplementedError
