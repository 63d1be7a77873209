"""What every endpoint shares: limits, errors, health, metrics and the request log."""

from __future__ import annotations

import json
import logging
import threading

import pytest
from fastapi.testclient import TestClient
from service_helpers import ANTISEMITIC, API_KEY, CLEAN, perspective_body

from moderation.service import ServiceSettings, create_app
from moderation.service.access_log import ACCESS_LOGGER

ANALYZE = "/v1alpha1/comments:analyze"


def test_health_and_readiness(client, moderator):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready["status"] == "ready"
    assert ready["labels"] == list(moderator.labels)
    assert ready["thresholds"] == dict(moderator.thresholds)
    assert ready["flagged_only_with"] == {"antisemitic": "hateful"}


def test_body_over_the_cap_is_refused_by_content_length(moderator):
    with TestClient(create_app(moderator, ServiceSettings(max_body_bytes=1000))) as client:
        response = client.post(ANALYZE, json=perspective_body("x" * 2000))
    assert response.status_code == 413
    assert "limit is 1000" in response.json()["error"]["message"]


def test_streamed_body_over_the_cap_is_cut_off(moderator):
    # No Content-Length (chunked), so only counting the bytes as they arrive can catch it.
    sent = []

    def chunks():
        for _ in range(100):
            sent.append(1)
            yield b"x" * 100

    with TestClient(create_app(moderator, ServiceSettings(max_body_bytes=1000))) as client:
        response = client.post(ANALYZE, content=chunks())
    assert response.status_code == 413
    assert "over the limit of 1000" in response.json()["error"]["message"]


def test_lying_content_length_is_refused(client):
    response = client.post(
        ANALYZE, params={"key": API_KEY}, content=b"{}", headers={"Content-Length": "many"}
    )
    assert response.status_code == 400


def test_unknown_path_and_wrong_method_get_googles_error_shape(client):
    missing = client.get("/v1alpha1/comments:nothing")
    assert missing.status_code == 404
    assert missing.json()["error"]["status"] == "NOT_FOUND"
    wrong_method = client.get(ANALYZE)
    assert wrong_method.status_code == 405
    assert wrong_method.json()["error"]["code"] == 405


class SlowModerator:
    """The real model, made to take ``delay`` seconds per call."""

    def __init__(self, moderator, delay: float) -> None:
        self._moderator = moderator
        self._delay = delay
        self.labels = moderator.labels
        self.thresholds = moderator.thresholds
        self.manifest = moderator.manifest

    def score(self, text, **kwargs):
        threading.Event().wait(self._delay)
        return self._moderator.score(text, **kwargs)


def test_scoring_past_the_deadline_answers_504(moderator):
    slow = SlowModerator(moderator, delay=1.0)
    with TestClient(create_app(slow, ServiceSettings(request_timeout_s=0.2))) as client:
        response = client.post(ANALYZE, json=perspective_body(CLEAN))
        assert response.status_code == 504
        assert response.json()["error"]["status"] == "DEADLINE_EXCEEDED"
        assert client.get("/healthz").status_code == 200


class BrokenModerator(SlowModerator):
    def score(self, text, **kwargs):
        raise RuntimeError("bug")


def test_a_bug_is_a_500_in_the_same_shape_and_the_app_keeps_serving(moderator):
    with TestClient(
        create_app(BrokenModerator(moderator, 0), ServiceSettings()), raise_server_exceptions=False
    ) as c:
        response = c.post(ANALYZE, json=perspective_body(CLEAN))
        assert response.status_code == 500
        assert response.json()["error"]["status"] == "INTERNAL"
        assert c.get("/healthz").status_code == 200


def test_metrics_count_requests_latency_and_flags(client):
    client.post(ANALYZE, params={"key": API_KEY}, json=perspective_body(ANTISEMITIC))
    client.post(ANALYZE, params={"key": API_KEY}, json=perspective_body(CLEAN))
    client.post(ANALYZE, json=perspective_body(CLEAN))  # refused: no key
    client.get("/wp-login.php")
    text = client.get("/metrics").text
    analyze = 'path="/v1alpha1/comments:analyze"'
    assert f'moderate_requests_total{{method="POST",{analyze},status="200"}} 2.0' in text
    assert f'moderate_requests_total{{method="POST",{analyze},status="403"}} 1.0' in text
    assert 'path="other",status="404"' in text and "wp-login" not in text
    assert f"moderate_request_latency_seconds_count{{{analyze}}} 3.0" in text
    assert 'moderate_flags_total{label="antisemitic"} 1.0' in text
    assert 'moderate_comments_scored_total{endpoint="perspective"} 2.0' in text


def access_lines(caplog) -> list[dict]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == ACCESS_LOGGER]


def test_one_json_log_line_per_request_without_the_text(client, caplog):
    caplog.set_level(logging.INFO, logger=ACCESS_LOGGER)
    client.post(ANALYZE, params={"key": API_KEY}, json=perspective_body(ANTISEMITIC))
    client.post(ANALYZE, params={"key": "wrong"}, json=perspective_body(ANTISEMITIC))
    first, second = access_lines(caplog)
    assert first["method"] == "POST" and first["path"] == ANALYZE and first["status"] == 200
    assert first["latency_ms"] > 0
    assert "antisemitic" in first["flags"]
    assert second["status"] == 400 and "API key" in second["error"]
    assert "Jews" not in caplog.text and API_KEY not in caplog.text


def test_log_text_puts_the_comment_in_the_log(moderator, caplog):
    caplog.set_level(logging.INFO, logger=ACCESS_LOGGER)
    with TestClient(create_app(moderator, ServiceSettings(log_text=True))) as client:
        client.post(ANALYZE, json=perspective_body(CLEAN))
    assert access_lines(caplog)[0]["texts"] == [CLEAN]


@pytest.mark.parametrize("value", [0, -1])
def test_settings_refuse_nonsense_limits(value):
    with pytest.raises(ValueError):
        ServiceSettings(max_body_bytes=value)


def test_settings_travel_to_workers_through_the_environment():
    settings = ServiceSettings(api_keys=("a", "b"), coral_secrets=("s",), max_batch=7, log_text=True)
    assert ServiceSettings.from_env({"MODERATE_SERVE_SETTINGS": settings.to_env()}) == settings
    assert ServiceSettings.from_env({}) == ServiceSettings()


def gzipped(data: bytes) -> bytes:
    import gzip

    return gzip.compress(data)


def test_gzip_bodies_are_inflated(client):
    body = json.dumps(perspective_body(ANTISEMITIC)).encode()
    response = client.post(
        ANALYZE, params={"key": API_KEY}, content=gzipped(body), headers={"Content-Encoding": "gzip"}
    )
    assert response.status_code == 200
    assert response.json()["attributeScores"]["TOXICITY"]["summaryScore"]["value"] > 0.5


def test_a_gzip_bomb_is_refused_with_413_without_inflating_it(moderator):
    bomb = gzipped(b" " * (50 * 2**20))  # 50 MB of spaces in ~50 KB
    assert len(bomb) < 64 * 1024
    with TestClient(create_app(moderator, ServiceSettings())) as client:
        response = client.post(ANALYZE, content=bomb, headers={"Content-Encoding": "gzip"})
    assert response.status_code == 413
    assert "inflates past the limit" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("content", "encoding", "code"),
    [(b"not gzip at all", "gzip", 400), (b"{}", "br", 415), (gzipped(b"{}")[:-4], "gzip", 400)],
)
def test_bad_or_unknown_encodings_are_refused(client, content, encoding, code):
    response = client.post(
        ANALYZE, params={"key": API_KEY}, content=content, headers={"Content-Encoding": encoding}
    )
    assert response.status_code == code


def test_no_cors_headers_unless_an_origin_is_configured(client, moderator):
    origin = {"Origin": "https://news.example"}
    assert "access-control-allow-origin" not in client.post(ANALYZE, json={}, headers=origin).headers
    settings = ServiceSettings(cors_origins=("https://news.example",))
    with TestClient(create_app(moderator, settings)) as cors:
        preflight = cors.options(
            ANALYZE,
            headers={
                **origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == "https://news.example"
        answer = cors.post(ANALYZE, json=perspective_body(CLEAN), headers=origin)
        assert answer.headers["access-control-allow-origin"] == "https://news.example"
        other = cors.post(ANALYZE, json=perspective_body(CLEAN), headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers


def test_made_up_methods_and_paths_collapse_to_other_in_metrics(client):
    for number in range(50):
        client.request(f"FAKE{number}", f"/made/up/{number}")
    page = client.get("/metrics").text
    assert "FAKE" not in page and "/made/up" not in page
    assert 'moderate_requests_total{method="other",path="other",status="404"} 50.0' in page or (
        'method="other",path="other"' in page
    )
    series = [line for line in page.splitlines() if line.startswith("moderate_requests_total{")]
    assert len(series) < 10


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000 + b"]" * 100_000,  # deep nesting, within no sane limit of ours
        b'{"comment": {"text": "\xed\xa0\x80"}, "requestedAttributes": {"TOXICITY": {}}}',  # a lone surrogate
        b'{"comment": {"text": "\\ud800"}, "requestedAttributes": {"TOXICITY": {}}}',  # escaped lone surrogate
        b"\x00" * 1000,
        b'{"comment": {"text": "hi"}, "requestedAttributes": {"TOXICITY": {"scoreThreshold": 1e999}}}',
    ],
)
def test_hostile_bodies_are_400_not_500(moderator, body):
    with TestClient(
        create_app(moderator, ServiceSettings(max_body_bytes=300_000)), raise_server_exceptions=False
    ) as c:
        response = c.post(ANALYZE, content=body, headers={"Content-Type": "text/plain"})
        assert response.status_code in (200, 400), response.text
        assert c.get("/healthz").status_code == 200


def test_the_concurrency_limit_counts_requests_in_flight(moderator):
    slow = SlowModerator(moderator, delay=1.0)
    app = create_app(slow, ServiceSettings(max_concurrent_requests=1))
    with TestClient(app) as client:
        results = []
        held = threading.Thread(
            target=lambda: results.append(client.post(ANALYZE, json=perspective_body(CLEAN)))
        )
        held.start()
        import time

        time.sleep(0.3)
        refused = client.post(ANALYZE, json=perspective_body(CLEAN))
        health = client.get("/healthz")
        held.join()
    assert refused.status_code == 503 and results[0].status_code == 200
    assert health.status_code == 200  # probes are answered even at the limit
