"""`moderate parse`: show how a scraped page splits into article, reader comments and boilerplate."""

from __future__ import annotations

import json
import textwrap
from enum import Enum
from typing import Annotated

import typer

from moderation.cli._common import MaxBytesOption, choice_option, printable, user_errors
from moderation.reading import DEFAULT_MAX_BYTES
from moderation.types import Article


class PageKind(str, Enum):
    """How a page is read: auto (HTML when it looks like markup), text or html (moderation.parsing.KINDS)."""

    auto = "auto"
    text = "text"
    html = "html"


class OutputFormat(str, Enum):
    json = "json"
    text = "text"


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("parse", help="Split a scraped page (text or HTML) into article, comments and boilerplate.")(
        parse_command
    )


def parse_command(
    path: Annotated[
        str, typer.Argument(metavar="FILE|-", help="A scraped page, plain text or HTML; - reads stdin.")
    ],
    output_format: Annotated[
        OutputFormat,
        choice_option(
            OutputFormat,
            "--format",
            "-f",
            help="json (default) or a readable text view.",
        ),
    ] = OutputFormat.json,
    kind: Annotated[
        PageKind,
        choice_option(
            PageKind,
            "--kind",
            help="auto (HTML when it looks like markup), text or html.",
        ),
    ] = PageKind.auto,
    max_bytes: MaxBytesOption = DEFAULT_MAX_BYTES,
) -> None:
    """Print the parsed article: title, byline, body paragraphs, reader comments, dropped boilerplate."""
    from moderation.parsing import parse
    from moderation.reading import read_text

    with user_errors():
        text = read_text(path, max_bytes=max_bytes)
        article = parse(text, source=path, kind=kind.value)
    if not text.strip():
        name = "stdin" if path == "-" else path
        typer.echo(f"moderate: warning: {name} is empty; the article is empty", err=True)
    with user_errors():
        if output_format is OutputFormat.json:
            typer.echo(json.dumps(article.to_dict(), ensure_ascii=False, indent=2))
        else:
            typer.echo(printable(render_text(article)))


def render_text(article: Article, *, width: int = 100) -> str:
    """A readable view of an article, for people checking what the parser did."""

    def wrap(text: str, indent: str) -> list[str]:
        lines: list[str] = []
        for paragraph in text.split("\n"):
            lines.extend(
                textwrap.wrap(paragraph, width, initial_indent=indent, subsequent_indent=indent) or [""]
            )
        return lines

    out = [f"Title:     {article.title or '-'}", f"Byline:    {article.byline or '-'}"]
    out.append(f"Published: {article.published or '-'}")
    out.append(f"Source:    {article.source or '-'}")
    out.append("")
    out.append(f"Body ({len(article.body)} paragraphs)")
    for paragraph in article.body:
        out.extend(wrap(paragraph, "    "))
        out.append("")
    out.append(f"Comments ({len(article.comments)})")
    for comment in article.comments:
        who = comment.author or "(anonymous)"
        details = [part for part in (comment.posted, _reply(comment.parent)) if part]
        out.append(f"  #{comment.index + 1} {who}" + (f" [{'; '.join(details)}]" if details else ""))
        out.extend(wrap(comment.text, "      "))
        out.append("")
    out.append(f"Dropped ({len(article.dropped)} lines)")
    out.extend(f"  - {line}" for line in article.dropped)
    return "\n".join(out)


def _reply(parent: int | None) -> str | None:
    return None if parent is None else f"reply to #{parent + 1}"
