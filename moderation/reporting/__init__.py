"""Batch reports over scored articles: the report data, and its HTML, CSV and JSONL renderings.

``ReportWriter(path, labels=...)`` streams scored articles into a report whose format follows the file
extension (``.html``/``.htm``, ``.csv``, ``.jsonl``) and writes it atomically; ``write_report(articles, path)``
does the same for articles at hand, and ``build_report(articles)`` only summarises.
"""

from __future__ import annotations

from moderation.reporting.render import render_html
from moderation.reporting.report import (
    FLAGGED_SHOWN,
    ArticleRow,
    FailedInput,
    FlaggedComment,
    Report,
    ReportBuilder,
    build_report,
)
from moderation.reporting.writing import (
    ReportWriter,
    is_report,
    report_format,
    without_reports,
    write_atomically,
    write_report,
)

__all__ = [
    "FLAGGED_SHOWN",
    "ArticleRow",
    "FailedInput",
    "FlaggedComment",
    "Report",
    "ReportBuilder",
    "ReportWriter",
    "build_report",
    "is_report",
    "render_html",
    "report_format",
    "without_reports",
    "write_atomically",
    "write_report",
]
