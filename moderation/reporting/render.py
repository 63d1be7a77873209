"""Render a :class:`Report` as one self-contained HTML page, as CSV (one row per comment) or as JSONL.

Comment text, authors, titles and file names are hostile input: the HTML template autoescapes everything,
a Content-Security-Policy allows only the report's own script (by hash) and inline styles, and CSV cells that
a spreadsheet would run as a formula are prefixed with ``'``.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib import resources

from jinja2 import Environment, PackageLoader, StrictUndefined

from moderation.reporting.charts import flags_per_article, histogram, label_colour
from moderation.reporting.highlight import Segment, segments
from moderation.reporting.report import FlaggedComment, Report
from moderation.types import ModeratedArticle

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Article rows an HTML report's table shows; past this, the articles with most flags (CSV/JSONL hold all).
ARTICLES_SHOWN = 2000
#: Marks a page as a report of ours, so a later report over the same folder does not read it as an article.
GENERATOR = "moderate report"


def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("moderation.reporting", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@dataclass(frozen=True)
class _Shown:
    """A flagged comment as the HTML shows it: its text split for highlighting, and which reasons it marks."""

    item: FlaggedComment
    segments: list[Segment]
    located: frozenset[str]


def _shown(report: Report) -> list[_Shown]:
    shown = []
    for item in report.flagged_comments:
        scores = item.moderated.scores
        reasons = [reason for label in scores.flags for reason in scores[label].reasons]
        located = frozenset(reason.ngram for reason in reasons if reason.spans)
        # The reasons behind item.driving_ngrams: those that pushed a flagged label up.
        driving = [reason for reason in reasons if reason.weight > 0]
        shown.append(_Shown(item, segments(item.moderated.comment.text, driving), located))
    return shown


def render_html(report: Report) -> str:
    """The report as one HTML page that needs no network: inline CSS, inline SVG, a small inline script."""
    script = resources.files("moderation.reporting").joinpath("templates/report.js").read_text("utf-8")
    script_hash = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    colours = {label: label_colour(label, report.labels) for label in report.labels}
    refines = report.thresholds.refines
    charts = [
        histogram(
            label, report.histograms[label], report.thresholds[label], colours[label], refines.get(label)
        )
        for label in report.labels
    ]
    article_chart = flags_per_article([(row.name, row.flagged) for row in report.rows], report.labels)
    if len(report.rows) > ARTICLES_SHOWN:
        ranked = sorted(report.rows, key=lambda row: (-row.flagged_any, row.number))[:ARTICLES_SHOWN]
        rows = sorted(ranked, key=lambda row: row.number)
    else:
        rows = list(report.rows)
    template = _environment().get_template("report.html")
    return template.render(
        report=report,
        rows=rows,
        shown=_shown(report),
        colours=colours,
        charts=charts,
        article_chart=article_chart,
        script=script,
        script_hash=script_hash,
        generator=GENERATOR,
        refines=refines,
    )


def csv_cell(value: object) -> object:
    """A CSV cell a spreadsheet will not run as a formula."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return "" if value is None else value


def csv_columns(labels: Sequence[str]) -> list[str]:
    """The CSV header: the comment's origin and text, then probability, flag and reasons per label."""
    columns = ["source", "article_title", "comment_number", "author", "posted", "parent", "text"]
    for label in labels:
        columns += [f"{label}_probability", f"{label}_flagged", f"{label}_reasons"]
    return [*columns, "flags"]


def article_csv_rows(article: ModeratedArticle, labels: Sequence[str]) -> Iterator[list[object]]:
    """One CSV row per comment of ``article``, in page order."""
    for moderated in article.comments:
        comment, scores = moderated.comment, moderated.scores
        cells: list[object] = [
            article.article.source,
            article.article.title,
            comment.index + 1,  # numbered from 1 in every output, as Comment.to_dict does
            comment.author,
            comment.posted,
            None if comment.parent is None else comment.parent + 1,
            comment.text,
        ]
        for label in labels:
            score = scores[label]
            reasons = "; ".join(f"{r.ngram} ({r.weight:+.3f})" for r in score.reasons)
            cells += [f"{score.probability:.6f}", int(score.flagged), reasons]
        cells.append(" ".join(scores.flags))
        yield [csv_cell(cell) for cell in cells]


def article_records(article: ModeratedArticle) -> Iterator[dict]:
    """One JSON-ready record per comment of ``article``: where it is from, the comment, scores and flags."""
    for moderated in article.comments:
        yield {
            "kind": "comment",
            "source": article.article.source,
            "article_title": article.article.title,
            **moderated.to_dict(),
            "flags": list(moderated.scores.flags),
        }
