"""What every command shares: turning moderate's own errors into one line and exit code 2."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer

from moderation.errors import ModerateError


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


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to a temp file beside ``path``, then rename it over ``path``: never half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
