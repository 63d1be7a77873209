"""Moderator: a loaded model turned into typed results, for texts, batches and parsed articles.

The one object integrators hold. It is immutable (thresholds are changed by making a new Moderator that shares
the weights) and safe to share across threads: scoring allocates only local arrays.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from moderation import _kernel
from moderation.errors import ModelError
from moderation.model import LinearModel
from moderation.types import IMPLIED_BY, Article, LabelScore, ModeratedArticle, ModeratedComment, Scores

MODEL_ENV = "MODERATE_MODEL"
EXPLAIN_CHOICES = ("flagged", "all", "none")


def _unexplained_scores(
    labels: tuple[str, ...], probabilities: np.ndarray, flags: np.ndarray, thresholds: list[float]
) -> list[Scores]:
    """Scores without reasons for a batch, built in C: a Python loop per label costs more than scoring."""
    rows = _kernel.label_scores(
        LabelScore, labels, np.ascontiguousarray(probabilities), flags.view(np.uint8), thresholds
    )
    return list(map(Scores, rows))


def default_model_path() -> Path:
    """``$MODERATE_MODEL`` if set, else the model shipped with the package (``models/default``)."""
    if os.environ.get(MODEL_ENV):
        return Path(os.environ[MODEL_ENV])
    package = Path(__file__).resolve().parent
    for candidate in (package / "default_model", package.parent / "models" / "default"):
        if (candidate / "manifest.json").is_file():
            return candidate
    raise ModelError(
        "no default model found: reinstall moderate, or pass a model directory (--model / Moderator.load(path))"
    )


class Moderator:
    """Scores comments with a loaded model. Load once with :meth:`load`; share freely across threads."""

    __slots__ = ("_model", "_thresholds", "_path")

    def __init__(
        self, model: LinearModel, *, thresholds: Mapping[str, float] | None = None, path: Path | None = None
    ):
        thresholds_array = np.array(model.thresholds, dtype=np.float64)
        for label, value in (thresholds or {}).items():
            if label not in model.labels:
                raise ValueError(f"unknown label {label!r}; the model's labels are {', '.join(model.labels)}")
            if not 0.0 <= float(value) <= 1.0:
                raise ValueError(f"threshold for {label} must be between 0 and 1, got {value}")
            thresholds_array[model.labels.index(label)] = float(value)
        thresholds_array.setflags(write=False)
        object.__setattr__(self, "_model", model)
        object.__setattr__(self, "_thresholds", thresholds_array)
        object.__setattr__(self, "_path", path)

    def __setattr__(self, name, value):  # immutable: share across threads without locks
        raise AttributeError("Moderator is immutable; use with_thresholds() for different thresholds")

    @classmethod
    def load(cls, path: str | Path | None = None) -> Moderator:
        """Load a model directory; None means ``$MODERATE_MODEL`` or the shipped default model."""
        directory = Path(path) if path is not None else default_model_path()
        return cls(LinearModel.load(directory), path=directory)

    # -- what it is ------------------------------------------------------------------------------------------

    @property
    def labels(self) -> tuple[str, ...]:
        return self._model.labels

    @property
    def thresholds(self) -> dict[str, float]:
        return dict(zip(self._model.labels, self._thresholds.tolist(), strict=True))

    @property
    def manifest(self) -> dict:
        """The model's manifest: labels, thresholds, training data and licenses, metrics."""
        return self._model.manifest()

    @property
    def model(self) -> LinearModel:
        return self._model

    @property
    def path(self) -> Path | None:
        return self._path

    def with_thresholds(self, overrides: Mapping[str, float]) -> Moderator:
        """A new Moderator sharing this one's weights, with some thresholds replaced."""
        merged = {**self.thresholds, **overrides}
        return Moderator(self._model, thresholds=merged, path=self._path)

    # -- scoring ---------------------------------------------------------------------------------------------

    def probabilities(self, texts: Sequence[str], *, batch_size: int = 1024) -> np.ndarray:
        """Calibrated probabilities, (len(texts) x len(labels)): the fastest path, no objects built."""
        texts = list(texts)
        if not texts:
            return np.zeros((0, len(self.labels)))
        # Batches of about a thousand keep the hashing arrays in cache; one huge batch is slower.
        return np.vstack(
            [self._model.probabilities(texts[i : i + batch_size]) for i in range(0, len(texts), batch_size)]
        )

    def flags(self, probabilities: np.ndarray) -> np.ndarray:
        """Which labels each row of ``probabilities`` is flagged with: at or over its threshold, or implied by a
        flagged label (an antisemitic flag always comes with a hateful one)."""
        flags = probabilities >= self._thresholds
        labels = self._model.labels
        for k, label in enumerate(labels):
            for implied_by in IMPLIED_BY.get(label, ()):
                if implied_by in labels:
                    flags[:, k] |= flags[:, labels.index(implied_by)]
        return flags

    def score(self, text: str, *, reasons: int = 5) -> Scores:
        """Score one comment: probability, flag and the ``reasons`` strongest n-grams for every label."""
        return self.score_many([text], reasons=reasons, explain="all")[0]

    def score_many(
        self, texts: Sequence[str], *, batch_size: int = 1024, reasons: int = 5, explain: str = "flagged"
    ) -> list[Scores]:
        """Score many comments, vectorised per batch of ``batch_size``.

        ``explain`` says which labels get reasons: ``"flagged"`` (default; explaining costs a pass over one
        text, so only flags pay for it), ``"all"``, or ``"none"``.
        """
        if explain not in EXPLAIN_CHOICES:
            raise ValueError(f"explain must be one of {', '.join(EXPLAIN_CHOICES)}")
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        texts = list(texts)
        labels = self._model.labels
        thresholds = self._thresholds.tolist()
        results: list[Scores] = []
        for start in range(0, len(texts), batch_size):
            batch = texts[start : start + batch_size]
            assessment = self._model.assess(batch)
            probabilities = assessment.probabilities
            flags = self.flags(probabilities)
            if explain == "none" or reasons <= 0 or (explain == "flagged" and not flags.any()):
                results += _unexplained_scores(labels, probabilities, flags, thresholds)
                continue
            wanted = np.ones_like(flags) if explain == "all" else flags
            explained = self._model.reasons(assessment, top=reasons, wanted=wanted)
            for row, (row_probabilities, row_flags) in enumerate(
                zip(probabilities.tolist(), flags.tolist(), strict=True)
            ):
                contributions = explained[row]
                results.append(
                    Scores(
                        {
                            label: LabelScore(
                                row_probabilities[k],
                                row_flags[k],
                                thresholds[k],
                                tuple(contributions.get(label, ()))
                                if explain == "all" or row_flags[k]
                                else (),
                            )
                            for k, label in enumerate(labels)
                        }
                    )
                )
        return results

    def moderate(self, article: Article, *, reasons: int = 5, explain: str = "flagged") -> ModeratedArticle:
        """Score every comment of a parsed article, keeping author and position."""
        scores = self.score_many([c.text for c in article.comments], reasons=reasons, explain=explain)
        return ModeratedArticle(
            article, tuple(ModeratedComment(c, s) for c, s in zip(article.comments, scores, strict=True))
        )
