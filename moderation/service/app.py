"""The HTTP service: moderate's model behind Perspective-compatible, Coral Talk and native endpoints.

``create_app(moderator, settings)`` builds the app around one loaded, immutable model; ``app_from_env`` is the
factory uvicorn calls in each worker process (``moderate serve --workers N``).

Endpoints:

- ``POST /v1alpha1/comments:analyze``: Perspective API's analyze (see :mod:`moderation.service.perspective`).
- ``POST /coral/v1/moderate``: Coral Talk's external moderation phase (see :mod:`moderation.service.coral`).
- ``POST /v1/score``: a batch of texts, scores, flags and reasons (see :mod:`moderation.service.native`).
- ``GET /healthz`` (the process answers), ``GET /readyz`` (a model is loaded), ``GET /metrics`` (Prometheus).

Every refusal is a 4xx with Google's error JSON; scoring runs on a worker thread under a deadline so the event
loop keeps answering while a long comment is scored.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import anyio
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from moderation.errors import ModerateError
from moderation.moderator import Moderator
from moderation.service import coral, native, perspective
from moderation.service.access_log import AccessLogMiddleware
from moderation.service.http import ApiError, check_api_key, error_response, read_body, run_scoring
from moderation.service.metrics import CONTENT_TYPE, ServiceMetrics
from moderation.service.settings import ServiceSettings
from moderation.types import Scores

_log = logging.getLogger(__name__)


def create_app(moderator: Moderator, settings: ServiceSettings | None = None) -> FastAPI:
    """The ASGI app serving ``moderator`` under ``settings`` (defaults when None)."""
    settings = settings or ServiceSettings()
    labels = tuple(moderator.labels)
    languages = _model_languages(moderator)
    metrics = ServiceMetrics(labels)

    app = FastAPI(title="moderate", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.moderator = moderator
    app.state.settings = settings
    app.state.metrics = metrics
    app.add_middleware(AccessLogMiddleware, metrics=metrics, log_text=settings.log_text)

    @app.exception_handler(ApiError)
    async def _refuse(request: Request, error: ApiError) -> Response:
        request.state.error = error.message
        return error.response()

    @app.exception_handler(ModerateError)
    async def _refuse_input(request: Request, error: ModerateError) -> Response:
        request.state.error = str(error)
        return error_response(400, str(error))

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, error: HTTPException) -> Response:
        request.state.error = str(error.detail)
        response = error_response(error.status_code, str(error.detail))
        if error.headers:
            response.headers.update(error.headers)
        return response

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> Response:
        return error_response(400, f"Invalid request: {error.errors()[0].get('msg', 'malformed')}.")

    @app.exception_handler(Exception)
    async def _internal(request: Request, error: Exception) -> Response:
        _log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(500, "Internal error; the request was not scored.")

    async def body_of(request: Request) -> bytes:
        # The deadline covers receiving the body too, so a client trickling bytes cannot hold a slot forever.
        try:
            with anyio.fail_after(settings.request_timeout_s):
                return await read_body(request, settings.max_body_bytes)
        except TimeoutError:
            message = f"Request body not received within {settings.request_timeout_s:g} s."
            raise ApiError(408, message) from None

    def note(request: Request, endpoint: str, scores: Sequence[Scores], texts: Sequence[str]) -> None:
        flag_lists = [list(score.flags) for score in scores]
        metrics.observe_flags(endpoint, flag_lists)
        # One comment: its flags; a batch: one list per text, in order.
        request.state.flags = flag_lists if endpoint == "score" else flag_lists[0]
        if settings.log_text:
            request.state.texts = list(texts)

    @app.post("/v1alpha1/comments:analyze")
    async def analyze_comment(request: Request) -> Response:
        check_api_key(request, settings.api_keys)
        body = await body_of(request)
        job = perspective.parse_request(
            body, model_languages=languages, max_text_bytes=settings.max_text_bytes
        )

        def score() -> tuple[Scores, list[Scores]]:
            whole = moderator.score(job.text, reasons=0)
            sentences = [job.text[begin:end] for begin, end in job.spans]
            return whole, moderator.score_many(sentences, explain="none") if sentences else []

        whole, sentences = await run_scoring(score, settings.request_timeout_s)
        note(request, "perspective", [whole], [job.text])
        return JSONResponse(perspective.build_response(job, whole, sentences))

    @app.post("/coral/v1/moderate")
    async def coral_moderate(request: Request) -> Response:
        body = await body_of(request)
        coral.verify_signature(body, request.headers.get(coral.SIGNATURE_HEADER), settings.coral_secrets)
        _, text = coral.parse_request(body, max_text_bytes=settings.max_text_bytes)
        if not text.strip():
            return Response(status_code=204)
        # No reasons: Coral keeps only status and actions, and explaining costs more than scoring.
        scores = await run_scoring(lambda: moderator.score(text, reasons=0), settings.request_timeout_s)
        note(request, "coral", [scores], [text])
        answer = coral.build_response(scores)
        return Response(status_code=204) if answer is None else JSONResponse(answer)

    @app.post("/v1/score")
    async def score_texts(request: Request) -> Response:
        check_api_key(request, settings.api_keys)
        body = await body_of(request)
        job = native.parse_request(body, max_batch=settings.max_batch, max_text_bytes=settings.max_text_bytes)
        scores = await run_scoring(
            lambda: moderator.score_many(job.texts, reasons=settings.reasons, explain=job.explain),
            settings.request_timeout_s,
        )
        note(request, "score", scores, job.texts)
        return JSONResponse(native.build_response(scores))

    @app.get("/healthz")
    async def healthz() -> dict:
        return {"status": "ok"}

    @app.get("/readyz")
    async def readyz() -> Response:
        if app.state.moderator is None:
            return error_response(503, "No model loaded.")
        return JSONResponse(
            {"status": "ready", "labels": list(labels), "thresholds": dict(moderator.thresholds)}
        )

    @app.get("/metrics")
    async def prometheus_metrics() -> Response:
        return Response(metrics.exposition(), media_type=CONTENT_TYPE)

    return app


def _model_languages(moderator: Moderator) -> tuple[str, ...]:
    manifest = getattr(moderator, "manifest", None) or {}
    declared = manifest.get("languages") if isinstance(manifest, dict) else None
    if isinstance(declared, str):
        declared = [declared]
    return tuple(code.lower() for code in declared) if declared else ("en",)


def app_from_env() -> FastAPI:
    """uvicorn's factory for worker processes: settings from the environment, the model loaded here, once."""
    settings = ServiceSettings.from_env()
    return create_app(Moderator.load(settings.model_path), settings)
