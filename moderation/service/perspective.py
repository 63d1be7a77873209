"""Perspective API's ``comments:analyze`` and ``comments:suggestscore``, as Perspective validates and answers them.

Clients written for Perspective (Coral Talk's ``perspective.ts``, Google's ``google-api-python-client`` built
from the discovery document this service serves, the ``perspective`` package on PyPI) post to
``{endpoint}/comments:analyze?key=KEY`` and read ``attributeScores[ATTRIBUTE].summaryScore.value``. Which
attributes a model answers, and how each is computed from its labels, is :mod:`moderation.service.attributes`.

What is accepted, as in Perspective's own API description:

- ``comment.type``: ``TEXT_TYPE_UNSPECIFIED`` or ``PLAIN_TEXT`` (scored as given) or ``HTML`` (tags stripped,
  scored as a reader sees it; span offsets then index the stripped text).
- ``requestedAttributes.*.scoreType``: unset, ``SCORE_TYPE_UNSPECIFIED`` or ``PROBABILITY``; scores are
  probabilities. ``scoreThreshold`` leaves out an attribute scoring below it.
- ``dropUnsupportedAttributes``: an attribute the model (or the language) does not support is left out of the
  answer instead of refusing the request.
- ``languages``: see the language policy below. ``context``, ``sessionId``, ``communityId`` and
  ``doNotStore`` are accepted; analyze never stores a comment.
- ``spanAnnotations``: each sentence is scored on its own; ``begin``/``end`` count UTF-16 code units, as
  Perspective's do (JavaScript clients index strings so).

The answer holds ``attributeScores``, ``languages`` (the requested ones, or the model's when none were given),
``detectedLanguages`` (the language the comment was scored as: moderate detects nothing) and ``clientToken``.

Languages: a model scores the languages its manifest declares (English for the shipped one). For any other
language the operator picks a policy (``moderate serve --languages``): ``refuse`` answers Perspective's
``LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE`` error (400, or the attribute dropped with
``dropUnsupportedAttributes``); ``score-as-english`` scores the comment with the English model and says
``detectedLanguages: ["en"]``. Both outcomes are counted in ``/metrics`` (``moderate_language_outcomes``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from moderation.service.attributes import ATTRIBUTE_LABELS, attribute_score
from moderation.service.http import ApiError, utf8_size, validation_message
from moderation.service.text import plain_text, sentence_spans, utf16_length, utf16_offsets
from moderation.types import Scores

LANGUAGE_POLICIES = ("refuse", "score-as-english")
TEXT_TYPES = ("TEXT_TYPE_UNSPECIFIED", "PLAIN_TEXT", "HTML")
SCORE_TYPES = ("SCORE_TYPE_UNSPECIFIED", "PROBABILITY")
ERROR_TYPE = "type.googleapis.com/google.commentanalyzer.v1alpha1.Error"


class _Strict(BaseModel):
    # Perspective ignores fields it does not know (newer clients send more); those it knows are checked.
    model_config = ConfigDict(strict=True, extra="ignore")


class TextEntry(_Strict):
    text: str
    type: str = "TEXT_TYPE_UNSPECIFIED"


class _Context(_Strict):
    entries: list[TextEntry] | None = None


class _AttributeParameters(_Strict):
    scoreType: str | None = None  # noqa: N815 (Perspective's field names)
    scoreThreshold: float | None = Field(default=None, ge=0.0, le=1.0)  # noqa: N815


class AnalyzeRequest(_Strict):
    comment: TextEntry
    requestedAttributes: dict[str, _AttributeParameters]  # noqa: N815
    context: _Context | None = None
    languages: list[str] | None = None
    doNotStore: bool = False  # noqa: N815
    spanAnnotations: bool = False  # noqa: N815
    dropUnsupportedAttributes: bool = False  # noqa: N815
    clientToken: str | None = None  # noqa: N815
    sessionId: str | None = None  # noqa: N815
    communityId: str | None = None  # noqa: N815


class _Score(_Strict):
    value: float = Field(ge=0.0, le=1.0)
    type: str | None = None


class _SpanScore(_Strict):
    begin: int = Field(ge=0)
    end: int = Field(ge=0)
    score: _Score


class _AttributeScores(_Strict):
    summaryScore: _Score | None = None  # noqa: N815
    spanScores: list[_SpanScore] | None = None  # noqa: N815


class SuggestRequest(_Strict):
    comment: TextEntry
    attributeScores: dict[str, _AttributeScores]  # noqa: N815
    context: _Context | None = None
    languages: list[str] | None = None
    clientToken: str | None = None  # noqa: N815
    sessionId: str | None = None  # noqa: N815
    communityId: str | None = None  # noqa: N815


@dataclass(frozen=True)
class AnalyzeJob:
    """A validated analyze request: what to score and how to answer."""

    text: str
    attributes: dict[str, tuple[tuple[str, ...], float | None]]
    """Attribute name -> (the labels its score is the max of, scoreThreshold or None)."""
    languages: list[str]
    """The languages to answer with: as requested, or the model's first when none were."""
    detected_languages: list[str]
    """The language the comment is scored as."""
    language_outcome: Literal["native", "scored-as-english", "refused"]
    spans: list[tuple[int, int]]
    """Sentence boundaries (code points) to score separately; empty unless spanAnnotations was asked."""
    client_token: str | None


@dataclass(frozen=True)
class Suggestion:
    """A validated suggestscore request: a moderator's verdict on a comment, to keep as training data."""

    text: str
    attribute_scores: dict[str, dict]
    """Attribute name -> the AttributeScores object as sent (summaryScore and/or spanScores)."""
    languages: list[str]
    client_token: str | None
    community_id: str | None
    session_id: str | None
    context: list[str]


def parse_request(
    body: bytes,
    *,
    supported: Mapping[str, tuple[str, ...]],
    model_languages: Sequence[str],
    max_text_bytes: int,
    language_policy: str = "refuse",
) -> AnalyzeJob:
    """Validate an analyze request or raise :class:`ApiError` (400) saying what is wrong, as Perspective does.

    ``supported`` is what :func:`moderation.service.attributes.supported_attributes` says the model answers.
    """
    try:
        request = AnalyzeRequest.model_validate_json(body)
    except ValidationError as error:
        raise ApiError(400, validation_message(error)) from None
    text = _comment_text(request.comment, max_text_bytes)
    if not request.requestedAttributes:
        raise ApiError(400, "requestedAttributes must name at least one attribute.")
    attributes: dict[str, tuple[tuple[str, ...], float | None]] = {}
    for name, parameters in request.requestedAttributes.items():
        if parameters.scoreType not in (None, *SCORE_TYPES):
            raise ApiError(400, f"Unsupported scoreType {parameters.scoreType} for {name}; use PROBABILITY.")
        if name in supported:
            attributes[name] = (supported[name], parameters.scoreThreshold)
        elif not request.dropUnsupportedAttributes:
            problem = (
                f"Attribute {name} is not supported by this model"
                if name in ATTRIBUTE_LABELS
                else f"Unknown attribute: {name}"
            )
            raise ApiError(400, f"{problem}. Supported attributes: {', '.join(supported)}.")
    languages, detected, outcome = _languages(request.languages, model_languages, language_policy)
    if outcome == "refused":
        if not request.dropUnsupportedAttributes:
            raise _language_error(next(iter(request.requestedAttributes)), request.languages or [])
        attributes = {}  # every attribute is unsupported in that language: all of them are dropped
    spans = sentence_spans(text) if request.spanAnnotations and attributes else []
    return AnalyzeJob(text, attributes, languages, detected, outcome, spans, request.clientToken)


def parse_suggestion(body: bytes, *, max_text_bytes: int) -> Suggestion:
    """Validate a suggestscore request as Perspective does, or raise :class:`ApiError` (400)."""
    try:
        request = SuggestRequest.model_validate_json(body)
    except ValidationError as error:
        raise ApiError(400, validation_message(error)) from None
    text = _comment_text(request.comment, max_text_bytes)
    if not request.attributeScores:
        raise ApiError(400, "attributeScores must not be empty.")
    kept: dict[str, dict] = {}
    for name, scores in request.attributeScores.items():
        if name not in ATTRIBUTE_LABELS:
            raise ApiError(
                400, f"Unknown attribute: {name}. Known attributes: {', '.join(ATTRIBUTE_LABELS)}."
            )
        if scores.summaryScore is None and not scores.spanScores:
            raise ApiError(400, f"attributeScores.{name} must hold a summaryScore or spanScores.")
        for score in [scores.summaryScore, *(span.score for span in scores.spanScores or ())]:
            if score is not None and score.type not in (None, *SCORE_TYPES):
                raise ApiError(400, f"Unsupported score type {score.type} for {name}; use PROBABILITY.")
        length = utf16_length(text)
        for span in scores.spanScores or ():
            if not span.begin < span.end <= length:
                raise ApiError(
                    400, f"attributeScores.{name}: span {span.begin}-{span.end} is not in the comment."
                )
        kept[name] = scores.model_dump(exclude_none=True)
    context = [entry.text for entry in (request.context.entries or [])] if request.context else []
    return Suggestion(
        text,
        kept,
        list(request.languages or []),
        request.clientToken,
        request.communityId,
        request.sessionId,
        context,
    )


def _comment_text(comment: TextEntry, max_text_bytes: int) -> str:
    if comment.type not in TEXT_TYPES:
        raise ApiError(400, f"Invalid comment.type {comment.type}; use one of {', '.join(TEXT_TYPES)}.")
    text = plain_text(comment.text) if comment.type == "HTML" else comment.text
    if not text.strip():
        raise ApiError(400, "Comment must be non-empty.")
    if utf8_size(text) > max_text_bytes:
        raise ApiError(400, f"Comment text too long: {utf8_size(text)} bytes; the limit is {max_text_bytes}.")
    return text


def _languages(
    requested: list[str] | None, model_languages: Sequence[str], policy: str
) -> tuple[list[str], list[str], Literal["native", "scored-as-english", "refused"]]:
    # Perspective detects the language when none is given; moderate cannot, so it assumes the model's first.
    if not requested:
        return [model_languages[0]], [model_languages[0]], "native"
    primaries = [code.split("-")[0].split("_")[0].lower() for code in requested]
    if all(primary in model_languages for primary in primaries):
        return primaries, primaries, "native"
    if policy == "score-as-english" and "en" in model_languages:
        return list(requested), ["en"], "scored-as-english"
    return list(requested), [], "refused"


def _language_error(attribute: str, requested: list[str]) -> ApiError:
    """Perspective's answer to a language an attribute does not support, details included."""
    return ApiError(
        400,
        f"Attribute {attribute} does not support request languages: {','.join(requested)}",
        details=[
            {
                "@type": ERROR_TYPE,
                "errorType": "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE",
                "languageNotSupportedByAttributeError": {
                    "detectedLanguages": [],
                    "requestedLanguages": list(requested),
                    "attribute": attribute,
                },
            }
        ],
    )


def build_response(job: AnalyzeJob, scores: Scores, span_scores: Sequence[Scores]) -> dict:
    """The AnalyzeCommentResponse for ``job``, given the whole comment's and each span's scores."""
    if job.spans:
        units = utf16_offsets(job.text, [offset for span in job.spans for offset in span])
        utf16_spans = list(zip(units[::2], units[1::2], strict=True))
    attribute_scores = {}
    for attribute, (labels, threshold) in job.attributes.items():
        value = attribute_score(scores, labels)
        if threshold is not None and value < threshold:
            continue
        entry: dict = {"summaryScore": {"value": value, "type": "PROBABILITY"}}
        if job.spans:
            entry["spanScores"] = [
                {
                    "begin": begin,
                    "end": end,
                    "score": {"value": attribute_score(span, labels), "type": "PROBABILITY"},
                }
                for (begin, end), span in zip(utf16_spans, span_scores, strict=True)
            ]
        attribute_scores[attribute] = entry
    response: dict = {
        "attributeScores": attribute_scores,
        "languages": job.languages,
        "detectedLanguages": job.detected_languages,
    }
    if job.client_token is not None:
        response["clientToken"] = job.client_token
    return response


def build_suggestion_response(suggestion: Suggestion) -> dict:
    """The SuggestCommentScoreResponse: the languages as requested, and the client's token back."""
    response: dict = {"requestedLanguages": suggestion.languages}
    if suggestion.client_token is not None:
        response["clientToken"] = suggestion.client_token
    return response
