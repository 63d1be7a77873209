"""LinearModel: weights, calibration, thresholds; probabilities, explanations; a safe on-disk format.

A model is a logistic regression per label over :class:`moderation.features.Featurizer` columns:
``logit = intercept + X @ weights``, then Platt calibration ``p = sigmoid(a * logit + b)`` fitted on the dev
split, and a flag when ``p >= threshold`` (thresholds chosen on dev, recorded in the manifest).

On disk a model is a directory (format version 1)::

    manifest.json   labels, feature settings, intercepts, calibration, thresholds, training data and
                    licenses, metrics, and the SHA-256 of every other file
    weights.npz     float32 arrays "weights" (n_features x n_labels) and "idf" (n_features), read with
                    allow_pickle=False
    lexicon.json    the coded-term lexicon the featurizer was built with

Nothing in it is executable and nothing depends on scikit-learn's pickled internals: a scikit-learn upgrade
cannot break a shipped model, and loading a tampered or truncated one fails on its hash before any array
is read.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import numpy as np

from moderation import windows
from moderation.errors import ModelError
from moderation.features import KIND_CHAR, KIND_WORD, Featurizer
from moderation.lexicon import Lexicon
from moderation.normalize import normalize_many, readable
from moderation.types import IMPLIED_BY, Reason

FORMAT = "moderate-linear"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
WEIGHTS = "weights.npz"
LEXICON = "lexicon.json"
MAX_WEIGHTS_BYTES = 200 * 2**20  # refuse absurd arrays before allocating them


@dataclass(frozen=True, eq=False)
class Assessment:
    """A batch scored once: probabilities, and what exact explanations need to find their evidence."""

    normalized: list[str]
    windows: windows.Windows
    probabilities: np.ndarray  # (n_texts, n_labels), calibrated, the label hierarchy applied
    winners: np.ndarray  # (n_texts, n_labels) index into windows.texts of the window that decided each label
    sources: np.ndarray  # (n_texts, n_labels) index of the label whose probability each label took


@dataclass(frozen=True, eq=False)
class LinearModel:
    """A trained, immutable model. Build with :func:`fit` (in :mod:`moderation.training`) or :meth:`load`."""

    labels: tuple[str, ...]
    featurizer: Featurizer
    lexicon: Lexicon
    weights: np.ndarray  # (n_features, n_labels) float32
    intercepts: np.ndarray  # (n_labels,)
    calibration: np.ndarray  # (n_labels, 2): slope a and offset b of the Platt sigmoid
    thresholds: np.ndarray  # (n_labels,)
    info: Mapping = field(default_factory=dict)  # training data, licenses, metrics: the model card's facts
    window_words: int = 64  # texts longer than this are also scored in windows (moderation.windows)
    _table: np.ndarray = field(init=False, repr=False)  # Featurizer.scoring_table(weights)

    def __post_init__(self) -> None:
        n_labels = len(self.labels)
        if not isinstance(self.window_words, int) or not 1 <= self.window_words <= 10_000:
            raise ModelError(
                f"window_words must be a whole number from 1 to 10000, got {self.window_words!r}"
            )
        weights = np.asarray(self.weights, dtype=np.float32)
        if weights.ndim != 2 or weights.shape != (self.featurizer.n_features, n_labels):
            raise ModelError(
                f"weights have shape {weights.shape}, expected ({self.featurizer.n_features}, {n_labels})"
            )
        for name, shape in (
            ("intercepts", (n_labels,)),
            ("calibration", (n_labels, 2)),
            ("thresholds", (n_labels,)),
        ):
            value = np.asarray(getattr(self, name), dtype=np.float64)
            if value.shape != shape or not np.all(np.isfinite(value)):
                raise ModelError(f"model {name} must be {shape} finite numbers")
            value.setflags(write=False)
            object.__setattr__(self, name, value)
        if not np.all(np.isfinite(weights)):
            raise ModelError("model weights contain NaN or infinity")
        weights = np.array(weights, copy=True)
        weights.setflags(write=False)
        object.__setattr__(self, "weights", weights)
        object.__setattr__(self, "_table", self.featurizer.scoring_table(weights))
        object.__setattr__(self, "info", MappingProxyType(dict(self.info)))

    def with_info(self, **extra) -> LinearModel:
        """The same model with more manifest facts (metrics measured after training, say)."""
        return LinearModel(
            self.labels, self.featurizer, self.lexicon, self.weights, self.intercepts, self.calibration,
            self.thresholds, {**self.info, **extra}, self.window_words,
        )  # fmt: skip

    # -- scoring ---------------------------------------------------------------------------------------------

    def logits(self, normalized: Sequence[str]) -> np.ndarray:
        """Raw logits (n_texts x n_labels) of already-normalized texts: each label's highest over the text's
        windows (:mod:`moderation.windows`), before calibration and the label hierarchy."""
        return self._window_logits(windows.split(normalized, self.window_words))[0]

    def assess(self, texts: Sequence[str]) -> Assessment:
        """Score raw comment texts once, keeping what explanations need (which window and label decided)."""
        normalized = normalize_many(texts)
        split = windows.split(normalized, self.window_words)
        logits, winners = self._window_logits(split)
        probabilities = self.calibrate(logits)
        sources = np.tile(np.arange(len(self.labels)), (len(texts), 1))
        # The hierarchy: a label is at least as likely as any label that implies it ("antisemitic" -> "hateful").
        for k, label in enumerate(self.labels):
            for implied_by in IMPLIED_BY.get(label, ()):
                if implied_by in self.labels:
                    j = self.labels.index(implied_by)
                    higher = probabilities[:, j] > probabilities[:, k]
                    probabilities[higher, k] = probabilities[higher, j]
                    sources[higher, k] = sources[higher, j]
        return Assessment(normalized, split, probabilities, winners, sources)

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated probabilities (n_texts x n_labels) of raw comment texts, the label hierarchy applied."""
        return self.assess(texts).probabilities

    def calibrate(self, logits: np.ndarray) -> np.ndarray:
        z = logits * self.calibration[:, 0] + self.calibration[:, 1]
        return 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))

    def _window_logits(self, split: windows.Windows) -> tuple[np.ndarray, np.ndarray]:
        """Per text, each label's highest window logit, and the index of the window it came from."""
        window_logits = (
            self.featurizer.dot(split.texts, self._table, len(self.labels)) + self.intercepts
            if split.texts
            else np.zeros((0, len(self.labels)))
        )
        if split.one_per_text:
            return window_logits, np.tile(split.first[:, None], (1, len(self.labels)))
        best = np.maximum.reduceat(window_logits, split.first, axis=0)
        winners = np.empty(best.shape, dtype=np.int64)
        for k in range(len(self.labels)):
            # The first window of each text reaching the text's best: argmax per contiguous segment.
            reached = np.flatnonzero(window_logits[:, k] >= best[split.owners, k])
            owners = split.owners[reached]
            keep = np.ones(len(reached), dtype=bool)
            keep[1:] = owners[1:] != owners[:-1]
            winners[owners[keep], k] = reached[keep]
        return best, winners

    def explain(self, text: str, *, top: int = 5) -> dict[str, list[Reason]]:
        """For each label, the n-grams of ``text`` that pushed its score up most, strongest first."""
        return self.explain_many([text], top=top)[0]

    def explain_many(
        self, texts: Sequence[str], *, top: int = 5, wanted: np.ndarray | None = None
    ) -> list[dict[str, list[Reason]]]:
        """:meth:`explain` for a batch; ``wanted`` (texts x labels, bool) limits the work to those labels."""
        return self.reasons(self.assess(texts), top=top, wanted=wanted)

    def reasons(
        self, assessment: Assessment, *, top: int = 5, wanted: np.ndarray | None = None
    ) -> list[dict[str, list[Reason]]]:
        """Exact reasons for an assessment: for each label, the words of the window that decided its score,
        counted for the label that decided it (an antisemitic comment's hateful score is its antisemitic one).

        A word's weight includes the character n-grams inside it and its lexicon feature; a word pair's, its own
        feature and the character n-grams that span both words. Their weights are shares of the calibrated
        logit (before the calibration offset), and all of them, with the intercept, add up to the score.
        """
        n_texts, n_labels = assessment.probabilities.shape
        results: list[dict[str, list[Reason]]] = [
            {label: [] for label in self.labels} for _ in range(n_texts)
        ]
        if n_texts == 0 or top <= 0:
            return results
        if wanted is None:
            wanted = np.ones((n_texts, n_labels), dtype=bool)
        # Explain each deciding (window, label) once: several labels may be decided by the same one.
        rows, labels = np.nonzero(wanted)
        decided_by = assessment.sources[rows, labels]
        window_of = assessment.winners[rows, decided_by]
        unique_windows, position = np.unique(window_of, return_inverse=True)
        asked = np.zeros((len(unique_windows), n_labels), dtype=bool)
        asked[position, decided_by] = True
        explained = self._explain_normalized(
            [assessment.windows.texts[w] for w in unique_windows.tolist()], top=top, wanted=asked
        )
        for row, label, source, at in zip(
            rows.tolist(), labels.tolist(), decided_by.tolist(), position.tolist(), strict=True
        ):
            results[row][self.labels[label]] = explained[at][self.labels[source]]
        return results

    def _explain_normalized(
        self, normalized: Sequence[str], *, top: int, wanted: np.ndarray
    ) -> list[dict[str, list[Reason]]]:
        """Reasons for normalized texts, vectorised: Python work only for the reasons returned."""
        occ = self.featurizer.occurrences(normalized, positions=True)
        results: list[dict[str, list[Reason]]] = [{label: [] for label in self.labels} for _ in normalized]
        if len(occ) == 0 or top <= 0:
            return results
        contributions = (occ.values[:, None] * self.weights.take(occ.columns, axis=0)) * self.calibration[
            :, 0
        ]
        # Global positions in a virtual concatenation of the texts, so one integer names a span in any row.
        lengths = np.fromiter((len(t) + 2 for t in normalized), dtype=np.int64, count=len(normalized))
        row_offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]]) + 1
        starts = row_offsets[occ.rows] + occ.starts
        ends = row_offsets[occ.rows] + occ.ends
        # A character window is credited to the word it lies in, or to the words it spans ("e jo" -> "the joo",
        # where the word pair's own feature is credited too); a window touching no word ("!!!") stands alone.
        is_word = occ.kinds == KIND_WORD
        word_starts, word_ends = starts[is_word], ends[is_word]
        is_char = np.flatnonzero(occ.kinds == KIND_CHAR)
        if len(word_starts) and len(is_char):
            # word_at[p]: the word covering global position p, or -1; one gather per lookup, no search.
            word_lengths = word_ends - word_starts
            word_at = np.full(int(lengths.sum()) + 2, -1, dtype=np.int64)
            covered = np.repeat(word_starts - np.cumsum(word_lengths) + word_lengths, word_lengths)
            word_at[covered + np.arange(len(covered))] = np.repeat(np.arange(len(word_starts)), word_lengths)
            window_starts, window_ends = starts[is_char], ends[is_char]
            # A window's edge may be a space or a mark; then its next character inwards names the word.
            first = np.where(word_at[window_starts] >= 0, word_at[window_starts], word_at[window_starts + 1])
            last = np.where(word_at[window_ends - 1] >= 0, word_at[window_ends - 1], word_at[window_ends - 2])
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
        key_rows[inverse] = occ.rows  # spans never cross texts, so every occurrence of a key has one row
        for k, label in enumerate(self.labels):
            totals = np.bincount(inverse, weights=contributions[:, k], minlength=len(keys))
            order = np.lexsort((-totals, key_rows))
            ranked_rows = key_rows[order]
            first = np.searchsorted(ranked_rows, ranked_rows, side="left")
            # Twice as many candidates as wanted: spans with the same text ("!!" twice) are merged below.
            keep = order[((np.arange(len(order)) - first) < 2 * top) & (totals[order] > 0)]
            keep = keep[wanted[key_rows[keep], k]]
            rows = key_rows[keep]
            begins = np.maximum(key_starts[keep] - row_offsets[rows], 0)
            finishes = key_ends[keep] - row_offsets[rows]
            merged: dict[int, dict[str, float]] = {}
            for row, begin, finish, weight in zip(
                rows.tolist(), begins.tolist(), finishes.tolist(), totals[keep].tolist(), strict=True
            ):
                ngram = readable(normalized[row][begin:finish].strip())
                if ngram:
                    by_text = merged.setdefault(row, {})
                    by_text[ngram] = by_text.get(ngram, 0.0) + weight
            for row, by_text in merged.items():
                ranked = sorted(by_text.items(), key=lambda item: -item[1])[:top]
                results[row][label] = [Reason(ngram, weight) for ngram, weight in ranked]
        return results

    # -- persistence -----------------------------------------------------------------------------------------

    def manifest(self) -> dict:
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "labels": list(self.labels),
            "languages": ["en"],
            "features": {
                "n_features": self.featurizer.n_features,
                "char_ngrams": list(self.featurizer.char_ngrams),
                "word_ngrams": list(self.featurizer.word_ngrams),
                "idf": self.featurizer.idf is not None,
                "norm_smoothing": list(self.featurizer.norm_smoothing),
            },
            "scoring": {"window_words": self.window_words},
            "intercepts": dict(zip(self.labels, self.intercepts.tolist(), strict=True)),
            "calibration": {
                label: {"slope": a, "offset": b}
                for label, (a, b) in zip(self.labels, self.calibration.tolist(), strict=True)
            },
            "thresholds": dict(zip(self.labels, self.thresholds.tolist(), strict=True)),
            **{key: value for key, value in self.info.items() if key not in _MANIFEST_KEYS},
        }

    def save(self, directory: str | Path) -> Path:
        """Write the model directory atomically: a sibling temp dir, renamed into place when complete."""
        target = Path(directory)
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
        try:
            arrays = {"weights": self.weights}
            if self.featurizer.idf is not None:
                arrays["idf"] = self.featurizer.idf
            np.savez_compressed(staging / WEIGHTS, **arrays)
            (staging / LEXICON).write_text(self.lexicon.to_json(), encoding="utf-8")
            manifest = self.manifest()
            manifest["files"] = {name: _sha256(staging / name) for name in (WEIGHTS, LEXICON)}
            (staging / MANIFEST).write_text(
                json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", "utf-8"
            )
            staging.chmod(0o755)  # mkdtemp makes it private; a model directory is meant to be shared
            _replace_directory(staging, target)
        except BaseException:
            _remove_tree(staging)
            raise
        return target

    @classmethod
    def load(cls, directory: str | Path) -> LinearModel:
        """Load and verify a model directory; any problem is a one-line :class:`ModelError`."""
        root = Path(directory)
        manifest_path = root / MANIFEST
        if not root.is_dir():
            raise ModelError(f"{root}: no such model directory")
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ModelError(f"{root}: not a model directory (no {MANIFEST})") from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise ModelError(f"{manifest_path}: unreadable manifest ({error})") from None
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise ModelError(f"{manifest_path}: not a moderate model manifest")
        if manifest.get("format_version") != FORMAT_VERSION:
            raise ModelError(
                f"{root}: model format version {manifest.get('format_version')!r} is not supported "
                f"(this moderate reads version {FORMAT_VERSION})"
            )
        files = manifest.get("files")
        if not isinstance(files, dict) or set(files) != {WEIGHTS, LEXICON}:
            raise ModelError(f"{manifest_path}: the manifest must list the hashes of {WEIGHTS} and {LEXICON}")
        for name, expected in files.items():
            path = root / name
            if not path.is_file():
                raise ModelError(f"{root}: {name} is missing")
            if path.stat().st_size > MAX_WEIGHTS_BYTES:
                raise ModelError(f"{path}: file is larger than any model moderate writes")
            if _sha256(path) != expected:
                raise ModelError(f"{path}: SHA-256 does not match the manifest (file changed or truncated)")
        try:
            labels = tuple(manifest["labels"])
            features = manifest["features"]
            featurizer_args = dict(
                n_features=int(features["n_features"]),
                char_ngrams=tuple(features["char_ngrams"]),
                word_ngrams=tuple(features["word_ngrams"]),
                norm_smoothing=tuple(features.get("norm_smoothing", (0.0, 0.0))),
            )
            window_words = manifest.get("scoring", {}).get("window_words", 64)
            intercepts = [float(manifest["intercepts"][label]) for label in labels]
            calibration = [
                [
                    float(manifest["calibration"][label]["slope"]),
                    float(manifest["calibration"][label]["offset"]),
                ]
                for label in labels
            ]
            thresholds = [float(manifest["thresholds"][label]) for label in labels]
        except (KeyError, TypeError, ValueError) as error:
            raise ModelError(f"{manifest_path}: malformed manifest ({error!r})") from None
        lexicon = Lexicon.load(root / LEXICON)
        try:
            with np.load(root / WEIGHTS, allow_pickle=False) as archive:
                weights = archive["weights"]
                idf = archive["idf"] if features.get("idf") else None
        except (OSError, ValueError, KeyError) as error:
            raise ModelError(f"{root / WEIGHTS}: unreadable weights ({error})") from None
        try:
            featurizer = Featurizer(**featurizer_args, lexicon=lexicon.features(), idf=idf)
        except ValueError as error:
            raise ModelError(f"{manifest_path}: bad feature settings ({error})") from None
        info = {key: value for key, value in manifest.items() if key not in _MANIFEST_KEYS}
        return cls(
            labels, featurizer, lexicon, weights, intercepts, calibration, thresholds, info, window_words
        )


_MANIFEST_KEYS = {
    "format", "format_version", "labels", "features", "scoring", "intercepts", "calibration", "thresholds",
    "files",
}  # fmt: skip


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _replace_directory(staging: Path, target: Path) -> None:
    if target.exists():
        old = target.with_name(f".{target.name}.old")
        _remove_tree(old)
        os.replace(target, old)
        os.replace(staging, target)
        _remove_tree(old)
    else:
        os.replace(staging, target)


def _remove_tree(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


__all__ = ["LinearModel"]
