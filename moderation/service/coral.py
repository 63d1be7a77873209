"""Coral Talk's "external moderation phase": Coral posts each new or edited comment here and obeys the answer.

What Coral sends and accepts is read from coralproject/talk,
``server/src/core/server/services/comments/pipeline/phases/external.ts`` (``ExternalModerationRequest``,
``ExternalModerationResponseSchema``), ``server/src/core/server/services/fetch/fetch.ts`` (the body is
``JSON.stringify(request, null, 2)`` with header ``X-Coral-Signature``) and
``server/src/core/server/models/settings/signingSecret/helpers.ts`` (the header is
``sha256=<hex HMAC-SHA256 of the raw body>`` per active secret, joined with ``,`` while secrets rotate).

The request: ``action`` (NEW | EDIT), ``comment.body`` (plain text or HTML, per the phase's format),
``comment.parentID``, ``author.id/role``, ``story.id/url``, ``site.id``, ``tenantID``, ``tenantDomain``.

Long comments are scored whole, as far as the body limit goes (Coral's own length limit is the real one): the
text is scored sentence by sentence (long sentences in overlapping windows) and each label takes its highest
part, so padding a hateful sentence with pages of harmless text does not dilute it. Coral publishes a comment when this
phase answers anything but 2xx, so a comment that cannot be scored (body over the limit, scoring over its
deadline, the service at its concurrency limit) is answered ``SYSTEM_WITHHELD`` for a moderator to decide:
never let through unscored.

The answer: for a clean comment, 204 and no body (Coral continues with the next phase). For a flagged one::

    {"status": "SYSTEM_WITHHELD",
     "actions": [{"actionType": "FLAG", "reason": "COMMENT_DETECTED_TOXIC",
                  "additionalDetails": "moderate: antisemitic 0.97, hateful 0.95"}],
     "metadata": {"moderate": {"flags": [...], "scores": {...}}}}

Coral's schema allows only ``COMMENT_DETECTED_TOXIC`` and ``COMMENT_DETECTED_SPAM`` as reasons, so every label
maps to ``COMMENT_DETECTED_TOXIC``. Coral validates with Joi ``stripUnknown``: ``additionalDetails`` and
``metadata`` are for people reading the exchange (and newer Coral versions) and are dropped, not rejected, by
versions that do not know them.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from hashlib import sha256
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, ValidationError

from moderation.service.http import ApiError, validation_message
from moderation.service.text import plain_text, sentence_spans
from moderation.thresholds import Thresholds
from moderation.types import LabelScore, Scores

ENDPOINT = "/coral/v1/moderate"
SIGNATURE_HEADER = "X-Coral-Signature"
#: A comment longer than this is scored by its parts (see :func:`chunks`).
LONG_COMMENT_CHARS = 1000
#: A sentence longer than WINDOW_CHARS is cut into windows overlapping by WINDOW_OVERLAP characters, so any
#: phrase up to WINDOW_OVERLAP characters long lies whole inside some window.
WINDOW_CHARS = 300
WINDOW_OVERLAP = 150
WITHHELD_STATUS = "SYSTEM_WITHHELD"
FLAG_REASON = "COMMENT_DETECTED_TOXIC"


class _Loose(BaseModel):
    # Coral may add fields; only those we read are checked, and strictly.
    model_config = ConfigDict(strict=True, extra="ignore")


class _CoralComment(_Loose):
    body: str
    parentID: str | None = None  # noqa: N815 (Coral's field names)


class _CoralAuthor(_Loose):
    id: str
    role: str | None = None


class _CoralStory(_Loose):
    id: str
    url: str | None = None


class _CoralSite(_Loose):
    id: str


class ModerationRequest(_Loose):
    action: Literal["NEW", "EDIT"]
    comment: _CoralComment
    author: _CoralAuthor | None = None
    story: _CoralStory | None = None
    site: _CoralSite | None = None
    tenantID: str | None = None  # noqa: N815
    tenantDomain: str | None = None  # noqa: N815


def sign(body: bytes, secret: str) -> str:
    """The header value Coral sends for ``body`` signed with one secret."""
    return "sha256=" + hmac.new(secret.encode(), body, sha256).hexdigest()


def verify_signature(body: bytes, header: str | None, secrets: Sequence[str]) -> None:
    """Refuse (401 unsigned, 403 wrongly signed) unless a signature in ``header`` matches any secret."""
    if not secrets:
        return
    if not header:
        raise ApiError(401, f"Missing {SIGNATURE_HEADER} header.")
    offered = [part.strip() for part in header.split(",") if part.strip()]
    expected = [sign(body, secret) for secret in secrets]
    # Check every pair without stopping early, each in constant time.
    matched = False
    for signature in offered:
        for candidate in expected:
            matched |= hmac.compare_digest(signature.encode(), candidate.encode())
    if not matched:
        raise ApiError(403, f"{SIGNATURE_HEADER} does not match the body for any configured secret.")


def parse_request(body: bytes) -> tuple[ModerationRequest, str]:
    """The validated request and the comment's plain text, or :class:`ApiError` (400)."""
    try:
        request = ModerationRequest.model_validate_json(body)
    except ValidationError as error:
        raise ApiError(400, validation_message(error)) from None
    return request, plain_text(request.comment.body)


def chunks(text: str) -> list[str]:
    """``text`` itself when short; else its sentences, each long one cut into overlapping windows.

    A linear model's score is diluted by the text around a phrase, so a long comment is judged by its parts:
    a hateful sentence padded with pages of harmless ones scores as it would alone.
    """
    if len(text) <= LONG_COMMENT_CHARS:
        return [text]
    pieces = []
    step = WINDOW_CHARS - WINDOW_OVERLAP
    for begin, end in sentence_spans(text):
        sentence = text[begin:end]
        if len(sentence) <= WINDOW_CHARS:
            pieces.append(sentence)
        else:
            starts = range(0, len(sentence) - WINDOW_OVERLAP, step)
            pieces.extend(sentence[start : start + WINDOW_CHARS] for start in starts)
    return pieces or [text]


def highest(window_scores: Sequence[Scores], thresholds: Thresholds) -> Scores:
    """One comment's scores from its windows' scores: each label's highest probability, flagged as the
    moderator flags (its threshold, or implied by another flag)."""
    if len(window_scores) == 1:
        return window_scores[0]
    probabilities = [max(scores[label].probability for scores in window_scores) for label in thresholds]
    flags = thresholds.flags(np.array([probabilities]))[0].tolist()
    return Scores(
        {
            label: LabelScore(probability, flag, thresholds[label])
            for label, probability, flag in zip(thresholds, probabilities, flags, strict=True)
        }
    )


def withheld_unscored(why: str) -> dict:
    """The answer for a comment moderate could not score: withheld for a moderator, never published."""
    return {
        "status": WITHHELD_STATUS,
        "actions": [
            {
                "actionType": "FLAG",
                "reason": FLAG_REASON,
                "additionalDetails": f"moderate: not scored ({why[:200]}); held for review",
            }
        ],
    }


def build_response(scores: Scores) -> dict | None:
    """Coral's ExternalModerationResponse for a flagged comment, or None for a clean one (answer 204)."""
    if not scores.flagged:
        return None
    details = ", ".join(f"{label} {scores[label].probability:.2f}" for label in scores.flags)
    return {
        "status": WITHHELD_STATUS,
        "actions": [
            {"actionType": "FLAG", "reason": FLAG_REASON, "additionalDetails": f"moderate: {details}"}
        ],
        "metadata": {"moderate": {"flags": list(scores.flags), "scores": scores.to_dict()}},
    }
