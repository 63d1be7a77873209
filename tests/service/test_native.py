"""/v1/score: moderate's own batch endpoint."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from service_helpers import ANTISEMITIC, API_KEY, CLEAN

from moderation.service import ServiceSettings, create_app


def score(client, body, key=API_KEY):
    return client.post("/v1/score", params={"key": key}, json=body)


def test_batch_scores_come_back_in_order_with_flags_and_reasons(client, moderator):
    results = score(client, {"texts": [CLEAN, ANTISEMITIC]}).json()["results"]
    assert [r["flagged"] for r in results] == [False, True]
    assert "antisemitic" in results[1]["flags"]
    assert set(results[1]["scores"]) == set(moderator.labels)
    assert results[1]["scores"]["antisemitic"]["reasons"], "flagged labels come with their n-grams"
    assert results[0]["scores"]["hateful"]["reasons"] == []


def test_explain_none_leaves_out_reasons(client):
    results = score(client, {"texts": [ANTISEMITIC], "explain": "none"}).json()["results"]
    assert all(not label["reasons"] for label in results[0]["scores"].values())


def test_batch_over_the_cap_is_refused(moderator):
    with TestClient(create_app(moderator, ServiceSettings(max_batch=2))) as client:
        assert score(client, {"texts": ["a", "b"]}).status_code == 200
        response = score(client, {"texts": ["a", "b", "c"]})
    assert response.status_code == 400
    assert "limit is 2" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"texts": []}, "at least one"),
        ({"texts": "one text"}, "texts"),
        ({"texts": ["ok", None]}, "texts.1"),
        ({"texts": ["ok"], "explain": "why"}, "explain"),
        ({"text": ["ok"]}, "texts"),
        ({"texts": ["x" * 21000]}, "texts.0"),
    ],
)
def test_bad_requests_are_refused_with_where_and_what(client, body, words):
    response = score(client, body)
    assert response.status_code == 400
    assert words in response.json()["error"]["message"]


def test_key_is_required_when_configured(client):
    assert score(client, {"texts": [CLEAN]}, key="wrong").status_code == 400
    assert client.post("/v1/score", json={"texts": [CLEAN]}).status_code == 403
