"""The service's configuration: limits, API keys and Coral secrets, as one frozen value.

``moderate serve`` builds it from its options; with ``--workers N`` each worker process rebuilds it from the
environment (:meth:`ServiceSettings.from_env`), because uvicorn starts workers from an import string.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, fields

#: The environment variable that carries the settings to worker processes, as JSON.
SETTINGS_ENV = "MODERATE_SERVE_SETTINGS"


@dataclass(frozen=True)
class ServiceSettings:
    model_path: str | None = None
    """Model directory; None means the shipped default model."""
    thresholds: tuple[str, ...] = ()
    """``label=value`` changes to the model's flag thresholds (checked against the model as it loads)."""
    api_keys: tuple[str, ...] = ()
    """Keys accepted on the Perspective and /v1/score endpoints; empty means no key is needed."""
    coral_secrets: tuple[str, ...] = ()
    """Signing secrets for the Coral endpoint (any one may match); empty means unsigned is accepted."""
    max_body_bytes: int = 64 * 1024
    """Request bodies larger than this are refused with 413, whatever Content-Length claims."""
    max_text_bytes: int = 20 * 1024
    """Perspective's own limit on one comment, in UTF-8 bytes."""
    max_batch: int = 256
    """Most texts one /v1/score request may carry."""
    request_timeout_s: float = 5.0
    """Scoring that takes longer than this answers 503 instead of holding the client."""
    reasons: int = 5
    """N-grams returned per label by /v1/score."""
    log_text: bool = False
    """Put comment text in the request log (off by default: comments are personal data)."""
    feedback_db: str | None = None
    """SQLite file where comments:suggestscore appends moderators' verdicts; None answers suggestscore 503."""
    cors_origins: tuple[str, ...] = ()
    """Origins browsers may call the service from; empty means no CORS headers (browsers refuse)."""
    language_policy: str = "refuse"
    """What comments:analyze does with a language the model was not trained on: refuse | score-as-english."""
    max_concurrent_requests: int | None = None
    """Requests (headers received) one worker handles at once; one more gets 503 at once. None: no limit."""

    def __post_init__(self) -> None:
        for name in ("max_body_bytes", "max_text_bytes", "max_batch"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if self.request_timeout_s <= 0:
            raise ValueError("request_timeout_s must be positive")
        if self.reasons < 0:
            raise ValueError("reasons must not be negative")
        if self.language_policy not in ("refuse", "score-as-english"):
            raise ValueError("language_policy must be refuse or score-as-english")
        if self.max_concurrent_requests is not None and self.max_concurrent_requests < 1:
            raise ValueError("max_concurrent_requests must be at least 1")
        for origin in self.cors_origins:
            if origin != "*" and not origin.startswith(("http://", "https://")):
                raise ValueError(f"CORS origin {origin!r} must be * or start with http:// or https://")

    def to_env(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> ServiceSettings:
        raw = (os.environ if environ is None else environ).get(SETTINGS_ENV)
        if not raw:
            return cls()
        values = json.loads(raw)
        known = {f.name for f in fields(cls)}
        values = {key: value for key, value in values.items() if key in known}
        for name in ("thresholds", "api_keys", "coral_secrets", "cors_origins"):
            if name in values:
                values[name] = tuple(values[name])
        return cls(**values)
