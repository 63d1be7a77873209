"""The report as data: corpus totals, one row per article, score histograms, the flagged comments to show.

Built one article at a time by a :class:`ReportBuilder` (or all at once by :func:`build_report`), so a corpus
of any size is summarised in bounded memory: per comment it keeps only histogram counts, and of the flagged
comments only the ``flagged_limit`` most confident ones (the CSV and JSONL reports list every comment). The
renderers only format a :class:`Report`.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone

from moderation.reading import FailedInput
from moderation.thresholds import Thresholds
from moderation.types import CORE_LABELS, ModeratedArticle, ModeratedComment, Reason, Scores

HISTOGRAM_BINS = 20
#: Flagged comments an HTML report shows; past this, the most confident ones (the CSV/JSONL forms hold all).
FLAGGED_SHOWN = 1000


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
        return self.moderated.scores.driving_ngrams

    @property
    def strength(self) -> float:
        """The highest probability among the labels it is flagged with."""
        scores = self.moderated.scores
        return max((scores[label].probability for label in scores.flags), default=0.0)


@dataclass(frozen=True)
class Report:
    """Everything a batch report shows. Build with :class:`ReportBuilder` or :func:`build_report`."""

    labels: tuple[str, ...]
    thresholds: Thresholds
    """What the comments were flagged at (0.5 for a label no scored comment had)."""
    rows: tuple[ArticleRow, ...]
    failures: tuple[FailedInput, ...] = ()
    generated: str = ""
    model: dict = field(default_factory=dict)
    """Model card facts worth showing (name, version, ...); may be empty."""
    histograms: dict[str, tuple[int, ...]] = field(default_factory=dict)
    """Per label, how many comments fall in each of ``HISTOGRAM_BINS`` equal probability bins."""
    flagged_comments: tuple[FlaggedComment, ...] = ()
    """The flagged comments to show, article by article in page order: all of them, or the most confident
    ``flagged_limit`` when there are more (see ``flagged_left_out``)."""

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
    def flagged_left_out(self) -> int:
        """Flagged comments not in ``flagged_comments`` (the HTML form shows a capped list)."""
        return self.total_flagged_any - len(self.flagged_comments)


class ReportBuilder:
    """Summarises scored articles as they come: :meth:`add` each one, :meth:`fail` each bad input, then
    :meth:`build`. Holds the article rows and at most ``flagged_limit`` flagged comments, never every comment.

    ``thresholds`` are those the articles were scored at (a Moderator's, which also name the labels); without
    them, labels and thresholds are those the first scored comment carries.
    """

    def __init__(
        self,
        *,
        labels: Sequence[str] | None = None,
        thresholds: Thresholds | None = None,
        model: Mapping | None = None,
        generated: str | None = None,
        flagged_limit: int = FLAGGED_SHOWN,
    ):
        if flagged_limit < 0:
            raise ValueError("flagged_limit must not be negative")
        if labels is None and thresholds is not None:
            labels = thresholds.labels
        self._labels = tuple(labels) if labels is not None else None
        self._thresholds = thresholds
        self._model = dict(model or {})
        self._generated = generated
        self._flagged_limit = flagged_limit
        self._rows: list[ArticleRow] = []
        self._failures: list[FailedInput] = []
        self._histograms: dict[str, list[int]] = {}
        # A min-heap of (strength, -arrival, item): the weakest (and, on ties, the latest) is dropped first.
        self._flagged: list[tuple[float, int, FlaggedComment]] = []
        self._arrivals = 0

    def _learn_labels(self, moderated: ModeratedComment) -> tuple[str, ...]:
        if self._labels is None:
            self._labels = tuple(moderated.scores.labels)
        if self._thresholds is None:
            self._thresholds = Thresholds(
                {label: s.threshold for label, s in moderated.scores.labels.items()}
            )
        return self._labels

    def add(self, article: ModeratedArticle) -> ArticleRow:
        """Count one scored article; returns its row."""
        labels = self._learn_labels(article.comments[0]) if article.comments else (self._labels or ())
        flagged = dict.fromkeys(labels, 0)
        flagged_any = 0
        row = ArticleRow(
            number=len(self._rows) + 1,
            source=article.article.source,
            title=article.article.title,
            comments=len(article.comments),
            flagged=flagged,
            flagged_any=0,
        )
        for moderated in article.comments:
            scores = moderated.scores
            any_flag = False
            for label in labels:
                score = scores[label]
                bins = self._histograms.setdefault(label, [0] * HISTOGRAM_BINS)
                bins[min(HISTOGRAM_BINS - 1, max(0, int(score.probability * HISTOGRAM_BINS)))] += 1
                if score.flagged:
                    flagged[label] += 1
                    any_flag = True
            if any_flag:
                flagged_any += 1
                self._keep_flagged(FlaggedComment(row, moderated))
        row = replace(row, flagged_any=flagged_any)
        # The FlaggedComments above point at the row built before flagged_any was known; the rows
        # list gets the final one, and build() re-points the kept comments at it.
        self._rows.append(row)
        return row

    def _keep_flagged(self, item: FlaggedComment) -> None:
        if self._flagged_limit == 0:
            return
        self._arrivals += 1
        entry = (item.strength, -self._arrivals, item)
        if len(self._flagged) < self._flagged_limit:
            heapq.heappush(self._flagged, entry)
        elif entry[:2] > self._flagged[0][:2]:
            heapq.heapreplace(self._flagged, entry)

    def fail(self, failure: FailedInput) -> None:
        self._failures.append(failure)

    def build(self, explain: Callable[[list[str]], list[Scores]] | None = None) -> Report:
        """The report. ``explain`` re-scores the texts of the flagged comments kept (with reasons): articles
        can then be scored without explanations, which cost far more than scores, and only the comments the
        report shows pay for them."""
        labels = self._labels if self._labels is not None else CORE_LABELS
        known = self._thresholds or {}
        thresholds = Thresholds({label: known.get(label, 0.5) for label in labels})
        rows = tuple(
            row
            if set(row.flagged) == set(labels)
            else replace(row, flagged={label: row.flagged.get(label, 0) for label in labels})
            for row in self._rows
        )
        in_page_order = [item for *_, item in sorted(self._flagged, key=lambda entry: -entry[1])]
        kept = [item.moderated for item in in_page_order]
        owners = [rows[item.article.number - 1] for item in in_page_order]
        if explain is not None and kept:
            texts = [moderated.comment.text for moderated in kept]
            # In small slices: explaining holds arrays per n-gram occurrence of the whole slice.
            rescored = [s for i in range(0, len(texts), 128) for s in explain(texts[i : i + 128])]
            kept = [ModeratedComment(m.comment, scores) for m, scores in zip(kept, rescored, strict=True)]
        flagged = tuple(FlaggedComment(row, moderated) for row, moderated in zip(owners, kept, strict=True))
        return Report(
            labels=labels,
            thresholds=thresholds,
            rows=rows,
            failures=tuple(self._failures),
            generated=self._generated or datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            model=self._model,
            histograms={label: tuple(self._histograms.get(label, [0] * HISTOGRAM_BINS)) for label in labels},
            flagged_comments=flagged,
        )


def build_report(
    articles: Iterable[ModeratedArticle],
    failures: Iterable[FailedInput] = (),
    *,
    labels: Sequence[str] | None = None,
    model: Mapping | None = None,
    generated: str | None = None,
    flagged_limit: int = FLAGGED_SHOWN,
) -> Report:
    """Summarise scored articles. Labels default to, and thresholds are, those the scores carry."""
    builder = ReportBuilder(labels=labels, model=model, generated=generated, flagged_limit=flagged_limit)
    for article in articles:
        builder.add(article)
    for failure in failures:
        builder.fail(failure)
    return builder.build()
