"""Rendering a report as HTML (self-contained, hostile text escaped), CSV and JSONL, written atomically."""

import base64
import csv
import hashlib
import io
import json
import os
import re
from pathlib import Path

import pytest

from moderation.errors import InputError
from moderation.reporting import (
    FailedInput,
    ReportWriter,
    build_report,
    is_report,
    render_html,
    write_report,
)
from moderation.types import Article, ModeratedArticle

BROKEN = FailedInput("pages/<broken>.html", "pages/<broken>.html: no comments found")


@pytest.fixture
def report(articles):
    return build_report(articles, [BROKEN])


def test_html_escapes_comment_text_authors_and_file_names(report):
    page = render_html(report)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#39;author&#39;)&lt;/script&gt;" in page
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" not in page  # not flagged: only flagged comments are shown
    assert "pages/&lt;broken&gt;.html: no comments found" in page


def test_html_needs_no_network(report):
    page = render_html(report)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "@import" not in page
    assert "default-src 'none'" in page


def test_html_shows_totals_articles_charts_and_highlighted_flags(report):
    page = render_html(report)
    assert page.count('class="flagged-comment"') == 2
    assert '<mark title="idiot">IDIOT</mark>' in page
    assert '<mark title="jews control">J3ws control</mark>' in page
    assert '<mark title="the banks">the banks</mark>' in page
    assert page.count("<svg") == 4  # a histogram per label and the flags-per-article chart
    # Antisemitic's threshold is not the whole rule: the header, the chart and its note say so.
    assert "on a hateful comment" in page and "if hateful</text>" in page
    assert "flagged antisemitic only when it is also flagged hateful" in page
    for title in ("Council approves new bike lanes", "Synagogue hosts open day", "Weather"):
        assert title in page


def test_the_inline_script_is_allowed_by_its_hash_only(report):
    page = render_html(report)
    (allowed,) = re.findall(r"script-src 'sha256-([^']+)'", page)
    (script,) = re.findall(r"<script>(.*?)</script>", page, flags=re.S)
    assert base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() == allowed


def test_an_empty_report_still_renders():
    page = render_html(build_report([]))
    assert "No comment was flagged." in page
    assert "No article could be read." in page


def test_csv_has_one_row_per_comment_defuses_formulas_and_lists_failed_inputs(articles, tmp_path):
    hostile = ModeratedArticle(Article(title='=HYPERLINK("x")', source="f.txt"), articles[0].comments[:1])
    failed = FailedInput("-bad.txt", "-bad.txt: looks binary")
    write_report([*articles, hostile], tmp_path / "r.csv", [failed])
    rows = list(csv.DictReader(io.StringIO((tmp_path / "r.csv").read_text())))
    assert len(rows) == 6
    assert rows[1]["author"] == "bob"
    assert rows[1]["offensive_flagged"] == "1"
    assert rows[1]["offensive_reasons"] == "idiot (+1.400); plan (-0.200)"
    assert rows[1]["flags"] == "offensive"
    assert rows[1]["error"] == ""
    assert float(rows[2]["antisemitic_probability"]) == pytest.approx(0.93)
    assert rows[4]["article_title"] == '\'=HYPERLINK("x")'
    # The failed input is listed last, as --help says: its source and its error, nothing else.
    assert rows[5]["source"] == "'-bad.txt" and rows[5]["error"] == "'-bad.txt: looks binary"
    assert {key for key, value in rows[5].items() if value} == {"source", "error"}


def test_jsonl_has_one_record_per_comment_then_the_failures(articles, tmp_path):
    write_report(articles, tmp_path / "r.jsonl", [BROKEN])
    records = [json.loads(line) for line in (tmp_path / "r.jsonl").read_text().splitlines()]
    assert [r["kind"] for r in records] == ["comment"] * 4 + ["failed"]
    assert records[2]["text"] == "The J3ws control the banks, wake up!"
    assert records[2]["flags"] == ["hateful", "antisemitic"]
    assert records[2]["scores"]["antisemitic"]["reasons"][0] == {
        "ngram": "jews control",
        "weight": 1.8,
        "spans": [[4, 16]],
    }
    assert records[4] == {
        "kind": "failed",
        "source": "pages/<broken>.html",
        "error": "pages/<broken>.html: no comments found",
    }


def test_write_report_picks_the_format_by_extension_and_leaves_no_temp_files(articles, tmp_path):
    for name in ("r.html", "r.CSV", "r.jsonl"):
        summary = write_report(articles, tmp_path / name)
        assert summary.total_comments == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.CSV", "r.html", "r.jsonl"]
    assert (tmp_path / "r.CSV").read_text().startswith("source,article_title")
    with pytest.raises(InputError, match="unknown report format .pdf"):
        write_report(articles, tmp_path / "r.pdf")


def test_the_writer_streams_lines_as_articles_come_and_publishes_only_at_the_end(articles, tmp_path):
    target = tmp_path / "r.jsonl"
    target.write_text("old\n")
    with ReportWriter(target, labels=("hateful", "antisemitic", "offensive")) as writer:
        writer.add(articles[0])
        (temporary,) = [p for p in tmp_path.iterdir() if p.name.startswith(".r.jsonl.")]
        writer._stream.flush()
        assert len(temporary.read_text().splitlines()) == 2  # written already, not held until the end
        assert target.read_text() == "old\n"
        writer.add(articles[1])
    assert len(target.read_text().splitlines()) == 4
    assert [p.name for p in tmp_path.iterdir()] == ["r.jsonl"]


def test_an_error_while_writing_removes_the_temporary_file_and_keeps_the_old_report(articles, tmp_path):
    target = tmp_path / "r.csv"
    target.write_text("old")
    with pytest.raises(KeyboardInterrupt), ReportWriter(target, labels=("hateful",)) as writer:
        writer.add(articles[0])
        raise KeyboardInterrupt
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["r.csv"]


def test_html_caps_the_flagged_list_to_the_most_confident_and_says_where_the_rest_are(articles, tmp_path):
    report = build_report(articles, flagged_limit=1)
    assert report.total_flagged_any == 2 and report.flagged_left_out == 1
    (kept,) = report.flagged_comments
    assert kept.moderated.comment.text == "The J3ws control the banks, wake up!"  # 0.93 beats 0.91
    page = render_html(report)
    assert page.count('class="flagged-comment"') == 1
    assert "1 shown of 2" in page.replace('<span id="shown-count">', "").replace("</span>", "")
    assert "1 more are flagged" in page and "--out report.jsonl" in page


def test_html_reports_are_recognised_as_ours(report, articles, tmp_path):
    write_report(articles, tmp_path / "r.html")
    earlier = tmp_path / "earlier.html"  # written before the generator tag existed
    earlier.write_text("<!DOCTYPE html><html><head><title>Moderation report: 2 flagged of 4 comments</title>")
    page = tmp_path / "page.html"
    page.write_text("<html><head><title>Moderation report: what the council decided</title>")
    assert is_report(tmp_path / "r.html") and is_report(earlier)
    assert not is_report(page) and not is_report(tmp_path / "missing.html")
    os.mkfifo(tmp_path / "pipe.html")
    assert not is_report(tmp_path / "pipe.html")  # answered at once: a FIFO is never opened


def test_a_failed_write_keeps_the_old_report_and_no_temp_file(articles, tmp_path, monkeypatch):
    target = tmp_path / "r.html"
    target.write_text("old")

    def full_disk(source, destination):
        assert source != str(target) and Path(source).parent == tmp_path  # written beside the target
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(OSError):
        write_report(articles, target)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]
