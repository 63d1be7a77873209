"""Moderator: a loaded model, immutable and thread-safe, scoring texts and articles. (Being built: issue 3/4.)"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from moderation.types import Article, ModeratedArticle, Scores


class Moderator:
    """Load once with :meth:`load`; share freely across threads."""

    @classmethod
    def load(cls, path: str | Path | None = None) -> Moderator:
        """Load a model directory; None means the shipped default model."""
        raise NotImplementedError

    def score(self, text: str, *, reasons: int = 5) -> Scores:
        """Score one comment: probability, flag and up to ``reasons`` n-grams per label."""
        raise NotImplementedError

    def score_many(
        self, texts: Sequence[str], *, batch_size: int = 4096, reasons: int = 5, explain: str = "flagged"
    ) -> list[Scores]:
        """Score many comments, vectorised per batch. ``explain`` is "flagged", "all" or "none"."""
        raise NotImplementedError

    def moderate(self, article: Article) -> ModeratedArticle:
        """Score every comment of a parsed article, keeping author and position."""
        raise NotImplementedError

    def with_thresholds(self, overrides: dict[str, float]) -> Moderator:
        """A new Moderator sharing this one's weights, with some thresholds replaced."""
        raise NotImplementedError
