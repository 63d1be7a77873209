"""A comment stream -> CommentLine per comment, BadLine per line that holds none; the rest is still read."""

from __future__ import annotations

from moderation.parsing.comments import BadLine, CommentLine, read_comment_lines
from moderation.reading import TextLine


def _read(*texts: str | None) -> list[CommentLine | BadLine]:
    lines = [TextLine(n, text, None if text is not None else "unreadable") for n, text in enumerate(texts, 1)]
    return list(read_comment_lines(lines))


def test_plain_lines_are_one_comment_each_and_blank_lines_are_skipped():
    assert _read("first comment", "", "  second one  ") == [
        CommentLine(1, "first comment"),
        CommentLine(3, "second one"),
    ]


def test_jsonl_keeps_id_author_and_every_other_field():
    read = _read(
        '{"id": "a1", "text": "hello", "author": "ana", "ts": 5, "tags": ["x"]}',
        '{"text": "t", "id": 7, "author": 3}',
    )
    assert read[0] == CommentLine(1, "hello", id="a1", author="ana", fields={"ts": 5, "tags": ["x"]})
    assert read[1] == CommentLine(2, "t", id=7, author=None, fields={"author": 3})  # kept, not an author


def test_every_bad_line_is_named_and_the_good_ones_still_come():
    read = _read(
        '{"text": "ok"}',
        "{broken",
        '["a list"]',
        '{"body": "no text"}',
        None,
        '{"text": "NaN", "x": NaN}',
        '{"text": "last"}',
    )
    assert [item.line for item in read if isinstance(item, CommentLine)] == [1, 7]
    bad = {item.line: item.error for item in read if isinstance(item, BadLine)}
    assert sorted(bad) == [2, 3, 4, 5, 6]
    assert bad[2].startswith("not valid JSON") and "text" in bad[3] and "text" in bad[4]
    assert bad[5] == "unreadable" and "NaN" in bad[6]


def test_hostile_json_is_a_bad_line_not_a_crash():
    read = _read('{"text": "x"}', "[" * 50_000 + "]" * 50_000, '{"text": "y", "id": ' + "1" * 5000 + "}")
    assert [type(item) for item in read] == [CommentLine, BadLine, BadLine]


def test_lone_surrogates_become_replacement_characters():
    (comment,) = _read('{"text": "a \\ud800 b \\ud83d\\ude00", "id": "\\udc00", "note": ["\\ud801"]}')
    assert (
        comment.text == "a \ufffd b \U0001f600"
        and comment.id == "\ufffd"
        and comment.fields == {"note": ["\ufffd"]}
    )


def test_a_batch_of_json_lines_is_parsed_at_once_and_reads_as_each_line_alone():
    # comment_rows parses the lines shaped as one object each in one call. Lines that would fool a join
    # (two objects on one line, one object over two lines: as many items as lines, in the wrong places),
    # brackets and quotes inside strings, escaped surrogates, bad JSON, other values, padding: every line
    # reads exactly as it does alone, bad ones named with their number.
    from moderation import _kernel
    from moderation.parsing import comments

    tricky = [
        '{"text": "a"}, {"text": "b"}',
        '{"text": "c", "z": [{"x": 1}',
        '{"y": 2}]}',
        '{"text": "}{][\\" \\\\", "id": 1}',
        '{"text": "pair \\ud83d\\ude00 lone \\udc00", "id": 2}',
        '{"text": "\\\\ud is no escape", "id": 3}',
        '{"text": "unterminated}',
        '{"text": NaN}',
        '{"text": 5}',
        "[1]",
        '  {"text": "padded", "author": "ana"}  ',
        '{"text": "x"}}',
        "{}",
        '{"id": 9, "text": "ok"}',
        '{"text": "😀 }{ \\" ]", "id": 4}',
        '{"text": "日本"}, {"text": "語"}',
    ]
    lines = [
        line for i in range(40) for line in (tricky if i % 3 == 0 else [f'{{"id": {i}, "text": "t{i}"}}'])
    ]
    lines.insert(5, "")
    alone = [
        row for number, line in enumerate(lines, 1) if line for row in [comments._json_row(number, line)]
    ]  # fmt: skip
    together = [item for rows, bad in comments.comment_rows([(1, lines)], batch_size=10**6) for item in
                sorted([*rows, *bad], key=lambda r: r.line if isinstance(r, BadLine) else r[0])]  # fmt: skip
    assert together == alone
    assert sum(isinstance(row, BadLine) for row in alone) == 14 * 10
    marks = list(_kernel.json_object_lines([*tricky, None, "{", '{"a": 1}']))
    assert marks == [0, 0, 0, 1, 0, 1, 0, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0, 1]


def test_good_json_lines_are_parsed_in_one_call(monkeypatch):
    from moderation.parsing import comments

    calls = []
    scan = comments._SCAN
    monkeypatch.setattr(comments, "_SCAN", lambda text, at: calls.append(text) or scan(text, at))
    lines = [f'{{"id": {i}, "text": "comment {i}"}}' for i in range(500)]
    ((rows, bad),) = comments.comment_rows([(1, lines)], batch_size=1000)
    assert not bad and rows == [(i + 1, f"comment {i}", i, None, None) for i in range(500)]
    assert len(calls) == 1
