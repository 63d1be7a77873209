"""Paths a user names -> the files to read (reading.collect_inputs), and a comment stream scored a batch at a
time (Moderator.score_stream)."""

from __future__ import annotations

import pytest

from moderation import Moderator
from moderation.parsing.comments import BadLine, read_comment_lines
from moderation.reading import COMMENT_STREAM_SUFFIXES, TextLine, collect_inputs


def test_folders_are_walked_for_the_suffixes_asked(tmp_path):
    for name in ("a.jsonl", "b.txt", "c.html", "deep/d.ndjson", ".hidden.jsonl"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    pages, _ = collect_inputs([str(tmp_path)])
    streams, _ = collect_inputs([str(tmp_path)], suffixes=COMMENT_STREAM_SUFFIXES)
    assert [p.removeprefix(f"{tmp_path}/") for p in pages] == ["b.txt", "c.html"]
    assert [p.removeprefix(f"{tmp_path}/") for p in streams] == ["a.jsonl", "b.txt", "deep/d.ndjson"]


def test_a_folder_with_nothing_to_read_and_a_missing_name_are_named(tmp_path):
    (tmp_path / "empty").mkdir()
    files, problems = collect_inputs(["-", str(tmp_path / "empty"), str(tmp_path / "gone.txt"), "-"])
    assert files == ["-"]
    assert [p.error for p in problems] == [
        f"{tmp_path / 'empty'} is a directory with no .txt, .html or .htm file",
        f"{tmp_path / 'gone.txt'}: no such file or directory",
    ]


def test_without_patterns_a_name_with_brackets_is_a_name(tmp_path):
    (tmp_path / "a1.txt").write_text("x")
    pattern = str(tmp_path / "a[1].txt")
    assert collect_inputs([pattern]) == ([str(tmp_path / "a1.txt")], [])
    assert collect_inputs([pattern], patterns=False)[1][0].error == f"{pattern}: no such file or directory"


@pytest.fixture(scope="module")
def moderator() -> Moderator:
    return Moderator.load()


def test_a_stream_is_scored_in_batches_and_bad_lines_come_back_unscored(moderator):
    texts = [f"comment number {i}, you idiot" if i % 3 == 0 else f"a kind word {i}" for i in range(7)]
    lines = [TextLine(i + 1, text) for i, text in enumerate(texts)]
    lines.insert(3, TextLine(4, None, "too long"))
    batches = list(moderator.score_stream(read_comment_lines(lines), batch_size=3))
    assert [len(b.comments) + len(b.bad) for b in batches] == [3, 3, 2]
    assert [bad for b in batches for bad in b.bad] == [BadLine(4, "too long")]
    comments = [c for b in batches for c in b.comments]
    assert [c.text for c in comments] == texts
    assert [s for b in batches for s in b.scores] == moderator.score_many(texts)
