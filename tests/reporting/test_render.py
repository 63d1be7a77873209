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
    build_report,
    render_csv,
    render_html,
    render_jsonl,
    write_report,
)
from moderation.types import Article, ModeratedArticle


@pytest.fixture
def report(articles):
    return build_report(
        articles, [FailedInput("pages/<broken>.html", "pages/<broken>.html: no comments found")]
    )


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


def test_csv_has_one_row_per_comment_and_defuses_formulas(articles):
    hostile = ModeratedArticle(Article(title='=HYPERLINK("x")', source="f.txt"), articles[0].comments[:1])
    rows = list(csv.DictReader(io.StringIO(render_csv(build_report([*articles, hostile])))))
    assert len(rows) == 5
    assert rows[1]["author"] == "bob"
    assert rows[1]["offensive_flagged"] == "1"
    assert rows[1]["offensive_reasons"] == "idiot (+1.400); plan (-0.200)"
    assert rows[1]["flags"] == "offensive"
    assert float(rows[2]["antisemitic_probability"]) == pytest.approx(0.93)
    assert rows[4]["article_title"] == '\'=HYPERLINK("x")'


def test_jsonl_has_one_record_per_comment_then_the_failures(report):
    records = [json.loads(line) for line in render_jsonl(report).splitlines()]
    assert [r["kind"] for r in records] == ["comment"] * 4 + ["failed"]
    assert records[2]["text"] == "The J3ws control the banks, wake up!"
    assert records[2]["flags"] == ["hateful", "antisemitic"]
    assert records[2]["scores"]["antisemitic"]["reasons"][0] == {"ngram": "jews control", "weight": 1.8}
    assert records[4] == {
        "kind": "failed",
        "source": "pages/<broken>.html",
        "error": "pages/<broken>.html: no comments found",
    }


def test_write_report_picks_the_format_by_extension_and_leaves_no_temp_files(report, tmp_path):
    for name in ("r.html", "r.CSV", "r.jsonl"):
        write_report(report, tmp_path / name)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.CSV", "r.html", "r.jsonl"]
    assert (tmp_path / "r.CSV").read_text().startswith("source,article_title")
    with pytest.raises(InputError, match="unknown report format .pdf"):
        write_report(report, tmp_path / "r.pdf")


def test_a_failed_write_keeps_the_old_report_and_no_temp_file(report, tmp_path, monkeypatch):
    target = tmp_path / "r.html"
    target.write_text("old")

    def full_disk(source, destination):
        assert source != str(target) and Path(source).parent == tmp_path  # written beside the target
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(OSError):
        write_report(report, target)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]
