"""Bytes -> text: the size limit, the encoding, line ends, and refusing what is not text.

:func:`collect_inputs` turns the paths a user names (files, folders, glob patterns, ``-``) into the files to
read. Everything that reads user input goes through :func:`read_text` (a whole page: a path or ``-`` for
stdin), :func:`read_lines` (a stream of comments, one per line, read piece by piece) or :func:`decode`
(bytes already in hand, e.g. an HTTP body). They raise :class:`InputError` with a one-line message and never
return undecoded or partially decoded text.

Only regular files and stdin are read: a FIFO, a device or a socket would block forever or never end, so
it is refused before it is opened for reading.

Encodings, in the order tried: a byte-order mark (UTF-8, UTF-16, UTF-32) decides; otherwise NUL bytes in
every second (or every third and fourth) position mean UTF-16 (UTF-32) without a mark; otherwise strict
UTF-8; otherwise cp1252, the usual encoding of text that is "almost UTF-8" on the web. Line ends become
``\\n``.
"""

from __future__ import annotations

import codecs
import glob
import os
import re
import stat
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from moderation.errors import InputError

DEFAULT_MAX_BYTES = 20_000_000
"""The largest page :func:`read_text` accepts by default (one article page is far smaller)."""
DEFAULT_MAX_LINE_BYTES = 1_000_000
"""The longest line :func:`read_lines` accepts by default (one comment is far shorter)."""
PAGE_SUFFIXES = (".txt", ".html", ".htm")
"""What a folder is searched for when it holds scraped pages."""
COMMENT_STREAM_SUFFIXES = (".jsonl", ".ndjson", ".txt")
"""What a folder is searched for when it holds comment streams (one comment per line, or JSONL)."""

# Longest first: the UTF-32-LE mark begins with the UTF-16-LE one.
_BYTE_ORDER_MARKS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Control characters other than those real text files carry (tab, line ends, form feed, DOS end-of-file,
# escape); more of them than this share of the text means binary.
_STRAY_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x19\x1c-\x1f\x7f-\x9f]")
_MAX_CONTROL_SHARE = 0.02
_NOT_STRAY_ASCII = bytes(b for b in range(256) if not _STRAY_CONTROLS.match(chr(b)) or b >= 0x80)
_STRAY_C1_UTF8 = re.compile(rb"\xc2[\x80-\x9f]")

# How much of the start of a stream decides its encoding, and how much is read at a time after that.
_SNIFF_BYTES = 65_536
_CHUNK_BYTES = 1 << 20

_NOT_REGULAR = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


@dataclass(frozen=True)
class FailedInput:
    """An input that could not be read (or named nothing), and the one-line reason."""

    source: str
    error: str


def collect_inputs(
    paths: Iterable[str], *, suffixes: tuple[str, ...] = PAGE_SUFFIXES, patterns: bool = True
) -> tuple[list[str], list[FailedInput]]:
    """Expand files, folders and glob patterns (``**`` recurses) into the files to read, each once even when
    named twice, and the arguments that named nothing.

    A file named outright is taken whatever its name, and so is ``-`` (stdin); a folder is walked for names
    ending in ``suffixes``, skipping hidden files and folders and not following symbolic links. What is not a
    regular file is left for the reader to refuse, in its own words. ``patterns=False`` takes each argument
    as a name, as it is when a shell has expanded the patterns already (a file may be called ``[1].txt``).
    """
    files: list[str] = []
    problems: list[FailedInput] = []
    for argument in paths:
        path = Path(argument)
        if argument == "-" or (path.exists() and not path.is_dir()):
            files.append(argument)
        elif path.is_dir():
            inside = _walk(path, suffixes)
            if not inside:
                problems.append(
                    FailedInput(argument, f"{argument} is a directory with no {_names(suffixes)} file")
                )
            files += inside
        elif patterns and glob.has_magic(argument):
            matches = sorted(glob.glob(argument, recursive=True))
            if not matches:
                problems.append(FailedInput(argument, f"{argument}: no file matches this pattern"))
            for match in matches:
                files += _walk(Path(match), suffixes) if Path(match).is_dir() else [match]
        else:
            problems.append(FailedInput(argument, f"{argument}: no such file or directory"))
    unique: dict[str, str] = {}
    for file in files:
        unique.setdefault(file if file == "-" else os.path.realpath(file), file)
    return list(unique.values()), problems


def _walk(directory: Path, suffixes: tuple[str, ...]) -> list[str]:
    found = []
    for root, folders, names in os.walk(directory):
        folders[:] = sorted(folder for folder in folders if not folder.startswith("."))
        found += [
            os.path.join(root, name)
            for name in sorted(names)
            if not name.startswith(".") and name.lower().endswith(suffixes)
        ]
    return found


def _names(suffixes: tuple[str, ...]) -> str:
    return ", ".join(suffixes[:-1]) + f" or {suffixes[-1]}" if len(suffixes) > 1 else suffixes[0]


def read_text(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Read ``path`` (``"-"`` for stdin) as text; at most ``max_bytes`` bytes (0: no limit) are accepted.

    Reads no more than ``max_bytes + 1`` bytes, so a huge file is refused without being loaded.
    """
    if max_bytes < 0:
        raise InputError(f"the size limit must not be negative (got {max_bytes})")
    with open_binary(path) as (stream, name):
        try:
            data = stream.read(max_bytes + 1) if max_bytes else stream.read()
        except OSError as error:
            raise InputError(f"{name}: cannot read ({error.strerror or error})") from None
    if max_bytes and len(data) > max_bytes:
        raise InputError(f"{name} is larger than the {max_bytes:,}-byte limit (raise it with --max-bytes)")
    return decode(data, name=name)


def input_name(path: str | Path) -> str:
    """How messages name an input: its path, or ``<stdin>`` for ``-``."""
    return "<stdin>" if str(path) == "-" else str(path)


@contextmanager
def open_binary(path: str | Path) -> Iterator[tuple[BinaryIO, str]]:
    """Open ``path`` (``"-"``: stdin, left open) for reading bytes; InputError unless it is a regular file."""
    name = input_name(path)
    if str(path) == "-":
        yield sys.stdin.buffer, name
        return
    try:
        _check_regular(os.stat(path), name)
        # O_NONBLOCK: should the path be swapped for a FIFO after the check, opening it cannot hang.
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise InputError(f"{name}: no such file") from None
    except NotADirectoryError:
        raise InputError(f"{name}: no such file (a folder on the way is a file)") from None
    except PermissionError:
        raise InputError(f"{name}: permission denied") from None
    except (OSError, ValueError) as error:
        raise InputError(f"{name}: cannot read ({getattr(error, 'strerror', None) or error})") from None
    try:
        _check_regular(os.fstat(descriptor), name)
        os.set_blocking(descriptor, True)
        stream = os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise
    with stream:
        yield stream, name


def _check_regular(status: os.stat_result, name: str) -> None:
    if stat.S_ISDIR(status.st_mode):
        raise InputError(f"{name} is a directory, not a file")
    if not stat.S_ISREG(status.st_mode):
        kind = next((what for test, what in _NOT_REGULAR if test(status.st_mode)), "not a regular file")
        raise InputError(f"{name} is {kind}, not a regular file; pipe it to stdin (-) instead")


def decode(data: bytes, *, name: str = "input") -> str:
    """Decode ``data`` to text with ``\\n`` line ends, or raise :class:`InputError` if it is not text."""
    if not data:
        return ""
    encoding = sniff_encoding(data)
    if encoding is not None:
        text = _decode_whole(data, encoding, name=name)
    else:
        if b"\x00" in data:
            raise InputError(f"{name} looks binary (it contains NUL bytes), not text")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                raise InputError(f"{name} is neither UTF-8 nor cp1252 text") from None
    if looks_binary(text):
        raise InputError(f"{name} looks binary (too many control characters), not text")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def sniff_encoding(head: bytes) -> str | None:
    """The encoding the start of a stream announces (a byte-order mark, or the NULs of UTF-16/32), or None.

    None means "byte-oriented": UTF-8, else cp1252. A name ending in ``-sig`` or ``utf-16``/``utf-32``
    (no byte order) means the decoder consumes a byte-order mark.
    """
    for mark, encoding in _BYTE_ORDER_MARKS:
        if head.startswith(mark):
            return encoding
    sample = head[:4096]
    sample = sample[: len(sample) - len(sample) % 4]
    if b"\x00" not in sample:
        return None
    # ASCII in UTF-16-LE is "a\0b\0", in UTF-32-BE "\0\0\0a": the NULs sit at fixed positions mod 4,
    # where binary data scatters them. Spaces and digits give NULs even in non-Latin text.
    quarter = len(sample) // 4
    nuls = [sample[k::4].count(0) / quarter for k in range(4)]
    if nuls[2] > 0.9 and nuls[3] > 0.9:
        return "utf-32-le"
    if nuls[0] > 0.9 and nuls[1] > 0.9:
        return "utf-32-be"
    odd, even = (nuls[1] + nuls[3]) / 2, (nuls[0] + nuls[2]) / 2
    if odd >= 0.1 and even <= 0.01:
        return "utf-16-le"
    if even >= 0.1 and odd <= 0.01:
        return "utf-16-be"
    return None


def _label(encoding: str) -> str:
    return encoding.removesuffix("-sig").upper()


def _decode_whole(data: bytes, encoding: str, *, name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        if data.startswith(b"\xef\xbb\xbf") or data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff"):
            label = _label(encoding)
            raise InputError(f"{name} starts with a {label} byte-order mark but is not {label}") from None
        raise InputError(
            f"{name} looks binary (its NUL bytes suggest {_label(encoding)}, but it is not)"
        ) from None


def looks_binary(text: str) -> bool:
    """Whether decoded text holds NULs, or more stray control characters than real text does."""
    if text.isprintable():  # no control character at all (the common case, checked in one C loop)
        return False
    return "\x00" in text or _share_of_controls(text) > _MAX_CONTROL_SHARE


def _share_of_controls(text: str) -> float:
    controls = len(_STRAY_CONTROLS.findall(text))
    return controls / len(text) if controls else 0.0


# --- line by line ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TextLine:
    """One line of a stream: its text, or why it could not be read (``text`` is None then)."""

    number: int
    """1-based line number in the input."""
    text: str | None
    error: str | None = None


def read_lines(path: str | Path, *, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES) -> Iterator[TextLine]:
    """Yield every line of ``path`` (``"-"``: stdin) without its line end, reading a piece at a time.

    Memory stays flat whatever the input's size. A line longer than ``max_line_bytes`` (0: no limit), or
    one that does not decode, comes back with an ``error`` and the lines after it are still read (in
    UTF-16/32, a broken code unit becomes U+FFFD). A stream that is binary from the start raises InputError.
    """
    for first, lines in read_line_batches(path, max_line_bytes=max_line_bytes):
        for number, line in enumerate(lines, first):
            yield TextLine(number, line) if type(line) is str else line


def read_line_batches(
    path: str | Path, *, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES
) -> Iterator[tuple[int, list[str | TextLine]]]:
    """:func:`read_lines`, a piece of the input at a time: the number of the piece's first line, and its lines
    in order, each its text, or a :class:`TextLine` with the ``error`` when it could not be read.

    A megabyte of lines costs a few calls in C instead of a few per line: what a long stream's reading is."""
    if max_line_bytes < 0:
        raise InputError(f"the line length limit must not be negative (got {max_line_bytes})")
    with open_binary(path) as (stream, name):
        try:
            head = _head(stream)
            encoding = sniff_encoding(head)
            if encoding is None:
                _refuse_binary_start(head, name)
                yield from _byte_lines(head, stream, max_line_bytes)
            else:
                yield from _wide_lines(head, stream, encoding, max_line_bytes)
        except OSError as error:
            raise InputError(f"{name}: cannot read ({error.strerror or error})") from None


def _head(stream: BinaryIO) -> bytes:
    """What decides the encoding: up to _SNIFF_BYTES, but no more than a pipe has ready past a line."""
    head = stream.read1(_SNIFF_BYTES)
    while head and len(head) < _SNIFF_BYTES and (b"\n" not in head or len(head) < 8):
        more = stream.read1(_SNIFF_BYTES - len(head))
        if not more:
            break
        head += more
    return head


def _refuse_binary_start(head: bytes, name: str) -> None:
    # One bad line among good ones is that line's problem (a NUL included); a binary start is the file's.
    if _share_of_controls(head.decode("utf-8", "replace")) > _MAX_CONTROL_SHARE:
        raise InputError(f"{name} looks binary (too many control characters), not text")


def _too_long(number: int, limit: int) -> TextLine:
    return TextLine(number, None, f"longer than the {limit:,}-byte limit per line (see --max-comment-bytes)")


def _byte_lines(head: bytes, stream: BinaryIO, limit: int) -> Iterator[tuple[int, list[str | TextLine]]]:
    # Old Mac files end lines with CR alone.
    separator = b"\r" if b"\r" in head and b"\n" not in head else b"\n"
    buffer = head.removeprefix(codecs.BOM_UTF8)
    number = 0
    skipping = False  # the next piece ends a line already known to be too long
    while True:
        chunk = stream.read1(_CHUNK_BYTES)  # what is there: a pipe's lines go on before it is closed
        pieces = (buffer + chunk).split(separator)
        if chunk:
            buffer = pieces.pop()
        elif pieces[-1] == b"" and not (skipping and len(pieces) == 1):
            pieces.pop()  # the input ended with a line end
        first = number + 1
        lines = None if skipping or separator != b"\n" else _decode_lines(pieces, limit)
        if lines is None:
            lines = []
            for piece in pieces:
                number += 1
                if skipping or (limit and len(piece) > limit):
                    skipping = False
                    lines.append(_too_long(number, limit))
                else:
                    line = _decode_line(number, piece)
                    lines.append(line.text if line.text is not None else line)
        else:
            number += len(lines)
        if lines:
            yield first, lines
        if not chunk:
            return
        if limit and len(buffer) > limit:
            # Keep none of an overlong line: only the fact that it was one.
            skipping, buffer = True, b""


def _decode_lines(pieces: list[bytes], limit: int) -> list[str] | None:
    """The text of every line when all of them are short enough, UTF-8 and free of control characters (the
    usual case, checked at once in C), else None: then each line is read by :func:`_decode_line`."""
    if not pieces or (limit and max(map(len, pieces)) > limit):
        return None
    data = b"\n".join(pieces)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    # _STRAY_CONTROLS.search(text), on the UTF-8 bytes: four times as fast. In UTF-8 a byte below 0x80 is
    # that code point, and U+0080 to U+009F are 0xC2 0x80 to 0xC2 0x9F.
    if data.translate(None, _NOT_STRAY_ASCII) or _STRAY_C1_UTF8.search(data):
        return None
    lines = text.split("\n")
    if "\r" in text:
        lines = [line[:-1] if line.endswith("\r") else line for line in lines]
    return lines


def _decode_line(number: int, raw: bytes) -> TextLine:
    raw = raw.removesuffix(b"\r")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError:
            return TextLine(number, None, "neither UTF-8 nor cp1252 text")
    if looks_binary(text):
        return TextLine(number, None, "looks binary (NUL or control characters), not text")
    return TextLine(number, text)


def _wide_lines(
    head: bytes, stream: BinaryIO, encoding: str, limit: int
) -> Iterator[tuple[int, list[str | TextLine]]]:
    # A broken code unit costs one character (U+FFFD), not the lines around it.
    decoder = codecs.getincrementaldecoder(encoding)("replace")
    width = 4 if "32" in encoding else 2  # bytes per character: the limit is on the encoded size
    buffer = ""
    number = 0
    skipping = False
    chunk = head
    while True:
        text = decoder.decode(chunk, final=not chunk)
        pieces = (buffer + text).split("\n")
        if chunk:
            buffer = pieces.pop()
        elif pieces[-1] == "" and not (skipping and len(pieces) == 1):
            pieces.pop()
        first, lines = number + 1, []
        for piece in pieces:
            number += 1
            piece = piece.removesuffix("\r")
            if skipping or (limit and len(piece) * width > limit):
                skipping = False
                lines.append(_too_long(number, limit))
            elif looks_binary(piece):
                lines.append(TextLine(number, None, "looks binary (NUL or control characters), not text"))
            else:
                lines.append(piece)
        if lines:
            yield first, lines
        if not chunk:
            return
        if limit and len(buffer) * width > limit:
            skipping, buffer = True, ""
        chunk = stream.read1(_CHUNK_BYTES)
