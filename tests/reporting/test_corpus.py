"""Scoring a corpus for a report: parsed in worker processes, scored in batches across articles, in order."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from moderation.errors import ModerateError
from moderation.parsing import parse_file
from moderation.reporting import ReportBuilder, build_report
from moderation.reporting.corpus import moderate_corpus

SEEDS = sorted((Path(__file__).resolve().parents[2] / "seeds").glob("*.txt"))


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_corpus_scores_exactly_as_one_article_at_a_time_in_input_order(moderator, tmp_path, jobs):
    files = []
    for copy in range(6):  # 30 pages: several scoring batches of about a thousand comments
        for seed in SEEDS:
            files.append(str(shutil.copy(seed, tmp_path / f"{copy}_{seed.name}")))
    (tmp_path / "bad.html").write_bytes(b"\x00\x01binary" * 40)
    files.insert(7, str(tmp_path / "bad.html"))

    results = list(moderate_corpus(files, moderator, max_bytes=1 << 20, jobs=jobs))

    assert [file for file, _ in results] == files
    assert isinstance(results[7][1], ModerateError)
    for file, scored in results[:7] + results[8:]:
        assert scored == moderator.moderate(parse_file(file))  # probabilities, flags and reasons alike


def test_an_html_report_explains_only_the_comments_it_shows_and_they_match_a_full_explanation(
    moderator, tmp_path
):
    files = [str(shutil.copy(seed, tmp_path / seed.name)) for seed in SEEDS]
    scored = [article for _, article in moderate_corpus(files, moderator, max_bytes=1 << 20, explain="none")]
    assert all(not s.reasons for a in scored for c in a.comments for s in c.scores.labels.values())
    asked: list[int] = []

    def explain(texts):
        asked.append(len(texts))
        return moderator.score_many(texts)

    builder = ReportBuilder(flagged_limit=3)
    for article in scored:
        builder.add(article)
    report = builder.build(explain)
    assert asked == [3] and len(report.flagged_comments) == 3
    fully = build_report([moderator.moderate(parse_file(file)) for file in files], flagged_limit=3)
    assert [item.moderated for item in report.flagged_comments] == [
        item.moderated for item in fully.flagged_comments
    ]
    assert all(item.driving_ngrams for item in report.flagged_comments)


def test_closing_the_corpus_early_stops_its_parser_processes_at_once(moderator, tmp_path):
    import multiprocessing

    files = []
    for copy in range(60):
        for seed in SEEDS:
            files.append(tmp_path / f"{copy:03d}_{seed.name}")
            shutil.copy(seed, files[-1])
    corpus = moderate_corpus([str(f) for f in files], moderator, max_bytes=10**7, jobs=2)
    next(corpus)
    corpus.close()  # what `moderate report` does when it stops early (an error, Ctrl-C, SIGTERM)
    # The pages still queued are cancelled, not parsed, and the pool is shut down now, not at exit.
    assert not multiprocessing.active_children()
