"""Word lists written as text blocks, for the parsers' vocabularies (tags, class words, names, dates)."""

from __future__ import annotations


def word_set(text: str) -> frozenset[str]:
    """The whitespace-separated words of ``text``."""
    return frozenset(text.split())
