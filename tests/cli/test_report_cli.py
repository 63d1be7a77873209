"""`moderate report`: a corpus of pages in, one HTML / CSV / JSONL report out, failures listed."""

from __future__ import annotations

import csv
import io
import json
import shutil
import signal
import subprocess
import sys
import time

import pytest

from moderation.cli import app
from moderation.parsing import parse_file
from moderation.reading import collect_inputs
from moderation.reporting import without_reports

# ---- walking the inputs (no model needed) ----------------------------------------------------------------


def test_inputs_are_files_directories_and_globs_each_read_once(tmp_path):
    (tmp_path / "site" / "deep").mkdir(parents=True)
    (tmp_path / "site" / ".hidden").mkdir()
    for name in (
        "site/a.txt",
        "site/deep/b.HTML",
        "site/deep/c.htm",
        "site/notes.md",
        "site/.hidden/d.txt",
        "e.dat",
    ):
        (tmp_path / name).write_text("x")
    files, problems = collect_inputs(
        [
            str(tmp_path / "site"),
            str(tmp_path / "site" / "**" / "*.txt"),  # a.txt again: read once
            str(tmp_path / "e.dat"),  # named explicitly: taken whatever its extension
            str(tmp_path / "nothing-*.txt"),
            str(tmp_path / "missing.txt"),
        ]
    )
    relative = [str(p).removeprefix(str(tmp_path) + "/") for p in files]
    assert relative == ["site/a.txt", "site/deep/b.HTML", "site/deep/c.htm", "e.dat"]
    assert [p.error.removeprefix(str(tmp_path) + "/") for p in problems] == [
        "nothing-*.txt: no file matches this pattern",
        "missing.txt: no such file or directory",
    ]
    assert without_reports(files) == (files, [])


# ---- the command, on the real default model and the seed pages ---------------------------------------------


@pytest.fixture
def corpus(tmp_path, seeds):
    """The seed pages in a directory tree, with one binary file that cannot be read."""
    (tmp_path / "pages" / "more").mkdir(parents=True)
    for number, seed in enumerate(seeds):
        shutil.copy(seed, tmp_path / "pages" / ("more" if number % 2 else ".") / seed.name)
    (tmp_path / "pages" / "broken.html").write_bytes(b"\x00\x01\x02binary" * 50)
    return tmp_path / "pages"


def test_html_report_lists_articles_flags_and_failures(runner, corpus, seeds, tmp_path):
    out = tmp_path / "report.html"
    result = runner.invoke(app, ["report", str(corpus), "--out", str(out)])
    assert result.exit_code == 2  # one file failed; the report is complete all the same
    page = out.read_text()
    assert "broken.html" in page and "Files that failed (1)" in page
    total = sum(len(parse_file(seed).comments) for seed in seeds)
    assert f'<div class="value">{total}</div><div class="what">comments scored</div>' in page
    assert f'<div class="value">{len(seeds)}</div><div class="what">articles</div>' in page
    assert "broken.html" in result.stderr
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".report")] == []


def test_csv_and_jsonl_reports_have_one_record_per_comment(runner, corpus, seeds, tmp_path):
    total = sum(len(parse_file(seed).comments) for seed in seeds)
    as_csv = runner.invoke(
        app, ["report", str(corpus / "*.txt"), str(corpus / "more"), "-o", str(tmp_path / "r.csv")]
    )
    assert as_csv.exit_code == 0, as_csv.stderr
    rows = list(csv.DictReader(io.StringIO((tmp_path / "r.csv").read_text())))
    assert len(rows) == total
    as_jsonl = runner.invoke(app, ["report", str(corpus), "-o", str(tmp_path / "r.jsonl")])
    records = [json.loads(line) for line in (tmp_path / "r.jsonl").read_text().splitlines()]
    assert [r["kind"] for r in records] == ["comment"] * total + ["failed"]
    assert as_jsonl.exit_code == 2


def test_the_csv_report_lists_failed_inputs_as_help_says(runner, corpus, seeds, tmp_path):
    result = runner.invoke(
        app, ["report", str(corpus), str(tmp_path / "nothing"), "-o", str(tmp_path / "r.csv")]
    )
    assert result.exit_code == 2
    rows = list(csv.DictReader(io.StringIO((tmp_path / "r.csv").read_text())))
    failed = [(row["source"], row["error"]) for row in rows if row["error"]]
    assert failed == [
        (str(tmp_path / "nothing"), f"{tmp_path / 'nothing'}: no such file or directory"),
        (
            str(corpus / "broken.html"),
            next(line for line in result.stderr.splitlines() if "broken" in line).removeprefix(
                "moderate: error: "
            ),
        ),
    ]
    assert len(rows) == sum(len(parse_file(seed).comments) for seed in seeds) + 2


def test_a_report_written_into_its_own_input_folder_is_never_read_back(runner, corpus, seeds, tmp_path):
    out = corpus / "r.html"
    first = runner.invoke(app, ["report", str(corpus), "--out", str(out)])
    shutil.copy(out, corpus / "more" / "last-week.html")  # an earlier report of ours, under another name
    second = runner.invoke(app, ["report", str(corpus), "--out", str(out)])
    assert first.exit_code == second.exit_code == 2  # broken.html, as before
    for result in (first, second):
        assert f"wrote {out}: {len(seeds)} articles" in result.stderr
    assert f"{out} is a moderate report, not read" in second.stderr
    assert "last-week.html is a moderate report, not read" in second.stderr
    # Named explicitly, the output file is not read either.
    third = runner.invoke(app, ["report", str(out), str(corpus / "000_6e68049c915e2d42.txt"), "-o", str(out)])
    assert "wrote " + str(out) + ": 1 articles" in third.stderr


def test_sigterm_while_reporting_leaves_no_temporary_file_and_keeps_the_old_report(corpus, seeds, tmp_path):
    pages = tmp_path / "many"
    pages.mkdir()
    for copy in range(400):  # long enough to still be running when the signal comes
        for seed in seeds:
            shutil.copy(seed, pages / f"{copy:03d}_{seed.name}")
    out = tmp_path / "r.jsonl"
    out.write_text("last week's report\n")
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from moderation.cli import main; main()",
            "report",
            str(pages),
            "-o",
            str(out),
        ],
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not [p for p in tmp_path.iterdir() if p.name.startswith(".r.jsonl.")]:
        assert process.poll() is None and time.monotonic() < deadline, "no temporary file appeared"
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 143, stderr[-3000:]
    assert stderr.strip().splitlines()[-1] == "moderate: error: terminated"
    assert out.read_text() == "last week's report\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["r.jsonl"]


def test_an_unknown_report_format_is_refused_before_any_work(runner, moderator, tmp_path):
    result = runner.invoke(app, ["report", str(tmp_path), "--out", str(tmp_path / "report.pdf")])
    assert result.exit_code == 2
    assert "unknown report format .pdf" in result.stderr
    assert not (tmp_path / "report.pdf").exists()


def test_a_report_is_written_even_when_nothing_could_be_read(runner, moderator, tmp_path):
    out = tmp_path / "report.html"
    out.write_text("an older report")
    result = runner.invoke(app, ["report", str(tmp_path / "missing"), "--out", str(out)])
    assert result.exit_code == 2
    assert "missing: no such file or directory" in result.stderr
    page = out.read_text()
    assert "No article could be read." in page and "Files that failed (1)" in page
