"""`moderate score`: score every reader comment of scraped pages, or of a list of comments, and print it.

Output goes to stdout as a table, JSON, JSONL or CSV; errors go to stderr, one line per file, and never stop
the other files from being scored. Exit codes: 2 when any file failed (or on bad options), else 1 when
``--fail-on`` found a flagged comment, else 0. A failed file takes precedence: its results are missing, so
the run cannot vouch that nothing was flagged.
"""

from __future__ import annotations

import csv
import json
import os
import sys
from collections.abc import Iterable, Sequence
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from moderation.cli._common import MaxBytesOption, ModelOption, ThresholdOption, fail, user_errors
from moderation.errors import InputError, ModerateError
from moderation.moderator import Moderator
from moderation.parsing import parse_file
from moderation.reading import DEFAULT_MAX_BYTES, read_text
from moderation.reporting.render import article_csv_rows, article_records, csv_columns
from moderation.types import Article, Comment, ModeratedArticle, Scores

FORMATS = ("table", "json", "jsonl", "csv")
TABLE_REASONS = 3


def parse_thresholds(values: Iterable[str], labels: Sequence[str]) -> dict[str, float]:
    """``["hateful=0.7", ...]`` -> ``{"hateful": 0.7}``; InputError naming the bad value otherwise."""
    thresholds: dict[str, float] = {}
    for value in values:
        label, equals, number = value.partition("=")
        label = label.strip()
        if not equals:
            raise InputError(f"--threshold {value}: expected LABEL=VALUE, e.g. hateful=0.7")
        if label not in labels:
            raise InputError(f"--threshold {value}: unknown label {label!r} (labels: {', '.join(labels)})")
        try:
            threshold = float(number)
        except ValueError:
            raise InputError(f"--threshold {value}: {number.strip()!r} is not a number") from None
        if not 0.0 <= threshold <= 1.0:
            raise InputError(f"--threshold {value}: the value must be between 0 and 1")
        thresholds[label] = threshold
    return thresholds


def read_comments(path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> Article:
    """A file of comments as an article without a body: one comment per line, or JSONL with a ``text`` field.

    The file is JSONL when its first non-blank line starts with ``{``; then every non-blank line must be a
    JSON object with a string ``text`` (``author`` is kept when it is a string). Blank lines are skipped.
    """
    name = "<stdin>" if path == "-" else path
    lines = read_text(path, max_bytes=max_bytes).split("\n")
    first = next((line.lstrip() for line in lines if line.strip()), "")
    as_jsonl = first.startswith("{")
    comments: list[Comment] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if not as_jsonl:
            comments.append(Comment(index=len(comments), text=line.strip()))
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise InputError(f"{name}:{number}: not valid JSON ({error.msg}, column {error.colno})") from None
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            raise InputError(f'{name}:{number}: expected a JSON object with a string "text" field')
        author = record.get("author")
        author = author if isinstance(author, str) else None
        comments.append(Comment(index=len(comments), text=record["text"], author=author))
    return Article(comments=tuple(comments), source=path)


def _excerpt(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "\u2026"


def _reasons(scores: Scores) -> str:
    """The n-grams that pushed a flagged label up most, strongest first, without repeats."""
    ngrams: list[str] = []
    for label in scores.flags:
        for reason in scores[label].reasons:
            ngram = reason.ngram.strip()
            if reason.weight > 0 and ngram and ngram not in ngrams:
                ngrams.append(ngram)
    return ", ".join(ngrams[:TABLE_REASONS])


def _table(article: ModeratedArticle, labels: Sequence[str], width: int) -> Table:
    """One row per comment; every column but the one-line comment excerpt has a fixed width."""
    source = {"-": "<stdin>", None: ""}.get(article.article.source, article.article.source)
    title = article.article.title
    number_width = len(str(len(article.comments)))
    author_width = min(16, max([6, *(len(c.comment.author or "") for c in article.comments)]))
    label_widths = [max(len(label), 6) for label in labels]
    reasons_width = 28
    # Each column costs its width, 2 of padding and a border; narrow terminals shrink reasons, then author.
    room = width - number_width - sum(label_widths) - 3 * (len(labels) + 4) - 1
    shortfall = max(0, 30 - (room - author_width - reasons_width))
    reasons_width -= min(shortfall, reasons_width - 12)
    shortfall = max(0, 30 - (room - author_width - reasons_width))
    author_width -= min(shortfall, max(0, author_width - 8))
    comment_width = max(20, room - author_width - reasons_width)
    table = Table(
        title=Text(f"{source}: {title}" if title else source),
        caption=f"{len(article.comments)} comments, {len(article.flagged())} flagged",
        title_justify="left",
        caption_justify="left",
    )
    table.add_column("#", justify="right", width=number_width, no_wrap=True)
    table.add_column("author", width=author_width, no_wrap=True, overflow="ellipsis")
    table.add_column("comment", width=comment_width, no_wrap=True, overflow="ellipsis")
    for label, label_width in zip(labels, label_widths, strict=True):
        table.add_column(label, justify="right", width=label_width, no_wrap=True)
    table.add_column("reasons", width=reasons_width, no_wrap=True, overflow="ellipsis")
    for moderated in article.comments:
        scores = moderated.scores
        cells: list[Text] = [
            Text(str(moderated.comment.index + 1)),
            Text(moderated.comment.author or ""),
            Text(_excerpt(moderated.comment.text, comment_width)),
        ]
        for label in labels:
            score = scores[label]
            if score.flagged:
                cells.append(Text(f"\u2691 {score.probability:.2f}", style="bold white on red"))
            else:
                cells.append(Text(f"{score.probability:.2f}", style="dim" if score.probability < 0.1 else ""))
        cells.append(Text(_reasons(scores), style="yellow"))
        table.add_row(*cells, style="bold" if scores.flagged else None)
    return table


def _console() -> Console:
    # Piped output gets room for the excerpt instead of rich's 80-column default.
    wide = not sys.stdout.isatty() and "COLUMNS" not in os.environ
    return Console(width=160 if wide else None, soft_wrap=False)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""

    @app.command("score")
    def score(
        files: Annotated[list[str], typer.Argument(help="Scraped pages (.txt or .html), or - for stdin.")],
        output_format: Annotated[
            str, typer.Option("--format", "-f", help="table, json, jsonl or csv.")
        ] = "table",
        comments_only: Annotated[
            bool,
            typer.Option(
                "--comments",
                help='Each input is a list of comments: one per line, or JSONL with a "text" field '
                "(detected when the first non-blank line starts with {).",
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
        model: ModelOption = None,
        max_bytes: MaxBytesOption = DEFAULT_MAX_BYTES,
    ) -> None:
        """Score every reader comment of each file: probability and flag per label, and the top reasons.

        Exit codes: 2 when a file failed (the others are still scored), else 1 when --fail-on matched, else 0.
        """
        threshold = threshold or []
        fail_on = fail_on or []
        if output_format not in FORMATS:
            raise fail(f"--format {output_format}: choose one of {', '.join(FORMATS)}")
        with user_errors():
            moderator = Moderator.load(model)
            labels = tuple(moderator.labels)
            overrides = parse_thresholds(threshold, labels)
            if overrides:
                moderator = moderator.with_thresholds(overrides)
            for label in fail_on:
                if label != "any" and label not in labels:
                    known = ", ".join(labels)
                    raise InputError(f"--fail-on {label}: unknown label (labels: {known}, or any)")

        console = _console()
        scored: list[dict] = []
        failed = False
        fail_hit = False
        header_written = False
        with user_errors():
            for path in files:
                try:
                    article = (
                        read_comments(path, max_bytes)
                        if comments_only
                        else parse_file(path, max_bytes=max_bytes)
                    )
                    moderated = moderator.moderate(article)
                except ModerateError as error:
                    failed = True
                    typer.echo(f"moderate: error: {error}", err=True)
                    continue
                fail_hit = fail_hit or any(
                    moderated.flagged(None if label == "any" else label) for label in fail_on
                )
                if output_format == "table":
                    if moderated.comments:
                        console.print(_table(moderated, labels, console.width))
                    else:
                        console.print(Text(f"{article.source}: no reader comments found"))
                elif output_format == "jsonl":
                    for record in article_records(moderated):
                        record.pop("kind")
                        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
                elif output_format == "csv":
                    writer = csv.writer(sys.stdout, lineterminator="\n")
                    if not header_written:
                        writer.writerow(csv_columns(labels))
                        header_written = True
                    writer.writerows(article_csv_rows(moderated, labels))
                else:
                    scored.append(
                        {
                            "source": moderated.article.source,
                            "title": moderated.article.title,
                            "comments": [
                                {**c.to_dict(), "flags": list(c.scores.flags)} for c in moderated.comments
                            ],
                        }
                    )
            if output_format == "json":
                sys.stdout.write(json.dumps(scored, ensure_ascii=False, indent=2) + "\n")
            sys.stdout.flush()
        if failed:
            raise typer.Exit(2)
        if fail_hit:
            raise typer.Exit(1)
