"""`moderate serve`: run the HTTP service (Perspective-compatible, Coral Talk, native) with uvicorn;
`moderate export-feedback`: the verdicts it stored, as labelled training data."""

from __future__ import annotations

import contextlib
import os
import socket
import tempfile
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from moderation.cli._common import (
    ModelOption,
    ThresholdOption,
    choice_option,
    fail,
    load_moderator,
    user_errors,
)


class LanguagePolicy(str, Enum):
    """What the service does with a comment in a language the model was not trained on
    (moderation.service.perspective.LANGUAGE_POLICIES)."""

    refuse = "refuse"
    score_as_english = "score-as-english"


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("serve")(serve)
    app.command("export-feedback")(export_feedback)


def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port to listen on.")] = 8080,
    model: ModelOption = None,
    threshold: ThresholdOption = None,
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
            help="Most requests a worker handles at once; one more gets 503 at once instead of queueing "
            "behind a backlog (Coral's webhook gets a withheld answer instead). Idle connections and clients "
            "still sending headers do not count (default: no limit).",
        ),
    ] = None,
    feedback_db: Annotated[
        Path | None,
        typer.Option(
            "--feedback-db",
            help="SQLite file where comments:suggestscore verdicts are appended (export them with "
            "`moderate export-feedback`). Without it they are validated, answered and not kept.",
        ),
    ] = None,
    cors_origin: Annotated[
        list[str] | None,
        typer.Option("--cors-origin", help="Origin browsers may call from (repeatable; default: none)."),
    ] = None,
    languages: Annotated[
        LanguagePolicy,
        choice_option(
            LanguagePolicy,
            "--languages",
            help="A comment in a language the model was not trained on: refuse (Perspective's "
            "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE error) or score-as-english (detectedLanguages says en).",
        ),
    ] = LanguagePolicy.refuse,
    graceful_timeout: Annotated[
        int, typer.Option("--graceful-timeout", help="Seconds in-flight requests get to finish on shutdown.")
    ] = 10,
    log_text: Annotated[bool, typer.Option("--log-text", help="Put comment text in the log.")] = False,
) -> None:
    """Serve the model over HTTP: Perspective's comments:analyze, Coral Talk's moderation phase, /v1/score."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    from moderation.service.access_log import log_config
    from moderation.service.app import create_app
    from moderation.service.feedback import FeedbackStore
    from moderation.service.metrics import MULTIPROCESS_ENV
    from moderation.service.protocol import GuardedH11Protocol
    from moderation.service.settings import SETTINGS_ENV, ServiceSettings

    with user_errors():
        try:
            settings = ServiceSettings(
                model_path=str(model) if model is not None else None,
                thresholds=tuple(threshold or ()),
                api_keys=tuple(api_key or ()),
                coral_secrets=tuple(coral_secret or ()),
                max_body_bytes=max_body_bytes,
                max_batch=max_batch,
                request_timeout_s=timeout,
                log_text=log_text,
                feedback_db=str(feedback_db) if feedback_db is not None else None,
                cors_origins=tuple(cors_origin or ()),
                language_policy=languages.value,
                max_concurrent_requests=limit_concurrency,
            )
        except ValueError as error:
            raise fail(str(error)) from None
        if feedback_db is not None:
            FeedbackStore(feedback_db).close()  # create it (WAL mode) now: a bad path is one line, exit 2
        # Load here even with workers: a bad model directory or threshold is then one line and exit 2, not N
        # tracebacks.
        moderator = load_moderator(model, threshold)
        # Bound here, not by uvicorn: a port in use is then one line and exit 2, and the socket is TCP by
        # protocol number (uvicorn's own leaves proto 0, which costs keep-alive clients Nagle's delay).
        listener = _listen(host, port)
        if not settings.api_keys and not settings.coral_secrets:
            typer.echo(
                "moderate: warning: neither --api-key nor --coral-secret given: the Perspective, /v1/score "
                "and Coral endpoints are open to anyone who can reach this address.",
                err=True,
            )
        common = {
            "host": host,
            "port": listener.getsockname()[1],
            "log_config": log_config(),
            "access_log": False,
            "timeout_graceful_shutdown": graceful_timeout,
            "server_header": False,
            "http": GuardedH11Protocol,
            "h11_max_incomplete_event_size": 16 * 1024,  # request line and headers together
        }
        where = f"http://{host if ':' not in host else f'[{host}]'}:{listener.getsockname()[1]}"
        typer.echo(f"moderate: running on {where} (Press CTRL+C to quit)", err=True)
        if workers == 1:
            server = uvicorn.Server(uvicorn.Config(create_app(moderator, settings), **common))
            with contextlib.suppress(KeyboardInterrupt):
                server.run(sockets=[listener])
            if not server.started:
                raise fail("the server did not start (see the lines above)")
            return
        del moderator
        os.environ[SETTINGS_ENV] = settings.to_env()
        with tempfile.TemporaryDirectory(prefix="moderate-metrics-") as metrics_dir:
            os.environ.setdefault(MULTIPROCESS_ENV, metrics_dir)  # a directory the operator chose wins
            config = uvicorn.Config(
                "moderation.service.app:app_from_env", factory=True, workers=workers, **common
            )
            with contextlib.suppress(KeyboardInterrupt):
                Multiprocess(config, sockets=[listener]).run()


def _listen(host: str, port: int) -> socket.socket:
    """The listening socket, or a one-line error (exit 2) when the address is taken or not ours."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
    except OSError as error:
        listener.close()
        raise fail(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    # Listening now, before the app loads: a client that read "running on" is queued, never refused.
    listener.listen(2048)
    listener.set_inheritable(True)
    return listener


def export_feedback(
    database: Annotated[Path, typer.Argument(help="The --feedback-db file `moderate serve` wrote.")],
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Labelled JSONL to write (for `moderate train --file`).")
    ],
) -> None:
    """Export comments:suggestscore verdicts as labelled JSONL that `moderate train --file` reads."""
    from moderation.service.feedback import export_jsonl

    with user_errors():
        if out.suffix.lower() != ".jsonl":
            raise fail(f"{out}: the export is JSONL; name it *.jsonl so `moderate train --file` reads it")
        count = export_jsonl(database, out)
    typer.echo(f"moderate: wrote {count} labelled comments to {out}", err=True)
