"""The HTTP service: moderate's model behind Perspective-compatible, Coral Talk and native endpoints.

``create_app(moderator, settings)`` builds the app around one loaded, immutable model; ``app_from_env`` is the
factory uvicorn calls in each worker process (``moderate serve --workers N``).

Endpoints:

- ``POST /v1alpha1/comments:analyze``: Perspective API's analyze (see :mod:`moderation.service.perspective`).
- ``POST /v1alpha1/comments:suggestscore``: moderators' verdicts, kept with ``--feedback-db`` (see
  :mod:`moderation.service.feedback`).
- ``GET /$discovery/rest?version=v1alpha1``: the discovery document Google's clients build from.
- ``POST /coral/v1/moderate``: Coral Talk's external moderation phase (see :mod:`moderation.service.coral`).
- ``POST /v1/score``: a batch of texts, scores, flags and reasons (see :mod:`moderation.service.native`).
- ``GET /healthz`` (the process answers), ``GET /readyz`` (a model is loaded), ``GET /metrics`` (Prometheus).

Every refusal is a 4xx with Google's error JSON; scoring runs on a worker thread under a deadline so the event
loop keeps answering while a long comment is scored. Bodies may be gzip-compressed (``Content-Encoding:
gzip``); the size limit holds on the compressed and on the decompressed bytes. CORS headers are sent only for
the origins the operator names.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import anyio
import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from moderation.errors import ModerateError
from moderation.moderator import Moderator
from moderation.service import coral, discovery, native, perspective
from moderation.service.access_log import AccessLogMiddleware
from moderation.service.attributes import supported_attributes
from moderation.service.feedback import FeedbackStore
from moderation.service.http import (
    ApiError,
    check_api_key,
    decode_body,
    error_response,
    read_body,
    run_scoring,
)
from moderation.service.metrics import CONTENT_TYPE, ServiceMetrics
from moderation.service.settings import ServiceSettings
from moderation.types import Scores

_log = logging.getLogger(__name__)


_ALWAYS_ANSWERED = frozenset({"/healthz", "/readyz", "/metrics"})


class ConcurrencyLimit:
    """At most ``limit`` requests in the app at once; one more is answered 503 at once, not queued.

    It counts requests whose headers have arrived, not connections: idle keep-alive connections and clients
    still trickling headers (cut off by :mod:`moderation.service.protocol`) take no slot from real requests.
    """

    def __init__(self, app: ASGIApp, *, limit: int) -> None:
        self.app = app
        self.limit = limit
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Probes and scrapes are cheap and must keep answering when the service is busiest.
        if scope["type"] != "http" or scope["path"] in _ALWAYS_ANSWERED:
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.limit:
            scope.setdefault("state", {})["error"] = "concurrency limit"
            if scope["path"] == coral.ENDPOINT:  # Coral publishes on a 503: withhold instead
                answer = JSONResponse(coral.withheld_unscored("the service is at its concurrency limit"))
            else:
                answer = error_response(503, "Too many requests in flight; try again.")
            await answer(scope, receive, send)
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1


def create_app(moderator: Moderator, settings: ServiceSettings | None = None) -> FastAPI:
    """The ASGI app serving ``moderator`` under ``settings`` (defaults when None)."""
    settings = settings or ServiceSettings()
    labels = tuple(moderator.labels)
    languages = _model_languages(moderator)
    supported = supported_attributes(labels)
    metrics = ServiceMetrics(labels)
    feedback = FeedbackStore(settings.feedback_db) if settings.feedback_db else None

    app = FastAPI(title="moderate", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.metrics = metrics
    if settings.max_concurrent_requests is not None:
        app.add_middleware(ConcurrencyLimit, limit=settings.max_concurrent_requests)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=["Content-Type", "Content-Encoding", "X-Goog-Api-Key", "Authorization"],
            max_age=600,
        )
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
                raw = await read_body(request, settings.max_body_bytes)
        except TimeoutError:
            message = f"Request body not received within {settings.request_timeout_s:g} s."
            raise ApiError(408, message) from None
        return decode_body(raw, request.headers.get("content-encoding"), settings.max_body_bytes)

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
        try:
            job = perspective.parse_request(
                body,
                supported=supported,
                model_languages=languages,
                max_text_bytes=settings.max_text_bytes,
                language_policy=settings.language_policy,
            )
        except ApiError as error:
            if error.details:  # the language was refused
                metrics.observe_language("refused")
            raise
        metrics.observe_language(job.language_outcome)
        if not job.attributes:  # all dropped (dropUnsupportedAttributes): nothing to score
            return JSONResponse(perspective.build_response(job, Scores(), []))

        def score() -> tuple[Scores, list[Scores]]:
            whole = moderator.score(job.text, reasons=0)
            sentences = [job.text[begin:end] for begin, end in job.spans]
            return whole, moderator.score_many(sentences, explain="none") if sentences else []

        whole, sentences = await run_scoring(score, settings.request_timeout_s)
        note(request, "perspective", [whole], [job.text])
        return JSONResponse(perspective.build_response(job, whole, sentences))

    @app.post("/v1alpha1/comments:suggestscore")
    async def suggest_score(request: Request) -> Response:
        check_api_key(request, settings.api_keys)
        body = await body_of(request)
        suggestion = perspective.parse_suggestion(body, max_text_bytes=settings.max_text_bytes)
        if settings.log_text:
            request.state.texts = [suggestion.text]
        if feedback is not None:
            await anyio.to_thread.run_sync(feedback.append, suggestion)
            metrics.feedback.inc()
        return JSONResponse(perspective.build_suggestion_response(suggestion))

    @app.get("/$discovery/rest")
    async def discovery_document(request: Request) -> Response:
        version = request.query_params.get("version")
        if version != discovery.VERSION:
            raise ApiError(404, f"No discovery document for version {version!r}; this serves v1alpha1.")
        return JSONResponse(discovery.discovery_document(str(request.base_url)))

    @app.post(coral.ENDPOINT)
    async def coral_moderate(request: Request) -> Response:
        # Coral publishes a comment when the phase answers anything but 2xx: whatever cannot be scored is
        # withheld for a moderator, never let through.
        try:
            body = await body_of(request)
        except ApiError as error:
            if error.code in (413, 408, 400):
                request.state.error = error.message
                return JSONResponse(coral.withheld_unscored(error.message))
            raise
        coral.verify_signature(body, request.headers.get(coral.SIGNATURE_HEADER), settings.coral_secrets)
        try:
            _, text = coral.parse_request(body)
        except ApiError as error:
            # Signed by Coral (or no secret configured) but unreadable: a refusal would publish the comment.
            request.state.error = error.message
            return JSONResponse(coral.withheld_unscored(error.message))
        if not text.strip():
            return Response(status_code=204)
        chunks = coral.chunks(text)
        try:
            # No reasons: Coral keeps only status and actions, and explaining costs more than scoring.
            chunk_scores = await run_scoring(
                lambda: moderator.score_many(chunks, explain="none"), settings.request_timeout_s
            )
        except ApiError as error:
            request.state.error = error.message
            return JSONResponse(coral.withheld_unscored(error.message))
        except Exception:
            _log.exception("scoring failed on the Coral endpoint; the comment is withheld")
            request.state.error = "scoring failed"
            return JSONResponse(coral.withheld_unscored("scoring failed"))
        scores = coral.highest(chunk_scores, moderator.thresholds)
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
        # The app is only ever built around a loaded model, so it is ready as soon as it answers.
        return JSONResponse(
            {
                "status": "ready",
                "labels": list(labels),
                "thresholds": dict(moderator.thresholds),
                # A client flagging from these thresholds itself needs the one rule they do not say.
                "flagged_only_with": moderator.thresholds.refines,
                "attributes": list(supported),
            }
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
    return create_app(Moderator.load(settings.model_path).with_thresholds(settings.thresholds), settings)
