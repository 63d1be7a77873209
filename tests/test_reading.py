"""Reading input: encodings, line ends, and a clear one-line refusal of what is not text."""

from __future__ import annotations

import codecs
import io
import sys
from pathlib import Path

import pytest

from moderation.errors import InputError
from moderation.reading import decode, read_text

PAGE = "Café “quotes” – naïve\nsecond line\n"


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (PAGE.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + PAGE.encode("utf-8"), "utf-8 with a byte-order mark"),
        (PAGE.encode("utf-16"), "utf-16 with its byte-order mark (native order)"),
        (codecs.BOM_UTF16_LE + PAGE.encode("utf-16-le"), "utf-16 little-endian with BOM"),
        (codecs.BOM_UTF16_BE + PAGE.encode("utf-16-be"), "utf-16 big-endian with BOM"),
        (PAGE.encode("utf-32"), "utf-32 with BOM"),
        (PAGE.encode("cp1252"), "cp1252, the usual not-quite-UTF-8"),
    ],
)
def test_text_decodes_whatever_the_encoding(data, why):
    assert decode(data, name="page") == PAGE, why


def test_line_ends_become_newlines():
    assert decode(b"one\r\ntwo\rthree\n", name="page") == "one\ntwo\nthree\n"
    assert decode("a\r\nb".encode("utf-16"), name="page") == "a\nb"


def test_empty_input_is_empty_text(tmp_path):
    assert decode(b"", name="page") == ""
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert read_text(empty) == ""


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "looks binary"),
        (b"text with a \x00 in it", "looks binary"),
        (bytes(range(1, 32)) * 4, "looks binary"),
        (b"\x81\x8d\x8f\x90\x9d", "neither UTF-8 nor cp1252"),
        (codecs.BOM_UTF8 + b"\xff\xfe broken", "UTF-8 byte-order mark"),
    ],
)
def test_binary_or_undecodable_input_is_refused(data, message):
    with pytest.raises(InputError, match=message) as error:
        decode(data, name="blob.bin")
    assert "blob.bin" in str(error.value)
    assert "\n" not in str(error.value)


def test_a_stray_control_character_in_real_text_is_fine():
    text = "A long enough line of ordinary text with one form feed\f and one escape \x1b here.\n" * 3
    assert decode(text.encode(), name="page") == text


def test_read_text_reads_a_file(tmp_path):
    page = tmp_path / "page.txt"
    page.write_bytes(PAGE.replace("\n", "\r\n").encode("cp1252"))
    assert read_text(page) == PAGE
    assert read_text(str(page)) == PAGE


def test_missing_file_and_directory_are_refused(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_text(tmp_path / "nope.txt")
    with pytest.raises(InputError, match="is a directory"):
        read_text(tmp_path)


def test_size_limit_is_enforced_and_configurable(tmp_path):
    page = tmp_path / "page.txt"
    page.write_bytes(b"x" * 1000)
    assert read_text(page, max_bytes=1000) == "x" * 1000
    with pytest.raises(InputError, match="larger than the 999-byte limit"):
        read_text(page, max_bytes=999)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_an_endless_input_is_refused_without_reading_it_all():
    # /dev/zero never ends: this only returns because at most max_bytes + 1 bytes are read.
    with pytest.raises(InputError, match="larger than"):
        read_text("/dev/zero", max_bytes=1_000_000)


class _Stdin:
    def __init__(self, data: bytes):
        self.buffer = io.BytesIO(data)


def test_dash_reads_stdin(monkeypatch):
    monkeypatch.setattr(sys, "stdin", _Stdin(codecs.BOM_UTF8 + b"from stdin\r\n"))
    assert read_text("-") == "from stdin\n"


def test_stdin_has_the_size_limit_too(monkeypatch):
    monkeypatch.setattr(sys, "stdin", _Stdin(b"y" * 50))
    with pytest.raises(InputError, match="<stdin> is larger than the 10-byte limit"):
        read_text("-", max_bytes=10)
