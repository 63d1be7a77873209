"""One JSON line per request on the ``moderation.service.access`` logger, and the request metrics.

A line holds method, path, status, latency in ms and the labels flagged; comment text only when the service
runs with ``--log-text``. Endpoints report what they found through ``request.state`` (``flags``, ``texts``,
``error``), which this middleware reads after the response is sent.
"""

from __future__ import annotations

import json
import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from moderation.service.metrics import ServiceMetrics

ACCESS_LOGGER = "moderation.service.access"


class AccessLogMiddleware:
    def __init__(self, app: ASGIApp, *, metrics: ServiceMetrics, log_text: bool) -> None:
        self.app = app
        self.metrics = metrics
        self.log_text = log_text
        self.logger = logging.getLogger(ACCESS_LOGGER)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        state = scope.setdefault("state", {})
        status = 500  # what the client gets if the app dies before answering

        async def send_and_note_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note_status)
        finally:
            seconds = time.perf_counter() - started
            self.metrics.observe_request(scope["method"], scope["path"], status, seconds)
            self._log(scope, state, status, seconds)

    def _log(self, scope: Scope, state: dict, status: int, seconds: float) -> None:
        if not self.logger.isEnabledFor(logging.INFO):
            return
        line: dict = {
            "method": scope["method"],
            "path": scope["path"],
            "status": status,
            "latency_ms": round(seconds * 1000, 3),
        }
        if "flags" in state:
            line["flags"] = state["flags"]
        if "error" in state:
            line["error"] = state["error"]
        if self.log_text and "texts" in state:
            line["texts"] = state["texts"]
        client = scope.get("client")
        if client:
            line["client"] = client[0]
        self.logger.info(json.dumps(line, ensure_ascii=False))


def log_config(level: str = "INFO") -> dict:
    """dictConfig for ``moderate serve``: request lines as bare JSON on stdout, server news on stderr.

    uvicorn applies it in every worker process, so the lines look the same with ``--workers N``.
    """
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json_line": {"format": "%(message)s"},
            "server": {"()": "uvicorn.logging.DefaultFormatter", "fmt": "%(levelprefix)s %(message)s"},
        },
        "handlers": {
            "access": {
                "class": "logging.StreamHandler",
                "formatter": "json_line",
                "stream": "ext://sys.stdout",
            },
            "server": {"class": "logging.StreamHandler", "formatter": "server", "stream": "ext://sys.stderr"},
        },
        "loggers": {
            ACCESS_LOGGER: {"handlers": ["access"], "level": level, "propagate": False},
            "moderation": {"handlers": ["server"], "level": level, "propagate": False},
            "uvicorn": {"handlers": ["server"], "level": level, "propagate": False},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        },
    }
