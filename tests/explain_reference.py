"""The reference for exact reasons: the numpy and Python implementation that explanations used before they
moved into the compiled kernel (``Hasher.explain`` in moderation/_kernel.pyx), kept as the definition the
kernel is tested against (tests/test_explain_kernel.py). Nothing in ``moderation`` uses it. It is the code as
it was but for one fix, marked where it is (one-character n-grams only).

:func:`reference_reasons` is ``LinearModel.reasons`` as it was: for each (text, label) asked, the n-grams of
the window that decided the label, counted for the label that decided it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from moderation.features import KIND_CHAR, KIND_WORD
from moderation.model import Assessment, LinearModel
from moderation.normalize import NormalizedText, readable
from moderation.types import Reason


def reference_reasons(
    model: LinearModel, assessment: Assessment, *, top: int = 5, only: np.ndarray | None = None
) -> list[dict[str, list[Reason]]]:
    n_texts, n_labels = assessment.probabilities.shape
    results: list[dict[str, list[Reason]]] = [{label: [] for label in model.labels} for _ in range(n_texts)]
    if n_texts == 0 or top <= 0:
        return results
    if only is None:
        only = np.ones((n_texts, n_labels), dtype=bool)
    rows, labels = np.nonzero(only)
    decided_by = assessment.sources[rows, labels]
    window_of = assessment.winners[rows, decided_by]
    unique_windows, position = np.unique(window_of, return_inverse=True)
    asked = np.zeros((len(unique_windows), n_labels), dtype=bool)
    asked[position, decided_by] = True
    explained_windows = unique_windows.tolist()
    window_texts = [assessment.windows.texts[w] for w in explained_windows]

    def offsets(at: int) -> NormalizedText | None:
        mapped = assessment.windows.offsets(assessment.texts, explained_windows[at])
        return mapped if mapped.text == window_texts[at] else None

    explained = reference_explain_normalized(model, window_texts, top=top, only=asked, offsets=offsets)
    for row, label, source, at in zip(
        rows.tolist(), labels.tolist(), decided_by.tolist(), position.tolist(), strict=True
    ):
        results[row][model.labels[label]] = explained[at][model.labels[source]]
    return results


def reference_explain_normalized(
    model: LinearModel,
    normalized: Sequence[str],
    *,
    top: int,
    only: np.ndarray,
    offsets: Callable[[int], NormalizedText | None],
) -> list[dict[str, list[Reason]]]:
    occurrences = model.featurizer.occurrences(normalized, positions=True)
    results: list[dict[str, list[Reason]]] = [{label: [] for label in model.labels} for _ in normalized]
    if len(occurrences) == 0 or top <= 0:
        return results
    contributions = (
        occurrences.values[:, None] * model.weights.take(occurrences.columns, axis=0)
    ) * model.calibration[:, 0]
    lengths = np.fromiter((len(t) + 2 for t in normalized), dtype=np.int64, count=len(normalized))
    row_offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]]) + 1
    starts = row_offsets[occurrences.rows] + occurrences.starts
    ends = row_offsets[occurrences.rows] + occurrences.ends
    is_word = occurrences.kinds == KIND_WORD
    word_starts, word_ends = starts[is_word], ends[is_word]
    is_char = np.flatnonzero(occurrences.kinds == KIND_CHAR)
    if len(word_starts) and len(is_char):
        word_lengths = word_ends - word_starts
        word_at = np.full(int(lengths.sum()) + 2, -1, dtype=np.int64)
        covered = np.repeat(word_starts - np.cumsum(word_lengths) + word_lengths, word_lengths)
        word_at[covered + np.arange(len(covered))] = np.repeat(np.arange(len(word_starts)), word_lengths)
        window_starts, window_ends = starts[is_char], ends[is_char]
        # The one change from the code as it was: the look inwards stays inside the window. For windows of
        # two characters or more that is what it always did; a one-character window (char_ngrams from 1, no
        # shipped or default model) at a space looked outwards on both sides, and the inverted span it made
        # decoded to the rest of the text ("lobby banks control them" as a reason).
        inside = window_ends - window_starts >= 2
        first = np.where(
            word_at[window_starts] >= 0,
            word_at[window_starts],
            np.where(inside, word_at[window_starts + 1], -1),
        )
        last = np.where(
            word_at[window_ends - 1] >= 0,
            word_at[window_ends - 1],
            np.where(inside, word_at[window_ends - 2], -1),
        )
        first = np.where(first >= 0, first, last)
        last = np.where(last >= 0, last, first)
        found = first >= 0
        starts[is_char[found]] = word_starts[first[found]]
        ends[is_char[found]] = word_ends[last[found]]
    width = int(ends.max() - starts.min()) + 1
    keys, inverse = np.unique(starts * width + (ends - starts), return_inverse=True)
    key_starts = keys // width
    key_ends = key_starts + keys % width
    key_rows = np.empty(len(keys), dtype=np.int64)
    key_rows[inverse] = occurrences.rows
    kept = []
    for k in range(len(model.labels)):
        totals = np.bincount(inverse, weights=contributions[:, k], minlength=len(keys))
        order = np.lexsort((-totals, key_rows))
        ranked_rows = key_rows[order]
        first = np.searchsorted(ranked_rows, ranked_rows, side="left")
        keep = order[((np.arange(len(order)) - first) < 2 * top) & (totals[order] > 0)]
        keep = keep[only[key_rows[keep], k]]
        kept.append((keep, totals[keep]))
    every = np.unique(np.concatenate([keep for keep, _ in kept]))
    rows = key_rows[every]
    begins = np.maximum(key_starts[every] - row_offsets[rows], 0)
    finishes = key_ends[every] - row_offsets[rows]
    ngram_of: dict[int, str] = {}
    spans_of: dict[int, tuple[tuple[int, int]]] = {}
    mapped: dict[int, NormalizedText | None] = {}
    for key, row, begin, finish in zip(
        every.tolist(), rows.tolist(), begins.tolist(), finishes.tolist(), strict=True
    ):
        found = normalized[row][begin:finish]
        stripped = found.strip()
        ngram_of[key] = ngram = readable(stripped)
        if not ngram:
            continue
        if row not in mapped:
            mapped[row] = offsets(row)
        if mapped[row] is not None:
            if found[0].isspace():
                begin += len(found) - len(found.lstrip())
            spans_of[key] = (mapped[row].raw_span(begin, begin + len(stripped)),)
    for label, (keep, weights) in zip(model.labels, kept, strict=True):
        merged: dict[int, dict[str, float]] = {}
        first: dict[int, dict[str, int]] = {}
        again: dict[tuple[int, str], list[int]] = {}
        for key, row, weight in zip(keep.tolist(), key_rows[keep].tolist(), weights.tolist(), strict=True):
            ngram = ngram_of[key]
            if not ngram:
                continue
            by_text = merged.get(row)
            if by_text is None:
                merged[row] = {ngram: weight}
                first[row] = {ngram: key}
            elif ngram in by_text:
                by_text[ngram] += weight
                again.setdefault((row, ngram), []).append(key)
            else:
                by_text[ngram] = weight
                first[row][ngram] = key
        for row, by_text in merged.items():
            ranked = sorted(by_text.items(), key=lambda item: -item[1])[:top]
            results[row][label] = [
                Reason(ngram, weight, _spans(first[row][ngram], again.get((row, ngram)), spans_of))
                for ngram, weight in ranked
            ]
    return results


def _spans(
    key: int, more: list[int] | None, spans_of: dict[int, tuple[tuple[int, int]]]
) -> tuple[tuple[int, int], ...]:
    if more is None:
        return spans_of.get(key, ())
    return tuple(sorted({span for k in (key, *more) for span in spans_of.get(k, ())}))
