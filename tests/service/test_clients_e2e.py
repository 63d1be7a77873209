"""Real Perspective clients against `moderate serve` on 127.0.0.1: Google's client library built from the
served discovery document, and Coral Talk's perspective.ts exchange, field by field. Loopback only."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from service_helpers import ANTISEMITIC, API_KEY, CLEAN
from test_serve_e2e import RunningServer, moderate_serve

ALL_SEVEN = (
    "TOXICITY",
    "SEVERE_TOXICITY",
    "IDENTITY_ATTACK",
    "INSULT",
    "THREAT",
    "PROFANITY",
    "ANTISEMITISM",
)


@pytest.fixture(scope="module")
def served(model_path, tmp_path_factory) -> Iterator[tuple[RunningServer, Path]]:
    database = tmp_path_factory.mktemp("feedback") / "feedback.db"
    options = ("--model", str(model_path), "--api-key", API_KEY, "--feedback-db", str(database))
    with moderate_serve(*options) as running:
        yield running, database


@pytest.fixture(scope="module")
def google_client(served):
    import os

    import httplib2
    from googleapiclient import discovery

    running, _ = served
    os.environ["NO_GCE_CHECK"] = "True"  # no probing for Google Compute Engine credentials
    return discovery.build(
        "commentanalyzer",
        "v1alpha1",
        discoveryServiceUrl=f"{running.url}/$discovery/rest?version={{apiVersion}}",
        developerKey=API_KEY,
        http=httplib2.Http(timeout=10),
        static_discovery=False,
        cache_discovery=False,
    )


def test_the_discovery_document_points_clients_at_this_server(served):
    running, _ = served
    document = httpx.get(f"{running.url}/$discovery/rest", params={"version": "v1alpha1"}).json()
    assert document["rootUrl"] == running.url + "/"
    assert set(document["resources"]["comments"]["methods"]) == {"analyze", "suggestscore"}
    assert document["schemas"]["TextEntry"]["properties"]["type"]["enum"] == [
        "TEXT_TYPE_UNSPECIFIED",
        "PLAIN_TEXT",
        "HTML",
    ]
    assert httpx.get(f"{running.url}/$discovery/rest", params={"version": "v2"}).status_code == 404


def test_google_client_asks_for_all_seven_attributes_with_spans(google_client, moderator):
    text = "😀 I will kill you and your family. Lovely weather for the parade."
    answer = (
        google_client.comments()
        .analyze(
            body={
                "comment": {"text": text, "type": "PLAIN_TEXT"},
                "requestedAttributes": {name: {"scoreType": "PROBABILITY"} for name in ALL_SEVEN},
                "languages": ["en"],
                "spanAnnotations": True,
                "clientToken": "t-1",
            }
        )
        .execute()
    )
    assert set(answer["attributeScores"]) == set(ALL_SEVEN)
    assert answer["clientToken"] == "t-1" and answer["detectedLanguages"] == ["en"]
    threat = answer["attributeScores"]["THREAT"]
    expected = moderator.score(text, reasons=0)["threat"].probability
    assert threat["summaryScore"]["value"] == pytest.approx(expected)
    first, second = threat["spanScores"]
    # UTF-16 offsets: the emoji is two units, as a JavaScript client counts.
    assert (first["begin"], first["end"]) == (0, len("😀 I will kill you and your family.") + 1)
    assert first["score"]["value"] > 0.8 > 0.3 > second["score"]["value"]


def test_google_client_sends_suggestscore(google_client, served):
    import sqlite3

    _, database = served
    answer = (
        google_client.comments()
        .suggestscore(
            body={
                "comment": {"text": "you absolute clown"},
                "attributeScores": {"INSULT": {"summaryScore": {"value": 1}}},
                "languages": ["en"],
                "clientToken": "fb-1",
            }
        )
        .execute()
    )
    assert answer == {"requestedLanguages": ["en"], "clientToken": "fb-1"}
    rows = (
        sqlite3.connect(database).execute("SELECT text FROM feedback WHERE client_token = 'fb-1'").fetchall()
    )
    assert rows == [("you absolute clown",)]


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"comment": {"text": "hi"}, "requestedAttributes": {"FLIRTATION": {}}}, "Unknown attribute"),
        ({"comment": {"text": ""}, "requestedAttributes": {"TOXICITY": {}}}, "non-empty"),
        (
            {"comment": {"text": "hola"}, "requestedAttributes": {"TOXICITY": {}}, "languages": ["es"]},
            "languages",
        ),
    ],
)
def test_google_client_raises_http_error_with_googles_reason(google_client, body, words):
    from googleapiclient.errors import HttpError

    with pytest.raises(HttpError) as raised:
        google_client.comments().analyze(body=body).execute()
    assert raised.value.status_code == 400
    assert words in raised.value.reason


def test_google_client_with_a_wrong_key_gets_400(served):
    import httplib2
    from googleapiclient import discovery
    from googleapiclient.errors import HttpError

    running, _ = served
    wrong = discovery.build(
        "commentanalyzer",
        "v1alpha1",
        discoveryServiceUrl=f"{running.url}/$discovery/rest?version={{apiVersion}}",
        developerKey="wrong",
        http=httplib2.Http(timeout=10),
        static_discovery=False,
        cache_discovery=False,
    )
    with pytest.raises(HttpError) as raised:
        wrong.comments().analyze(
            body={"comment": {"text": "x"}, "requestedAttributes": {"TOXICITY": {}}}
        ).execute()
    assert raised.value.status_code == 400 and "API key not valid" in raised.value.reason


# Coral Talk 9.11, server/src/core/server/services/perspective/perspective.ts: formatBody() and
# sendToPerspective(). JSON.stringify drops undefined fields (a comment without a parent).


def coral_analyze_body(text: str, model: str = "TOXICITY", language: str = "en") -> bytes:
    body = {
        "comment": {"text": text},
        "doNotStore": True,
        "requestedAttributes": {model: {}},
        "languages": [language],
    }
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def coral_suggest_body(text: str, comment_id: str, status: str, model: str = "TOXICITY") -> bytes:
    entry = {"url": f"https://news.example/story-1?commentID={comment_id}", "Coral_comment_id": comment_id}
    body = {
        "comment": {"text": text},
        "context": {"entries": [{"text": json.dumps(entry, separators=(",", ":"))}]},
        "attributeScores": {model: {"summaryScore": {"value": 0 if status == "APPROVED" else 1}}},
        "languages": ["en"],
        "communityId": "Coral:https://comments.news.example",
        "clientToken": f"comment:{comment_id}",
    }
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def coral_post(running: RunningServer, operation: str, body: bytes) -> httpx.Response:
    return httpx.post(
        f"{running.url}/v1alpha1/{operation}",
        params={"key": API_KEY},
        content=body,
        headers={"Content-Type": "application/json"},
        timeout=0.5,  # Coral's default perspective timeout
    )


@pytest.mark.parametrize("model", ["TOXICITY", "SEVERE_TOXICITY"])
def test_coral_analyze_exchange_field_by_field(served, model):
    running, _ = served
    toxic = coral_post(running, "comments:analyze", coral_analyze_body("the jews control the banks", model))
    clean = coral_post(
        running, "comments:analyze", coral_analyze_body("lovely weather for the parade", model)
    )
    for response in (toxic, clean):
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/json"
        answer = response.json()
        assert set(answer) == {"attributeScores", "languages", "detectedLanguages"}
        assert list(answer["attributeScores"]) == [model]
        assert set(answer["attributeScores"][model]) == {"summaryScore"}
        assert answer["attributeScores"][model]["summaryScore"]["type"] == "PROBABILITY"
        assert answer["languages"] == ["en"] and answer["detectedLanguages"] == ["en"]
    # Coral holds a comment when the score passes its threshold (default 0.8).
    assert toxic.json()["attributeScores"][model]["summaryScore"]["value"] > 0.8
    assert clean.json()["attributeScores"][model]["summaryScore"]["value"] < 0.8


def test_coral_suggestscore_exchange_field_by_field(served):
    import sqlite3

    running, database = served
    rejected = coral_post(
        running, "comments:suggestscore", coral_suggest_body(ANTISEMITIC, "c-71", "DELETED")
    )
    approved = coral_post(running, "comments:suggestscore", coral_suggest_body(CLEAN, "c-72", "APPROVED"))
    assert rejected.status_code == approved.status_code == 200
    assert rejected.json() == {"requestedLanguages": ["en"], "clientToken": "comment:c-71"}
    assert approved.json() == {"requestedLanguages": ["en"], "clientToken": "comment:c-72"}
    rows = dict(
        sqlite3.connect(database)
        .execute("SELECT client_token, attribute_scores FROM feedback WHERE community_id LIKE 'Coral:%'")
        .fetchall()
    )
    assert json.loads(rows["comment:c-71"]) == {"TOXICITY": {"summaryScore": {"value": 1.0}}}
    assert json.loads(rows["comment:c-72"]) == {"TOXICITY": {"summaryScore": {"value": 0.0}}}
    assert not any(ANTISEMITIC in line for line in running.stdout_lines + running.stderr_lines)


def test_coral_tenant_in_spanish_is_refused_by_default_and_counted(served):
    running, _ = served
    response = coral_post(running, "comments:analyze", coral_analyze_body("hola a todos", language="es"))
    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["errorType"] == "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE"
    assert 'moderate_language_outcomes_total{outcome="refused"}' in httpx.get(f"{running.url}/metrics").text


def test_coral_tenant_in_spanish_scored_as_english_when_the_operator_says_so(model_path):
    with moderate_serve("--model", str(model_path), "--languages", "score-as-english") as running:
        answer = httpx.post(
            f"{running.url}/v1alpha1/comments:analyze",
            content=coral_analyze_body("hola a todos", language="es"),
        ).json()
        metrics = httpx.get(f"{running.url}/metrics").text
    assert answer["languages"] == ["es"] and answer["detectedLanguages"] == ["en"]
    assert 'moderate_language_outcomes_total{outcome="scored-as-english"} 1.0' in metrics
