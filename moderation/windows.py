"""Long normalized texts -> overlapping windows of whole sentences, so one hateful sentence is not diluted.

A linear model over L2-normalised n-gram features scores a text by the average tone of its n-grams: a paragraph
of neutral news text around one antisemitic sentence brings the score down to nothing. So a text of more than
``max_words`` words is scored as several windows, and the model keeps each label's highest logit. The windows of
such a text are:

* every sentence (a sentence longer than ``max_words`` is cut into ``max_words``-word chunks, half overlapping);
* from each sentence, the longest run of whole sentences that starts there, and the longest that ends there,
  of at most ``max_words`` words;
* the whole text.

A comment pasted before or after any amount of other text is therefore still scored on exactly its own words
(the run that starts, or ends, where it does), and one sentence inside a long comment is scored alone. A text of
at most ``max_words`` words is one window: itself, so short comments score exactly as they always did.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# A sentence ends at . ! ? or ; followed by a space (normalization has turned line breaks into spaces).
_SENTENCE_END = re.compile(r"[.!?;]+(?:\s+|$)")
_WORD = re.compile(r"\w+")


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

    @property
    def one_per_text(self) -> bool:
        return len(self.texts) == len(self.first)


def split(texts: Sequence[str], max_words: int) -> Windows:
    """The windows of every text; texts of at most ``max_words`` words are their own single window."""
    if max_words < 1:
        raise ValueError("max_words must be at least 1")
    window_texts: list[str] = []
    owners: list[int] = []
    starts: list[int] = []
    ends: list[int] = []
    first = np.zeros(len(texts), dtype=np.int64)
    # Every word takes at least two characters with its separator: shorter texts cannot be long.
    short_chars = 2 * max_words
    for index, text in enumerate(texts):
        first[index] = len(window_texts)
        spans = _spans(text, max_words) if len(text) > short_chars else None
        if spans is None:
            window_texts.append(text)
            owners.append(index)
            starts.append(0)
            ends.append(len(text))
            continue
        for begin, end in spans:
            window_texts.append(text[begin:end])
            owners.append(index)
            starts.append(begin)
            ends.append(end)
    return Windows(
        window_texts,
        np.asarray(owners, dtype=np.int64),
        np.asarray(starts, dtype=np.int64),
        np.asarray(ends, dtype=np.int64),
        first,
    )


def _spans(text: str, max_words: int) -> list[tuple[int, int]] | None:
    """The (start, end) windows of one text, the whole text first; None when it has at most max_words words."""
    words = [(m.start(), m.end()) for m in _WORD.finditer(text)]
    if len(words) <= max_words:
        return None
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
    ranges = {(0, len(words))}
    ranges.update(units)
    for i, (begin, _) in enumerate(units):
        j = i
        while j + 1 < len(units) and units[j + 1][1] - begin <= max_words:
            j += 1
        ranges.add((begin, units[j][1]))
    for i in range(len(units) - 1, -1, -1):
        end = units[i][1]
        j = i
        while j - 1 >= 0 and end - units[j - 1][0] <= max_words:
            j -= 1
        ranges.add((units[j][0], end))
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
