"""LinearModel: weights, calibration, thresholds; probabilities, explanations; a safe on-disk format.

A model is a logistic regression per label over :class:`moderation.features.Featurizer` columns:
``logit = intercept + X @ weights``, then Platt calibration ``p = sigmoid(a * logit + b)`` fitted on the dev
split, and a flag when ``p >= threshold`` (thresholds chosen on dev, recorded in the manifest).

On disk a model is a directory (format version 1)::

    manifest.json   labels, feature settings, intercepts, calibration, thresholds, training data and
                    licenses, metrics, and the SHA-256 of every other file
    weights.npz     one float32 array "weights" (n_features x n_labels), read with allow_pickle=False
    lexicon.json    the coded-term lexicon the normalizer and featurizer were built with

Nothing in it is executable and nothing depends on scikit-learn's pickled internals: a scikit-learn upgrade
cannot break a shipped model, and loading a tampered or truncated one fails on its hash before any array
is read.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import numpy as np

from moderation.errors import ModelError
from moderation.features import KIND_CHAR, KIND_LEXICON, KIND_WORD, Featurizer
from moderation.lexicon import Lexicon
from moderation.normalize import normalize, normalize_many

FORMAT = "moderate-linear"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
WEIGHTS = "weights.npz"
LEXICON = "lexicon.json"
MAX_WEIGHTS_BYTES = 200 * 2**20  # refuse absurd arrays before allocating them


@dataclass(frozen=True)
class Contribution:
    """How much one n-gram of the normalized text moved one label's calibrated logit."""

    ngram: str
    weight: float


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
    _table: np.ndarray = field(init=False, repr=False)  # weights padded to 4 columns: faster gathers

    def __post_init__(self) -> None:
        n_labels = len(self.labels)
        weights = np.asarray(self.weights, dtype=np.float32)
        if weights.ndim != 2 or weights.shape != (self.featurizer.n_features, n_labels):
            raise ModelError(
                f"weights have shape {weights.shape}, expected ({self.featurizer.n_features}, {n_labels})"
            )
        for name, shape in (("intercepts", (n_labels,)), ("calibration", (n_labels, 2)), ("thresholds", (n_labels,))):
            value = np.asarray(getattr(self, name), dtype=np.float64)
            if value.shape != shape or not np.all(np.isfinite(value)):
                raise ModelError(f"model {name} must be {shape} finite numbers")
            value.setflags(write=False)
            object.__setattr__(self, name, value)
        if not np.all(np.isfinite(weights)):
            raise ModelError("model weights contain NaN or infinity")
        width = 4 if n_labels <= 4 else n_labels
        table = np.zeros((weights.shape[0], width), dtype=np.float32)
        table[:, :n_labels] = weights
        weights = np.array(weights, copy=True) if weights.base is not None else weights
        for array in (weights, table):
            array.setflags(write=False)
        object.__setattr__(self, "weights", weights)
        object.__setattr__(self, "_table", table)
        object.__setattr__(self, "info", MappingProxyType(dict(self.info)))

    def with_info(self, **extra) -> LinearModel:
        """The same model with more manifest facts (metrics measured after training, say)."""
        return LinearModel(
            self.labels, self.featurizer, self.lexicon, self.weights, self.intercepts, self.calibration,
            self.thresholds, {**self.info, **extra},
        )  # fmt: skip

    # -- scoring ---------------------------------------------------------------------------------------------

    def logits(self, normalized: Sequence[str]) -> np.ndarray:
        """Raw logits (n_texts x n_labels) of already-normalized texts."""
        n_labels = len(self.labels)
        return self.featurizer.dot(normalized, self._table)[:, :n_labels] + self.intercepts

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated probabilities (n_texts x n_labels) of raw comment texts."""
        return self.calibrate(self.logits(normalize_many(texts)))

    def calibrate(self, logits: np.ndarray) -> np.ndarray:
        z = logits * self.calibration[:, 0] + self.calibration[:, 1]
        return 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))

    def explain(self, text: str, *, top: int = 5) -> dict[str, list[Contribution]]:
        """For each label, the n-grams of ``text`` that pushed its score up most, strongest first.

        A word's weight includes the character n-grams centred in it and its lexicon feature, so the reasons
        read as words and word pairs of the normalized text; their weights are shares of the calibrated logit.
        """
        normalized = normalize(text)
        occ = self.featurizer.occurrences([normalized], positions=True)
        if len(occ) == 0:
            return {label: [] for label in self.labels}
        per_label = occ.values[:, None] * self.weights[occ.columns] * self.calibration[:, 0]
        spans = _word_spans(normalized)
        keys: list[str] = []
        for kind, start, end in zip(occ.kinds.tolist(), occ.starts.tolist(), occ.ends.tolist(), strict=True):
            if kind == KIND_CHAR:
                span = _word_at(spans, (start + end - 1) // 2)
                if span is not None:
                    keys.append(normalized[span[0] : span[1]])
                else:  # a window centred on a space or punctuation stands for itself
                    keys.append(normalized[max(start, 0) : end].strip() or " ")
            else:  # KIND_WORD and KIND_LEXICON both name a word or word pair
                keys.append(normalized[start:end])
        totals: dict[str, np.ndarray] = {}
        for key, row in zip(keys, per_label, strict=True):
            if key in totals:
                totals[key] = totals[key] + row
            else:
                totals[key] = row.copy()
        result = {}
        for k, label in enumerate(self.labels):
            ranked = sorted(((float(v[k]), key) for key, v in totals.items() if v[k] > 0), reverse=True)
            result[label] = [Contribution(key, weight) for weight, key in ranked[:top]]
        return result

    # -- persistence -----------------------------------------------------------------------------------------

    def manifest(self) -> dict:
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "labels": list(self.labels),
            "features": {
                "n_features": self.featurizer.n_features,
                "char_ngrams": list(self.featurizer.char_ngrams),
                "word_ngrams": list(self.featurizer.word_ngrams),
            },
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
            np.savez_compressed(staging / WEIGHTS, weights=self.weights)
            (staging / LEXICON).write_text(self.lexicon.to_json(), encoding="utf-8")
            manifest = self.manifest()
            manifest["files"] = {name: _sha256(staging / name) for name in (WEIGHTS, LEXICON)}
            (staging / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", "utf-8")
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
            )
            intercepts = [float(manifest["intercepts"][label]) for label in labels]
            calibration = [
                [float(manifest["calibration"][label]["slope"]), float(manifest["calibration"][label]["offset"])]
                for label in labels
            ]
            thresholds = [float(manifest["thresholds"][label]) for label in labels]
        except (KeyError, TypeError, ValueError) as error:
            raise ModelError(f"{manifest_path}: malformed manifest ({error!r})") from None
        lexicon = Lexicon.load(root / LEXICON)
        try:
            with np.load(root / WEIGHTS, allow_pickle=False) as archive:
                weights = archive["weights"]
        except (OSError, ValueError, KeyError) as error:
            raise ModelError(f"{root / WEIGHTS}: unreadable weights ({error})") from None
        try:
            featurizer = Featurizer(**featurizer_args, lexicon=lexicon.features())
        except ValueError as error:
            raise ModelError(f"{manifest_path}: bad feature settings ({error})") from None
        info = {key: value for key, value in manifest.items() if key not in _MANIFEST_KEYS}
        return cls(labels, featurizer, lexicon, weights, intercepts, calibration, thresholds, info)


_MANIFEST_KEYS = {
    "format", "format_version", "labels", "features", "intercepts", "calibration", "thresholds", "files",
}  # fmt: skip


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(min(x, 40.0), -40.0)))


def _word_spans(text: str) -> list[tuple[int, int]]:
    spans, start = [], None
    for i, ch in enumerate(text):
        if ch.isalnum() or ch == "_":
            if start is None:
                start = i
        elif start is not None:
            spans.append((start, i))
            start = None
    if start is not None:
        spans.append((start, len(text)))
    return spans


def _word_at(spans: list[tuple[int, int]], position: int) -> tuple[int, int] | None:
    for start, end in spans:
        if start <= position < end:
            return start, end
    return None


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


__all__ = ["KIND_LEXICON", "KIND_WORD", "Contribution", "LinearModel", "sigmoid"]
