"""`moderate parse`: the parsed article as JSON or a readable view; bad input gets one line and exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from moderation.cli import app

ROOT = Path(__file__).resolve().parents[2]
SEED_001 = next((ROOT / "seeds").glob("001_*.txt"))
PAGES = ROOT / "tests" / "fixtures" / "pages"


def test_parse_prints_the_article_as_json(runner):
    result = runner.invoke(app, ["parse", str(SEED_001)])
    assert result.exit_code == 0, result.output
    article = json.loads(result.stdout)
    assert set(article) == {"title", "byline", "published", "body", "comments", "dropped", "source"}
    assert len(article["comments"]) == 14
    assert article["comments"][0] == {
        "number": 1,
        "text": "respect to my north korean hommies, true anti imperialists",
        "author": "Vlad the Great",
        "posted": None,
        "parent": None,
        "span": article["comments"][0]["span"],
    }
    assert article["source"] == str(SEED_001)


def test_parse_text_format_is_readable(runner):
    result = runner.invoke(app, ["parse", str(PAGES / "disqus_dump.txt"), "--format", "text"])
    assert result.exit_code == 0, result.output
    assert "Title:     Council Votes to Close Riverside Library" in result.stdout
    assert "Comments (3)" in result.stdout
    assert "#2 Henry Cole [an hour ago; reply to #1]" in result.stdout
    assert "  - Sort by Best" in result.stdout


def test_parse_reads_stdin_and_html(runner):
    page = (PAGES / "microdata.html").read_text(encoding="utf-8")
    result = runner.invoke(app, ["parse", "-"], input=page)
    assert result.exit_code == 0, result.output
    article = json.loads(result.stdout)
    assert [c["author"] for c in article["comments"]] == ["Ivo Petrov", "Harbour Times", "guest_77"]
    assert article["source"] == "-"


def test_empty_file_gives_an_empty_article_and_a_warning(runner, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    result = runner.invoke(app, ["parse", str(empty)])
    assert result.exit_code == 0
    article = json.loads(result.stdout)
    assert article["body"] == [] and article["comments"] == [] and article["title"] is None
    assert "warning" in result.stderr and "empty" in result.stderr


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: tmp / "missing.txt", "no such file"),
        (lambda tmp: tmp, "is a directory"),
        (lambda tmp: _write(tmp / "image.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "looks binary"),
        (lambda tmp: _write(tmp / "big.txt", b"x" * 2000), "larger than the 1,000-byte limit"),
    ],
)
def test_bad_input_is_one_line_on_stderr_and_exit_2(runner, tmp_path, make, message):
    result = runner.invoke(app, ["parse", str(make(tmp_path)), "--max-bytes", "1000"])
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("moderate: error: ")
    assert message in lines[0]
    assert "Traceback" not in result.output


def test_unknown_kind_is_refused(runner):
    result = runner.invoke(app, ["parse", str(SEED_001), "--kind", "pdf"])
    assert result.exit_code == 2
    assert "--kind pdf: choose one of auto, text, html" in result.stderr


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_comments_and_replies_are_numbered_from_1_in_json(runner):
    result = runner.invoke(app, ["parse", str(PAGES / "disqus_dump.txt")])
    comments = json.loads(result.stdout)["comments"]
    assert [c["number"] for c in comments] == [1, 2, 3]
    assert comments[1]["parent"] == 1


def test_zero_max_bytes_means_no_limit(runner, tmp_path):
    page = _write(tmp_path / "page.txt", b"A title\n\n" + b"word " * 400)
    assert runner.invoke(app, ["parse", str(page), "--max-bytes", "1000"]).exit_code == 2
    result = runner.invoke(app, ["parse", str(page), "--max-bytes", "0"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["title"] == "A title"


def test_the_kind_choices_are_the_parsers_kinds():
    from moderation.cli.parse import PageKind
    from moderation.parsing import KINDS

    assert tuple(kind.value for kind in PageKind) == KINDS
