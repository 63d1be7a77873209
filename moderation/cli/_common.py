"""What every command shares: turning moderate's own errors into one line and exit code 2."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from moderation.errors import ModerateError

# Options several commands share, declared once so they read the same everywhere.
ModelOption = Annotated[
    Path | None, typer.Option("--model", help="Model directory (default: shipped model).")
]
ThresholdOption = Annotated[
    list[str] | None,
    typer.Option("--threshold", metavar="LABEL=VALUE", help="Override a flag threshold (0..1); repeatable."),
]
MaxBytesOption = Annotated[
    int,
    typer.Option(
        "--max-bytes",
        min=0,
        help="Refuse a page (an input file) larger than this many bytes; 0 means no limit.",
    ),
]


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print ``moderate: error: message`` on stderr and return the Exit to raise."""
    typer.echo(f"moderate: error: {message}", err=True)
    return typer.Exit(code)


@contextmanager
def user_errors() -> Iterator[None]:
    """Report a ModerateError (or an interrupted pipe) as one line, never a traceback."""
    try:
        yield
    except ModerateError as error:
        raise fail(str(error)) from None
    except BrokenPipeError:
        sys.stderr.close()
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        raise fail("interrupted", 130) from None
