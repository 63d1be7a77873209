"""``POST /v1/score``: moderate's own JSON, a batch of texts in, scores, flags and reasons out.

Request: ``{"texts": ["...", ...], "explain": "flagged" | "all" | "none"}`` (``explain`` defaults to
"flagged": reasons only for the labels a text is flagged with). Response::

    {"results": [{"flagged": true, "flags": ["offensive"], "scores": {<Scores.to_dict()>}}, ...]}

in the order of ``texts``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from moderation.service.http import ApiError, utf8_size, validation_message
from moderation.types import Scores


class ScoreRequest(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    texts: list[str]
    explain: Literal["flagged", "all", "none"] = "flagged"


def parse_request(body: bytes, *, max_batch: int, max_text_bytes: int) -> ScoreRequest:
    """The validated request, or :class:`ApiError` (400) naming the first problem."""
    try:
        request = ScoreRequest.model_validate_json(body)
    except ValidationError as error:
        raise ApiError(400, validation_message(error)) from None
    if not request.texts:
        raise ApiError(400, "texts must hold at least one text.")
    if len(request.texts) > max_batch:
        raise ApiError(400, f"texts holds {len(request.texts)} texts; the limit is {max_batch} per request.")
    for position, text in enumerate(request.texts):
        if utf8_size(text) > max_text_bytes:
            raise ApiError(400, f"texts.{position} is over the limit of {max_text_bytes} bytes.")
    return request


def build_response(scores: list[Scores]) -> dict:
    return {
        "results": [
            {"flagged": score.flagged, "flags": list(score.flags), "scores": score.to_dict()}
            for score in scores
        ]
    }
