"""Labelled set -> LinearModel: fit one logistic regression per label, calibrate and pick thresholds on dev.

The recipe, and why:

* **Per-label training sets.** A row trains a label only where that label is known; unknown (-1) is masked,
  never read as 0 (Davidson's hate tweets say nothing about whether they are antisemitic).
* **Corpus weighting.** The corpora disagree at the edges and differ in size by 30x; left alone, the big
  Twitter sets decide what "hateful" means. Each corpus's rows are weighted so that corpus counts as
  ``size ** corpus_size_power`` rows (0.75 by default: a big corpus still counts for more, not for all), times a
  per-corpus factor for the sets closest to the product's domain (ISCA for antisemitism, our own comments).
  The defaults (C, power, factors) were chosen by comparing dev-split F1 per corpus; the manifest records them.
* **Class balance** inside every corpus, so a corpus with 5% positives is not learnt as "never".
* **Calibration and thresholds on dev only.** Platt scaling turns logits into probabilities; each label's
  threshold maximises the mean F1 over the corpora whose dev split has enough positives. Test is never seen.

Everything is deterministic given the data and ``seed`` (liblinear with a fixed random_state).
"""

from __future__ import annotations

import platform
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np

from moderation import __version__
from moderation.features import Featurizer
from moderation.lexicon import Lexicon
from moderation.model import LinearModel
from moderation.normalize import normalize_many
from moderation.types import LABELS

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass(frozen=True)
class TrainingConfig:
    """Every knob of :func:`fit`, recorded in the model manifest."""

    n_features: int = 2**20
    char_ngrams: tuple[int, int] = (2, 5)
    word_ngrams: tuple[int, int] = (1, 2)
    C: Mapping[str, float] = field(
        default_factory=lambda: {"hateful": 1.0, "antisemitic": 4.0, "offensive": 4.0}
    )
    corpus_size_power: float = 0.75
    corpus_factors: Mapping[str, Mapping[str, float]] = field(
        default_factory=lambda: {
            "antisemitic": {"isca_antisemitism_twitter": 10.0, "in_domain": 10.0},
            "hateful": {"in_domain": 10.0},
            "offensive": {"in_domain": 10.0},
        }
    )
    min_dev_positives: int = 15
    seed: int = 0
    max_iter: int = 300
    batch_size: int = 4096
    n_jobs: int = 2  # labels fitted at once (threads); does not change the result

    def to_dict(self) -> dict:
        record = asdict(self)
        record["C"] = dict(self.C)
        record["corpus_factors"] = {k: dict(v) for k, v in self.corpus_factors.items()}
        return record


@dataclass(frozen=True)
class LabelledTexts:
    """Texts with labels (1, 0, or -1 for unknown) and where each came from; one split of the labelled set."""

    texts: tuple[str, ...]
    labels: np.ndarray  # (n, len(label_names)) int8
    sources: tuple[str, ...]
    label_names: tuple[str, ...] = LABELS

    @classmethod
    def from_dataset(cls, dataset, split: str | None = None, labels: Sequence[str] = LABELS) -> LabelledTexts:
        """From a :mod:`moderation.corpora` dataset (a ``datasets.Dataset`` or anything with ``to_pandas``)."""
        frame = dataset.to_pandas() if hasattr(dataset, "to_pandas") else dataset
        if split is not None:
            frame = frame[frame["split"] == split]
        return cls(
            tuple(frame["text"].tolist()),
            frame[list(labels)].to_numpy(dtype=np.int8).reshape(len(frame), len(labels)),
            tuple(frame["source"].tolist()),
            tuple(labels),
        )

    def __len__(self) -> int:
        return len(self.texts)


def featurize(featurizer: Featurizer, normalized: Sequence[str], batch_size: int = 4096, progress=None):
    """Hash normalized texts in batches into one CSR matrix: exactly what scoring computes."""
    from scipy import sparse

    blocks = []
    for start in range(0, len(normalized), batch_size):
        blocks.append(featurizer.transform(normalized[start : start + batch_size]))
        if progress:
            progress("features", min(start + batch_size, len(normalized)), len(normalized))
    if not blocks:
        return sparse.csr_matrix((0, featurizer.n_features), dtype=np.float32)
    return sparse.vstack(blocks, format="csr")


def fit_idf(
    featurizer: Featurizer, normalized: Sequence[str], batch_size: int = 4096, progress=None
) -> Featurizer:
    """The featurizer with inverse document frequencies counted over ``normalized`` texts (the train split)."""
    frequency = np.zeros(featurizer.n_features, dtype=np.int64)
    for start in range(0, len(normalized), batch_size):
        frequency += featurizer.document_frequency(normalized[start : start + batch_size])
        if progress:
            progress("document frequencies", min(start + batch_size, len(normalized)), len(normalized))
    return featurizer.with_idf(frequency, len(normalized))


def sample_weights(
    known: np.ndarray, positive: np.ndarray, sources: np.ndarray, power: float, factors: Mapping[str, float]
) -> np.ndarray:
    """Per-row weights for one label: each corpus counts as size**power rows, classes balanced inside it."""
    weights = np.zeros(len(known), dtype=np.float64)
    for source in np.unique(sources[known]):
        in_source = known & (sources == source)
        size = int(in_source.sum())
        budget = size**power * factors.get(str(source), 1.0)
        for is_positive in (True, False):
            rows = in_source & (positive == is_positive)
            count = int(rows.sum())
            if count:
                # Half the corpus's budget to each class present; a one-class corpus spends all of it.
                classes = 2 if count < size else 1
                weights[rows] = budget / classes / count
    total = weights[known].sum()
    return weights * (known.sum() / total) if total > 0 else weights


def fit(
    train: LabelledTexts,
    dev: LabelledTexts,
    lexicon: Lexicon,
    config: TrainingConfig = TrainingConfig(),
    *,
    corpora: Mapping[str, Mapping] | None = None,
    progress: Progress | None = None,
) -> LinearModel:
    """Train a model: logistic regression per label on train, calibration and thresholds on dev."""
    from joblib import Parallel, delayed

    started = time.time()
    labels = train.label_names
    if dev.label_names != labels:
        raise ValueError("train and dev must have the same labels")
    featurizer = Featurizer(
        n_features=config.n_features,
        char_ngrams=tuple(config.char_ngrams),
        word_ngrams=tuple(config.word_ngrams),
        lexicon=lexicon.features(),
    )
    # Normalized once: the IDF count and the matrix both read the same canonical text.
    train_texts = normalize_many(train.texts)
    featurizer = fit_idf(featurizer, train_texts, config.batch_size, progress)
    x_train = featurize(featurizer, train_texts, config.batch_size, progress)
    x_dev = featurize(featurizer, normalize_many(dev.texts), config.batch_size, progress)
    train_sources = np.array(train.sources)
    dev_sources = np.array(dev.sources)

    for k, label in enumerate(labels):
        known = train.labels[:, k] >= 0
        if (train.labels[known, k] == 1).all() or not (train.labels[known, k] == 1).any():
            raise ValueError(f"label {label!r} needs both positive and negative training rows")
    if progress:
        progress("fit labels", 0, len(labels))
    # Labels are independent fits over the same matrix: threads share it, and liblinear releases the GIL.
    fitted = Parallel(n_jobs=min(config.n_jobs, len(labels)), prefer="threads")(
        delayed(_fit_label)(k, label, x_train, train, train_sources, x_dev, dev, dev_sources, config)
        for k, label in enumerate(labels)
    )
    weights = np.stack([f.weights for f in fitted], axis=1).astype(np.float32)
    intercepts = np.array([f.intercept for f in fitted])
    calibration = np.array([f.calibration for f in fitted])
    thresholds = np.array([f.threshold for f in fitted])
    label_report = {label: f.report for label, f in zip(labels, fitted, strict=True)}
    if progress:
        progress("done", len(labels), len(labels))

    info = {
        "moderate_version": __version__,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "training": {
            "config": config.to_dict(),
            "labels": label_report,
            "rows": {"train": len(train), "dev": len(dev)},
            "rows_by_corpus": {
                "train": {
                    str(s): int(n) for s, n in zip(*np.unique(train_sources, return_counts=True), strict=True)
                },
                "dev": {
                    str(s): int(n) for s, n in zip(*np.unique(dev_sources, return_counts=True), strict=True)
                },
            },
            "corpora": {name: dict(meta) for name, meta in (corpora or {}).items()},
            "seconds": round(time.time() - started, 1),
            "python": platform.python_version(),
        },
    }
    return LinearModel(tuple(labels), featurizer, lexicon, weights, intercepts, calibration, thresholds, info)


@dataclass(frozen=True)
class _FittedLabel:
    weights: np.ndarray
    intercept: float
    calibration: tuple[float, float]
    threshold: float
    report: dict


def _fit_label(k, label, x_train, train, train_sources, x_dev, dev, dev_sources, config) -> _FittedLabel:
    """One label: logistic regression on its known train rows, then Platt scaling and a threshold on dev."""
    from sklearn.linear_model import LogisticRegression

    known = train.labels[:, k] >= 0
    positive = train.labels[:, k] == 1
    row_weights = sample_weights(
        known, positive, train_sources, config.corpus_size_power, config.corpus_factors.get(label, {})
    )
    classifier = LogisticRegression(
        C=config.C.get(label, 1.0), solver="liblinear", max_iter=config.max_iter, random_state=config.seed
    )
    classifier.fit(x_train[known], positive[known].astype(np.int8), sample_weight=row_weights[known])
    weights, intercept = classifier.coef_[0], float(classifier.intercept_[0])

    dev_known = dev.labels[:, k] >= 0
    dev_logits = x_dev[dev_known] @ weights + intercept
    dev_truth = dev.labels[dev_known, k] == 1
    slope, offset = platt(dev_logits, dev_truth)
    probabilities = 1.0 / (1.0 + np.exp(-(slope * dev_logits + offset)))
    threshold, dev_f1 = choose_threshold(
        probabilities, dev_truth, dev_sources[dev_known], config.min_dev_positives
    )
    report = {
        "train_rows": int(known.sum()),
        "train_positives": int(positive.sum()),
        "dev_rows": int(dev_known.sum()),
        "dev_positives": int(dev_truth.sum()),
        "dev_mean_f1_at_threshold": round(dev_f1, 4),
    }
    return _FittedLabel(weights, intercept, (slope, offset), threshold, report)


def platt(logits: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    """Fit ``p = sigmoid(a * logit + b)`` on dev; identity-ish when dev has a single class."""
    from sklearn.linear_model import LogisticRegression

    if truth.all() or not truth.any():
        return 1.0, 0.0
    calibrator = LogisticRegression(C=1e4, solver="lbfgs", max_iter=1000)
    calibrator.fit(logits.reshape(-1, 1), truth.astype(np.int8))
    slope = float(calibrator.coef_[0, 0])
    if slope <= 0:  # a model worse than chance on dev: keep the ranking, do not invert it
        return 1.0, 0.0
    return slope, float(calibrator.intercept_[0])


def choose_threshold(
    probabilities: np.ndarray, truth: np.ndarray, sources: np.ndarray, min_positives: int
) -> tuple[float, float]:
    """The threshold maximising the mean F1 over corpora with at least ``min_positives`` dev positives."""
    groups = [sources == s for s in np.unique(sources) if truth[sources == s].sum() >= min_positives]
    if not groups:
        groups = [np.ones(len(truth), dtype=bool)]
    candidates = np.round(np.arange(0.05, 0.951, 0.01), 2)
    best, best_f1 = 0.5, -1.0
    for threshold in candidates:
        predicted = probabilities >= threshold
        scores = []
        for group in groups:
            tp = np.sum(predicted[group] & truth[group])
            fp = np.sum(predicted[group] & ~truth[group])
            fn = np.sum(~predicted[group] & truth[group])
            scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
        mean = float(np.mean(scores))
        if mean > best_f1 + 1e-9:
            best, best_f1 = float(threshold), mean
    return best, best_f1
