"""`moderate score`: pages or comment lists in, a table / JSON / JSONL / CSV of scores out."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import select
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from moderation.cli import app
from moderation.cli.score import BATCH_LINES
from moderation.errors import InputError
from moderation.moderator import Moderator
from moderation.parsing import parse_file
from moderation.thresholds import Thresholds
from moderation.types import LABELS

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"

# ---- pieces that need no model -------------------------------------------------------------------------


def test_thresholds_are_parsed_and_validated():
    assert Thresholds.parse(["hateful=0.7", "offensive = 0"], LABELS) == {"hateful": 0.7, "offensive": 0.0}
    for bad, message in [
        ("hateful", "expected LABEL=VALUE"),
        ("hatefull=0.5", "unknown label 'hatefull'"),
        ("hateful=high", "'high' is not a number"),
        ("hateful=1.5", "between 0 and 1"),
        ("hateful=-0.1", "between 0 and 1"),
    ]:
        with pytest.raises(InputError, match=message):
            Thresholds.parse([bad], LABELS)


# ---- the command, on the real default model -------------------------------------------------------------


def test_comments_from_stdin_as_jsonl(runner, moderator):
    texts = ["Thanks for the thoughtful reporting.", "what a lovely photo of the harbour"]
    stdin = "".join(json.dumps({"text": t, "author": f"reader{i}"}) + "\n" for i, t in enumerate(texts))
    result = runner.invoke(app, ["score", "--comments", "-", "--format", "jsonl"], input=stdin)
    assert result.exit_code == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["text"], r["author"], r["line"]) for r in records] == [
        (texts[0], "reader0", 1),
        (texts[1], "reader1", 2),
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
    # Only a hateful comment is flagged antisemitic, so both thresholds go to 0 to flag everything.
    flag_all = runner.invoke(
        app,
        ["score", "--comments", str(comments), "--threshold", "antisemitic=0", "--threshold", "hateful=0"]
        + ["--fail-on", "antisemitic"],
    )
    assert flag_all.exit_code == 1, flag_all.stderr
    not_hateful = runner.invoke(
        app,
        ["score", "--comments", str(comments), "--threshold", "antisemitic=0", "--fail-on", "antisemitic"],
    )
    assert not_hateful.exit_code == 0, not_hateful.stderr
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
        (["--explain", "some"], "--explain some: choose one of flagged, all, none"),
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
    # The good line of the broken file is scored too.
    assert [json.loads(line)["text"] for line in result.stdout.splitlines()] == [
        "fine",
        "a perfectly ordinary comment",
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
    for label in Moderator.load().labels:
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


# ---- comment streams: ids, bad lines, limits, options (issue 13 items 4 and 5) -------------------------

STREAM = (
    '{"id": "c-1", "text": "Thanks for the thoughtful reporting.", "author": "ana", "ts": 17}\n'
    '{"id": 2, "text": "what a lovely photo of the harbour"}\n'
    "{broken\n"
    '["not", "an", "object"]\n'
    '{"id": "c-5", "text": "the council should fix the roads"}\n'
    '{"text": "NaN is not JSON", "score": NaN}\n'
)


def _stream_file(tmp_path, content=STREAM):
    path = tmp_path / "comments.jsonl"
    path.write_text(content, encoding="utf-8")
    return path


def test_every_good_line_is_scored_every_bad_line_named_and_ids_kept(runner, moderator, tmp_path):
    path = _stream_file(tmp_path)
    result = runner.invoke(app, ["score", "--comments", str(path), "-f", "jsonl"])
    assert result.exit_code == 2
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["line"], r["id"], r["author"]) for r in records] == [
        (1, "c-1", "ana"),
        (2, 2, None),
        (5, "c-5", None),
    ]
    assert records[0]["fields"] == {"ts": 17} and "fields" not in records[1]
    assert records[0]["source"] == str(path)
    errors = result.stderr.strip().splitlines()
    assert [re.search(r"jsonl:(\d+): ", error)[1] for error in errors] == ["3", "4", "6"]
    assert "not valid JSON" in errors[0] and 'string "text" field' in errors[1] and "NaN" in errors[2]


def test_ids_are_in_every_format(runner, moderator, tmp_path):
    path = _stream_file(tmp_path)
    as_json = json.loads(runner.invoke(app, ["score", "--comments", str(path), "-f", "json"]).stdout)
    assert [c["id"] for c in as_json[0]["comments"]] == ["c-1", 2, "c-5"]
    assert [c["line"] for c in as_json[0]["comments"]] == [1, 2, 5]
    as_csv = list(
        csv.DictReader(
            io.StringIO(runner.invoke(app, ["score", "--comments", str(path), "-f", "csv"]).stdout)
        )
    )
    assert [(row["line"], row["id"], row["author"]) for row in as_csv] == [
        ("1", "c-1", "ana"),
        ("2", "2", ""),
        ("5", "c-5", ""),
    ]
    table = runner.invoke(app, ["score", "--comments", str(path)], env={"COLUMNS": "120"}).stdout
    assert " id " in table and "c-1" in table and "c-5" in table


def test_csv_defuses_formulas_in_ids_authors_and_text(runner, moderator, tmp_path):
    path = _stream_file(
        tmp_path, '{"id": "=HYPERLINK(1)", "author": "+bob", "text": "@SUM(A1)"}\n{"id": -5, "text": "x"}\n'
    )
    rows = list(
        csv.DictReader(
            io.StringIO(runner.invoke(app, ["score", "--comments", str(path), "-f", "csv"]).stdout)
        )
    )
    assert [(row["id"], row["author"], row["text"]) for row in rows] == [
        ("'=HYPERLINK(1)", "'+bob", "'@SUM(A1)"),
        ("-5", "", "x"),
    ]


def test_no_text_and_no_explanations(runner, moderator, tmp_path):
    path = _stream_file(tmp_path, '{"id": 1, "text": "the joo banksters run everything"}\n')
    explained = json.loads(runner.invoke(app, ["score", "--comments", str(path), "-f", "jsonl"]).stdout)
    assert explained["flags"] and explained["scores"]["antisemitic"]["reasons"]
    result = runner.invoke(
        app, ["score", "--comments", str(path), "-f", "jsonl", "--no-text", "--explain", "none"]
    )
    record = json.loads(result.stdout)
    assert "text" not in record and record["id"] == 1
    assert record["flags"] == explained["flags"]
    assert all(score["reasons"] == [] for score in record["scores"].values())
    header = runner.invoke(
        app, ["score", "--comments", str(path), "-f", "csv", "--no-text", "--explain", "none"]
    )
    columns = header.stdout.splitlines()[0].split(",")
    assert "text" not in columns and not any(column.endswith("_reasons") for column in columns)
    assert runner.invoke(app, ["score", "--comments", str(path), "--explain", "some"]).exit_code == 2


def test_a_comment_stream_has_a_per_line_limit_not_the_page_limit(runner, moderator, tmp_path):
    long_line = json.dumps({"id": "long", "text": "word " * 100})
    lines = [json.dumps({"id": i, "text": f"comment number {i}"}) for i in range(200)]
    path = _stream_file(tmp_path, "\n".join([*lines[:100], long_line, *lines[100:]]) + "\n")
    assert path.stat().st_size > 5000
    # The page limit does not apply to a stream; the per-line limit names the long line and goes on.
    result = runner.invoke(
        app,
        [
            "score",
            "--comments",
            str(path),
            "-f",
            "jsonl",
            "--max-bytes",
            "1000",
            "--max-comment-bytes",
            "300",
        ],
    )
    assert result.exit_code == 2
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == list(range(200))
    assert (
        result.stderr.strip()
        == f"moderate: error: {path}:101: longer than the 300-byte limit per line (see --max-comment-bytes)"
    )
    unlimited = runner.invoke(
        app, ["score", "--comments", str(path), "-f", "jsonl", "--max-comment-bytes", "0"]
    )
    assert unlimited.exit_code == 0, unlimited.stderr
    assert len(unlimited.stdout.splitlines()) == 201


def _odd_stream() -> bytes:
    """A stream of every kind of line a comment file holds, over more than two batches."""
    odd_texts = ["", "   ", "héllo wörld ñ", "emoji 😀🔥 you idiot", "tab\there", "line\nbreak", 'quote " \\ ',
                 "\u2028 sep \u2029", "control \x01\x1f", "x" * 20_000, "word " * 2_000, "Жиды вон",
                 "https://example.com/x?y=1 idiot", "f*ck you m0ron", "ＦＵＬＬ width", "zero\u200bwidth",
                 "(((them))) again", "j e w s"]  # fmt: skip
    lines: list[bytes] = []
    for i in range(2 * BATCH_LINES + 300):
        text = odd_texts[i % len(odd_texts)] if i % 7 == 0 else f"comment {i}: you are an idiot" * (1 + i % 3)
        kind = i % 23
        if kind == 1:
            line = json.dumps({"id": i, "text": text, "author": "Zoë", "more": {"a": [1, 2.5, None]}})
        elif kind == 2:
            line = json.dumps({"id": None, "text": text, "author": 7, "big": 12345678901234567890})
        elif kind == 3:
            line = '{"text": "a pair \\ud83d\\ude00 and a lone \\udc00", "id": "s"}'
        elif kind == 4:
            line = "{not json"
        elif kind == 5:
            line = '{"text": "x", "v": NaN}'
        elif kind == 6:
            line = json.dumps({"id": i, "text": i})
        elif kind == 7:
            line = ""
        elif kind == 8:
            line = '  {"text": "  padded  ", "id": 1.5}  '
        elif kind == 9:
            line = '{"text": "first", "text": "second", "id": "twice"}'
        elif kind == 10:
            line = "[1, 2]"
        elif kind == 11:
            line = json.dumps({"text": text, "author": "Ann"})
        elif kind == 12:
            line = json.dumps({"score": 3, "text": text})
        else:
            line = json.dumps({"id": f"c{i}", "text": text}, ensure_ascii=i % 2 == 0)
        lines.append(line.encode("utf-8"))
    lines[3000] = b'{"text": "caf\xe9 in cp1252", "id": "cp"}'
    lines[3001] = b'{"text": "a CRLF line end", "id": "crlf"}\r'
    lines[3050] = b'{"text": "a NUL \x00 byte", "id": "nul"}'
    lines[3100] = b'{"text": "' + b"y" * 9_000 + b'", "id": "too long"}'
    lines[BATCH_LINES] = b'{"text": "\\u0001 an escaped control", "id": "esc"}'
    return b"\n".join(lines) + b'\n{"text": "the last line, no line end", "id": "last"}'


@pytest.mark.parametrize("piece_bytes", [4096, 1 << 20])
def test_a_comment_stream_is_written_as_each_comment_scored_alone_would_be(
    runner, moderator, tmp_path, monkeypatch, piece_bytes
):
    # Pieces of 4 KB: most are read at once (every line UTF-8 and clean), some line by line.
    monkeypatch.setattr("moderation.reading._CHUNK_BYTES", piece_bytes)
    # What `score --comments -f jsonl` writes, byte for byte, is what the public pieces give one line at a
    # time: each line decoded alone, read_comment_lines, score_many and json.dumps of the record, whatever the
    # lines hold (unicode, escapes, empty and very long texts, bad lines named on stderr with their number).
    from moderation.parsing.comments import read_comment_lines
    from moderation.reading import _decode_line, _too_long

    raw = _odd_stream()
    path = tmp_path / "odd.jsonl"
    path.write_bytes(raw)
    limit = 8_000
    pieces = raw.split(b"\n")
    lines = [
        _too_long(n, limit) if len(piece) > limit else _decode_line(n, piece)
        for n, piece in enumerate(pieces, 1)
    ]
    parsed = list(read_comment_lines(lines))
    comments = [c for c in parsed if hasattr(c, "text")]
    errors = [f"moderate: error: {path}:{b.line}: {b.error}" for b in parsed if not hasattr(b, "text")]
    assert len(errors) > 300 and len(comments) > BATCH_LINES + 1000
    for explain, with_text in [("flagged", True), ("none", False), ("all", True)]:
        scores = moderator.score_many([c.text for c in comments], explain=explain)
        expected = "".join(
            json.dumps(
                {"source": str(path), **c.to_dict(with_text=with_text), "scores": s.to_dict(),
                 "flags": list(s.flags)},
                ensure_ascii=False,
            ) + "\n"
            for c, s in zip(comments, scores, strict=True)
        ).encode("utf-8")  # fmt: skip
        options = ["--explain", explain, "--max-comment-bytes", str(limit)]
        result = runner.invoke(
            app,
            [
                "score",
                "--comments",
                str(path),
                "-f",
                "jsonl",
                *options,
                *([] if with_text else ["--no-text"]),
            ],
        )
        assert result.exit_code == 2
        assert result.stdout_bytes == expected
        assert result.stderr.splitlines() == errors


def test_a_jsonl_stream_is_written_without_building_scores_objects(runner, moderator, tmp_path, monkeypatch):
    # JSONL output of a stream comes straight from the score arrays (Moderator.score_jsonl): building a
    # Scores per comment, and freeing it, cost a long stream a fifth of its time.
    path = tmp_path / "c.jsonl"
    texts = ["you are a pathetic moron", "thanks for the article", "i will shoot the mayor"]
    path.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(texts)))
    expected = runner.invoke(app, ["score", "--comments", str(path), "-f", "jsonl", "--fail-on", "any"])

    def refuse(*args, **kwargs):
        raise AssertionError("a Scores object was built")

    monkeypatch.setattr("moderation.moderator._scores", refuse)
    result = runner.invoke(app, ["score", "--comments", str(path), "-f", "jsonl", "--fail-on", "any"])
    assert result.exit_code == expected.exit_code == 1, result.stderr
    assert result.stdout_bytes == expected.stdout_bytes
    assert len(result.stdout.splitlines()) == 3
    with pytest.raises(AssertionError, match="Scores object"):
        moderator.score_many(texts)


def test_a_plain_text_stream_is_written_as_each_comment_scored_alone_would_be(runner, moderator, tmp_path):
    from moderation.parsing.comments import read_comment_lines
    from moderation.reading import read_lines

    texts = ["  padded both sides  ", "", "héllo\tidiot", "\u2028", "a CRLF end\r", "you moron " * 500]
    path = tmp_path / "plain.txt"
    path.write_text("\n".join(texts[i % len(texts)] + f" {i}" * (i % 2) for i in range(BATCH_LINES + 50)))
    comments = list(read_comment_lines(read_lines(path)))
    scores = moderator.score_many([c.text for c in comments])
    expected = "".join(
        json.dumps(
            {"source": str(path), **c.to_dict(), "scores": s.to_dict(), "flags": list(s.flags)},
            ensure_ascii=False,
        )
        + "\n"
        for c, s in zip(comments, scores, strict=True)
    )
    result = runner.invoke(app, ["score", "--comments", str(path), "-f", "jsonl"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes == expected.encode("utf-8")
    assert [c.text for c in comments][:5] == ["padded both sides", "1", "héllo\tidiot", "3", "a CRLF end"]


def test_zero_max_bytes_is_no_limit_for_pages(runner, moderator, seeds):
    assert runner.invoke(app, ["score", str(seeds[1]), "--max-bytes", "100"]).exit_code == 2
    result = runner.invoke(app, ["score", str(seeds[1]), "--max-bytes", "0", "-f", "jsonl"])
    assert result.exit_code == 0, result.stderr
    assert len(result.stdout.splitlines()) == 14


def test_a_comment_stream_is_written_while_it_is_still_being_read():
    # Output for the first batches arrives while stdin is still open: nothing waits for the end of input.
    command = [sys.executable, "-c", "from moderation.cli import main; main()", "score", "--comments", "-"]
    process = subprocess.Popen(
        [*command, "-f", "jsonl", "--no-text"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    count = BATCH_LINES * 2
    lines = "".join(
        json.dumps({"id": i, "text": f"an ordinary comment, number {i}"}) + "\n" for i in range(count)
    )
    input_open = threading.Event()
    input_open.set()

    def feed() -> None:
        process.stdin.write(lines.encode())
        process.stdin.flush()
        while input_open.is_set():
            time.sleep(0.05)
        process.stdin.close()

    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    try:
        ready, _, _ = select.select([process.stdout], [], [], 120)
        assert ready, "no output while the input was still open"
        assert json.loads(process.stdout.readline())["id"] == 0
        assert input_open.is_set()
    finally:
        input_open.clear()
        rest = process.stdout.read().decode().splitlines()
        process.wait(timeout=60)
        feeder.join(timeout=60)
    assert process.returncode == 0
    assert json.loads(rest[-1])["id"] == count - 1 and len(rest) == count - 1


# ---- pages: numbering, the table at 80 columns (issue 13 items 6 and 7) ----------------------------------


def test_comments_are_numbered_from_1_in_every_format(runner, moderator):
    page = PAGES / "disqus_dump.txt"
    as_jsonl = [
        json.loads(line)
        for line in runner.invoke(app, ["score", str(page), "-f", "jsonl"]).stdout.splitlines()
    ]
    assert [(r["number"], r["parent"]) for r in as_jsonl] == [(1, None), (2, 1), (3, None)]
    as_json = json.loads(runner.invoke(app, ["score", str(page), "-f", "json"]).stdout)
    assert [(c["number"], c["parent"]) for c in as_json[0]["comments"]] == [(1, None), (2, 1), (3, None)]
    rows = list(csv.DictReader(io.StringIO(runner.invoke(app, ["score", str(page), "-f", "csv"]).stdout)))
    assert [(row["comment_number"], row["parent"]) for row in rows] == [("1", ""), ("2", "1"), ("3", "")]
    table = runner.invoke(app, ["score", str(page)], env={"COLUMNS": "120"}).stdout
    assert [
        line.split()[1] for line in table.splitlines() if line.startswith("│") and line.split()[1].isdigit()
    ] == ["1", "2", "3"]


@pytest.mark.parametrize("columns", [80, 100, 132])
def test_the_table_fits_the_terminal_and_never_cuts_a_probability(runner, seeds, columns):
    seed = seeds[1]
    result = runner.invoke(app, ["score", str(seed)], env={"COLUMNS": str(columns)})
    assert result.exit_code == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if line.startswith("│")]
    assert max(len(line) for line in result.stdout.splitlines()) <= columns
    numbered = [i for i, row in enumerate(rows) if row.split("│")[1].strip()]
    assert [rows[i].split("│")[1].strip() for i in numbered] == [str(n) for n in range(1, 15)]
    labels = Moderator.load().labels
    header = next(line for line in result.stdout.splitlines() if line.startswith("┃"))
    for start, end in zip(numbered, [*numbered[1:], len(rows)], strict=True):
        if all(label in header for label in labels):  # a column per label, after #, author and comment
            cells = [cell.strip() for cell in rows[start].split("│")[4 : 4 + len(labels)]]
            assert all(re.fullmatch(r"(⚑ )?[01]\.\d\d", cell) for cell in cells), rows[start]
        else:  # too narrow: every probability in full under the comment
            block = " ".join(rows[start:end])
            for label in labels:
                assert re.search(rf"⚑?{label}=[01]\.\d\d", block), (label, block)


@pytest.mark.parametrize("width", [60, 80, 100])
def test_with_seven_labels_a_narrow_table_puts_probabilities_under_the_comment(width):
    from rich.console import Console

    from moderation.cli.score import _Scored, table_of
    from moderation.types import LabelScore, Scores

    labels = ("hateful", "antisemitic", "offensive", "toxicity", "insult", "threat", "profanity")
    comments = [
        _Scored({}, str(n), "", f"reader {n}", "a comment that is long enough to be cut somewhere " * 3,
                Scores({label: LabelScore(0.1 * k + 0.01 * n, k == 2, 0.2) for k, label in enumerate(labels)}))
        for n in range(1, 4)
    ]  # fmt: skip
    buffer = io.StringIO()
    Console(file=buffer, width=width).print(table_of(comments, labels, width))
    lines = buffer.getvalue().splitlines()
    assert max(len(line) for line in lines) <= width
    shown = re.findall(r"⚑?(\w+)=([01]\.\d\d)", buffer.getvalue())
    expected = [(label, f"{0.1 * k + 0.01 * n:.2f}") for n in range(1, 4) for k, label in enumerate(labels)]
    assert shown == expected


def test_full_text_shows_every_word(runner, seeds):
    article = parse_file(seeds[1])
    longest = max(article.comments, key=lambda c: len(c.text))
    cut = runner.invoke(app, ["score", str(seeds[1])], env={"COLUMNS": "80"}).stdout
    whole = runner.invoke(app, ["score", str(seeds[1]), "--full-text"], env={"COLUMNS": "80"}).stdout
    last_word = longest.text.split()[-1]
    assert last_word not in cut
    assert last_word in whole
    assert max(len(line) for line in whole.splitlines()) <= 80


# ---- hostile input -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("comments", [False, True])
@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: tmp, "is a directory"),
        (lambda tmp: _write(tmp / "image.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20), "looks binary"),
        (lambda tmp: tmp / "missing", "no such file"),
    ],
)
def test_bad_files_are_one_line_and_exit_2(runner, moderator, tmp_path, make, message, comments):
    result = runner.invoke(
        app, ["score", *(["--comments"] if comments else []), str(make(tmp_path)), "-f", "jsonl"]
    )
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and message in result.stderr


def test_empty_inputs_score_nothing_and_succeed(runner, moderator, tmp_path):
    empty = _write(tmp_path / "empty.txt", b"")
    for arguments in (["--comments", str(empty)], [str(empty)]):
        for output in ("jsonl", "csv", "json", "table"):
            result = runner.invoke(app, ["score", *arguments, "-f", output])
            assert result.exit_code == 0, (arguments, output, result.stderr)
    assert json.loads(runner.invoke(app, ["score", "--comments", str(empty), "-f", "json"]).stdout) == [
        {"source": str(empty), "title": None, "comments": []}
    ]


def test_hostile_json_lines_are_named_not_fatal(runner, moderator, tmp_path):
    lines = [
        "[" * 100_000 + "]" * 100_000,  # deeper than Python recurses
        '{"text": "big", "id": ' + "9" * 5000 + "}",  # an integer past Python's digit limit
        '{"text": "lone \\ud800 surrogate", "id": "\\udfff"}',  # cannot be written as UTF-8
        '{"text": 5}',
    ]
    path = _stream_file(tmp_path, '{"text": "first"}\n' + "\n".join(lines) + "\n")
    result = runner.invoke(app, ["score", "--comments", str(path), "-f", "jsonl"])
    assert result.exit_code == 2
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["line"], r["text"], r["id"]) for r in records] == [
        (1, "first", None),
        (4, "lone \ufffd surrogate", "\ufffd"),
    ]
    errors = result.stderr.strip().splitlines()
    assert [re.search(r"jsonl:(\d+): ", error)[1] for error in errors] == ["2", "3", "5"]


def test_a_fifo_is_refused_at_once(tmp_path):
    fifo = tmp_path / "p"
    os.mkfifo(fifo)
    for arguments in (["score", str(fifo)], ["score", "--comments", str(fifo)], ["parse", str(fifo)]):
        done = subprocess.run(
            [sys.executable, "-c", "from moderation.cli import main; main()", *arguments],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert done.returncode == 2
        assert (
            done.stderr
            == f"moderate: error: {fifo} is a FIFO (named pipe), not a regular file; pipe it to stdin (-) instead\n"
        )


def test_report_refuses_a_fifo_in_a_folder_or_named_without_hanging(tmp_path, seeds):
    folder = tmp_path / "pages"
    folder.mkdir()
    os.mkfifo(folder / "x.txt")
    (folder / "page.txt").write_bytes(seeds[1].read_bytes())
    for target in (folder, folder / "x.txt"):
        done = subprocess.run(
            [sys.executable, "-c", "from moderation.cli import main; main()", "report", str(target), "--out",
             str(tmp_path / "r.jsonl")],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert done.returncode == 2
        assert f"{folder / 'x.txt'} is a FIFO (named pipe), not a regular file" in done.stderr
    records = [json.loads(line) for line in (tmp_path / "r.jsonl").read_text().splitlines()]
    assert [r["kind"] for r in records] == ["failed"]  # the last run named only the FIFO


def test_terminal_escapes_in_comments_and_names_are_shown_not_sent(runner, moderator, tmp_path):
    ordinary = [f"an ordinary comment number {n} with enough words to be text" for n in range(30)]
    ordinary[3] = "\x1b[2J\x1b[31mscreen cleared"
    path = _write(tmp_path / "c.txt", ("\n".join(ordinary) + "\n").encode())
    table = runner.invoke(app, ["score", "--comments", str(path)], env={"COLUMNS": "120"}).stdout
    assert "\x1b" not in table and "\\x1b[2J\\x1b[31mscreen cleared" in table
    missing = tmp_path / "two\nlines\x1b[2J.txt"
    result = runner.invoke(app, ["score", str(missing)])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "\x1b" not in result.stderr
    assert "two\\x0alines\\x1b[2J.txt: no such file" in result.stderr


def _write(path, data: bytes):
    path.write_bytes(data)
    return path


def test_report_numbers_comments_as_score_does(runner, moderator, tmp_path):
    page = PAGES / "disqus_dump.txt"
    for suffix in ("csv", "jsonl"):
        result = runner.invoke(app, ["report", str(page), "--out", str(tmp_path / f"r.{suffix}")])
        assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO((tmp_path / "r.csv").read_text())))
    assert [(row["comment_number"], row["parent"]) for row in rows] == [("1", ""), ("2", "1"), ("3", "")]
    records = [json.loads(line) for line in (tmp_path / "r.jsonl").read_text().splitlines()]
    assert [(r["number"], r["parent"]) for r in records if r["kind"] == "comment"] == [
        (1, None),
        (2, 1),
        (3, None),
    ]


def test_folders_are_searched_for_pages_and_comment_streams(runner, moderator, tmp_path, seeds):
    (tmp_path / "pages" / "deep").mkdir(parents=True)
    shutil.copy(seeds[0], tmp_path / "pages" / seeds[0].name)
    shutil.copy(seeds[1], tmp_path / "pages" / "deep" / seeds[1].name)
    (tmp_path / "pages" / "notes.md").write_text("not a page")
    named_again = tmp_path / "pages" / seeds[0].name
    result = runner.invoke(app, ["score", str(tmp_path / "pages"), str(named_again), "-f", "json"])
    assert result.exit_code == 0, result.stderr
    # Each page once, in walking order: the folder's own files first.
    expected = [str(named_again), str(tmp_path / "pages" / "deep" / seeds[1].name)]
    assert [page["source"] for page in json.loads(result.stdout)] == expected
    (tmp_path / "streams").mkdir()
    (tmp_path / "streams" / "a.jsonl").write_text('{"text": "hello there"}\n')
    (tmp_path / "streams" / "b.txt").write_text("nice photo\n")
    (tmp_path / "streams" / "c.csv").write_text("text\nnot read\n")
    streamed = runner.invoke(app, ["score", "--comments", str(tmp_path / "streams"), "-f", "jsonl"])
    assert streamed.exit_code == 0, streamed.stderr
    assert [json.loads(line)["text"] for line in streamed.stdout.splitlines()] == [
        "hello there",
        "nice photo",
    ]
