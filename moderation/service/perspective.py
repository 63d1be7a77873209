"""Perspective API's ``comments:analyze``, answered by moderate's model: a drop-in for existing integrations.

Request and response follow Perspective's v1alpha1 API (AnalyzeCommentRequest / AnalyzeCommentResponse):
``comment.text``, ``requestedAttributes`` (each ``{}`` or ``{"scoreType": "PROBABILITY", "scoreThreshold":
x}``), ``languages``, ``doNotStore``, ``spanAnnotations``, ``clientToken`` in; ``attributeScores.<ATTR>``
with ``summaryScore`` (``{"value": p, "type": "PROBABILITY"}``) and ``spanScores`` when asked, ``languages``
and ``clientToken`` out. Coral Talk's client (coralproject/talk,
``server/src/core/server/services/perspective/perspective.ts``) sends exactly ``comment.text``,
``doNotStore``, ``requestedAttributes: {MODEL: {}}`` and ``languages: [lang]`` to
``{endpoint}/comments:analyze?key=KEY`` and reads ``attributeScores[MODEL].summaryScore.value``.

How Perspective's attributes map onto moderate's labels (the score is that probability):

- ``TOXICITY`` = max(hateful, antisemitic, offensive): rude or abusive in any way moderate knows.
- ``IDENTITY_ATTACK`` = max(hateful, antisemitic): attacks on people for who they are, which is ``hateful``.
- ``INSULT`` = max(hateful, antisemitic, offensive): insults at a person or a group. moderate has no separate
  "rude but not insulting" label, so INSULT equals TOXICITY.
- ``ANTISEMITISM`` = antisemitic: our own attribute (IHRA working definition).
- ``SEVERE_TOXICITY``: unsupported (400). moderate does not grade severity; passing ``hateful`` off as
  "severe" would mislead the thresholds publishers set.
- ``PROFANITY``: unsupported (400). ``offensive`` is abuse, not swearing: a clean insult scores high and
  friendly swearing may not.
- ``THREAT``: unsupported (400). No label for threats of violence.

Any other attribute (Perspective's experimental ones included) is refused with 400, as Perspective refuses an
unknown one. So are a language the model was not trained on, empty text, and text over the 20 KB limit.
``doNotStore`` is accepted and moot: the service never stores a comment. ``spanAnnotations`` scores each
sentence on its own; ``begin``/``end`` are character offsets into ``comment.text``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from moderation.service.http import ApiError, utf8_size, validation_message
from moderation.types import Scores

#: Supported attributes and the labels whose highest probability is the attribute's score.
ATTRIBUTE_LABELS: dict[str, tuple[str, ...]] = {
    "TOXICITY": ("hateful", "antisemitic", "offensive"),
    "IDENTITY_ATTACK": ("hateful", "antisemitic"),
    "INSULT": ("hateful", "antisemitic", "offensive"),
    "ANTISEMITISM": ("antisemitic",),
}

#: Perspective attributes moderate deliberately does not answer, and why (the 400 message says so).
UNSUPPORTED_ATTRIBUTES: dict[str, str] = {
    "SEVERE_TOXICITY": "moderate does not grade severity",
    "PROFANITY": "moderate scores abuse, not swearing",
    "THREAT": "moderate has no label for threats",
}

_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|$)|[.!?]+", re.MULTILINE)


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")


class _CommentIn(_Strict):
    text: str
    type: str = "PLAIN_TEXT"


class _AttributeParameters(_Strict):
    scoreType: str | None = None  # noqa: N815 (Perspective's field names)
    scoreThreshold: float | None = Field(default=None, ge=0.0, le=1.0)  # noqa: N815


class AnalyzeRequest(_Strict):
    comment: _CommentIn
    requestedAttributes: dict[str, _AttributeParameters]  # noqa: N815
    languages: list[str] | None = None
    doNotStore: bool = False  # noqa: N815
    spanAnnotations: bool = False  # noqa: N815
    clientToken: str | None = None  # noqa: N815


@dataclass(frozen=True)
class AnalyzeJob:
    """A validated request: what to score and how to answer."""

    text: str
    attributes: dict[str, float | None]
    """Attribute name -> scoreThreshold (None: always report)."""
    languages: list[str]
    spans: list[tuple[int, int]]
    """Sentence boundaries to score separately, empty unless spanAnnotations was asked."""
    client_token: str | None


def parse_request(body: bytes, *, model_languages: Sequence[str], max_text_bytes: int) -> AnalyzeJob:
    """Validate an analyze request or raise :class:`ApiError` (400) saying what is wrong."""
    try:
        request = AnalyzeRequest.model_validate_json(body)
    except ValidationError as error:
        raise ApiError(400, validation_message(error)) from None
    text = request.comment.text
    if not text.strip():
        raise ApiError(400, "Comment must be non-empty.")
    if utf8_size(text) > max_text_bytes:
        raise ApiError(400, f"Comment text too long: {utf8_size(text)} bytes; the limit is {max_text_bytes}.")
    if request.comment.type != "PLAIN_TEXT":
        raise ApiError(400, f"Comment type {request.comment.type} is not supported; send PLAIN_TEXT.")
    if not request.requestedAttributes:
        raise ApiError(400, "requestedAttributes must name at least one attribute.")
    attributes: dict[str, float | None] = {}
    for name, parameters in request.requestedAttributes.items():
        if name in UNSUPPORTED_ATTRIBUTES:
            raise ApiError(
                400, f"Attribute {name} is not supported: {UNSUPPORTED_ATTRIBUTES[name]}. {_supported()}"
            )
        if name not in ATTRIBUTE_LABELS:
            raise ApiError(400, f"Unknown attribute: {name}. {_supported()}")
        if parameters.scoreType not in (None, "PROBABILITY"):
            raise ApiError(400, f"Unsupported scoreType {parameters.scoreType} for {name}; use PROBABILITY.")
        attributes[name] = parameters.scoreThreshold
    languages = _languages(request.languages, model_languages, attributes)
    spans = sentence_spans(text) if request.spanAnnotations else []
    return AnalyzeJob(text, attributes, languages, spans, request.clientToken)


def _supported() -> str:
    return "Supported attributes: " + ", ".join(ATTRIBUTE_LABELS) + "."


def _languages(requested: list[str] | None, model_languages: Sequence[str], attributes) -> list[str]:
    # Perspective detects the language when none is given; moderate cannot, so it assumes the model's first.
    if not requested:
        return [model_languages[0]]
    languages = []
    for code in requested:
        primary = code.split("-")[0].split("_")[0].lower()
        if primary not in model_languages:
            raise ApiError(
                400,
                f"Attribute {next(iter(attributes))} does not support request languages: {code}. "
                f"Supported: {', '.join(model_languages)}.",
            )
        languages.append(primary)
    return languages


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences in ``text``, surrounding whitespace excluded."""
    spans = []
    for match in _SENTENCE.finditer(text):
        begin, end = match.span()
        while begin < end and text[begin].isspace():
            begin += 1
        while end > begin and text[end - 1].isspace():
            end -= 1
        if end > begin:
            spans.append((begin, end))
    return spans


def attribute_score(scores: Scores, attribute: str) -> float:
    return max(scores[label].probability for label in ATTRIBUTE_LABELS[attribute])


def build_response(job: AnalyzeJob, scores: Scores, span_scores: Sequence[Scores]) -> dict:
    """The AnalyzeCommentResponse for ``job``, given the whole comment's and each span's scores."""
    attribute_scores = {}
    for attribute, threshold in job.attributes.items():
        value = attribute_score(scores, attribute)
        if threshold is not None and value < threshold:
            continue
        entry: dict = {"summaryScore": {"value": value, "type": "PROBABILITY"}}
        if job.spans:
            entry["spanScores"] = [
                {
                    "begin": begin,
                    "end": end,
                    "score": {"value": attribute_score(span, attribute), "type": "PROBABILITY"},
                }
                for (begin, end), span in zip(job.spans, span_scores, strict=True)
            ]
        attribute_scores[attribute] = entry
    response: dict = {"attributeScores": attribute_scores, "languages": job.languages}
    if job.client_token is not None:
        response["clientToken"] = job.client_token
    return response
