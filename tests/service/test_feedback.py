"""comments:suggestscore: validated as Perspective does, appended to SQLite, exported as training data."""

from __future__ import annotations

import json
import logging
import multiprocessing
import sqlite3

import pytest
from fastapi.testclient import TestClient
from service_helpers import API_KEY, CLEAN
from typer.testing import CliRunner

from moderation.cli import app as cli_app
from moderation.corpora import load_labelled_file
from moderation.service import ServiceSettings, create_app
from moderation.service.feedback import FeedbackStore, export_jsonl, labelled_rows
from moderation.service.perspective import Suggestion

SUGGEST = "/v1alpha1/comments:suggestscore"
REJECTED = "Go back to your own country, nobody wants your kind here."


def coral_suggestion(text: str, comment_id: str, status: str, model: str = "TOXICITY") -> dict:
    """The body Coral Talk's perspective.ts sends when a moderator approves or rejects a comment."""
    return {
        "comment": {"text": text},
        "context": {
            "entries": [
                {
                    "text": json.dumps(
                        {
                            "url": f"https://news.example/story-1?commentID={comment_id}",
                            "Coral_comment_id": comment_id,
                        },
                        separators=(",", ":"),
                    )
                }
            ]
        },
        "attributeScores": {model: {"summaryScore": {"value": 0 if status == "APPROVED" else 1}}},
        "languages": ["en"],
        "communityId": "Coral:https://comments.news.example",
        "clientToken": f"comment:{comment_id}",
    }


@pytest.fixture()
def feedback_client(moderator, tmp_path):
    settings = ServiceSettings(api_keys=(API_KEY,), feedback_db=str(tmp_path / "feedback.db"))
    with TestClient(create_app(moderator, settings), raise_server_exceptions=False) as client:
        yield client, tmp_path / "feedback.db"


def suggest(client, body):
    return client.post(SUGGEST, params={"key": API_KEY}, json=body)


def test_coral_verdicts_are_answered_as_perspective_does_and_stored(feedback_client):
    client, database = feedback_client
    approved = suggest(client, coral_suggestion(CLEAN, "c-1", "APPROVED"))
    rejected = suggest(client, coral_suggestion(REJECTED, "c-2", "DELETED"))
    assert approved.status_code == rejected.status_code == 200
    assert approved.json() == {"requestedLanguages": ["en"], "clientToken": "comment:c-1"}
    rows = (
        sqlite3.connect(database)
        .execute("SELECT text, community_id, client_token, attribute_scores FROM feedback ORDER BY id")
        .fetchall()
    )
    assert [(text, token) for text, _, token, _ in rows] == [
        (CLEAN, "comment:c-1"),
        (REJECTED, "comment:c-2"),
    ]
    assert rows[0][1] == "Coral:https://comments.news.example"
    assert json.loads(rows[1][3]) == {"TOXICITY": {"summaryScore": {"value": 1.0}}}
    assert "moderate_feedback_stored_total 2.0" in client.get("/metrics").text


def test_stored_text_is_not_logged_unless_asked(feedback_client, caplog):
    client, _ = feedback_client
    with caplog.at_level(logging.INFO, logger="moderation.service.access"):
        assert suggest(client, coral_suggestion(REJECTED, "c-9", "DELETED")).status_code == 200
    assert caplog.records and not any("own country" in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda b: b.update(attributeScores={}), "must not be empty"),
        (lambda b: b.update(attributeScores={"TOXICITY": {}}), "summaryScore or spanScores"),
        (lambda b: b.update(attributeScores={"NOPE": {"summaryScore": {"value": 1}}}), "Unknown attribute"),
        (
            lambda b: b.update(attributeScores={"TOXICITY": {"summaryScore": {"value": 2}}}),
            "less than or equal",
        ),
        (lambda b: b.update(attributeScores={"TOXICITY": {"summaryScore": {}}}), "value"),
        (
            lambda b: b.update(attributeScores={"TOXICITY": {"summaryScore": {"value": 1, "type": "RAW"}}}),
            "score type",
        ),
        (
            lambda b: b.update(
                attributeScores={"INSULT": {"spanScores": [{"begin": 3, "end": 999, "score": {"value": 1}}]}}
            ),
            "span 3-999",
        ),
        (lambda b: b.update(comment={"text": " "}), "non-empty"),
        (lambda b: b.pop("comment"), "comment: field required"),
    ],
)
def test_malformed_suggestions_are_refused_and_not_stored(feedback_client, change, words):
    client, database = feedback_client
    body = coral_suggestion(CLEAN, "c-3", "APPROVED")
    change(body)
    response = suggest(client, body)
    assert response.status_code == 400
    assert words.lower() in response.json()["error"]["message"].lower()
    assert sqlite3.connect(database).execute("SELECT COUNT(*) FROM feedback").fetchone() == (0,)


def test_suggestscore_needs_the_api_key(feedback_client):
    client, _ = feedback_client
    response = client.post(SUGGEST, json=coral_suggestion(CLEAN, "c-4", "APPROVED"))
    assert response.status_code == 403


def test_without_a_database_suggestions_are_validated_and_answered(client):
    assert suggest(client, coral_suggestion(CLEAN, "c-5", "APPROVED")).json()["clientToken"] == "comment:c-5"
    assert suggest(client, {"comment": {"text": "x"}, "attributeScores": {}}).status_code == 400


def test_export_is_labelled_jsonl_that_moderate_train_reads(feedback_client, tmp_path):
    client, database = feedback_client
    suggest(client, coral_suggestion(CLEAN, "c-1", "APPROVED"))
    suggest(client, coral_suggestion(REJECTED, "c-2", "DELETED", model="IDENTITY_ATTACK"))
    both = coral_suggestion("A text two verdicts disagree on.", "c-3", "APPROVED")
    both["attributeScores"]["IDENTITY_ATTACK"] = {"summaryScore": {"value": 1}}
    suggest(client, both)
    out = tmp_path / "feedback.jsonl"
    assert export_jsonl(database, out) == 3
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert records[0] == {
        "text": CLEAN,
        "toxicity": 0,
        "hateful": 0,
        "antisemitic": 0,
        "community_id": "Coral:https://comments.news.example",
        "client_token": "comment:c-1",
    }
    assert records[1]["hateful"] == 1
    assert "hateful" not in records[2] and records[2]["toxicity"] == 0  # disagreement: hateful left unknown
    loaded = load_labelled_file(out)
    assert loaded["text"].tolist() == [CLEAN, REJECTED, "A text two verdicts disagree on."]
    assert loaded["hateful"].tolist() == [0, 1, -1]


def test_export_from_the_command_line(feedback_client, tmp_path):
    client, database = feedback_client
    suggest(client, coral_suggestion(REJECTED, "c-2", "DELETED"))
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(cli_app, ["export-feedback", str(database), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["toxicity"] == 1
    missing = CliRunner().invoke(cli_app, ["export-feedback", str(tmp_path / "none.db"), "--out", str(out)])
    assert missing.exit_code == 2 and "no such feedback database" in missing.output


def _append_many(path: str, worker: int) -> None:
    store = FeedbackStore(path)
    for number in range(40):
        store.append(
            Suggestion(
                f"worker {worker} comment {number}",
                {"TOXICITY": {"summaryScore": {"value": 1}}},
                ["en"],
                f"comment:{worker}-{number}",
                None,
                None,
                [],
            )  # fmt: skip
        )
    store.close()


def test_concurrent_worker_processes_append_without_losing_or_corrupting_rows(tmp_path):
    database = str(tmp_path / "shared.db")
    FeedbackStore(database).close()
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_append_many, args=(database, n)) for n in range(4)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(60)
        assert process.exitcode == 0
    connection = sqlite3.connect(database)
    assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert connection.execute("SELECT COUNT(DISTINCT client_token) FROM feedback").fetchone() == (160,)
    assert len(labelled_rows(database)) == 160


def test_export_into_a_missing_folder_is_one_line_and_exit_2(feedback_client, tmp_path):
    client, database = feedback_client
    suggest(client, coral_suggestion(REJECTED, "c-2", "DELETED"))
    result = CliRunner().invoke(
        cli_app, ["export-feedback", str(database), "--out", str(tmp_path / "missing" / "out.jsonl")]
    )
    assert result.exit_code == 2 and "cannot write" in result.output


@pytest.mark.parametrize(
    ("options", "words"),
    [
        (["--languages", "klingon"], "--languages klingon: choose one of refuse, score-as-english"),
        (["--cors-origin", "evil"], "CORS origin 'evil'"),
        (["--feedback-db", "/nonexistent/folder/f.db"], "cannot open the feedback database"),
    ],
)
def test_bad_serve_options_are_one_line_and_exit_2(options, words):
    result = CliRunner().invoke(cli_app, ["serve", "--port", "0", *options])
    assert result.exit_code == 2 and words in result.output
