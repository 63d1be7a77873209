"""What every command shares: its common options, loading the model, and turning moderate's own errors
(and bad option values) into one line and exit code 2."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from moderation.errors import ModerateError, ThresholdError

if TYPE_CHECKING:
    from moderation.moderator import Moderator

# Options several commands share, declared once so they read the same everywhere.
ModelOption = Annotated[
    Path | None, typer.Option("--model", help="Model directory (default: shipped model).")
]
ThresholdOption = Annotated[
    list[str] | None,
    typer.Option(
        "--threshold",
        metavar="LABEL=VALUE",
        help="Override a flag threshold (0..1); repeatable. Only a hateful comment is flagged antisemitic.",
    ),
]
MaxBytesOption = Annotated[
    int,
    typer.Option(
        "--max-bytes",
        min=0,
        help="Refuse a page (an input file) larger than this many bytes; 0 means no limit.",
    ),
]


def load_moderator(model: Path | None, thresholds: list[str] | None = None) -> Moderator:
    """The ``--model`` directory's Moderator with the ``--threshold`` changes; one line and exit 2 when either
    is bad."""
    from moderation.moderator import Moderator

    with user_errors():
        moderator = Moderator.load(model)
        try:
            return moderator.with_thresholds(thresholds) if thresholds else moderator
        except ThresholdError as error:
            raise fail(f"--threshold {error.assignment}: {error.problem}") from None


Choice = TypeVar("Choice", bound=Enum)


def choice(enum: type[Choice], option: str) -> Callable[[str], Choice]:
    """A parser for an Enum option that refuses any other value in one line (Typer's own refusal is a box of
    several lines)."""

    def parse(value: str | Choice) -> Choice:
        if isinstance(value, enum):
            return value
        try:
            return enum(value)
        except ValueError:
            raise fail(f"{option} {value}: choose one of {', '.join(c.value for c in enum)}") from None

    return parse


def choice_option(enum: type[Enum], *names: str, help: str):
    """A Typer option for an Enum choice: refused in one line (:func:`choice`), values shown as ``a|b|c``."""
    return typer.Option(
        *names, parser=choice(enum, names[0]), metavar="|".join(c.value for c in enum), help=help
    )


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
