"""Scraped page (plain text or HTML) -> :class:`moderation.Article`.

The layouts live in their own modules: :mod:`~moderation.parsing.text` (plain-text scrapes, with
:mod:`~moderation.parsing.names` for names and dates), :mod:`~moderation.parsing.html` (HTML markup, with
:mod:`~moderation.parsing.markup` for the document and its visible text and
:mod:`~moderation.parsing.jsonld` for JSON-LD) and :mod:`~moderation.parsing.boilerplate` (the chrome
both drop). This module only chooses between them.
"""

from __future__ import annotations

import re
from pathlib import Path

from moderation.parsing.text import parse_text
from moderation.reading import read_text
from moderation.types import Article

KINDS = ("auto", "text", "html")

# Markup that only an HTML document (or fragment) starts with.
_HTML_START = re.compile(
    r"\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title|article|main|div|section|p|ol|ul|li"
    r"|header|nav|span|h[1-6]|link|script|style|table|form|!--)\b",
    re.IGNORECASE | re.DOTALL,
)
_HTML_ANYWHERE = re.compile(r"<(?:!doctype\s+html|html|body)\b[^>]*>", re.IGNORECASE)


def looks_like_html(text: str) -> bool:
    """Whether ``text`` is markup: it opens with a tag, or has an ``<html>``/``<body>`` tag near the top."""
    head = text[:4096]
    return _HTML_START.match(head) is not None or _HTML_ANYWHERE.search(head) is not None


def parse(text: str, *, source: str | None = None, kind: str = "auto") -> Article:
    """Split a scraped page into title, byline, body, reader comments and dropped boilerplate.

    ``kind`` is ``"auto"`` (HTML when it looks like markup), ``"text"`` or ``"html"``. Never raises on
    odd input: anything that is not a recognisable layout ends up in the body.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    if kind == "html" or (kind == "auto" and looks_like_html(text)):
        from moderation.parsing.html import parse_html  # lxml loads only when there is markup

        return parse_html(text, source=source)
    return parse_text(text, source=source)


def parse_file(path: str | Path, *, max_bytes: int = 20_000_000) -> Article:
    """Read ``path`` (``-`` for stdin) with :func:`moderation.reading.read_text` and :func:`parse` it."""
    return parse(read_text(path, max_bytes=max_bytes), source=str(path))
