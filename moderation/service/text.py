"""Comment text as the service receives it: HTML to what a reader sees, sentences, and UTF-16 offsets."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence

from moderation.parsing.markup import html_document

# Text inside these is never shown to a reader. XPath sees an element's tail as the parent's text node, so the
# text after a <script> stays.
_VISIBLE_TEXT = "//text()[not(ancestor::script or ancestor::style or ancestor::template)]"


def plain_text(body: str) -> str:
    """The comment as a reader sees it (Coral's HTML format; Perspective's comment.type HTML)."""
    if "<" not in body:
        return body
    root = html_document(body)
    if root is None:
        return ""
    # A space between text nodes: "a<p>b</p>" is two words to a reader, and so is "a<b>b</b>" to the model.
    return " ".join(" ".join(root.xpath(_VISIBLE_TEXT)).split())


_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|$)|[.!?]+", re.MULTILINE)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Code-point spans of the sentences in ``text``, surrounding whitespace excluded."""
    spans = []
    for match in _SENTENCE.finditer(text):
        begin, end = match.span()
        while begin < end and text[begin].isspace():
            begin += 1
        while end > begin and text[end - 1].isspace():
            end -= 1
        if end > begin:
            spans.append((begin, end))
    return spans


def utf16_length(text: str) -> int:
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def utf16_offsets(text: str, offsets: Sequence[int]) -> list[int]:
    """Code-point offsets into ``text`` as UTF-16 code units: each character past U+FFFF counts twice."""
    astral = [position for position, char in enumerate(text) if ord(char) > 0xFFFF]
    return [offset + bisect_left(astral, offset) for offset in offsets]
