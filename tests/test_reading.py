"""Reading input: encodings, line ends, and a clear one-line refusal of what is not text."""

from __future__ import annotations

import codecs
import io
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from moderation import reading
from moderation.errors import InputError
from moderation.reading import TextLine, decode, read_lines, read_text

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


def test_an_endless_input_is_refused_without_reading_it_all(monkeypatch):
    # An endless stdin: this only returns because at most max_bytes + 1 bytes are read.
    monkeypatch.setattr(sys, "stdin", type("Stdin", (), {"buffer": io.BufferedReader(_Endless())}))
    with pytest.raises(InputError, match="larger than"):
        read_text("-", max_bytes=1_000_000)


class _Endless(io.RawIOBase):
    def readable(self):
        return True

    def readinto(self, buffer):
        buffer[:] = b"a" * len(buffer)
        return len(buffer)


def test_zero_means_no_size_limit(tmp_path):
    page = tmp_path / "page.txt"
    page.write_bytes(b"x" * 5000)
    assert read_text(page, max_bytes=0) == "x" * 5000


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
@pytest.mark.parametrize("read", [read_text, lambda path: list(read_lines(path))])
def test_a_device_is_refused_without_reading_it(read, tmp_path):
    with pytest.raises(InputError, match="/dev/zero is a character device, not a regular file"):
        read("/dev/zero")
    # A link to it is no way around the check.
    link = tmp_path / "page.txt"
    link.symlink_to("/dev/zero")
    with pytest.raises(InputError, match="character device"):
        read(link)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_refused_at_once_instead_of_waiting_for_a_writer(tmp_path):
    # Opening a FIFO for reading blocks until something writes to it; run in a child so a hang fails.
    fifo = tmp_path / "p"
    os.mkfifo(fifo)
    code = (
        "import sys\nfrom moderation.reading import read_text, read_lines\nfrom moderation.errors import InputError\n"
        "for read in (read_text, lambda p: list(read_lines(p))):\n"
        "    try:\n        read(sys.argv[1])\n    except InputError as e:\n        print(e)\n"
    )
    done = subprocess.run([sys.executable, "-c", code, str(fifo)], capture_output=True, text=True, timeout=30)
    assert (
        done.stdout.splitlines()
        == [f"{fifo} is a FIFO (named pipe), not a regular file; pipe it to stdin (-) instead"] * 2
    )


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="needs Unix sockets")
def test_a_socket_is_refused(tmp_path):
    path = tmp_path / "s"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        with pytest.raises(InputError, match="is a socket, not a regular file"):
            read_text(path)


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
@pytest.mark.parametrize("text", [PAGE, "Привет, как дела? 12 34\nשלום עולם 2024\n"])
def test_utf16_and_utf32_without_a_byte_order_mark_are_text(encoding, text):
    assert decode(text.encode(encoding), name="page") == text


def test_nuls_in_no_pattern_are_still_binary():
    blob = bytes([0, 7, 0, 0, 200, 13, 0, 99, 1, 0, 0, 3] * 50)
    with pytest.raises(InputError, match="looks binary"):
        decode(blob, name="blob")


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


# ---- line by line -----------------------------------------------------------------------------------------


def _lines(tmp_path, data: bytes, **options) -> list[TextLine]:
    path = tmp_path / "comments.txt"
    path.write_bytes(data)
    return list(read_lines(path, **options))


@pytest.mark.parametrize("chunk", [3, 5, 1 << 20])
def test_lines_come_back_numbered_whatever_the_line_end(tmp_path, monkeypatch, chunk):
    monkeypatch.setattr(reading, "_CHUNK_BYTES", chunk)
    monkeypatch.setattr(
        reading, "_SNIFF_BYTES", min(chunk, 1 << 16) if chunk > 8 else 8
    )  # what decides the encoding
    expected = [TextLine(1, "one"), TextLine(2, ""), TextLine(3, "três")]
    for data in (b"one\n\ntr\xc3\xaas\n", b"one\r\n\r\ntr\xc3\xaas", b"one\r\rtr\xc3\xaas\r"):
        assert _lines(tmp_path, data) == expected, data
    assert _lines(tmp_path, codecs.BOM_UTF8 + b"one\n\ntr\xc3\xaas\n") == expected
    assert _lines(tmp_path, "one\r\n\r\ntrês\r\n".encode("utf-16")) == expected
    assert _lines(tmp_path, "one\n\ntrês".encode("utf-16-le")) == expected
    assert _lines(tmp_path, b"") == []


@pytest.mark.parametrize("chunk", [4, 1 << 20])
def test_an_overlong_or_undecodable_line_is_named_and_the_rest_still_read(tmp_path, monkeypatch, chunk):
    monkeypatch.setattr(reading, "_CHUNK_BYTES", chunk)
    data = b"short\n" + b"y" * 30 + b"\nok\nbad \x81\x8d\x90\nbinary\x00line\n" + b"z" * 13
    lines = _lines(tmp_path, data, max_line_bytes=12)
    assert [(line.number, line.text) for line in lines] == [
        (1, "short"),
        (2, None),
        (3, "ok"),
        (4, None),
        (5, None),
        (6, None),
    ]
    assert "longer than the 12-byte limit per line" in lines[1].error
    assert "neither UTF-8 nor cp1252" in lines[3].error
    assert "looks binary" in lines[4].error
    assert "longer than" in lines[5].error
    # 0 is no limit.
    assert _lines(tmp_path, b"y" * 30, max_line_bytes=0) == [TextLine(1, "y" * 30)]


def test_a_binary_stream_is_refused_as_a_whole(tmp_path):
    with pytest.raises(InputError, match="looks binary"):
        _lines(tmp_path, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10)
    with pytest.raises(InputError, match="looks binary"):
        _lines(tmp_path, bytes(range(1, 32)) * 40)


def test_lines_from_stdin(monkeypatch):
    monkeypatch.setattr(sys, "stdin", _Stdin(b"a\nb\n"))
    assert list(read_lines("-")) == [TextLine(1, "a"), TextLine(2, "b")]


def test_a_broken_utf16_code_unit_costs_one_character_not_the_stream(tmp_path):
    before = [f"comment number {n}" for n in range(50)]
    data = "\n".join([*before, ""]).encode("utf-16-le") + b"\x00\xd8" + "x next\nlast\n".encode("utf-16-le")
    assert _lines(tmp_path, data) == [
        *(TextLine(n, text) for n, text in enumerate(before, 1)),
        TextLine(51, "\ufffdx next"),
        TextLine(52, "last"),
    ]


def test_a_batch_of_lines_is_checked_for_stray_controls_on_its_bytes(monkeypatch):
    # _decode_lines refuses a batch (each line is then read alone) exactly when the decoded text holds a
    # stray control character, found on the UTF-8 bytes without the regular expression's pass over the text.
    pattern = reading._STRAY_CONTROLS
    cases = [chr(code) for code in range(0x300)] + ["\u2028", "\ufeff", "😀", "\xc2\x85", "é\x85"]
    expected = [bool(pattern.search(f"ab{case}c")) for case in cases]

    class Refusing:
        def __getattr__(self, name):
            raise AssertionError("the text was searched")

    monkeypatch.setattr(reading, "_STRAY_CONTROLS", Refusing())
    for case, stray in zip(cases, expected, strict=True):
        pieces = [b"first line", f"ab{case}c".encode(), "last é".encode()]
        lines = reading._decode_lines(pieces, 0)
        assert (lines is None) == stray, repr(case)
        if not stray and "\r" not in case and "\n" not in case:
            assert lines == ["first line", f"ab{case}c", "last é"]
    assert sum(expected) == 9 + 12 + 4 + 1 + 32 + 2  # C0 but tab to CR, 1A, 1B; DEL; C1; the last two
