"""Find, in a comment's original text, the n-grams that drove its score, so a report can highlight them.

Reasons name n-grams of the *normalized* text (lowercased, obfuscations such as ``j3ws`` folded), so they
cannot always be found verbatim. Each n-gram is looked for case-insensitively, first as whole words, then
as a character n-gram inside words, then again in a copy of the text with common digit/symbol substitutions
folded (same length, so offsets still point into the original). An n-gram that is found nowhere is simply
not highlighted: highlighting is a reading aid, never a reason to fail.

A report highlights thousands of comments whose reasons repeat, so the work is split in two: a
:class:`Highlighter` compiles each n-gram's patterns once and keeps them, and a comment is lowercased and
folded once (:class:`Haystack`), however many n-grams are looked for in it.
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
    if text.isascii():  # the common case: str.lower keeps ASCII's length
        return text.lower()
    out = []
    for char in text:
        low = char.lower()
        if len(low) != 1:
            low = char
        base = unicodedata.normalize("NFKD", low)[:1] or low
        out.append(base if base.isalnum() == low.isalnum() else low)
    return "".join(out)


@dataclass(frozen=True)
class Haystack:
    """A comment lowercased (accents stripped) and that copy with substitutions folded, both its length."""

    lowered: str
    folded: str

    @classmethod
    def of(cls, text: str) -> Haystack:
        lowered = _lowered(text)
        return cls(lowered, lowered.translate(_SUBSTITUTIONS))


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


def _patterns(ngram: str) -> tuple[re.Pattern[str], ...]:
    needle = _lowered(ngram)
    return tuple(p for p in (_word_pattern(needle), _char_pattern(needle)) if p is not None)


class Highlighter:
    """Finds reason n-grams in comments, compiling each n-gram's patterns the first time it is asked for.

    Make one per report (or per batch of comments) and drop it with them: its cache grows with the
    distinct n-grams it has seen. Results never depend on what is cached.
    """

    __slots__ = ("_compiled",)

    def __init__(self) -> None:
        self._compiled: dict[str, tuple[re.Pattern[str], ...]] = {}

    def spans(self, haystack: Haystack, ngram: str) -> list[tuple[int, int]]:
        """Character spans of the comment where ``ngram`` occurs; empty when not found."""
        patterns = self._compiled.get(ngram)
        if patterns is None:
            patterns = self._compiled[ngram] = _patterns(ngram)
        for text in (haystack.lowered, haystack.folded):
            for pattern in patterns:
                found = [match.span() for match in pattern.finditer(text) if match.end() > match.start()]
                if found:
                    return found
        return []

    def segments(self, text: str, ngrams: Iterable[str], haystack: Haystack | None = None) -> list[Segment]:
        """Split ``text`` into plain and highlighted runs; overlapping matches merge into one run."""
        haystack = haystack or Haystack.of(text)
        wanted = tuple(dict.fromkeys(ngrams))
        found: list[tuple[int, int, str]] = [
            (start, end, ngram) for ngram in wanted for start, end in self.spans(haystack, ngram)
        ]
        if not found:
            return [Segment(text)] if text else []
        # Merge overlapping (or touching) spans into runs, remembering which n-grams made each run.
        found.sort()
        runs: list[tuple[int, int, set[str]]] = []
        for start, end, ngram in found:
            if runs and start <= runs[-1][1]:
                run_start, run_end, names = runs[-1]
                names.add(ngram)
                runs[-1] = (run_start, max(run_end, end), names)
            else:
                runs.append((start, end, {ngram}))
        result: list[Segment] = []
        position = 0
        for start, end, names in runs:
            if start > position:
                result.append(Segment(text[position:start]))
            result.append(Segment(text[start:end], tuple(n for n in wanted if n in names)))
            position = end
        if position < len(text):
            result.append(Segment(text[position:]))
        return result


def find_spans(text: str, ngram: str) -> list[tuple[int, int]]:
    """Character spans of ``text`` where ``ngram`` (from normalized text) occurs; empty when not found."""
    return Highlighter().spans(Haystack.of(text), ngram)


def segments(text: str, ngrams: Iterable[str]) -> list[Segment]:
    """Split ``text`` into plain and highlighted runs; overlapping matches merge into one run."""
    return Highlighter().segments(text, ngrams)


def located(text: str, ngram: str) -> bool:
    """Whether ``ngram`` can be highlighted in ``text``."""
    return bool(find_spans(text, ngram))
