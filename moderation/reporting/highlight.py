"""Split a comment's original text into plain and highlighted runs, from the spans its reasons carry.

A reason names an n-gram of the *normalized* text ("jews" for "J3ws"), and carries where its occurrences stand
in the comment as written (:func:`moderation.normalize.normalize_with_offsets` maps the normalized text back).
Highlighting only reads those spans: nothing is searched for again, and an obfuscated spelling ("J3ws",
"j e w s", "(((them)))") is marked where it stands. A reason without spans is simply not marked: highlighting
is a reading aid, never a reason to fail.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from moderation.types import Reason


@dataclass(frozen=True)
class Segment:
    """A run of a comment's original text; ``ngrams`` lists the reasons it shows (empty: plain text)."""

    text: str
    ngrams: tuple[str, ...] = ()

    @property
    def highlighted(self) -> bool:
        return bool(self.ngrams)


def segments(text: str, reasons: Iterable[Reason]) -> list[Segment]:
    """Split ``text`` into plain and highlighted runs: the spans of ``reasons`` (offsets into ``text``) marked,
    overlapping or touching spans merged into one run that names every n-gram in it, in the reasons' order.
    Spans that do not fit ``text`` are left out."""
    order: dict[str, int] = {}
    found: list[tuple[int, int, str]] = []
    for reason in reasons:
        order.setdefault(reason.ngram, len(order))
        found += [(start, end, reason.ngram) for start, end in reason.spans if 0 <= start < end <= len(text)]
    if not found:
        return [Segment(text)] if text else []
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
        result.append(Segment(text[start:end], tuple(sorted(names, key=order.__getitem__))))
        position = end
    if position < len(text):
        result.append(Segment(text[position:]))
    return result
