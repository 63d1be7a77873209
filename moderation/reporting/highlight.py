"""Find, in a comment's original text, the n-grams that drove its score, so a report can highlight them.

Reasons name n-grams of the *normalized* text (lowercased, obfuscations such as ``j3ws`` folded), so they
cannot always be found verbatim. Each n-gram is looked for case-insensitively, first as whole words, then
as a character n-gram inside words, then again in a copy of the text with common digit/symbol substitutions
folded (same length, so offsets still point into the original). An n-gram that is found nowhere is simply
not highlighted: highlighting is a reading aid, never a reason to fail.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

# One character in, one character out: offsets in the folded copy are offsets in the original.
_SUBSTITUTIONS = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
)


@dataclass(frozen=True)
class Segment:
    """A run of a comment's original text; ``ngrams`` lists the reasons it matched (empty: plain text)."""

    text: str
    ngrams: tuple[str, ...] = ()

    @property
    def highlighted(self) -> bool:
        return bool(self.ngrams)


def _lowered(text: str) -> str:
    """Lowercase and strip accents character by character, keeping the length."""
    out = []
    for char in text:
        low = char.lower()
        if len(low) != 1:
            low = char
        base = unicodedata.normalize("NFKD", low)[:1] or low
        out.append(base if base.isalnum() == low.isalnum() else low)
    return "".join(out)


def _folded(lowered: str) -> str:
    return lowered.translate(_SUBSTITUTIONS)


def _word_pattern(ngram: str) -> re.Pattern[str] | None:
    tokens = ngram.split()
    if not tokens:
        return None
    body = r"[\W_]+".join(re.escape(token) for token in tokens)
    return re.compile(rf"(?<![^\W_]){body}(?![^\W_])")


def _char_pattern(ngram: str) -> re.Pattern[str] | None:
    # Character n-grams are taken over the text padded with a space at either end, so a leading or
    # trailing space means "at a word edge", and one inside may span the gap between two words.
    inner = ngram.strip()
    if len(inner) < 2:
        return None
    start = r"(?<![^\W_])" if ngram[:1].isspace() else ""
    end = r"(?![^\W_])" if ngram[-1:].isspace() else ""
    body = r"\s+".join(re.escape(part) for part in inner.split())
    return re.compile(start + body + end)


def find_spans(text: str, ngram: str) -> list[tuple[int, int]]:
    """Character spans of ``text`` where ``ngram`` (from normalized text) occurs; empty when not found."""
    needle = _lowered(ngram)
    lowered = _lowered(text)
    folded = _folded(lowered)
    patterns = [p for p in (_word_pattern(needle), _char_pattern(needle)) if p is not None]
    for haystack in (lowered, folded):
        for pattern in patterns:
            spans = [match.span() for match in pattern.finditer(haystack) if match.end() > match.start()]
            if spans:
                return spans
    return []


def segments(text: str, ngrams: Iterable[str]) -> list[Segment]:
    """Split ``text`` into plain and highlighted runs; overlapping matches merge into one run."""
    wanted = tuple(dict.fromkeys(ngrams))
    marks: list[set[str]] = [set() for _ in text]
    for ngram in wanted:
        for start, end in find_spans(text, ngram):
            for position in range(start, end):
                marks[position].add(ngram)
    result: list[Segment] = []
    start = 0
    for position in range(1, len(text) + 1):
        if position == len(text) or bool(marks[position]) != bool(marks[start]):
            found = set().union(*marks[start:position])
            ordered = tuple(n for n in wanted if n in found)
            result.append(Segment(text[start:position], ordered))
            start = position
    return result


def located(text: str, ngram: str) -> bool:
    """Whether ``ngram`` can be highlighted in ``text``."""
    return bool(find_spans(text, ngram))
