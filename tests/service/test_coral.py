"""The Coral Talk external moderation phase: signed requests in, Coral's own response schema out."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from service_helpers import ANTISEMITIC, CLEAN, CORAL_SECRET, OLD_CORAL_SECRET, coral_body, coral_signature

from moderation.service import ServiceSettings, create_app

MODERATE = "/coral/v1/moderate"

#: What coralproject/talk's ExternalModerationResponseSchema accepts (external.ts).
CORAL_STATUSES = {"APPROVED", "NONE", "PREMOD", "REJECTED", "SYSTEM_WITHHELD"}
CORAL_REASONS = {"COMMENT_DETECTED_TOXIC", "COMMENT_DETECTED_SPAM"}


def post_signed(client, body: bytes, *secrets: str):
    headers = {"Content-Type": "application/json", "X-Coral-Signature": coral_signature(body, *secrets)}
    return client.post(MODERATE, content=body, headers=headers)


def test_flagged_comment_is_withheld_with_a_flag_coral_accepts(client):
    response = post_signed(client, coral_body(ANTISEMITIC), CORAL_SECRET)
    assert response.status_code == 200
    answer = response.json()
    assert answer["status"] == "SYSTEM_WITHHELD" and answer["status"] in CORAL_STATUSES
    [action] = answer["actions"]
    assert action["actionType"] == "FLAG"
    assert action["reason"] in CORAL_REASONS
    assert "antisemitic" in action["additionalDetails"]
    metadata = answer["metadata"]["moderate"]
    assert "antisemitic" in metadata["flags"]
    assert metadata["scores"]["antisemitic"]["probability"] > 0.5


def test_clean_comment_gets_204_and_no_body(client):
    response = post_signed(client, coral_body(CLEAN, action="EDIT"), CORAL_SECRET)
    assert response.status_code == 204
    assert response.content == b""


def test_html_body_is_scored_as_its_text(client):
    body = coral_body(f"<p>{ANTISEMITIC.replace('banks', '<b>banks</b>')}</p>")
    assert post_signed(client, body, CORAL_SECRET).json()["status"] == "SYSTEM_WITHHELD"


def test_any_signature_of_a_rotation_may_match(client):
    # Coral signs with every active secret while rotating; only the new one is configured here.
    assert post_signed(client, coral_body(CLEAN), OLD_CORAL_SECRET, CORAL_SECRET).status_code == 204


def test_any_configured_secret_may_match(moderator):
    settings = ServiceSettings(coral_secrets=(OLD_CORAL_SECRET, CORAL_SECRET))
    with TestClient(create_app(moderator, settings)) as client:
        assert post_signed(client, coral_body(CLEAN), OLD_CORAL_SECRET).status_code == 204
        assert post_signed(client, coral_body(CLEAN), CORAL_SECRET).status_code == 204


def test_wrong_secret_is_refused(client):
    response = post_signed(client, coral_body(ANTISEMITIC), "not-the-secret")
    assert response.status_code == 403
    assert response.json()["error"]["status"] == "PERMISSION_DENIED"


def test_signature_of_another_body_is_refused(client):
    signature = coral_signature(coral_body(CLEAN), CORAL_SECRET)
    response = client.post(
        MODERATE, content=coral_body(ANTISEMITIC), headers={"X-Coral-Signature": signature}
    )
    assert response.status_code == 403


def test_reserialised_body_no_longer_matches(client):
    # The HMAC covers the raw bytes: the same JSON pretty-printed differently is another body.
    body = coral_body(CLEAN)
    compact = json.dumps(json.loads(body)).encode()
    signature = coral_signature(body, CORAL_SECRET)
    assert client.post(MODERATE, content=compact, headers={"X-Coral-Signature": signature}).status_code == 403


@pytest.mark.parametrize("header", [None, "", "sha256=", "sha1=abc", "garbage,,,"])
def test_unsigned_or_malformed_signature_is_refused(client, header):
    headers = {} if header is None else {"X-Coral-Signature": header}
    response = client.post(MODERATE, content=coral_body(CLEAN), headers=headers)
    assert response.status_code in (401, 403)
    assert "X-Coral-Signature" in response.json()["error"]["message"]


def test_without_secrets_unsigned_requests_are_accepted(moderator):
    with TestClient(create_app(moderator, ServiceSettings())) as client:
        assert client.post(MODERATE, content=coral_body(CLEAN)).status_code == 204


@pytest.mark.parametrize(
    ("request_json", "words"),
    [
        ({"action": "NEW", "comment": {"body": 7}}, "comment.body"),
        ({"action": "DELETE", "comment": {"body": "hi"}}, "action"),
        ({"action": "NEW"}, "comment"),
        ({"action": "NEW", "comment": {"body": "hi", "parentID": 3}}, "comment.parentID"),
    ],
)
def test_bad_requests_are_refused_with_where_and_what(client, request_json, words):
    body = json.dumps(request_json).encode()
    response = post_signed(client, body, CORAL_SECRET)
    assert response.status_code == 400
    assert words in response.json()["error"]["message"]


def test_malformed_json_with_a_valid_signature_is_refused(client):
    response = post_signed(client, b'{"action": "NEW", "comment": ', CORAL_SECRET)
    assert response.status_code == 400
    assert "Invalid JSON" in response.json()["error"]["message"]


def test_empty_comment_is_let_through(client):
    assert post_signed(client, coral_body("   "), CORAL_SECRET).status_code == 204
