"""Moderator: a loaded model turned into typed results, for texts, batches and parsed articles.

The one object integrators hold. It is immutable (thresholds, a :class:`Thresholds` value, are changed by
making a new Moderator that shares the weights) and safe to share across threads: scoring allocates only
local arrays.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from enum import Enum
from itertools import islice
from pathlib import Path
from typing import NamedTuple

import numpy as np

from moderation import _kernel
from moderation.errors import ModelError
from moderation.model import Explained, LinearModel
from moderation.parsing.comments import BadLine, CommentLine
from moderation.thresholds import Thresholds
from moderation.types import (
    Article,
    LabelScore,
    ModeratedArticle,
    ModeratedComment,
    Scores,
    _DeferredScores,
)

MODEL_ENV = "MODERATE_MODEL"
_ENCODE = json.JSONEncoder(ensure_ascii=False).encode


class Explain(str, Enum):
    """Which labels get reasons: the flagged ones (explaining costs a pass over the text, so only flags pay
    for it), all of them, or none (fastest)."""

    flagged = "flagged"
    all = "all"
    none = "none"


EXPLAIN_CHOICES = tuple(choice.value for choice in Explain)


def _scores(
    labels: tuple[str, ...],
    probabilities: np.ndarray,
    flags: np.ndarray,
    thresholds: list[float],
    explained: Explained | None = None,
) -> list[Scores]:
    """Scores of a batch, with the reasons ``explained`` (if any): one object per comment, made in C, whose
    labels are built from the batch's arrays when first read (building them, then freeing them unread, cost
    a third of the time of scoring a batch)."""
    rows = _kernel.ScoreRows(
        LabelScore,
        labels,
        np.ascontiguousarray(probabilities),
        np.ascontiguousarray(flags).view(np.uint8),
        thresholds,
        *((None, None) if explained is None else (explained.reasons, explained.slots)),
    )
    return rows.deferred(_DeferredScores)


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


class ScoredLines(NamedTuple):
    """One batch of a comment stream: its comments and their scores, in order, and its bad lines."""

    comments: list[CommentLine]
    bad: list[BadLine]
    scores: list[Scores]


class ScoredJsonl(NamedTuple):
    """A batch of comments scored and written as JSON lines (:meth:`Moderator.score_jsonl`)."""

    lines: bytes
    """The JSON lines, UTF-8, each ended by a newline."""
    flags: np.ndarray
    """(comments x labels), bool: which labels each comment is flagged with."""


class Moderator:
    """Scores comments with a loaded model. Load once with :meth:`load`; share freely across threads."""

    __slots__ = ("_model", "_thresholds", "_path")

    def __init__(
        self,
        model: LinearModel,
        *,
        thresholds: Thresholds | Mapping[str, float] | Iterable[str] | None = None,
        path: Path | None = None,
    ):
        """``thresholds``: the model's own, with these changed (a mapping or ``label=value`` strings)."""
        chosen = Thresholds(dict(zip(model.labels, model.thresholds.tolist(), strict=True)))
        if thresholds is not None:
            chosen = chosen.replace(thresholds)
        object.__setattr__(self, "_model", model)
        object.__setattr__(self, "_thresholds", chosen)
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
    def thresholds(self) -> Thresholds:
        return self._thresholds

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

    def with_thresholds(self, changes: Thresholds | Mapping[str, float] | Iterable[str]) -> Moderator:
        """A new Moderator sharing this one's weights, with some thresholds changed: a mapping, or
        ``label=value`` strings; a ThresholdError (a ValueError) names a bad one."""
        return Moderator(self._model, thresholds=self._thresholds.replace(changes), path=self._path)

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
        """Which labels each row of ``probabilities`` is flagged with (:meth:`Thresholds.flags`): at or over its
        threshold, an antisemitic flag only on a hateful comment, and toxicity with any hate, insult or threat."""
        return self._thresholds.flags(probabilities)

    def score(self, text: str, *, reasons: int = 5) -> Scores:
        """Score one comment: probability, flag and the ``reasons`` strongest n-grams for every label."""
        return self.score_many([text], reasons=reasons, explain="all")[0]

    def score_many(
        self,
        texts: Sequence[str],
        *,
        batch_size: int = 1024,
        reasons: int = 5,
        explain: Explain | str = Explain.flagged,
    ) -> list[Scores]:
        """Score many comments, vectorised per batch of ``batch_size``.

        ``explain`` says which labels get reasons: ``"flagged"`` (default; explaining costs a pass over one
        text, so only flags pay for it), ``"all"``, or ``"none"``.
        """
        texts = list(texts)
        labels = self._model.labels
        thresholds = self._thresholds.array.tolist()
        results: list[Scores] = []
        for probabilities, flags, explained in self._assessed(texts, batch_size, reasons, explain):
            results += _scores(labels, probabilities, flags, thresholds, explained)
        return results

    def score_jsonl(
        self,
        records: Sequence[dict],
        texts: Sequence[str],
        *,
        batch_size: int = 1024,
        reasons: int = 5,
        explain: Explain | str = Explain.flagged,
    ) -> ScoredJsonl:
        """Score ``texts`` and write each as a JSON line: ``records[i]`` with the members ``"scores"`` and
        ``"flags"`` of ``texts[i]``'s :class:`Scores` ``s`` added at its end. Line i is exactly
        ``json.dumps({**records[i], "scores": s.to_dict(), "flags": list(s.flags)}, ensure_ascii=False)``
        and a newline, for ``s = score_many(texts, reasons=reasons, explain=explain)[i]``, written from
        the score arrays without building ``s`` (a writer of many comments spends more on the objects than
        on scoring them)."""
        records, texts = list(records), list(texts)
        if len(records) != len(texts):
            raise ValueError("one record per text")
        labels = self._model.labels
        thresholds = self._thresholds.array.tolist()
        if not texts:
            list(self._assessed(texts, batch_size, reasons, explain))  # bad options fail all the same
            return ScoredJsonl(b"", np.zeros((0, len(labels)), dtype=bool))
        lines, flags_of = [], []
        start = 0
        for probabilities, flags, explained in self._assessed(texts, batch_size, reasons, explain):
            end = start + len(flags)
            lines.append(
                _kernel.jsonl_scored(
                    records[start:end],
                    _ENCODE,
                    labels,
                    np.ascontiguousarray(probabilities),
                    np.ascontiguousarray(flags).view(np.uint8),
                    thresholds,
                    *((None, None) if explained is None else (explained.reasons, explained.slots)),
                )
            )
            flags_of.append(flags)
            start = end
        return ScoredJsonl(b"".join(lines), np.concatenate(flags_of))

    def _assessed(
        self, texts: list[str], batch_size: int, reasons: int, explain: Explain | str
    ) -> Iterator[tuple[np.ndarray, np.ndarray, Explained | None]]:
        """Per batch of ``batch_size`` texts: probabilities, flags and the reasons asked for (or None)."""
        if explain not in EXPLAIN_CHOICES:
            raise ValueError(f"explain must be one of {', '.join(EXPLAIN_CHOICES)}")
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        for start in range(0, len(texts), batch_size):
            batch = texts[start : start + batch_size]
            assessment = self._model.assess(batch)
            probabilities = assessment.probabilities
            flags = self.flags(probabilities)
            if explain == "none" or reasons <= 0 or (explain == "flagged" and not flags.any()):
                yield probabilities, flags, None
                continue
            explained = self._model.explained(
                assessment, top=reasons, only=np.ones_like(flags) if explain == "all" else flags
            )
            yield probabilities, flags, explained

    def score_stream(
        self,
        lines: Iterable[CommentLine | BadLine],
        *,
        batch_size: int = 2048,
        reasons: int = 5,
        explain: Explain | str = Explain.flagged,
    ) -> Iterator[ScoredLines]:
        """Score a comment stream (:func:`moderation.parsing.comments.read_comment_lines`) ``batch_size``
        lines at a time, so a stream of any length runs in flat memory; bad lines come back unscored."""
        lines = iter(lines)
        while batch := list(islice(lines, batch_size)):
            comments = [line for line in batch if not isinstance(line, BadLine)]
            bad = [line for line in batch if isinstance(line, BadLine)]
            scores = self.score_many([c.text for c in comments], reasons=reasons, explain=explain)
            yield ScoredLines(comments, bad, scores)

    def moderate(
        self, article: Article, *, reasons: int = 5, explain: Explain | str = Explain.flagged
    ) -> ModeratedArticle:
        """Score every comment of a parsed article, keeping author and position."""
        scores = self.score_many([c.text for c in article.comments], reasons=reasons, explain=explain)
        return ModeratedArticle(
            article, tuple(ModeratedComment(c, s) for c, s in zip(article.comments, scores, strict=True))
        )
