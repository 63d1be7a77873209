"""Write a report to a file as the articles come, atomically: a temporary file beside the target, renamed.

CSV and JSONL get one line per comment as each article is added, so memory stays flat whatever the corpus;
the HTML page is a summary, rendered from the :class:`Report` when the writer closes. If anything fails, or
the process is interrupted, the temporary file is removed and an existing report at the target is untouched.
"""

from __future__ import annotations

import csv
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO

from moderation.errors import InputError
from moderation.reporting.render import (
    GENERATOR,
    article_csv_rows,
    article_records,
    csv_cell,
    csv_columns,
    render_html,
)
from moderation.reporting.report import FailedInput, Report, ReportBuilder
from moderation.thresholds import Thresholds
from moderation.types import CORE_LABELS, ModeratedArticle, Scores

FORMATS = {".html": "html", ".htm": "html", ".csv": "csv", ".jsonl": "jsonl"}
# What the head of an HTML report of ours holds: the generator tag, or (reports written before it) the title.
_REPORT_HEAD = re.compile(
    rb'<meta name="generator" content="'
    + re.escape(GENERATOR.encode())
    + rb'"|<title>Moderation report: \d+ flagged of \d+ comments</title>'
)


def report_format(path: str | Path) -> str:
    """The extension that names the format of ``path``; InputError when it names none."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        shown = suffix or "(no extension)"
        raise InputError(f"{path}: unknown report format {shown}; use .html, .csv or .jsonl")
    return suffix


def is_report(path: str | Path) -> bool:
    """Whether ``path`` is an HTML report written by moderate (so never an article to score)."""
    if Path(path).suffix.lower() not in (".html", ".htm") or not Path(path).is_file():
        return False  # not a regular file (a FIFO would block the open): reading refuses it later
    try:
        with open(path, "rb") as stream:
            head = stream.read(4096)
    except OSError:
        return False
    return _REPORT_HEAD.search(head) is not None


def without_reports(files: Iterable[str], output: str | Path | None = None) -> tuple[list[str], list[str]]:
    """``files`` split into the articles to read and the reports among them, which are never read as
    articles: ``output`` itself (the report being written) and HTML reports moderate wrote earlier."""
    written = os.path.realpath(output) if output is not None else None
    articles, reports = [], []
    for file in files:
        if file != "-" and (os.path.realpath(file) == written or is_report(file)):
            reports.append(file)
        else:
            articles.append(file)
    return articles, reports


def _temporary_beside(target: Path) -> tuple[IO[str], Path]:
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise InputError(f"{target}: directory {directory} does not exist")
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    return os.fdopen(handle, "w", encoding="utf-8", newline=""), Path(temporary)


def _publish(stream: IO[str], temporary: Path, target: Path) -> None:
    try:
        stream.close()
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_atomically(path: str | Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path`` and rename it over ``path``."""
    target = Path(path)
    stream, temporary = _temporary_beside(target)
    try:
        stream.write(text)
    except BaseException:
        stream.close()
        temporary.unlink(missing_ok=True)
        raise
    _publish(stream, temporary, target)


class ReportWriter:
    """Streams a report into ``path`` (format by extension). Use as a context manager::

        with ReportWriter("out.csv", labels=moderator.labels) as writer:
            for article in articles:
                writer.add(moderator.moderate(article))
        writer.report  # the summary, once the file is in place

    ``thresholds`` (``moderator.thresholds``) are what the articles were flagged at; without them, those the
    first scored comment carries. ``explain`` (e.g. ``moderator.score_many``), when given, re-scores with reasons the flagged comments
    the HTML page shows; see :meth:`ReportBuilder.build`. The file appears, complete, only when the block
    ends without an exception. CSV rows and JSONL records
    follow the articles in the order added; failed inputs come last (CSV: rows with only ``source`` and
    ``error``; JSONL: ``{"kind": "failed", ...}``).
    """

    def __init__(
        self,
        path: str | Path,
        *,
        labels: Sequence[str],
        thresholds: Thresholds | None = None,
        model: Mapping | None = None,
        generated: str | None = None,
        explain: Callable[[list[str]], list[Scores]] | None = None,
    ):
        self.path = Path(path)
        self._explain = explain
        self.format = FORMATS[report_format(path)]
        self.labels = tuple(labels)
        self._builder = ReportBuilder(
            labels=self.labels, thresholds=thresholds, model=model, generated=generated
        )
        self._stream: IO[str] | None = None
        self._temporary: Path | None = None
        self._csv = None
        self._report: Report | None = None

    @property
    def report(self) -> Report:
        """The summary of what was written; available once the writer has closed successfully."""
        if self._report is None:
            raise RuntimeError("the report is complete only after the writer has closed")
        return self._report

    def __enter__(self) -> ReportWriter:
        self._stream, self._temporary = _temporary_beside(self.path)
        if self.format == "csv":
            self._csv = csv.writer(self._stream, lineterminator="\n")
            self._csv.writerow([*csv_columns(self.labels), "error"])
        return self

    def add(self, article: ModeratedArticle) -> None:
        """Count one scored article in the summary and, for CSV and JSONL, write its comments now."""
        self._builder.add(article)
        if self._csv is not None:
            self._csv.writerows([*row, ""] for row in article_csv_rows(article, self.labels))
        elif self.format == "jsonl":
            assert self._stream is not None
            self._stream.writelines(
                json.dumps(record, ensure_ascii=False) + "\n" for record in article_records(article)
            )

    def fail(self, failure: FailedInput) -> None:
        """List an input that could not be read or parsed (written at the end)."""
        self._builder.fail(failure)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        assert self._stream is not None and self._temporary is not None
        if kind is not None:
            self._stream.close()
            self._temporary.unlink(missing_ok=True)
            return
        try:
            report = self._builder.build(self._explain)
            if self._csv is not None:
                blanks = [""] * (len(csv_columns(self.labels)) - 1)
                self._csv.writerows(
                    [csv_cell(failure.source), *blanks, csv_cell(failure.error)]
                    for failure in report.failures
                )
            elif self.format == "jsonl":
                self._stream.writelines(
                    json.dumps({"kind": "failed", "source": f.source, "error": f.error}, ensure_ascii=False)
                    + "\n"
                    for f in report.failures
                )
            else:
                self._stream.write(render_html(report))
        except BaseException:
            self._stream.close()
            self._temporary.unlink(missing_ok=True)
            raise
        _publish(self._stream, self._temporary, self.path)
        self._report = report


def _labels_of(articles: Sequence[ModeratedArticle]) -> tuple[str, ...]:
    for article in articles:
        for moderated in article.comments:
            return tuple(moderated.scores.labels)
    return CORE_LABELS


def write_report(
    articles: Iterable[ModeratedArticle],
    path: str | Path,
    failures: Iterable[FailedInput] = (),
    *,
    labels: Sequence[str] | None = None,
    model: Mapping | None = None,
    generated: str | None = None,
) -> Report:
    """Write scored articles as a report in the format ``path``'s extension names; returns the summary.

    Labels default to, and thresholds are, those of the first scored comment. For a corpus too large to hold, use
    :class:`ReportWriter` and add articles as they are scored.
    """
    report_format(path)
    if labels is None:
        articles = list(articles)
        labels = _labels_of(articles)
    with ReportWriter(path, labels=labels, model=model, generated=generated) as writer:
        for article in articles:
            writer.add(article)
        for failure in failures:
            writer.fail(failure)
    return writer.report
