"""Bytes -> text: the size limit, the encoding, line ends, and refusing what is not text.

Everything that reads user input goes through :func:`read_text` (a path or ``-`` for stdin) or
:func:`decode` (bytes already in hand, e.g. an HTTP body). Both raise :class:`InputError` with a one-line
message; neither ever returns undecoded or partially decoded text.

Encodings, in the order tried: a byte-order mark (UTF-8, UTF-16, UTF-32) decides; otherwise strict UTF-8;
otherwise cp1252, the usual encoding of text that is "almost UTF-8" on the web. Line ends become ``\\n``.
"""

from __future__ import annotations

import codecs
import re
import sys
from pathlib import Path

from moderation.errors import InputError

DEFAULT_MAX_BYTES = 20_000_000

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


def read_text(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Read ``path`` (``"-"`` for stdin) as text; at most ``max_bytes`` bytes are accepted.

    Reads no more than ``max_bytes + 1`` bytes, so a huge file is refused without being loaded.
    """
    if max_bytes < 0:
        raise InputError(f"the size limit must not be negative (got {max_bytes})")
    if str(path) == "-":
        name = "<stdin>"
        data = sys.stdin.buffer.read(max_bytes + 1)
    else:
        file = Path(path)
        name = str(path)
        if file.is_dir():
            raise InputError(f"{name} is a directory, not a file")
        try:
            with file.open("rb") as stream:
                data = stream.read(max_bytes + 1)
        except FileNotFoundError:
            raise InputError(f"{name}: no such file") from None
        except PermissionError:
            raise InputError(f"{name}: permission denied") from None
        except OSError as error:
            raise InputError(f"{name}: cannot read ({error.strerror or error})") from None
    if len(data) > max_bytes:
        raise InputError(f"{name} is larger than the {max_bytes:,}-byte limit (raise it with --max-bytes)")
    return decode(data, name=name)


def decode(data: bytes, *, name: str = "input") -> str:
    """Decode ``data`` to text with ``\\n`` line ends, or raise :class:`InputError` if it is not text."""
    if not data:
        return ""
    text = _decode_with_bom(data, name=name)
    if text is None:
        if b"\x00" in data:
            raise InputError(f"{name} looks binary (it contains NUL bytes), not text")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                raise InputError(f"{name} is neither UTF-8 nor cp1252 text") from None
    if _looks_binary(text):
        raise InputError(f"{name} looks binary (too many control characters), not text")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _decode_with_bom(data: bytes, *, name: str) -> str | None:
    for mark, encoding in _BYTE_ORDER_MARKS:
        if data.startswith(mark):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                label = encoding.removesuffix("-sig").upper()
                raise InputError(f"{name} starts with a {label} byte-order mark but is not {label}") from None
    return None


def _looks_binary(text: str) -> bool:
    if "\x00" in text:
        return True
    controls = len(_STRAY_CONTROLS.findall(text))
    return controls > 0 and controls > _MAX_CONTROL_SHARE * len(text)
