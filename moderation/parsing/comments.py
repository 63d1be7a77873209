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
    as_jsonl: bool | None = None
    for line in lines:
        if line.text is None:
            yield BadLine(line.number, line.error or "unreadable")
            continue
        if not line.text.strip():
            continue
        if as_jsonl is None:
            as_jsonl = line.text.lstrip().startswith("{")
        yield _json_comment(line) if as_jsonl else CommentLine(line.number, line.text.strip())


def _refuse_constant(name: str) -> object:
    raise ValueError(f"{name} is not a JSON number")


# json.loads(text, parse_constant=...) builds this decoder for every line; it holds no state between calls.
_DECODER = json.JSONDecoder(parse_constant=_refuse_constant)


def _json_comment(line: TextLine) -> CommentLine | BadLine:
    text = line.text or ""
    try:
        record = _DECODER.decode(text)
        if "\\ud" in text or "\\uD" in text:  # an escaped surrogate: json pairs what pairs, the rest is lone
            record = _without_lone_surrogates(record)
    except json.JSONDecodeError as error:
        return BadLine(line.number, f"not valid JSON ({error.msg}, column {error.colno})")
    except (ValueError, RecursionError) as error:
        # NaN / Infinity, an integer of thousands of digits, nesting deeper than Python recurses
        reason = str(error) if isinstance(error, ValueError) else "nested too deeply"
        return BadLine(line.number, f"not valid JSON ({reason})")
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        return BadLine(line.number, 'expected a JSON object with a string "text" field')
    author = record.get("author")
    author = author if isinstance(author, str) else None
    # Everything else is kept as it came, a non-string author included.
    taken = ("text", "id", "author") if author is not None else ("text", "id")
    fields = {key: value for key, value in record.items() if key not in taken}
    return CommentLine(
        line.number,
        record["text"],
        id=record.get("id"),
        author=author,
        fields=MappingProxyType(fields),
    )


def _without_lone_surrogates(value: object) -> object:
    """``value`` with every unpaired surrogate ("\\ud800" in JSON) replaced by U+FFFD: it cannot be written."""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_without_lone_surrogates(key): _without_lone_surrogates(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_lone_surrogates(item) for item in value]
    return value
