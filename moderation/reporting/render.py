"""Render a :class:`Report` as one self-contained HTML page, as CSV (one row per comment) or as JSONL.

Comment text, authors, titles and file names are hostile input: the HTML template autoescapes everything,
a Content-Security-Policy allows only the report's own script (by hash) and inline styles, and CSV cells that
a spreadsheet would run as a formula are prefixed with ``'``.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
from collections.abc import Iterator, Sequence
from importlib import resources

from jinja2 import Environment, PackageLoader, StrictUndefined

from moderation.reporting.charts import flags_per_article, histogram, label_colour
from moderation.reporting.highlight import located, segments
from moderation.reporting.report import Report
from moderation.types import ModeratedArticle

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("moderation.reporting", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.globals.update(segments=segments, located=located)
    return environment


def render_html(report: Report) -> str:
    """The report as one HTML page that needs no network: inline CSS, inline SVG, a small inline script."""
    script = resources.files("moderation.reporting").joinpath("templates/report.js").read_text("utf-8")
    script_hash = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    colours = {label: label_colour(label, report.labels) for label in report.labels}
    charts = [
        histogram(label, report.probabilities(label), report.thresholds[label], colours[label])
        for label in report.labels
    ]
    article_chart = flags_per_article([(row.name, row.flagged) for row in report.rows], report.labels)
    template = _environment().get_template("report.html")
    return template.render(
        report=report,
        colours=colours,
        charts=charts,
        article_chart=article_chart,
        script=script,
        script_hash=script_hash,
    )


def _cell(value: object) -> object:
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
        yield [_cell(cell) for cell in cells]


def render_csv(report: Report) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(csv_columns(report.labels))
    for article in report.articles:
        writer.writerows(article_csv_rows(article, report.labels))
    return buffer.getvalue()


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


def jsonl_records(report: Report) -> Iterator[dict]:
    """One record per comment (``"kind": "comment"``), then one per failed input (``"kind": "failed"``)."""
    for article in report.articles:
        yield from article_records(article)
    for failure in report.failures:
        yield {"kind": "failed", "source": failure.source, "error": failure.error}


def render_jsonl(report: Report) -> str:
    return "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in jsonl_records(report))
