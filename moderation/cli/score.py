"""`moderate score`: score every reader comment of scraped pages, or of a stream of comments, and print it.

Output goes to stdout as a table, JSON, JSONL or CSV; errors go to stderr, one line per file or bad line,
and never stop the rest from being scored. Exit codes: 2 when any file or line failed (or on bad options),
else 1 when ``--fail-on`` found a flagged comment, else 0. A failure takes precedence: its results are
missing, so the run cannot vouch that nothing was flagged.

A page is read whole (it is one article; ``--max-bytes`` bounds it). A comment stream (``--comments``) is
read, scored and written a batch of lines at a time, so memory stays flat however long it is; each line is
bounded by ``--max-comment-bytes`` instead. Comments are numbered from 1 in every format; comments of a
stream are named by their line number and keep the input's ``id``.
"""

from __future__ import annotations

import codecs
import csv
import gc
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from itertools import chain
from typing import Annotated, NamedTuple, TextIO

import numpy as np
import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from moderation.cli._common import (
    MaxBytesOption,
    ModelOption,
    ThresholdOption,
    choice_option,
    fail,
    load_moderator,
    printable,
    user_errors,
)
from moderation.errors import ModerateError
from moderation.moderator import Explain, Moderator
from moderation.parsing import parse_file
from moderation.parsing.comments import CommentRow, comment_rows
from moderation.reading import (
    COMMENT_STREAM_SUFFIXES,
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_LINE_BYTES,
    PAGE_SUFFIXES,
    collect_inputs,
    input_name,
    read_line_batches,
)
from moderation.types import ModeratedArticle, Scores, json_members, json_records

TABLE_REASONS = 3
BATCH_LINES = 2048
"""Comment-stream lines read, scored and written at a time."""
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# --- what is written per comment -------------------------------------------------------------------------


class _Scored(NamedTuple):
    """One scored comment, page or stream alike, as every output format sees it."""

    record: dict
    """The comment's JSON record but its scores and flags (JSON output puts the source once per file; the
    JSON formats end each record with :func:`moderation.types.json_members`)."""
    key: str
    """What the table's first column shows: the comment's number, or its line in a stream."""
    id: str
    author: str | None
    text: str
    scores: Scores


def _page_comments(moderated: ModeratedArticle, *, with_text: bool) -> list[_Scored]:
    scored = []
    for item in moderated.comments:
        comment = item.comment
        record = comment.to_dict()
        if not with_text:
            del record["text"]
        scored.append(_Scored(record, str(comment.index + 1), "", comment.author, comment.text, item.scores))
    return scored


def _write_utf8(out: TextIO, data: bytes) -> None:
    """``out.write(data.decode())``, written to the bytes beneath as they are when there are some and they
    take UTF-8: a text stream takes twice as long over a batch of megabytes (the same bytes; line ends are
    only translated on Windows, where this leaves it to the text stream)."""
    buffer = getattr(out, "buffer", None)
    if buffer is None or os.linesep != "\n" or codecs.lookup(out.encoding).name != "utf-8":
        out.write(data.decode("utf-8"))
        return
    out.flush()  # what went through the text stream before comes first
    buffer.write(data)


def _stream_records(rows: Sequence[CommentRow], source: str, *, with_text: bool) -> list[dict]:
    """Each comment's JSON record but its scores and flags: its ``source``, then what
    :meth:`moderation.parsing.comments.CommentLine.to_dict` holds, built in one pass (a dict per comment)."""
    if with_text:
        return [
            {"source": source, "line": line, "id": id_, "author": author, "text": text}
            if fields is None
            else {"source": source, "line": line, "id": id_, "author": author, "text": text, "fields": fields}
            for line, text, id_, author, fields in rows
        ]
    return [
        {"source": source, "line": line, "id": id_, "author": author}
        if fields is None
        else {"source": source, "line": line, "id": id_, "author": author, "fields": fields}
        for line, _, id_, author, fields in rows
    ]


def _stream_comments(
    rows: Sequence[CommentRow], scores: Sequence[Scores], *, with_text: bool
) -> list[_Scored]:
    return [
        _Scored(
            _row_record(row, with_text=with_text),
            str(row[0]),
            "" if row[2] is None else row[2] if isinstance(row[2], str) else json.dumps(row[2]),
            row[3],
            row[1],
            row_scores,
        )
        for row, row_scores in zip(rows, scores, strict=True)
    ]


def _row_record(row: CommentRow, *, with_text: bool) -> dict:
    line, text, id_, author, fields = row
    record: dict = {"line": line, "id": id_, "author": author}
    if with_text:
        record["text"] = text
    if fields:
        record["fields"] = dict(fields)
    return record


def _json_records(comments: Sequence[_Scored], head: dict | None = None) -> list[str]:
    """Each comment's JSON record (after ``head``'s members): its fields, then its scores and flags."""
    members = json_members([c.scores for c in comments])
    records = [{**head, **c.record} for c in comments] if head else [c.record for c in comments]
    return json_records(records, members)


def _shown_reasons(scores: Scores, limit: int | None = TABLE_REASONS) -> str:
    """The n-grams behind the flags as the table shows them: trimmed, each once."""
    shown = dict.fromkeys(ngram.strip() for ngram in scores.driving_ngrams)
    shown.pop("", None)
    return ", ".join(list(shown)[:limit])


# --- output formats --------------------------------------------------------------------------------------


class _Output:
    """Writes one format; called per file (begin/end) and per batch of scored comments."""

    def __init__(self, stream: TextIO, labels: Sequence[str], *, stream_input: bool, with_text: bool,
                 explain: str, full_text: bool) -> None:  # fmt: skip
        self.out = stream
        self.labels = tuple(labels)
        self.stream_input = stream_input
        self.with_text = with_text
        self.explain = explain
        self.full_text = full_text

    def start(self) -> None: ...

    def begin(self, source: str, title: str | None) -> None: ...

    def batch(self, comments: Sequence[_Scored]) -> None: ...

    def stream_batch(self, rows: Sequence[CommentRow], moderator: Moderator) -> np.ndarray:
        """Score and write a batch of a comment stream; returns its flags (comments x labels, bool)."""
        scores = moderator.score_many([row[1] for row in rows], explain=self.explain)
        self.batch(_stream_comments(rows, scores, with_text=self.with_text))
        return np.array([[s[label].flagged for label in self.labels] for s in scores], dtype=bool).reshape(
            len(scores), len(self.labels)
        )

    def end(self, comments: int, flagged: int) -> None: ...

    def finish(self) -> None:
        self.out.flush()


class _JsonlOutput(_Output):
    def begin(self, source: str, title: str | None) -> None:
        self.head = {"source": source} if self.stream_input else {"source": source, "article_title": title}

    def batch(self, comments: Sequence[_Scored]) -> None:
        if comments:
            self.out.write("\n".join(_json_records(comments, self.head)) + "\n")

    def stream_batch(self, rows: Sequence[CommentRow], moderator: Moderator) -> np.ndarray:
        # Written from the score arrays: no Scores object is built (nor freed) per comment.
        records = _stream_records(rows, self.head["source"], with_text=self.with_text)
        scored = moderator.score_jsonl(records, [row[1] for row in rows], explain=self.explain)
        _write_utf8(self.out, scored.lines)
        return scored.flags


class _JsonOutput(_Output):
    """One JSON array, one object per file, written as it goes."""

    def start(self) -> None:
        self.out.write("[")
        self.files = 0

    def begin(self, source: str, title: str | None) -> None:
        separator = "," if self.files else ""
        head = json.dumps({"source": source, "title": title}, ensure_ascii=False)[:-1]
        self.out.write(f'{separator}\n{head}, "comments": [')
        self.files += 1
        self.written = 0

    def batch(self, comments: Sequence[_Scored]) -> None:
        records = _json_records(comments) if comments else []
        if records:
            self.out.write(("," if self.written else "") + "\n  " + ",\n  ".join(records))
            self.written += len(records)

    def end(self, comments: int, flagged: int) -> None:
        self.out.write("\n]}")

    def finish(self) -> None:
        self.out.write("\n]\n")
        super().finish()


def _csv_cell(value: object) -> object:
    """Text a spreadsheet would run as a formula gets a leading ``'``; None is an empty cell."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return "" if value is None else value


class _CsvOutput(_Output):
    def start(self) -> None:
        self.writer = csv.writer(self.out, lineterminator="\n")
        if self.stream_input:
            columns = ["source", "line", "id", "author"]
        else:
            columns = ["source", "article_title", "comment_number", "author", "posted", "parent"]
        columns += ["text"] if self.with_text else []
        for label in self.labels:
            columns += [f"{label}_probability", f"{label}_flagged"]
            columns += [f"{label}_reasons"] if self.explain != "none" else []
        self.writer.writerow([*columns, "flags"])

    def begin(self, source: str, title: str | None) -> None:
        self.head = [source] if self.stream_input else [source, title]

    def batch(self, comments: Sequence[_Scored]) -> None:
        rows = []
        for comment in comments:
            record = comment.record
            if self.stream_input:
                identifier = record["id"]
                cells = [*self.head, record["line"], identifier if isinstance(identifier, str | int) or
                         identifier is None else json.dumps(identifier), record["author"]]  # fmt: skip
            else:
                cells = [*self.head, record["number"], record["author"], record["posted"], record["parent"]]
            if self.with_text:
                cells.append(comment.text)
            for label in self.labels:
                score = comment.scores[label]
                cells += [f"{score.probability:.6f}", int(score.flagged)]
                if self.explain != "none":
                    cells.append("; ".join(f"{r.ngram} ({r.weight:+.3f})" for r in score.reasons))
            cells.append(" ".join(comment.scores.flags))
            rows.append([_csv_cell(cell) for cell in cells])
        self.writer.writerows(rows)


class _TableOutput(_Output):
    """A table per page; a comment stream gets a table per batch, so it shows as it is scored."""

    def start(self) -> None:
        self.console = _console(self.out)

    def begin(self, source: str, title: str | None) -> None:
        self.title = printable(f"{source}: {title}" if title else source)
        self.tables = 0

    def batch(self, comments: Sequence[_Scored]) -> None:
        if not comments:
            return
        table = table_of(
            comments,
            self.labels,
            self.console.width,
            key_header="line" if self.stream_input else "#",
            title=None if self.tables else self.title,
            full_text=self.full_text,
            reasons=self.explain != "none",
        )
        needed = table_width(table)
        console = self.console
        if needed > console.width:  # a terminal too narrow for the numbers: wrap lines, never cut numbers
            console = Console(
                file=self.out, width=needed, force_terminal=console.is_terminal, soft_wrap=False
            )
        console.print(table)
        self.tables += 1

    def end(self, comments: int, flagged: int) -> None:
        if not comments:
            self.console.print(Text(f"{self.title}: no reader comments found"))
        else:
            self.console.print(Text(f"{comments} comments, {flagged} flagged"), style="italic")


def _console(stream: TextIO) -> Console:
    # Piped output gets room for the excerpt instead of rich's 80-column default.
    wide = not stream.isatty() and "COLUMNS" not in os.environ
    return Console(file=stream, width=160 if wide else None, soft_wrap=False)


_PROBABILITY_WIDTH = len("\u2691 0.00")
# A column costs its width, two of padding and a border; the table has one border more.
_COLUMN_COST = 3


def table_of(
    comments: Sequence[_Scored],
    labels: Sequence[str],
    width: int,
    *,
    key_header: str = "#",
    title: str | None = None,
    full_text: bool = False,
    reasons: bool = True,
) -> Table:
    """The scored comments as a rich Table that fits ``width`` columns where it can.

    The number, id and probability columns never shrink. Below that, the excerpt gets what is left; on a
    narrow terminal the reasons go under the excerpt and long author names are cut, and when even that
    leaves under 20 characters for the excerpt (many labels), the probabilities go under it too, wrapped
    between labels. ``full_text`` shows every comment and every reason whole, wrapped.
    """
    key_width = max(len(key_header), *(len(c.key) for c in comments))
    id_width = min(20, max(2, *(len(c.id) for c in comments))) if any(c.id for c in comments) else 0
    authors = [len(c.author or "") for c in comments]
    author_width = min(16, max(6, *authors)) if any(authors) else 0
    label_widths = [max(len(label), _PROBABILITY_WIDTH) for label in labels]
    columns = 2 + len(labels) + (id_width > 0) + (author_width > 0)
    room = width - key_width - id_width - sum(label_widths) - _COLUMN_COST * columns - 1
    reasons_width = 28 if reasons else 0
    reasons_beside = reasons and room - author_width - reasons_width - _COLUMN_COST >= 40
    if reasons_beside:
        room -= reasons_width + _COLUMN_COST
    if author_width and room - author_width < 30:
        author_width = max(min(author_width, 10), room - 30) if room > 40 else min(author_width, 10)
    stacked = room - author_width < 20
    if stacked:
        labels_room = sum(label_widths) + _COLUMN_COST * len(labels)
        room += labels_room
        author_width = min(author_width, max(10, room - 40))
    comment_width = max(16, room - author_width)

    table = Table(title=Text(title) if title else None, title_justify="left")
    table.add_column(key_header, justify="right", width=key_width, min_width=key_width, no_wrap=True)
    if id_width:
        table.add_column("id", width=id_width, min_width=id_width, no_wrap=not full_text, overflow="fold")
    if author_width:
        table.add_column("author", width=author_width, no_wrap=not full_text, overflow="ellipsis")
    table.add_column(
        "comment",
        width=comment_width,
        no_wrap=not (full_text or stacked),
        overflow="fold" if full_text or stacked else "ellipsis",
    )
    for label, label_width in zip(labels, label_widths, strict=True):
        if not stacked:
            table.add_column(label, justify="right", width=label_width, min_width=label_width, no_wrap=True)
    if reasons_beside:
        table.add_column("reasons", width=reasons_width, no_wrap=not full_text, overflow="ellipsis")
    for comment in comments:
        scores = comment.scores
        why = printable(_shown_reasons(scores, None if full_text else TABLE_REASONS))
        text = Text(printable(comment.text.strip() if full_text else _excerpt(comment.text, comment_width)))
        if stacked:
            for position, label in enumerate(labels):
                score = scores[label]
                # No space inside a pair: the line wraps between labels, never inside one.
                flag = "\u2691" if score.flagged else ""
                text.append("\n" if position == 0 else "  ")
                text.append(f"{flag}{label}={score.probability:.2f}", style=_probability_style(score))
        if why and reasons and not reasons_beside:
            text.append("\n" + (why if full_text else _excerpt(why, comment_width)), style="yellow")
        cells: list[Text] = [Text(comment.key)]
        if id_width:
            cells.append(Text(printable(comment.id)))
        if author_width:
            cells.append(Text(printable(comment.author or "")))
        cells.append(text)
        for label in () if stacked else labels:
            score = scores[label]
            flag = "\u2691 " if score.flagged else ""
            cells.append(Text(f"{flag}{score.probability:.2f}", style=_probability_style(score)))
        if reasons_beside:
            cells.append(Text(why, style="yellow"))
        table.add_row(*cells, style="bold" if scores.flagged else None)
    return table


def _probability_style(score) -> str:
    return "bold white on red" if score.flagged else "dim" if score.probability < 0.1 else ""


def table_width(table: Table) -> int:
    """The width ``table`` needs with no column cut: the fixed widths, their padding and borders."""
    return sum((column.width or 0) for column in table.columns) + _COLUMN_COST * len(table.columns) + 1


def _excerpt(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "\u2026"


class OutputFormat(str, Enum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"


_OUTPUTS = {
    OutputFormat.table: _TableOutput,
    OutputFormat.json: _JsonOutput,
    OutputFormat.jsonl: _JsonlOutput,
    OutputFormat.csv: _CsvOutput,
}


# --- the command -----------------------------------------------------------------------------------------


@dataclass
class _Tally:
    failed: bool = False
    fail_hit: bool = False


def _error(message: str) -> None:
    typer.echo(f"moderate: error: {printable(message, one_line=True)}", err=True)


def _score_stream(path: str, moderator: Moderator, output: _Output, *, max_line_bytes: int,
                  fail_on: Sequence[str], tally: _Tally) -> None:  # fmt: skip
    """Write a comment stream as it is scored, a batch at a time; bad lines are named and skipped."""
    name = input_name(path)
    batches = comment_rows(read_line_batches(path, max_line_bytes=max_line_bytes), batch_size=BATCH_LINES)
    first = next(batches, None)  # opens the file: a file that cannot be read fails before any output
    comments = flagged = 0
    output.begin(name, None)
    try:
        for rows, bad in chain(() if first is None else (first,), batches):
            for line in bad:
                tally.failed = True
                _error(f"{name}:{line.line}: {line.error}")
            flags = output.stream_batch(rows, moderator)
            comments += len(flags)
            if fail_on and not tally.fail_hit:
                tally.fail_hit = _flags_hit(flags, fail_on, moderator.labels)
            flagged += int(np.count_nonzero(flags.any(axis=1)))
            output.out.flush()  # a reader downstream gets each batch as soon as it is scored
    finally:
        output.end(comments, flagged)


def _flags_hit(flags: np.ndarray, fail_on: Sequence[str], labels: Sequence[str]) -> bool:
    """Whether any row of ``flags`` (comments x labels) has a label of ``fail_on``."""
    return any(
        bool(flags.any() if label == "any" else flags[:, labels.index(label)].any()) for label in fail_on
    )


def _hits(scores: Scores, fail_on: Sequence[str]) -> bool:
    return any(scores.flagged if label == "any" else scores[label].flagged for label in fail_on)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("score")(score)


def score(
    files: Annotated[
        list[str],
        typer.Argument(
            help="Scraped pages (.txt or .html), folders of them (searched recursively), or - for stdin."
        ),
    ],
    output_format: Annotated[
        OutputFormat,
        choice_option(
            OutputFormat,
            "--format",
            "-f",
            help="table, json, jsonl or csv.",
        ),
    ] = OutputFormat.table,  # fmt: skip
    comments_only: Annotated[
        bool,
        typer.Option(
            "--comments",
            help='Each input is a stream of comments: one per line, or JSONL with a "text" field '
            "(detected when the first non-blank line starts with {); id, author and any other field "
            "are kept. Read, scored and written in batches: any length, flat memory. Folders are "
            "searched for .jsonl, .ndjson and .txt files.",
        ),
    ] = False,
    threshold: ThresholdOption = None,
    fail_on: Annotated[
        list[str] | None,
        typer.Option(
            "--fail-on",
            metavar="LABEL",
            help="Exit 1 when any comment is flagged with LABEL ('any' for any label); repeatable. "
            "A file that failed (exit 2) takes precedence.",
        ),
    ] = None,
    with_text: Annotated[
        bool, typer.Option("--text/--no-text", help="Include each comment's text in JSON, JSONL and CSV.")
    ] = True,
    explain: Annotated[
        Explain,
        choice_option(
            Explain,
            "--explain",
            help="Which labels get reasons (the n-grams behind the score): flagged ones, all, or none "
            "(fastest).",
        ),
    ] = Explain.flagged,  # fmt: skip
    full_text: Annotated[
        bool,
        typer.Option(
            "--full-text", "--wide", help="Table: show every comment and its reasons whole, wrapped."
        ),
    ] = False,
    model: ModelOption = None,
    max_bytes: MaxBytesOption = DEFAULT_MAX_BYTES,
    max_comment_bytes: Annotated[
        int,
        typer.Option(
            "--max-comment-bytes",
            min=0,
            help="With --comments: refuse a line longer than this many bytes (it is named on stderr; "
            "the other lines are scored). 0 means no limit.",
        ),
    ] = DEFAULT_MAX_LINE_BYTES,
) -> None:
    """Score every reader comment of each file: probability and flag per label, and the top reasons.

    Comments are numbered from 1 in every format; with --comments, by line number, with the input's
    id kept. Exit codes: 2 when a file or line failed (the rest is still scored), else 1 when
    --fail-on matched, else 0.
    """
    fail_on = fail_on or []
    moderator = load_moderator(model, threshold)
    # What is loaded now (modules, the model) lives until exit: the cyclic collector need not walk it again
    # each time a batch of results piles up (a tenth of the time of a long stream).
    gc.freeze()
    labels = moderator.labels
    for label in fail_on:
        if label != "any" and label not in labels:
            raise fail(f"--fail-on {label}: unknown label (labels: {', '.join(labels)}, or any)")
    # The shell has expanded any pattern: each argument is a name.
    suffixes = COMMENT_STREAM_SUFFIXES if comments_only else PAGE_SUFFIXES
    paths, missing = collect_inputs(files, suffixes=suffixes, patterns=False)
    output = _OUTPUTS[output_format](
        sys.stdout,
        labels,
        stream_input=comments_only,
        with_text=with_text,
        explain=explain,
        full_text=full_text,
    )
    tally = _Tally(failed=bool(missing))
    for problem in missing:
        _error(problem.error)
    with user_errors():
        output.start()
        for path in paths:
            try:
                if comments_only:
                    _score_stream(path, moderator, output, max_line_bytes=max_comment_bytes,
                                  fail_on=fail_on, tally=tally)  # fmt: skip
                    continue
                moderated = moderator.moderate(parse_file(path, max_bytes=max_bytes), explain=explain)
            except ModerateError as error:
                tally.failed = True
                _error(str(error))
                continue
            tally.fail_hit = tally.fail_hit or any(_hits(c.scores, fail_on) for c in moderated.comments)
            output.begin(input_name(path), moderated.article.title)
            output.batch(_page_comments(moderated, with_text=with_text))
            output.end(len(moderated.comments), len(moderated.flagged()))
        output.finish()
    if tally.failed:
        raise typer.Exit(2)
    if tally.fail_hit:
        raise typer.Exit(1)
