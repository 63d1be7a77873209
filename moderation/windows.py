"""Long texts -> overlapping windows of whole sentences, normalized, so one hateful sentence is not diluted.

A linear model over L2-normalised n-gram features scores a text by the average tone of its n-grams: a paragraph
of neutral news text around one antisemitic sentence brings the score down to nothing. So a text of more than
``max_words`` words is scored as several windows, and the model keeps each label's highest logit. The windows of
such a text are:

* every sentence (a sentence longer than ``max_words`` is cut into ``max_words``-word chunks, half overlapping),
  found in the raw text: full stops, line breaks, and a capitalised opener after a lower-case word;
* the first and the last twelve words of every longer sentence, in case a boundary was missed;
* every run of up to eight whole sentences of at most four times ``max_words`` words (a sentence longer than
  ``max_words`` counts whole here), and likewise of sentences and chunks where no two chunks overlap;
* the whole text.

Every window may speak for identity hate, whether or not it names a group: coded antisemitism often names no
one ("they control the money, the media and now the schools") and must still count when pasted into other
text. A margin for windows naming no group (no word of ``data/targets.json``, no coded-term spelling) was
tried: at 1 logit, 92% of padded hate kept its flag and coded antisemitism that names no one lost it; after
the tenth data batch, 0.25 kept 94.4% (below the 95% of tests/test_judgement.py), 0.15 95.4% and 0 96.4%, with
the same clean in-domain comments flagged at all three (0 cost 0.008 of ROC-AUC on ToxicSpans' news comments);
with the fourteenth batch and 24-word windows, 0.15 kept 94.7%, 0.05 95.6% and 0 96.1% (96.5% once every run
of whole sentences was a window), again with the same 8 of 631 clean test comments flagged and corpus ROC-AUCs
within 0.001. Any margin kept less padded hate flagged; removed. Offensive and the attributes have no such
duty: for them any window short of the whole text needs a margin more (``LinearModel.window_margin``), since
"They're not stupid." out of its paragraph is not the comment's tone.

A comment of up to eight sentences and four times ``max_words`` words (96 at the shipped 24) pasted before or
after any amount of other text is therefore still scored on exactly its own words, and one sentence inside a
long comment is scored alone. (Past 256 sentences, neighbouring short sentences are merged first, which bounds
the work.) A text of at most ``max_words`` words is one window, itself, so short comments score exactly as they
always did. The price: more windows are more chances for an innocent sentence to look bad out of context, which
costs some ranking on long tweets (see the model card), and a higher threshold for the identity-hate labels.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from moderation import _kernel
from moderation.normalize import NormalizedText, normalize_many, normalize_with_offsets, repeat_period

# A sentence ends at . ! ? or ; and a space, at a line break, or where a lower-case word is followed by a
# capitalised word that usually opens a sentence ("...should leave The council met..."): pasted text often
# lacks the full stop. (Any capital would also split at every proper noun, and "Jews" or "Israel" cut off
# from the words before them read worse than they are.)
_SENTENCE_END = re.compile(
    r"[.!?;]+(?:\s+|$)|\s*\n\s*|(?<=[a-z,])\s+(?=(?:The|A|An|I|We|They|He|She|It|This|That|These|Those|But|"
    r"And|So|In|On|At|As|Our|My|Your|There|What|Why|How|When|If|Meanwhile|However|After|Before|Last|Next)\s)"
)
# A boundary can still be missed: a longer sentence's opening and closing words are scored on their own too.
_EDGE_WORDS = (12,)
_WORD = re.compile(r"\w+")
# A text of thousands of one-word sentences ("a. a. a. ...") would make thousands of windows; beyond this many
# units, neighbouring sentences are merged, which keeps the work per character bounded.
_MAX_UNITS = 256
# Runs of up to this many sentences, and up to this many times max_words words, are windows: a comment of at
# most 8 sentences and 96 words at the shipped 24 (most comments) pasted into other text is still scored
# exactly as itself.
_RUN_UNITS = 8
_RUN_WINDOWS = 4


@dataclass(frozen=True)
class Windows:
    """The windows of a batch: ``texts[i]`` is ``source[owners[i]][starts[i]:ends[i]]``.

    Windows of one text are contiguous and in order, and every text has at least one (``first[t]`` is its
    first window's index), so per-text maxima are one ``np.maximum.reduceat``.
    """

    texts: list[str]
    owners: np.ndarray  # int64, index of the text each window comes from
    starts: np.ndarray  # int64, offset of the window in its text
    ends: np.ndarray  # int64
    first: np.ndarray  # int64, index of each text's first window
    whole: np.ndarray  # bool, whether the window is its whole text

    @property
    def one_per_text(self) -> bool:
        return len(self.texts) == len(self.first)

    def offsets(self, source: Sequence[str], window: int) -> NormalizedText:
        """Window ``window`` normalized again, tracking where each of its characters came from, as offsets into
        its raw text, ``source[owners[window]]`` (``source`` being the texts the windows were split from)."""
        begin, end = int(self.starts[window]), int(self.ends[window])
        mapped = normalize_with_offsets(source[int(self.owners[window])][begin:end], self.texts[window])
        if begin == 0:
            return mapped
        if isinstance(mapped.starts, range) and isinstance(mapped.ends, range):
            return NormalizedText(
                mapped.text,
                range(mapped.starts.start + begin, mapped.starts.stop + begin),
                range(mapped.ends.start + begin, mapped.ends.stop + begin),
            )
        return NormalizedText(
            mapped.text, tuple(s + begin for s in mapped.starts), tuple(e + begin for e in mapped.ends)
        )


def split(texts: Sequence[str], normalized: Sequence[str], max_words: int) -> Windows:
    """The windows of every text, normalized. ``texts`` are the raw comments (where sentences are found: line
    breaks and capitals say where a full stop is missing), ``normalized`` the same texts normalized. A text of
    at most ``max_words`` words is its own single window, its normalized text as it is."""
    if max_words < 1:
        raise ValueError("max_words must be at least 1")
    if len(texts) != len(normalized):
        raise ValueError("texts and normalized must be as many")
    n_texts = len(texts)
    # A cheap count first (in C): most comments are short, and finding words with a pattern is not cheap. It
    # counts the normalized text, so a sentence pasted forty times (kept once there) is not long.
    long_rows = _kernel.more_words_than(normalized, max_words)
    spans = {row: found for row in long_rows if (found := _spans(texts[row], max_words)) is not None}
    # Short texts are their own windows: the arrays are built whole, with Python work only per long text.
    counts = np.ones(n_texts, dtype=np.int64)
    for row, found in spans.items():
        counts[row] = len(found)
    first = np.zeros(n_texts, dtype=np.int64)
    np.cumsum(counts[:-1], out=first[1:])
    owners = np.repeat(np.arange(n_texts, dtype=np.int64), counts)
    starts = np.zeros(len(owners), dtype=np.int64)
    ends = np.repeat(np.fromiter(map(len, texts), dtype=np.int64, count=n_texts), counts)
    whole = np.ones(len(owners), dtype=bool)
    if not spans:
        return Windows(list(normalized), owners, starts, ends, first, whole)
    pending = [  # raw windows of long texts, normalized together
        texts[row][begin:end]
        for row, found in spans.items()
        for begin, end in found
        if (begin, end) != (0, len(texts[row]))
    ]
    filled = iter(normalize_many(pending))
    window_texts: list[str] = []
    done = 0
    for row, found in spans.items():
        window_texts += normalized[done:row]
        done = row + 1
        text, at = texts[row], first[row]
        for offset, (begin, end) in enumerate(found):
            is_whole = (begin, end) == (0, len(text))
            window_texts.append(normalized[row] if is_whole else next(filled))
            starts[at + offset], ends[at + offset], whole[at + offset] = begin, end, is_whole
    window_texts += normalized[done:]
    return Windows(window_texts, owners, starts, ends, first, whole)


def _spans(text: str, max_words: int) -> list[tuple[int, int]] | None:
    """The (start, end) windows of one text, the whole text first; None when it has at most max_words words."""
    words = [(m.start(), m.end()) for m in _WORD.finditer(text)]
    if len(words) <= max_words:
        return None
    copy = _first_copy(text)
    if copy < len(text):
        # One comment pasted again and again: normalization keeps it once, and so do the windows (those
        # straddling two copies would be new sentence runs, new chances to flag what was said once).
        inner = _spans(text[:copy], max_words) or [(0, copy)]
        return [(0, len(text)), *inner]
    # Sentences as ranges of word indexes [first_word, last_word + 1).
    boundaries = [m.end() for m in _SENTENCE_END.finditer(text)]
    sentences: list[tuple[int, int]] = []
    word = 0
    for boundary in [*boundaries, len(text) + 1]:
        begin = word
        while word < len(words) and words[word][1] <= boundary:
            word += 1
        if word > begin:
            sentences.append((begin, word))
    if word < len(words):
        sentences.append((word, len(words)))
    # Sentences longer than the window become half-overlapping chunks.
    units: list[tuple[int, int]] = []
    step = max(1, max_words // 2)
    for begin, end in sentences:
        if end - begin <= max_words:
            units.append((begin, end))
            continue
        for chunk in range(begin, end, step):
            units.append((chunk, min(chunk + max_words, end)))
            if chunk + max_words >= end:
                break
    if len(units) > _MAX_UNITS:
        units = _merge_small(units, -(-len(words) // _MAX_UNITS))
    ranges = {(0, len(words))}
    ranges.update(units)
    for begin, end in units:
        for size in _EDGE_WORDS:
            if end - begin > size:
                ranges.add((begin, begin + size))
                ranges.add((end - size, end))
    _add_runs(ranges, units, _RUN_WINDOWS * max_words)
    if units != sentences and len(sentences) <= _MAX_UNITS:
        # Runs of whole sentences too, a sentence longer than the window included whole: a pasted comment whose
        # first sentence runs to 25 words is otherwise never scored as itself, only as its chunks. (When no
        # sentence was cut or merged, these are the runs of units already added.)
        _add_runs(ranges, sentences, _RUN_WINDOWS * max_words)
    result = []
    for begin, end in sorted(ranges):
        if (begin, end) == (0, len(words)):
            result.append((0, len(text)))
            continue
        # Keep the marks that open or close the run ("...fed." or "'they'"), not the spaces around it.
        start, stop = words[begin][0], words[end - 1][1]
        while start > 0 and not text[start - 1].isspace() and not text[start - 1].isalnum():
            start -= 1
        while stop < len(text) and not text[stop].isspace() and not text[stop].isalnum():
            stop += 1
        result.append((start, stop))
    return result


def _add_runs(ranges: set[tuple[int, int]], pieces: list[tuple[int, int]], max_run_words: int) -> None:
    """Add every run of up to _RUN_UNITS consecutive pieces within max_run_words words; the overlapping chunks
    of one long sentence are not a run."""
    for i, (begin, _) in enumerate(pieces):
        for j in range(i, min(i + _RUN_UNITS, len(pieces))):
            if pieces[j][1] - begin > max_run_words or (j > i and pieces[j][0] < pieces[j - 1][1]):
                break
            ranges.add((begin, pieces[j][1]))


def _first_copy(text: str) -> int:
    """The length of the text's first copy when it is one piece repeated with a space or line break between
    copies (as normalization's squeezing finds it); else its length."""
    for separator in (" ", "\n"):
        joined = text + separator
        period = repeat_period(joined)
        if period < len(joined):
            return len(text[:period].rstrip())
    return len(text)


def _merge_small(units: list[tuple[int, int]], min_words: int) -> list[tuple[int, int]]:
    """Neighbouring units joined until each has at least ``min_words`` words (the last may have fewer)."""
    if min_words <= 1:
        return units
    merged: list[tuple[int, int]] = []
    for begin, end in units:
        if merged and merged[-1][1] - merged[-1][0] < min_words:
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((begin, end))
    return merged
