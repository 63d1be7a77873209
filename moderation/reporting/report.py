"""The report as data: corpus totals, one row per article, every flagged comment, the inputs that failed.

Built from :class:`moderation.ModeratedArticle` values; the renderers (HTML, CSV, JSONL) only format it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone

from moderation.types import LABELS, ModeratedArticle, ModeratedComment, Reason


@dataclass(frozen=True)
class FailedInput:
    """A file the report could not read or parse, and the one-line reason."""

    source: str
    error: str


@dataclass(frozen=True)
class ArticleRow:
    """One article's line in the report."""

    number: int
    """1-based position in the report."""
    source: str | None
    title: str | None
    comments: int
    flagged: dict[str, int]
    """Flagged comments per label."""
    flagged_any: int
    """Comments flagged with at least one label."""

    @property
    def name(self) -> str:
        """What to call the article: its title, else its source, else its number."""
        return self.title or self.source or f"article {self.number}"


@dataclass(frozen=True)
class FlaggedComment:
    """A flagged comment with the article it belongs to."""

    article: ArticleRow
    moderated: ModeratedComment

    def reasons(self, label: str) -> tuple[Reason, ...]:
        return self.moderated.scores[label].reasons

    @property
    def driving_ngrams(self) -> tuple[str, ...]:
        """The n-grams that pushed a flagged label up, strongest first, without repeats."""
        ngrams: dict[str, None] = {}
        for label in self.moderated.scores.flags:
            for reason in self.moderated.scores[label].reasons:
                if reason.weight > 0:
                    ngrams.setdefault(reason.ngram)
        return tuple(ngrams)


@dataclass(frozen=True)
class Report:
    """Everything a batch report shows. Build with :func:`build_report`."""

    labels: tuple[str, ...]
    thresholds: dict[str, float]
    articles: tuple[ModeratedArticle, ...]
    rows: tuple[ArticleRow, ...]
    failures: tuple[FailedInput, ...] = ()
    generated: str = ""
    model: dict = field(default_factory=dict)
    """Model card facts worth showing (name, version, ...); may be empty."""

    @property
    def total_comments(self) -> int:
        return sum(row.comments for row in self.rows)

    @property
    def total_flagged(self) -> dict[str, int]:
        return {label: sum(row.flagged[label] for row in self.rows) for label in self.labels}

    @property
    def total_flagged_any(self) -> int:
        return sum(row.flagged_any for row in self.rows)

    @property
    def flagged_comments(self) -> tuple[FlaggedComment, ...]:
        """Every flagged comment, article by article, in page order."""
        return tuple(
            FlaggedComment(row, moderated)
            for row, article in zip(self.rows, self.articles, strict=True)
            for moderated in article.comments
            if moderated.scores.flagged
        )

    def probabilities(self, label: str) -> list[float]:
        """Every comment's probability for ``label``."""
        return [c.scores[label].probability for a in self.articles for c in a.comments]


def _labels_of(articles: Sequence[ModeratedArticle]) -> tuple[str, ...]:
    for article in articles:
        for moderated in article.comments:
            return tuple(moderated.scores.labels)
    return LABELS


def _thresholds_of(articles: Sequence[ModeratedArticle], labels: Sequence[str]) -> dict[str, float]:
    for article in articles:
        for moderated in article.comments:
            return {label: moderated.scores[label].threshold for label in labels}
    return {}


def build_report(
    articles: Iterable[ModeratedArticle],
    failures: Iterable[FailedInput] = (),
    *,
    labels: Sequence[str] | None = None,
    thresholds: Mapping[str, float] | None = None,
    model: Mapping | None = None,
    generated: str | None = None,
) -> Report:
    """Summarise scored articles. Labels and thresholds default to those found in the scores."""
    articles = tuple(articles)
    labels = tuple(labels) if labels is not None else _labels_of(articles)
    found = _thresholds_of(articles, labels)
    chosen = {label: float(found.get(label, 0.5)) for label in labels}
    chosen.update({label: float(value) for label, value in (thresholds or {}).items() if label in labels})
    rows = tuple(
        ArticleRow(
            number=number,
            source=article.article.source,
            title=article.article.title,
            comments=len(article.comments),
            flagged={label: len(article.flagged(label)) for label in labels},
            flagged_any=len(article.flagged()),
        )
        for number, article in enumerate(articles, start=1)
    )
    return Report(
        labels=labels,
        thresholds=chosen,
        articles=articles,
        rows=rows,
        failures=tuple(failures),
        generated=generated or datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        model=dict(model or {}),
    )
