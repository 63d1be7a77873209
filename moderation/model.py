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
import io
import json
import os
import re
import stat
import tempfile
import zipfile
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

import numpy as np

from moderation import windows
from moderation.errors import ModelError
from moderation.features import MAX_NEAR_WORDS, Featurizer
from moderation.lexicon import Lexicon
from moderation.metrics import platt
from moderation.normalize import NormalizedText, normalize_many, readable
from moderation.types import IMPLIED_BY, TARGETED_LABELS, Reason

FORMAT = "moderate-linear"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
WEIGHTS = "weights.npz"
LEXICON = "lexicon.json"
MAX_WEIGHTS_BYTES = 200 * 2**20  # refuse absurd arrays before allocating them


@dataclass(frozen=True, eq=False)
class Assessment:
    """A batch scored once: probabilities, and what exact explanations need to find their evidence."""

    texts: Sequence[str]  # as scored, raw: reasons' spans index these
    normalized: list[str]
    windows: windows.Windows
    probabilities: np.ndarray  # (n_texts, n_labels), calibrated, the label hierarchy applied
    winners: np.ndarray  # (n_texts, n_labels) index into windows.texts of the window that decided each label
    sources: np.ndarray  # (n_texts, n_labels) index of the label whose probability each label took


class WindowLogits(NamedTuple):
    """Raw logits of a batch (texts x labels, each label's best window), and per text the normalized window that
    decided its threat (None for a model without :attr:`LinearModel.threat_targets`)."""

    logits: np.ndarray
    threat_windows: list[str] | None


class Explained(NamedTuple):
    """Reasons for a batch, as the compiled kernel returns them: ``reasons[slots[i, k]]`` is the tuple of
    reasons of text i for label k, where ``slots[i, k] >= 0`` (asked); a tuple may be shared by several."""

    reasons: list[tuple[Reason, ...]]
    slots: np.ndarray  # int64 (n_texts, n_labels), -1 where not asked


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
    window_words: int = 32  # texts longer than this are also scored in windows (moderation.windows)
    window_margin: float = 0.0
    """A window short of the whole text needs this much more logit to decide the labels other than the targeted
    ones (offensive, the attributes): the highest of a long comment's dozens of sentences, read out of
    context ("They're not stupid."), is not the comment's tone. Identity hate pays nothing: one hateful
    sentence must still count inside a long comment."""
    threat_targets: frozenset[str] = frozenset()
    """Words that name people a comment can threaten for who they are ("jews", "muslims", "migrants", "women";
    not "israel", "nazis", "woman": ``data/targets.json``'s terms but its ``context`` words). Where the window
    that decided a comment's threat names one of them, the threat is at a group, and a threat at a group is
    hate: hateful is then never below threat. Empty: no such rule (models saved before it)."""
    _scoring_table: np.ndarray = field(init=False, repr=False)  # Featurizer.scoring_table(weights)
    _slopes: np.ndarray = field(init=False, repr=False)  # calibration slopes, contiguous, for explanations

    def __post_init__(self) -> None:
        n_labels = len(self.labels)
        if not isinstance(self.window_words, int) or not 1 <= self.window_words <= 10_000:
            raise ModelError(
                f"window_words must be a whole number from 1 to 10000, got {self.window_words!r}"
            )
        object.__setattr__(self, "window_margin", _number(self.window_margin, "window_margin", 0.0, 100.0))
        threat_targets = self.threat_targets
        if (
            not isinstance(threat_targets, Set)
            or len(threat_targets) > _MAX_TARGETS
            or not all(isinstance(w, str) and _TARGET_WORD.fullmatch(w) for w in threat_targets)
        ):
            raise ModelError(f"threat_targets must be a set of at most {_MAX_TARGETS} lower-case words")
        if threat_targets and not {"hateful", "threat"} <= set(self.labels):
            raise ModelError("threat_targets needs a model with both the hateful and the threat label")
        object.__setattr__(self, "threat_targets", frozenset(threat_targets))
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
        object.__setattr__(self, "_scoring_table", self.featurizer.scoring_table(weights))
        slopes = np.ascontiguousarray(self.calibration[:, 0])
        slopes.setflags(write=False)
        object.__setattr__(self, "_slopes", slopes)
        object.__setattr__(self, "info", MappingProxyType(dict(self.info)))

    def with_info(self, **extra) -> LinearModel:
        """The same model with more manifest facts (metrics measured after training, say)."""
        return LinearModel(
            self.labels, self.featurizer, self.lexicon, self.weights, self.intercepts, self.calibration,
            self.thresholds, {**self.info, **extra}, self.window_words, self.window_margin, self.threat_targets,
        )  # fmt: skip

    # -- scoring ---------------------------------------------------------------------------------------------

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        """Raw logits (n_texts x n_labels) of comment texts: each label's highest over the text's windows
        (:mod:`moderation.windows`), before calibration and the label hierarchy."""
        return self.window_logits(texts).logits

    def window_logits(self, texts: Sequence[str]) -> WindowLogits:
        """:meth:`logits`, with what :meth:`calibrated` needs besides: the window that decided each threat."""
        split = windows.split(texts, normalize_many(texts), self.window_words)
        logits, winners = self._window_logits(split)
        return WindowLogits(logits, self._threat_windows(split, winners))

    def assess(self, texts: Sequence[str]) -> Assessment:
        """Score raw comment texts once, keeping what explanations need (which window and label decided)."""
        normalized = normalize_many(texts)
        split = windows.split(texts, normalized, self.window_words)
        logits, winners = self._window_logits(split)
        probabilities, sources = self.calibrated(logits, self._threat_windows(split, winners))
        return Assessment(texts, normalized, split, probabilities, winners, sources)

    def calibrated(
        self, logits: np.ndarray, threat_windows: Sequence[str] | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Window logits -> calibrated probabilities with the label hierarchy applied (a label is at least as
        likely as any label that implies it: "antisemitic" -> "hateful"), and for each the label it came from.
        ``threat_windows`` (:meth:`window_logits`) also lifts hateful to a threat at a group
        (:attr:`threat_targets`); None leaves that rule out."""
        probabilities = self.calibrate(logits)
        sources = np.tile(np.arange(len(self.labels)), (len(logits), 1))
        if threat_windows is not None and self.threat_targets:
            if len(threat_windows) != len(logits):
                raise ValueError(f"{len(threat_windows)} threat windows for {len(logits)} rows of logits")
            hateful, threat = self.labels.index("hateful"), self.labels.index("threat")
            for row in np.flatnonzero(probabilities[:, threat] > probabilities[:, hateful]).tolist():
                if not self.threat_targets.isdisjoint(_WORDS.findall(threat_windows[row])):
                    probabilities[row, hateful] = probabilities[row, threat]
                    sources[row, hateful] = threat
        for k, label in enumerate(self.labels):
            for implied_by in IMPLIED_BY.get(label, ()):
                if implied_by in self.labels:
                    j = self.labels.index(implied_by)
                    higher = probabilities[:, j] > probabilities[:, k]
                    probabilities[higher, k] = probabilities[higher, j]
                    sources[higher, k] = sources[higher, j]
        return probabilities, sources

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated probabilities (n_texts x n_labels) of raw comment texts, the label hierarchy applied."""
        return self.assess(texts).probabilities

    def calibrate(self, logits: np.ndarray) -> np.ndarray:
        return platt(logits, self.calibration[:, 0], self.calibration[:, 1])

    def _threat_windows(self, split: windows.Windows, winners: np.ndarray) -> list[str] | None:
        """Per text, the normalized window that decided its threat; None where the model has no such rule."""
        if not self.threat_targets:
            return None
        texts = split.texts
        return [texts[w] for w in winners[:, self.labels.index("threat")].tolist()]

    def _window_logits(self, split: windows.Windows) -> tuple[np.ndarray, np.ndarray]:
        """Per text, each label's highest window logit, and the index of the window it came from."""
        window_logits = (
            self.featurizer.dot(split.texts, self._scoring_table, len(self.labels)) + self.intercepts
            if split.texts
            else np.zeros((0, len(self.labels)))
        )
        if split.one_per_text:
            return window_logits, np.tile(split.first[:, None], (1, len(self.labels)))
        untargeted = [k for k, label in enumerate(self.labels) if label not in TARGETED_LABELS]
        if self.window_margin and untargeted:
            window_logits[np.ix_(~split.whole, untargeted)] -= self.window_margin
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
        self, texts: Sequence[str], *, top: int = 5, only: np.ndarray | None = None
    ) -> list[dict[str, list[Reason]]]:
        """:meth:`explain` for a batch; ``only`` (texts x labels, bool) limits the work to those labels."""
        return self.reasons(self.assess(texts), top=top, only=only)

    def reasons(
        self, assessment: Assessment, *, top: int = 5, only: np.ndarray | None = None
    ) -> list[dict[str, list[Reason]]]:
        """Exact reasons for an assessment, per text a list per label (:meth:`explained` says what they are)."""
        explained = self.explained(assessment, top=top, only=only)
        results: list[dict[str, list[Reason]]] = [
            {label: [] for label in self.labels} for _ in range(len(assessment.texts))
        ]
        rows, labels = np.nonzero(explained.slots >= 0)
        for row, label, slot in zip(
            rows.tolist(), labels.tolist(), explained.slots[rows, labels].tolist(), strict=True
        ):
            results[row][self.labels[label]] = list(explained.reasons[slot])
        return results

    def explained(self, assessment: Assessment, *, top: int = 5, only: np.ndarray | None = None) -> Explained:
        """Exact reasons for an assessment: for each label asked (``only``, texts x labels, bool; None: all),
        the words of the window that decided its score, counted for the label that decided it (an antisemitic
        comment's hateful score is its antisemitic one).

        A word's weight includes the character n-grams inside it and its lexicon feature; a word pair's, its own
        feature and the character n-grams that span both words; a near pair (a group word and a word near it)
        is the stretch from one to the other. Their weights are shares of the calibrated
        logit (before the calibration offset), and all of them, with the intercept, add up to the score. Each
        reason's spans say where it stands in the raw text: the deciding windows are normalized again, tracking
        offsets, which only the texts explained pay for. The compiled kernel computes them
        (:meth:`moderation.features.Featurizer.explain`), each deciding (window, label) once.
        """
        n_texts, n_labels = assessment.probabilities.shape
        slots = np.full((n_texts, n_labels), -1, dtype=np.int64)
        if n_texts == 0 or top <= 0:
            return Explained([], slots)
        if only is None:
            only = np.ones((n_texts, n_labels), dtype=bool)
        # Explain each deciding (window, label) once: several labels may be decided by the same one.
        rows, labels = np.nonzero(only)
        decided_by = assessment.sources[rows, labels]
        window_of = assessment.winners[rows, decided_by]
        unique_windows, position = np.unique(window_of, return_inverse=True)
        asked = np.zeros((len(unique_windows), n_labels), dtype=np.uint8)
        asked[position, decided_by] = 1
        explained_windows = unique_windows.tolist()
        window_texts = [assessment.windows.texts[w] for w in explained_windows]

        def offsets(at: int) -> NormalizedText | None:
            # Should a window not normalize to the text explained, its reasons keep no spans rather than wrong
            # ones (tests/test_normalize.py proves normalize_with_offsets equals normalize).
            mapped = assessment.windows.offsets(assessment.texts, explained_windows[at])
            return mapped if mapped.text == window_texts[at] else None

        split = assessment.windows
        reasons, window_slots = self.featurizer.explain(
            window_texts, self._scoring_table, self._slopes, asked=asked, top=top, offsets=offsets,
            readable=readable, record=Reason,
            sources=[assessment.texts[owner] for owner in split.owners[unique_windows].tolist()],
            bounds=np.column_stack([split.starts[unique_windows], split.ends[unique_windows]]),
        )  # fmt: skip
        slots[rows, labels] = window_slots[position, decided_by]
        return Explained(reasons, slots)

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
                "near_words": self.featurizer.near_words,
                "near_smoothing": self.featurizer.near_smoothing,
                "group_words": dict(sorted(self.featurizer.group_words.items())),
                "negation_words": sorted(self.featurizer.negation_words),
                "frame_words": sorted(self.featurizer.frame_words),
            },
            "scoring": {
                "window_words": self.window_words,
                "window_margin": self.window_margin,
                "threat_targets": sorted(self.threat_targets),
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
        """Load and verify a model directory; any problem is a one-line :class:`ModelError`.

        Every file is read once, bounded, and only if it is a regular file; the hashes are checked on the bytes
        that are then parsed, every manifest value is checked for type and range, and a directory holding
        anything but a model's files is refused (a stray file may be a tampered or half-copied model).
        """
        root = Path(directory)
        manifest_path = root / MANIFEST
        if not root.is_dir():
            raise ModelError(f"{root}: no such model directory")
        try:
            raw_manifest = _read_model_file(manifest_path, MAX_MANIFEST_BYTES)
        except FileNotFoundError:
            raise ModelError(f"{root}: not a model directory (no {MANIFEST})") from None
        try:
            manifest = json.loads(raw_manifest.decode("utf-8"), parse_constant=_refuse_json_constant)
        except (UnicodeDecodeError, ValueError) as error:
            raise ModelError(f"{manifest_path}: unreadable manifest ({error})") from None
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise ModelError(f"{manifest_path}: not a moderate model manifest")
        if manifest.get("format_version") != FORMAT_VERSION:
            raise ModelError(
                f"{root}: model format version {manifest.get('format_version')!r} is not supported "
                f"(this moderate reads version {FORMAT_VERSION})"
            )
        unknown = sorted(path.name for path in root.iterdir() if path.name not in _MODEL_DIRECTORY_FILES)
        if unknown:
            raise ModelError(
                f"{root}: unexpected files in the model directory: {', '.join(unknown[:10])}"
                f"{' ...' if len(unknown) > 10 else ''} (a model holds only {', '.join(sorted(_MODEL_DIRECTORY_FILES))})"
            )
        files = manifest.get("files")
        if not isinstance(files, dict) or set(files) != {WEIGHTS, LEXICON}:
            raise ModelError(f"{manifest_path}: the manifest must list the hashes of {WEIGHTS} and {LEXICON}")
        contents: dict[str, bytes] = {}
        for name, expected in files.items():
            try:
                data = _read_model_file(
                    root / name, MAX_WEIGHTS_BYTES if name == WEIGHTS else MAX_LEXICON_BYTES
                )
            except FileNotFoundError:
                raise ModelError(f"{root}: {name} is missing") from None
            if hashlib.sha256(data).hexdigest() != expected:
                raise ModelError(
                    f"{root / name}: SHA-256 does not match the manifest (file changed or truncated)"
                )
            contents[name] = data
        labels, featurizer_args, scoring, intercepts, calibration, thresholds = _checked_manifest(
            manifest, manifest_path
        )
        try:
            lexicon = Lexicon.from_json(contents[LEXICON].decode("utf-8"))
        except (UnicodeDecodeError, ModelError) as error:
            raise ModelError(f"{root / LEXICON}: {error}") from None
        weights, idf = _read_weights(
            contents[WEIGHTS],
            root / WEIGHTS,
            featurizer_args["n_features"],
            len(labels),
            manifest["features"]["idf"],
        )
        try:
            featurizer = Featurizer(**featurizer_args, lexicon=lexicon.features(), idf=idf)
        except ValueError as error:
            raise ModelError(f"{manifest_path}: bad feature settings ({error})") from None
        info = {key: value for key, value in manifest.items() if key not in _MANIFEST_KEYS}
        return cls(labels, featurizer, lexicon, weights, intercepts, calibration, thresholds, info, *scoring)


MAX_MANIFEST_BYTES = 4 * 2**20
MAX_LEXICON_BYTES = 16 * 2**20
#: What a model directory may hold: its three files and the model card `moderate train` writes beside them.
_MODEL_DIRECTORY_FILES = frozenset({MANIFEST, WEIGHTS, LEXICON, "README.md"})
_MAX_LABELS = 64
_MAX_TARGETS = 10_000
_TARGET_WORD = re.compile(r"[a-z0-9]{1,40}")
_GROUP_KIND = re.compile(r"[a-z0-9_]{1,40}")
# A normalized window's words, as threat_targets spells them, but the X of "anti-X": "anti-muslim thugs" are not
# muslims.
_WORDS = re.compile(r"(?<!anti-)\b[a-z0-9]+")
_MAX_FEATURES = 2**24


def _read_model_file(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; a FIFO, device or oversized file is refused.

    Opened without blocking (a FIFO cannot hang the load) and checked on the open descriptor, so the file
    checked is the file read; the read stops at ``limit + 1`` bytes whatever the size claimed.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise
    except OSError as error:
        raise ModelError(f"{path}: cannot read ({error.strerror or error})") from None
    with os.fdopen(descriptor, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise ModelError(f"{path}: not a regular file")
        if info.st_size > limit:
            raise ModelError(f"{path}: {info.st_size} bytes, larger than any model file moderate writes")
        try:
            data = handle.read(limit + 1)
        except OSError as error:
            raise ModelError(f"{path}: cannot read ({error.strerror or error})") from None
    if len(data) > limit:
        raise ModelError(f"{path}: larger than any model file moderate writes")
    return data


def _refuse_json_constant(name: str):
    raise ValueError(f"{name} is not a number a model may hold")


def _word_list(value, where: str) -> list[str]:
    """``value`` when it is a list of at most _MAX_TARGETS lower-case words, else a ModelError naming ``where``."""
    if (
        not isinstance(value, list)
        or len(value) > _MAX_TARGETS
        or not all(isinstance(word, str) and _TARGET_WORD.fullmatch(word) for word in value)
    ):
        raise ModelError(f"{where} must be a list of at most {_MAX_TARGETS} lower-case words")
    return value


def _number(value, where: str, low: float = -1e6, high: float = 1e6) -> float:
    # bool is an int to Python; a manifest saying "true" for a threshold is malformed, not 1.
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= float(value) <= high:
        raise ModelError(f"{where} must be a number from {low:g} to {high:g}, got {value!r}")
    return float(value)


def _ngram_range(value, where: str) -> tuple[int, int]:
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(n, int) and not isinstance(n, bool) for n in value)
    ):
        raise ModelError(f"{where} must be two whole numbers [lo, hi], got {value!r}")
    return int(value[0]), int(value[1])


def _checked_manifest(manifest: dict, path: Path):
    """Labels, featurizer arguments, intercepts, calibration and thresholds, every value checked."""
    labels = manifest.get("labels")
    if (
        not isinstance(labels, list)
        or not 1 <= len(labels) <= _MAX_LABELS
        or not all(isinstance(label, str) and 0 < len(label) <= 64 for label in labels)
        or len(set(labels)) != len(labels)
    ):
        raise ModelError(f"{path}: labels must be 1 to {_MAX_LABELS} distinct non-empty names")
    languages = manifest.get("languages", ["en"])
    if (
        not isinstance(languages, list)
        or not languages
        or not all(isinstance(code, str) and 0 < len(code) <= 16 for code in languages)
    ):
        raise ModelError(f"{path}: languages must be a list of language codes")
    features = manifest.get("features")
    if not isinstance(features, dict):
        raise ModelError(f"{path}: features must be an object")
    n_features = features.get("n_features")
    if (
        isinstance(n_features, bool)
        or not isinstance(n_features, int)
        or not 2 <= n_features <= _MAX_FEATURES
    ):
        raise ModelError(f"{path}: features.n_features must be a whole number from 2 to {_MAX_FEATURES}")
    if not isinstance(features.get("idf"), bool):
        raise ModelError(f"{path}: features.idf must be true or false")
    smoothing = features.get("norm_smoothing", [0.0, 0.0])
    if not isinstance(smoothing, list) or len(smoothing) != 2:
        raise ModelError(f"{path}: features.norm_smoothing must be two numbers")
    featurizer_args = {
        "n_features": n_features,
        "char_ngrams": _ngram_range(features.get("char_ngrams"), f"{path}: features.char_ngrams"),
        "word_ngrams": _ngram_range(features.get("word_ngrams"), f"{path}: features.word_ngrams"),
        "norm_smoothing": tuple(
            _number(value, f"{path}: features.norm_smoothing", 0.0, 1e6) for value in smoothing
        ),
        # Absent in models saved before the near block: no pairs, as they were scored.
        "near_smoothing": _number(
            features.get("near_smoothing", 0.0), f"{path}: features.near_smoothing", 0.0, 1e6
        ),
    }
    near_words = features.get("near_words", 0)
    if (
        isinstance(near_words, bool)
        or not isinstance(near_words, int)
        or not 0 <= near_words <= MAX_NEAR_WORDS
    ):
        raise ModelError(f"{path}: features.near_words must be a whole number from 0 to {MAX_NEAR_WORDS}")
    group_words = features.get("group_words", {})
    if (
        not isinstance(group_words, dict)
        or len(group_words) > _MAX_TARGETS
        or not all(
            _TARGET_WORD.fullmatch(word) and isinstance(kind, str) and _GROUP_KIND.fullmatch(kind)
            for word, kind in group_words.items()
        )
    ):
        raise ModelError(
            f"{path}: features.group_words must map at most {_MAX_TARGETS} lower-case words to a kind of group"
        )
    featurizer_args["near_words"] = near_words
    featurizer_args["group_words"] = group_words
    featurizer_args["negation_words"] = frozenset(
        _word_list(features.get("negation_words", []), f"{path}: features.negation_words")
    )
    featurizer_args["frame_words"] = frozenset(
        _word_list(features.get("frame_words", []), f"{path}: features.frame_words")
    )
    scoring = manifest.get("scoring", {})
    window_words = scoring.get("window_words", 64) if isinstance(scoring, dict) else None
    if isinstance(window_words, bool) or not isinstance(window_words, int) or not 1 <= window_words <= 10_000:
        raise ModelError(f"{path}: scoring.window_words must be a whole number from 1 to 10000")
    # An older moderate wrote a margin that windows naming no group paid for identity hate, and the target
    # words it read (ignored): at 0 such a model scores as it always did; at any other value it would not.
    retired_margin = _number(
        scoring.get("window_target_margin", 0.0), f"{path}: scoring.window_target_margin", 0.0, 100.0
    )
    if retired_margin:
        raise ModelError(
            f"{path}: scoring.window_target_margin is {retired_margin:g}, a margin for windows naming no group "
            "that this version of moderate no longer applies: the model was made by an older moderate that "
            "scored differently; retrain it"
        )
    per_label = {}
    for key in ("intercepts", "calibration", "thresholds"):
        values = manifest.get(key)
        if not isinstance(values, dict) or set(values) != set(labels):
            raise ModelError(f"{path}: {key} must hold one entry for each label, and no other")
        per_label[key] = values
    intercepts = [_number(per_label["intercepts"][label], f"{path}: intercepts.{label}") for label in labels]
    calibration = []
    for label in labels:
        entry = per_label["calibration"][label]
        if not isinstance(entry, dict) or set(entry) != {"slope", "offset"}:
            raise ModelError(f"{path}: calibration.{label} must be {{slope, offset}}")
        # A slope of 0 or less would make every comment score the same or invert the ranking.
        slope = _number(entry["slope"], f"{path}: calibration.{label}.slope", 1e-6, 1e6)
        calibration.append([slope, _number(entry["offset"], f"{path}: calibration.{label}.offset")])
    thresholds = [
        _number(per_label["thresholds"][label], f"{path}: thresholds.{label}", 0.0, 1.0) for label in labels
    ]
    # A margin absent from the manifest is 0: models saved before it existed scored every window alike.
    scoring_args = (
        window_words,
        _number(scoring.get("window_margin", 0.0), f"{path}: scoring.window_margin", 0.0, 100.0),
        # Absent in models saved before the rule: no threat lifts hate, as they were scored.
        frozenset(_word_list(scoring.get("threat_targets", []), f"{path}: scoring.threat_targets")),
    )
    return tuple(labels), featurizer_args, scoring_args, intercepts, calibration, thresholds


def _read_weights(data: bytes, path: Path, n_features: int, n_labels: int, with_idf: bool):
    """The weights (and IDF) arrays from the archive's bytes, each member's size checked before inflating it."""
    expected = {"weights.npy": n_features * n_labels * 4, **({"idf.npy": n_features * 8} if with_idf else {})}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = {info.filename: info.file_size for info in archive.infolist()}
    except (zipfile.BadZipFile, OSError) as error:
        raise ModelError(f"{path}: unreadable weights ({error})") from None
    if not set(expected) <= set(members) or not set(members) <= {"weights.npy", "idf.npy"}:
        raise ModelError(f"{path}: unreadable weights (holds {', '.join(sorted(members))})")
    for name, size in expected.items():
        if members[name] > size + 4096:  # the array plus its .npy header
            raise ModelError(f"{path}: {name} is larger than the manifest's shape allows")
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as archive:
            weights = archive["weights"]
            idf = archive["idf"] if with_idf else None
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as error:
        raise ModelError(f"{path}: unreadable weights ({error})") from None
    return weights, idf


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
