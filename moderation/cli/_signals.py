"""Termination as an exception, so commands that write files clean up on SIGTERM as they do on Ctrl-C."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class Terminated(BaseException):
    """The process was asked to stop (SIGTERM). A BaseException, like KeyboardInterrupt, so that no
    ``except Exception`` on the way swallows it."""


class Termination:
    """Whether SIGTERM came. The handler raises :class:`Terminated` at once; but an exception raised
    while Python runs a finalizer or a weakref callback is printed and dropped, so long loops also call
    :meth:`check` to stop for certain."""

    def __init__(self) -> None:
        self.requested = False

    def _handle(self, signum, frame) -> None:
        self.requested = True
        raise Terminated()

    def check(self) -> None:
        if self.requested:
            raise Terminated()


@contextmanager
def terminate_as_exception() -> Iterator[Termination]:
    """Within the block, SIGTERM raises :class:`Terminated` instead of killing the process outright, so
    ``finally`` blocks (removing a half-written temporary file) run. Outside the main thread, where Python
    cannot set signal handlers, nothing changes."""
    termination = Termination()
    if threading.current_thread() is not threading.main_thread():
        yield termination
        return
    previous = signal.signal(signal.SIGTERM, termination._handle)
    try:
        yield termination
    finally:
        signal.signal(signal.SIGTERM, previous)
