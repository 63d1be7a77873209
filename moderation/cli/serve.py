"""`moderate serve`: run the HTTP service (Perspective-compatible, Coral Talk, native) with uvicorn."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from moderation.cli._common import fail, user_errors


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("serve")(serve)


def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port to listen on.")] = 8080,
    model: Annotated[
        Path | None, typer.Option("--model", help="Model directory (default: the shipped model).")
    ] = None,
    workers: Annotated[
        int, typer.Option("--workers", min=1, help="Worker processes, each loading the model once.")
    ] = 1,
    api_key: Annotated[
        list[str] | None,
        typer.Option(
            "--api-key",
            envvar="MODERATE_API_KEYS",
            help="Key required as ?key= on comments:analyze and /v1/score; repeat for several. "
            "The env var (space-separated) keeps keys out of the process list.",
        ),
    ] = None,
    coral_secret: Annotated[
        list[str] | None,
        typer.Option(
            "--coral-secret",
            envvar="MODERATE_CORAL_SECRETS",
            help="Coral signing secret checked against X-Coral-Signature; repeat while rotating. "
            "The env var (space-separated) keeps secrets out of the process list.",
        ),
    ] = None,
    max_body_bytes: Annotated[int, typer.Option("--max-body-bytes", help="Largest body accepted.")] = 65536,
    max_batch: Annotated[int, typer.Option("--max-batch", help="Most texts per /v1/score request.")] = 256,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds a request may take (then 504).")] = 5.0,
    limit_concurrency: Annotated[
        int | None,
        typer.Option(
            "--limit-concurrency",
            min=1,
            help="Most connections (open keep-alive ones included) a worker serves at once; a request on one "
            "more gets 503 at once instead of queueing behind a backlog (default: no limit).",
        ),
    ] = None,
    graceful_timeout: Annotated[
        int, typer.Option("--graceful-timeout", help="Seconds in-flight requests get to finish on shutdown.")
    ] = 10,
    log_text: Annotated[bool, typer.Option("--log-text", help="Put comment text in the log.")] = False,
) -> None:
    """Serve the model over HTTP: Perspective's comments:analyze, Coral Talk's moderation phase, /v1/score."""
    import uvicorn

    from moderation.moderator import Moderator
    from moderation.service.access_log import log_config
    from moderation.service.app import create_app
    from moderation.service.metrics import MULTIPROCESS_ENV
    from moderation.service.settings import SETTINGS_ENV, ServiceSettings

    with user_errors():
        try:
            settings = ServiceSettings(
                model_path=str(model) if model is not None else None,
                api_keys=tuple(api_key or ()),
                coral_secrets=tuple(coral_secret or ()),
                max_body_bytes=max_body_bytes,
                max_batch=max_batch,
                request_timeout_s=timeout,
                log_text=log_text,
            )
        except ValueError as error:
            raise fail(str(error)) from None
        # Load here even with workers: a bad model directory is then one line and exit 2, not N tracebacks.
        moderator = Moderator.load(settings.model_path)
        common = {
            "host": host,
            "port": port,
            "log_config": log_config(),
            "access_log": False,
            "timeout_graceful_shutdown": graceful_timeout,
            "server_header": False,
            # uvicorn counts the arriving connection itself against its limit: N would serve only N - 1.
            "limit_concurrency": None if limit_concurrency is None else limit_concurrency + 1,
        }
        if workers == 1:
            uvicorn.run(create_app(moderator, settings), **common)
            return
        del moderator
        os.environ[SETTINGS_ENV] = settings.to_env()
        with tempfile.TemporaryDirectory(prefix="moderate-metrics-") as metrics_dir:
            os.environ.setdefault(MULTIPROCESS_ENV, metrics_dir)  # a directory the operator chose wins
            uvicorn.run("moderation.service.app:app_from_env", factory=True, workers=workers, **common)
