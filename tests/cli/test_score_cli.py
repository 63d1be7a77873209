"""`moderate score`: pages or comment lists in, a table / JSON / JSONL / CSV of scores out."""

from __future__ import annotations

import csv
import io
import json

import pytest

from moderation.cli import app
from moderation.cli.score import parse_thresholds, read_comments
from moderation.errors import InputError
from moderation.parsing import parse_file
from moderation.types import LABELS

# ---- pieces that need no model -------------------------------------------------------------------------


def test_thresholds_are_parsed_and_validated():
    assert parse_thresholds(["hateful=0.7", "offensive = 0"], LABELS) == {"hateful": 0.7, "offensive": 0.0}
    for bad, message in [
        ("hateful", "expected LABEL=VALUE"),
        ("hatefull=0.5", "unknown label 'hatefull'"),
        ("hateful=high", "'high' is not a number"),
        ("hateful=1.5", "between 0 and 1"),
        ("hateful=-0.1", "between 0 and 1"),
    ]:
        with pytest.raises(InputError, match=message):
            parse_thresholds([bad], LABELS)


def test_a_comment_list_is_one_comment_per_line(tmp_path):
    path = tmp_path / "comments.txt"
    path.write_text("first comment\n\n  second one  \n")
    article = read_comments(str(path))
    assert [(c.index, c.text, c.author) for c in article.comments] == [
        (0, "first comment", None),
        (1, "second one", None),
    ]
    assert article.source == str(path)


def test_a_comment_list_in_jsonl_keeps_text_and_author(tmp_path):
    path = tmp_path / "comments.jsonl"
    path.write_text('{"text": "hello", "author": "ana"}\n\n{"text": "line\\nbreak", "author": 7, "id": 3}\n')
    article = read_comments(str(path))
    assert [(c.text, c.author) for c in article.comments] == [("hello", "ana"), ("line\nbreak", None)]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"text": "ok"}\n{"text": broken}\n', r"comments.jsonl:2: not valid JSON"),
        (
            '{"text": "ok"}\n["a list"]\n',
            r'comments.jsonl:2: expected a JSON object with a string "text" field',
        ),
        ('{"body": "no text field"}\n', r"comments.jsonl:1: expected a JSON object"),
    ],
)
def test_a_malformed_jsonl_line_is_named(tmp_path, content, message):
    path = tmp_path / "comments.jsonl"
    path.write_text(content)
    with pytest.raises(InputError, match=message):
        read_comments(str(path))


# ---- the command, on the real default model -------------------------------------------------------------


def test_comments_from_stdin_as_jsonl(runner, moderator):
    texts = ["Thanks for the thoughtful reporting.", "what a lovely photo of the harbour"]
    stdin = "".join(json.dumps({"text": t, "author": f"reader{i}"}) + "\n" for i, t in enumerate(texts))
    result = runner.invoke(app, ["score", "--comments", "-", "--format", "jsonl"], input=stdin)
    assert result.exit_code == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["text"], r["author"], r["index"]) for r in records] == [
        (texts[0], "reader0", 0),
        (texts[1], "reader1", 1),
    ]
    for record, text in zip(records, texts, strict=True):
        expected = moderator.score(text)
        assert set(record["scores"]) == set(moderator.labels)
        for label in moderator.labels:
            assert record["scores"][label]["probability"] == pytest.approx(
                expected[label].probability, abs=1e-5
            )
        assert record["flags"] == list(expected.flags)


def test_thresholds_and_fail_on_for_pipelines(runner, moderator, tmp_path):
    comments = tmp_path / "comments.txt"
    comments.write_text("The weather was nice today.\nI disagree with the council's plan.\n")
    # A threshold of 0 flags everything, so --fail-on must fire; a threshold of 1 flags (almost) nothing.
    flag_all = runner.invoke(
        app,
        ["score", "--comments", str(comments), "--threshold", "antisemitic=0", "--fail-on", "antisemitic"],
    )
    assert flag_all.exit_code == 1, flag_all.stderr
    flag_none = runner.invoke(
        app,
        ["score", "--comments", str(comments), "--threshold", "antisemitic=1", "--fail-on", "antisemitic"],
    )
    assert flag_none.exit_code == 0, flag_none.stderr
    as_csv = runner.invoke(
        app, ["score", "--comments", str(comments), "-f", "csv", "--threshold", "offensive=0"]
    )
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert [row["offensive_flagged"] for row in rows] == ["1", "1"]
    assert {row["offensive_probability"] != "" for row in rows} == {True}


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--threshold", "hateful=2"], "--threshold hateful=2: the value must be between 0 and 1"),
        (["--threshold", "rude=0.5"], "unknown label 'rude'"),
        (["--fail-on", "rude"], "--fail-on rude: unknown label"),
        (["--format", "xml"], "--format xml: choose one of table, json, jsonl, csv"),
    ],
)
def test_bad_options_are_one_line_and_exit_2(runner, moderator, tmp_path, arguments, message):
    comments = tmp_path / "c.txt"
    comments.write_text("hello\n")
    result = runner.invoke(app, ["score", "--comments", str(comments), *arguments])
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0
    assert message in result.stderr


def test_a_failed_file_does_not_lose_the_others(runner, moderator, tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("a perfectly ordinary comment\n")
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"text": "fine"}\n{oops\n')
    result = runner.invoke(
        app, ["score", "--comments", str(tmp_path / "missing.txt"), str(broken), str(good), "-f", "jsonl"]
    )
    assert result.exit_code == 2  # a failed file wins over --fail-on's 1 and over success
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 2
    assert "missing.txt" in errors[0] and "broken.jsonl:2: not valid JSON" in errors[1]
    assert [json.loads(line)["text"] for line in result.stdout.splitlines()] == [
        "a perfectly ordinary comment"
    ]


def test_a_missing_model_directory_is_one_line(runner, tmp_path):
    result = runner.invoke(
        app, ["score", "--comments", "-", "--model", str(tmp_path / "nowhere")], input="hi\n"
    )
    assert result.exit_code == 2
    assert result.stderr.startswith("moderate: error: ") and result.stderr.count("\n") == 1


def test_the_table_shows_every_comment_of_a_seed_page(runner, seeds):
    seed = seeds[1]
    article = parse_file(seed)
    result = runner.invoke(app, ["score", str(seed)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.stderr
    for label in LABELS:
        assert label in result.stdout
    assert f"{len(article.comments)} comments" in result.stdout
    authors = {c.author for c in article.comments if c.author}
    assert all(author[:10] in result.stdout for author in authors)


def test_json_has_one_entry_per_file_with_every_comment(runner, seeds):
    result = runner.invoke(app, ["score", *map(str, seeds), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    entries = json.loads(result.stdout)
    assert [entry["source"] for entry in entries] == [str(seed) for seed in seeds]
    for entry, seed in zip(entries, seeds, strict=True):
        assert [c["text"] for c in entry["comments"]] == [c.text for c in parse_file(seed).comments]
