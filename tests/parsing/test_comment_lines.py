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
