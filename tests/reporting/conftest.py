"""Hand-made scored articles: the renderers are tested on values, not on a model's opinion; scoring a corpus
is tested on the small model trained in the session (tests/conftest.py)."""

from __future__ import annotations

import pytest

from moderation.moderator import Moderator
from moderation.types import (
    CORE_LABELS,
    Article,
    Comment,
    LabelScore,
    ModeratedArticle,
    ModeratedComment,
    Reason,
    Scores,
)


@pytest.fixture(scope="session")
def moderator(small_moderator) -> Moderator:
    return small_moderator


THRESHOLDS = {"hateful": 0.6, "antisemitic": 0.55, "offensive": 0.7}


def scored(text: str, author: str | None = None, index: int = 0, **labels) -> ModeratedComment:
    """A comment with the given ``label=(probability, [(ngram, weight[, spans]), ...])``; other labels score 0.01."""
    scores = {}
    for label in CORE_LABELS:
        probability, reasons = labels.get(label, (0.01, []))
        scores[label] = LabelScore(
            probability=probability,
            flagged=probability >= THRESHOLDS[label],
            threshold=THRESHOLDS[label],
            reasons=tuple(Reason(*reason) for reason in reasons),
        )
    return ModeratedComment(Comment(index=index, text=text, author=author), Scores(scores))


def article(title: str | None, source: str, *comments: ModeratedComment) -> ModeratedArticle:
    numbered = tuple(
        ModeratedComment(Comment(i, c.comment.text, c.comment.author, c.comment.posted), c.scores)
        for i, c in enumerate(comments)
    )
    return ModeratedArticle(
        Article(title=title, source=source, comments=tuple(c.comment for c in numbered)), numbered
    )


@pytest.fixture
def articles() -> list[ModeratedArticle]:
    return [
        article(
            "Council approves new bike lanes",
            "news/bikes.html",
            scored("Great news for commuters.", "ana"),
            scored(
                "You absolute IDIOT, read the plan.",
                "bob",
                offensive=(0.91, [("idiot", 1.4, ((13, 18),)), ("plan", -0.2, ((29, 33),))]),
            ),
        ),
        article(
            "Synagogue hosts open day",
            "news/open-day.txt",
            scored(
                "The J3ws control the banks, wake up!",
                "<script>alert('author')</script>",
                hateful=(0.88, [("jews control", 1.1, ((4, 16),)), ("wake up", 0.4, ((28, 35),))]),
                antisemitic=(
                    0.93,
                    [("jews control", 1.8, ((4, 16),)), (" joo", 0.3), ("the banks", 0.6, ((17, 26),))],
                ),
            ),
            scored("Lovely photos <img src=x onerror=alert(1)>", None),
        ),
        article("Weather", "news/weather.txt"),
    ]
