"""What every endpoint shares: the one error shape, reading a capped body, checking keys, timed scoring.

Every refusal is Google's error JSON, the shape Perspective API clients already parse::

    {"error": {"code": 400, "message": "...", "status": "INVALID_ARGUMENT"}}
"""

from __future__ import annotations

import hmac
import zlib
from collections.abc import Callable, Sequence
from typing import TypeVar

import anyio
import anyio.to_thread
from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.requests import ClientDisconnect

T = TypeVar("T")

#: Google's canonical status name for each HTTP code the service answers with.
STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    405: "INVALID_ARGUMENT",
    411: "INVALID_ARGUMENT",
    413: "INVALID_ARGUMENT",
    415: "INVALID_ARGUMENT",
    429: "RESOURCE_EXHAUSTED",
    499: "CANCELLED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}


class ApiError(Exception):
    """A request the service refuses: an HTTP code and a one-line message for the client."""

    def __init__(self, code: int, message: str, details: list[dict] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details
        """Google's ``error.details``: typed objects saying more (Perspective's language errors use them)."""

    def response(self) -> JSONResponse:
        return error_response(self.code, self.message, self.details)


def error_response(code: int, message: str, details: list[dict] | None = None) -> JSONResponse:
    status = STATUS_NAMES.get(code, "UNKNOWN")
    error: dict = {"code": code, "message": message, "status": status}
    if details:
        error["details"] = details
    return JSONResponse({"error": error}, status_code=code)


async def read_body(request: Request, max_bytes: int) -> bytes:
    """The raw body, refused with 413 past ``max_bytes`` whether announced by Content-Length or not."""
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            declared_bytes = int(declared)
        except ValueError:
            raise ApiError(400, "Content-Length is not a number.") from None
        if declared_bytes > max_bytes:
            raise ApiError(413, f"Request body is {declared_bytes} bytes; the limit is {max_bytes}.")
    chunks: list[bytes] = []
    received = 0
    # A chunked or lying client is cut off as soon as it passes the cap, before the rest is buffered.
    try:
        async for chunk in request.stream():
            received += len(chunk)
            if received > max_bytes:
                raise ApiError(413, f"Request body is over the limit of {max_bytes} bytes.")
            chunks.append(chunk)
    except ClientDisconnect:
        # Nobody is left to answer; 499 (nginx's "client closed request") is for the log and metrics.
        raise ApiError(499, "Client disconnected before sending the whole body.") from None
    return b"".join(chunks)


def decode_body(raw: bytes, content_encoding: str | None, max_bytes: int) -> bytes:
    """The body as sent before compression: ``gzip`` is inflated, at most ``max_bytes`` of it (413 past that,
    so a small gzip bomb cannot expand in memory); ``identity`` or none is the body itself; anything else 415.
    """
    encoding = (content_encoding or "identity").strip().lower()
    if encoding == "identity":
        return raw
    if encoding not in ("gzip", "x-gzip"):
        raise ApiError(415, f"Content-Encoding {encoding[:40]!r} is not supported; send gzip or identity.")
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        inflated = inflater.decompress(raw, max_bytes + 1)
    except zlib.error:
        raise ApiError(400, "Request body is not valid gzip.") from None
    if len(inflated) > max_bytes:
        raise ApiError(413, f"Request body inflates past the limit of {max_bytes} bytes.")
    if not inflater.eof or inflater.unused_data:
        raise ApiError(400, "Request body is not one complete gzip stream.")
    return inflated


def validation_message(error: ValidationError) -> str:
    """One line naming the first problem: where in the JSON, and what was wrong."""
    first = error.errors(include_url=False)[0]
    if first["type"] == "json_invalid":
        return f"Invalid JSON payload: {first['msg'].removeprefix('Invalid JSON: ')}."
    if first["type"] == "model_type" and not first["loc"]:
        return "Invalid JSON payload: expected a JSON object."
    where = ".".join(str(part) for part in first["loc"]) or "body"
    return f"Invalid JSON payload: {where}: {first['msg']}."


def check_api_key(request: Request, api_keys: Sequence[str]) -> None:
    """Refuse a missing (403) or unknown (400) key, as Google's APIs do; no keys configured means open."""
    if not api_keys:
        return
    given = request.query_params.get("key") or request.headers.get("x-goog-api-key")
    if not given:
        raise ApiError(403, "The request is missing a valid API key.")
    given_bytes = given.encode()
    # Compare with every key, in constant time, so timing tells nothing about which key came close.
    matches = [hmac.compare_digest(given_bytes, key.encode()) for key in api_keys]
    if not any(matches):
        raise ApiError(400, "API key not valid. Please pass a valid API key.")


def utf8_size(text: str) -> int:
    return len(text.encode("utf-8", errors="surrogatepass"))


async def run_scoring(function: Callable[[], T], timeout_s: float) -> T:
    """Run CPU-bound scoring on a worker thread, giving up (504) after ``timeout_s``.

    The event loop stays free for other requests meanwhile; a scoring that overruns is abandoned (its result
    is dropped when it finishes) because a thread cannot be interrupted.
    """
    try:
        with anyio.fail_after(timeout_s):
            return await anyio.to_thread.run_sync(function, abandon_on_cancel=True)
    except TimeoutError:
        raise ApiError(504, f"Scoring took longer than the {timeout_s:g} s limit.") from None
