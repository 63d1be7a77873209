"""The ``moderate`` command: a thin Typer layer over the Python API, one module per command group.

Every command turns a :class:`moderation.ModerateError` into a one-line message on stderr and exit code 2.
"""

from __future__ import annotations

import typer

from moderation.cli import batch as batch_command
from moderation.cli import parse as parse_command
from moderation.cli import report as report_command
from moderation.cli import score as score_command
from moderation.cli import serve as serve_command
from moderation.cli import train as train_command

app = typer.Typer(
    name="moderate",
    help="Offline moderation for news-site comments: parse pages, score comments, report, score archives, "
    "train, serve.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        from moderation import __version__

        typer.echo(f"moderate {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Offline moderation for news-site comments."""


for module in (parse_command, score_command, report_command, batch_command, train_command, serve_command):
    module.register(app)


def main() -> None:
    app()
