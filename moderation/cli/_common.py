"""What every command shares: turning moderate's own errors into one line and exit code 2."""

from __future__ import annotations

import re
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


# Control characters other than tab and newline: in text bound for a terminal, ESC and friends would let a
# comment clear the screen, recolour it or retitle the window.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROLS_AND_LINE_ENDS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def printable(text: str, *, one_line: bool = False) -> str:
    """``text`` with control characters shown as escapes (``\\x1b``); tab and newline kept unless ``one_line``."""
    pattern = _CONTROLS_AND_LINE_ENDS if one_line else _CONTROLS
    return pattern.sub(lambda match: f"\\x{ord(match[0]):02x}", text)


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print ``moderate: error: message`` on stderr and return the Exit to raise."""
    typer.echo(f"moderate: error: {printable(message, one_line=True)}", err=True)
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
