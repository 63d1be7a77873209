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
    ("body", "words"),
    [
        (json.dumps({"action": "NEW", "comment": {"body": 7}}).encode(), "comment.body"),
        (json.dumps({"action": "DELETE", "comment": {"body": "hi"}}).encode(), "action"),
        (json.dumps({"action": "NEW"}).encode(), "comment"),
        (
            json.dumps({"action": "NEW", "comment": {"body": "hi", "parentID": 3}}).encode(),
            "comment.parentID",
        ),
        (b'{"action": "NEW", "comment": ', "Invalid JSON"),
        # JavaScript strings may hold a lone surrogate; JSON.stringify escapes it, strict parsers refuse it.
        (b'{"action": "NEW", "comment": {"body": "a\\ud800b"}}', "Invalid JSON"),
    ],
)
def test_a_signed_request_that_cannot_be_read_is_withheld_saying_why(client, body, words):
    # Coral publishes a comment on any non-2xx answer: refusing an unreadable request would let it through.
    response = post_signed(client, body, CORAL_SECRET)
    assert_withheld(response)
    assert words in response.json()["actions"][0]["additionalDetails"]


def test_empty_comment_is_let_through(client):
    assert post_signed(client, coral_body("   "), CORAL_SECRET).status_code == 204


# Coral publishes a comment whenever this phase answers anything but 2xx: nothing may fail open.

PADDING = "The weather was mild and the council met on Tuesday to discuss the new library opening hours. "


def assert_withheld(response) -> None:
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["status"] == "SYSTEM_WITHHELD"
    assert {action["reason"] for action in answer["actions"]} <= CORAL_REASONS


def test_a_hateful_comment_padded_past_20_kb_is_still_withheld(client):
    text = PADDING * 120 + ANTISEMITIC + " " + PADDING * 120  # ~23 KB of harmless text around one sentence
    assert len(text.encode()) > 20 * 1024
    assert_withheld(post_signed(client, coral_body(text), CORAL_SECRET))


def test_a_long_clean_comment_is_let_through(client):
    assert post_signed(client, coral_body(PADDING * 240), CORAL_SECRET).status_code == 204


def test_a_body_over_the_limit_is_withheld_not_refused(moderator):
    settings = ServiceSettings(coral_secrets=(CORAL_SECRET,), max_body_bytes=2000)
    with TestClient(create_app(moderator, settings)) as client:
        body = coral_body(PADDING * 40)
        assert_withheld(post_signed(client, body, CORAL_SECRET))


class _SlowModerator:
    def __init__(self, moderator, *, fail: bool = False) -> None:
        self._moderator, self._fail = moderator, fail
        self.labels, self.thresholds, self.manifest = (
            moderator.labels,
            moderator.thresholds,
            moderator.manifest,
        )

    def score_many(self, texts, **kwargs):
        if self._fail:
            raise RuntimeError("bug")
        import time

        time.sleep(1.0)
        return self._moderator.score_many(texts, **kwargs)


@pytest.mark.parametrize("fail", [False, True])
def test_a_comment_that_cannot_be_scored_is_withheld(moderator, fail):
    settings = ServiceSettings(coral_secrets=(CORAL_SECRET,), request_timeout_s=0.2)
    app = create_app(_SlowModerator(moderator, fail=fail), settings)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = post_signed(client, coral_body(CLEAN), CORAL_SECRET)
    assert_withheld(response)
    assert "not scored" in response.json()["actions"][0]["additionalDetails"]


def test_windows_cover_every_character_of_a_long_comment():
    from moderation.service.coral import WINDOW_CHARS, WINDOW_OVERLAP, chunks

    text = "".join(chr(ord("a") + n % 26) for n in range(5 * WINDOW_CHARS + 17))
    windows = chunks(text)
    assert all(len(window) <= WINDOW_CHARS for window in windows)
    assert windows[0] == text[:WINDOW_CHARS] and text.endswith(windows[-1])
    step = WINDOW_CHARS - WINDOW_OVERLAP
    assert "".join(window[:step] for window in windows[:-1]) + windows[-1] == text
