"""uvicorn's HTTP/1.1 protocol (h11) with two fixes the service needs on every connection.

- **A deadline for headers.** uvicorn times out idle keep-alive connections but not a client that trickles a
  header line every few seconds: such a connection stays open forever and, in numbers, holds every slot. A
  request's line and headers must now arrive within :data:`HEADER_TIMEOUT_S` of its first byte (or of the
  connection opening); otherwise the connection is closed. The body has its own deadline in the app.
- **TCP_NODELAY on every accepted socket.** With ``--workers N`` uvicorn binds the listening socket itself with
  ``proto`` 0; accepted sockets inherit it, and asyncio then leaves Nagle's algorithm on, so each keep-alive
  answer waits ~40 ms for the client's delayed ACK (uvicorn issue #3149). Setting the option here makes
  every path as fast as ``--workers 1``.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

#: Seconds a client has to send a request line and all its headers.
HEADER_TIMEOUT_S = 5.0


class GuardedH11Protocol(H11Protocol):
    _header_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            with contextlib.suppress(OSError):  # the peer may already be gone; nothing to speed up then
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._arm_header_deadline()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is h11.IDLE:
            if self._header_deadline is None:
                self._arm_header_deadline()  # the first bytes of the next request on a kept-alive connection
        else:
            self._disarm_header_deadline()  # headers complete

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # Between requests the keep-alive timeout rules; the header clock starts again with the next bytes.
        if self.conn.their_state is h11.IDLE:
            self._disarm_header_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_deadline()
        super().connection_lost(exc)

    def _arm_header_deadline(self) -> None:
        self._header_deadline = self.loop.call_later(HEADER_TIMEOUT_S, self._headers_too_slow)

    def _disarm_header_deadline(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _headers_too_slow(self) -> None:
        self._header_deadline = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.logger.debug("Closed a connection that sent no complete headers in %g s.", HEADER_TIMEOUT_S)
            self.transport.close()
