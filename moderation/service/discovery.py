"""The discovery document of ``commentanalyzer v1alpha1``, served at ``/$discovery/rest?version=v1alpha1``.

Google's client libraries build their Perspective client from it (Perspective's Python quickstart calls
``discovery.build("commentanalyzer", "v1alpha1", discoveryServiceUrl=..., developerKey=...)``). It is written
from the public API description: the two methods (``comments.analyze``, ``comments.suggestscore``) and the
request and response schemas, trimmed to the fields moderate reads or answers. ``rootUrl`` is the address the
discovery request came to, so a client built from it talks to this server.
"""

from __future__ import annotations

from typing import Any

from moderation.service.perspective import SCORE_TYPES, TEXT_TYPES

VERSION = "v1alpha1"


def _string(description: str) -> dict:
    return {"type": "string", "description": description}


def _ref(name: str) -> dict:
    return {"$ref": name}


def _schemas() -> dict[str, Any]:
    score_types = [*SCORE_TYPES, "STD_DEV_SCORE", "PERCENTILE", "RAW"]
    text_entry = {
        "id": "TextEntry",
        "type": "object",
        "description": "Represents a body of text.",
        "properties": {
            "text": _string("UTF-8 encoded text."),
            "type": {"type": "string", "description": "Type of the text field.", "enum": list(TEXT_TYPES)},
        },
    }
    score = {
        "id": "Score",
        "type": "object",
        "description": "Analysis scores are described by a value and a ScoreType.",
        "properties": {
            "value": {"type": "number", "format": "float", "description": "Score value."},
            "type": {"type": "string", "description": "The type of the above value.", "enum": score_types},
        },
    }
    span_score = {
        "id": "SpanScore",
        "type": "object",
        "description": "This is a single score for a given span of text.",
        "properties": {
            "begin": {"type": "integer", "format": "int32", "description": "Start of the span (UTF-16)."},
            "end": {"type": "integer", "format": "int32", "description": "End of the span (UTF-16)."},
            "score": _ref("Score"),
        },
    }
    attribute_scores = {
        "id": "AttributeScores",
        "type": "object",
        "description": "This holds score values for a single attribute.",
        "properties": {
            "summaryScore": _ref("Score"),
            "spanScores": {"type": "array", "items": _ref("SpanScore"), "description": "Per-span scores."},
        },
    }
    attribute_parameters = {
        "id": "AttributeParameters",
        "type": "object",
        "description": "Configurable parameters for attribute scoring.",
        "properties": {
            "scoreType": {
                "type": "string",
                "description": "What type of scores to return.",
                "enum": score_types,
            },
            "scoreThreshold": {
                "type": "number",
                "format": "float",
                "description": "Don't return scores for this attribute that are below this threshold.",
            },
        },
    }
    context = {
        "id": "Context",
        "type": "object",
        "description": "Context is typically something like the article that a comment is replying to.",
        "properties": {
            "entries": {"type": "array", "items": _ref("TextEntry"), "description": "A list of TextEntry."},
            "articleAndParentComment": _ref("ArticleAndParentComment"),
        },
    }
    article_and_parent = {
        "id": "ArticleAndParentComment",
        "type": "object",
        "description": "A type of context specific to a comment left on a single-threaded comment message board.",
        "properties": {"article": _ref("TextEntry"), "parentComment": _ref("TextEntry")},
    }
    languages = {"type": "array", "items": {"type": "string"}, "description": "ISO or BCP-47 language codes."}
    analyze_request = {
        "id": "AnalyzeCommentRequest",
        "type": "object",
        "description": "The comment analysis request message.",
        "properties": {
            "comment": _ref("TextEntry"),
            "context": _ref("Context"),
            "requestedAttributes": {
                "type": "object",
                "additionalProperties": _ref("AttributeParameters"),
                "description": "Specification of requested attributes; the map keys are attribute names.",
            },
            "spanAnnotations": {"type": "boolean", "description": "Score each sentence of the comment too."},
            "languages": languages,
            "doNotStore": {"type": "boolean", "description": "Do not store the comment (never stored here)."},
            "clientToken": _string("Opaque token that is echoed from the request to the response."),
            "sessionId": _string("Session ID."),
            "communityId": _string("Identifier of the client's community."),
            "dropUnsupportedAttributes": {
                "type": "boolean",
                "description": "Drop unsupported requested attributes from the answer instead of failing.",
            },
        },
    }
    analyze_response = {
        "id": "AnalyzeCommentResponse",
        "type": "object",
        "description": "The comment analysis response message.",
        "properties": {
            "attributeScores": {
                "type": "object",
                "additionalProperties": _ref("AttributeScores"),
                "description": "Scores for the requested attributes; the map keys are attribute names.",
            },
            "languages": languages,
            "detectedLanguages": languages,
            "clientToken": _string("The same token from the request."),
        },
    }
    suggest_request = {
        "id": "SuggestCommentScoreRequest",
        "type": "object",
        "description": "The comment score suggestion request message.",
        "properties": {
            "comment": _ref("TextEntry"),
            "context": _ref("Context"),
            "attributeScores": {
                "type": "object",
                "additionalProperties": _ref("AttributeScores"),
                "description": "Attribute scores for the comment; the map keys are attribute names.",
            },
            "languages": languages,
            "clientToken": _string("Opaque token that is echoed from the request to the response."),
            "sessionId": _string("Session ID."),
            "communityId": _string("Identifier of the sub-community the suggestion is from."),
        },
    }
    suggest_response = {
        "id": "SuggestCommentScoreResponse",
        "type": "object",
        "description": "The comment score suggestion response message.",
        "properties": {
            "detectedLanguages": languages,
            "requestedLanguages": languages,
            "clientToken": _string("The same token from the request."),
        },
    }
    return {
        schema["id"]: schema
        for schema in (
            text_entry,
            score,
            span_score,
            attribute_scores,
            attribute_parameters,
            context,
            article_and_parent,
            analyze_request,
            analyze_response,
            suggest_request,
            suggest_response,
        )
    }


def _method(name: str, request: str, response: str, description: str) -> dict:
    path = f"{VERSION}/comments:{name}"
    return {
        "id": f"commentanalyzer.comments.{name}",
        "path": path,
        "flatPath": path,
        "httpMethod": "POST",
        "description": description,
        "parameters": {},
        "parameterOrder": [],
        "request": _ref(request),
        "response": _ref(response),
    }


def discovery_document(root_url: str) -> dict:
    """The document, with ``rootUrl`` (ending in ``/``) pointing at the server that answers."""
    root_url = root_url if root_url.endswith("/") else root_url + "/"
    query_parameter = {"location": "query", "type": "string"}
    return {
        "kind": "discovery#restDescription",
        "discoveryVersion": "v1",
        "id": f"commentanalyzer:{VERSION}",
        "name": "commentanalyzer",
        "canonicalName": "Comment Analyzer",
        "version": VERSION,
        "title": "Perspective Comment Analyzer API (served by moderate)",
        "description": "Scores comments for attributes such as toxicity; moderate's Perspective-compatible API.",
        "protocol": "rest",
        "rootUrl": root_url,
        "servicePath": "",
        "baseUrl": root_url,
        "batchPath": "batch",
        "parameters": {
            "key": {**query_parameter, "description": "API key."},
            "alt": {
                **query_parameter,
                "description": "Data format for response.",
                "default": "json",
                "enum": ["json"],
            },  # fmt: skip
            "fields": {**query_parameter, "description": "Selector specifying which fields to include."},
            "prettyPrint": {
                "location": "query",
                "type": "boolean",
                "default": "true",
                "description": "Returns response with indentations and line breaks.",
            },  # fmt: skip
        },
        "schemas": _schemas(),
        "resources": {
            "comments": {
                "methods": {
                    "analyze": _method(
                        "analyze",
                        "AnalyzeCommentRequest",
                        "AnalyzeCommentResponse",
                        "Analyzes the provided text and returns scores for requested attributes.",
                    ),
                    "suggestscore": _method(
                        "suggestscore",
                        "SuggestCommentScoreRequest",
                        "SuggestCommentScoreResponse",
                        "Suggest comment scores as training data.",
                    ),
                }
            }
        },
    }
