"""A comment stream (one comment per line, or JSONL) -> one :class:`CommentLine` per comment, lazily.

The stream is JSONL when its first non-blank line starts with ``{``: then every non-blank line must be a
JSON object with a string ``text``; ``id`` (any JSON value) and ``author`` (a string) are kept, and every
other field too, so output can be joined back to the input. Otherwise each non-blank line is one comment.
A line that breaks these rules becomes a :class:`BadLine` naming it; the lines after it are still read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from moderation.reading import TextLine

_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


@dataclass(frozen=True)
class CommentLine:
    """One comment of a stream and what the input said about it."""

    line: int
    """1-based line number in the input."""
    text: str
    id: object = None
    """The input's ``id`` field as it was (string, number, ...), None when it had none."""
    author: str | None = None
    fields: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))
    """The input's other fields (not ``text``, ``id``, or ``author`` when it is a string), unchanged."""

    def to_dict(self, *, with_text: bool = True) -> dict:
        """The JSON form: ``line``, ``id``, ``author``, ``text`` (unless left out), and ``fields`` when the
        input had other fields."""
        record: dict = {"line": self.line, "id": self.id, "author": self.author}
        if with_text:
            record["text"] = self.text
        if self.fields:
            record["fields"] = dict(self.fields)
        return record


@dataclass(frozen=True)
class BadLine:
    """A line that holds no comment moderate can read, and why, in a few words."""

    line: int
    error: str


def read_comment_lines(lines: Iterable[TextLine]) -> Iterator[CommentLine | BadLine]:
    """The comments of a stream of lines (see the module's docstring); blank lines are skipped."""
    # One line per batch: the rules are comment_rows', and a bad line keeps its place among the comments.
    batches = ((line.number, [line if line.text is None else line.text]) for line in lines)
    for rows, bad in comment_rows(batches, batch_size=1):
        yield from bad
        for number, text, identifier, author, fields in rows:
            yield CommentLine(number, text, identifier, author, MappingProxyType(fields or {}))


CommentRow = tuple[int, str, object, "str | None", "dict[str, object] | None"]
"""A comment as :func:`comment_rows` gives it: what a :class:`CommentLine` holds (``fields`` None when there
are none), without building one: a long stream's comments cost a tuple each."""


def comment_rows(
    line_batches: Iterable[tuple[int, list]], *, batch_size: int
) -> Iterator[tuple[list[CommentRow], list[BadLine]]]:
    """:func:`read_comment_lines` for the batches of :func:`moderation.reading.read_line_batches`: its
    comments and bad lines ``batch_size`` (comments and bad lines, as they come) at a time."""
    as_jsonl: bool | None = None
    rows: list[CommentRow] = []
    bad: list[BadLine] = []
    for first, lines in line_batches:
        if as_jsonl is None:
            opening = next(
                (line for line in lines if type(line) is str and line and not line.isspace()), None
            )
            as_jsonl = None if opening is None else opening.lstrip().startswith("{")
        records = _objects_of(lines) if as_jsonl else None
        for at, (number, line) in enumerate(enumerate(lines, first)):
            if type(line) is not str:
                bad.append(BadLine(line.number, line.error or "unreadable"))
            elif not line or line.isspace():
                continue
            else:
                if not as_jsonl:
                    rows.append((number, line.strip(), None, None, None))
                else:
                    record = None if records is None else records[at]
                    row = _json_row(number, line) if record is None else _row_of(number, record)
                    (bad if type(row) is BadLine else rows).append(row)
            if len(rows) + len(bad) >= batch_size:
                yield rows, bad
                rows, bad = [], []
    if rows or bad:
        yield rows, bad


def _objects_of(lines: list) -> list | None:
    """Per line, the JSON object it holds, parsed with the others in one call; None for a line to be read
    alone (not shaped as one object, or an escaped surrogate), and None for all of them if any line did not
    parse (each is then read alone, to be named). Parsing lines one at a time costs more around each call
    than in it."""
    from moderation import _kernel

    marks = _kernel.json_object_lines(lines)
    picked = [line for line, mark in zip(lines, marks, strict=True) if mark]
    if not picked:
        return None
    document = "[" + ",".join(picked) + "]"
    try:
        values, end = _SCAN(document, 0)
    except Exception:  # noqa: BLE001 - a line that does not parse is read alone, and named
        return None
    if end != len(document) or len(values) != len(picked):  # cannot happen: the marks say why
        return None
    parsed = iter(values)
    return [next(parsed) if mark else None for mark in marks]


def _refuse_constant(name: str) -> object:
    raise ValueError(f"{name} is not a JSON number")


# json.loads(text, parse_constant=...) builds this decoder for every line; it holds no state between calls.
_DECODER = json.JSONDecoder(parse_constant=_refuse_constant)
# What _DECODER.decode calls once it has skipped white space: a line that is one object and nothing else
# needs no more (the regular expressions and calls around it cost as much as the parsing).
_SCAN = _DECODER.scan_once


def _json_row(number: int, text: str) -> CommentRow | BadLine:
    record = None
    if text[0] == "{" and text[-1] == "}":
        try:
            record, end = _SCAN(text, 0)
        except Exception:  # noqa: BLE001 - the full decoder below says what is wrong, in its words
            record = None
        else:
            if end != len(text):
                record = None
    try:
        if record is None:
            record = _DECODER.decode(text)
        if "\\ud" in text or "\\uD" in text:  # an escaped surrogate: json pairs what pairs, the rest is lone
            record = _without_lone_surrogates(record)
    except json.JSONDecodeError as error:
        return BadLine(number, f"not valid JSON ({error.msg}, column {error.colno})")
    except (ValueError, RecursionError) as error:
        # NaN / Infinity, an integer of thousands of digits, nesting deeper than Python recurses
        reason = str(error) if isinstance(error, ValueError) else "nested too deeply"
        return BadLine(number, f"not valid JSON ({reason})")
    return _row_of(number, record)


def _row_of(number: int, record: object) -> CommentRow | BadLine:
    """The comment of a line's parsed JSON, or why it holds none."""
    if not isinstance(record, dict) or not isinstance(comment := record.get("text"), str):
        return BadLine(number, 'expected a JSON object with a string "text" field')
    if len(record) == 2 and "id" in record:  # the usual record: no author, no other field
        return number, comment, record["id"], None, None
    author = record.get("author")
    author = author if isinstance(author, str) else None
    # Everything else is kept as it came, a non-string author included.
    taken = ("text", "id", "author") if author is not None else ("text", "id")
    fields = {key: value for key, value in record.items() if key not in taken}
    return number, comment, record.get("id"), author, fields or None


def _without_lone_surrogates(value: object) -> object:
    """``value`` with every unpaired surrogate ("\\ud800" in JSON) replaced by U+FFFD: it cannot be written."""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_without_lone_surrogates(key): _without_lone_surrogates(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_lone_surrogates(item) for item in value]
    return value
