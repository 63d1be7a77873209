"""Normalization folds the ways people disguise words, and leaves ordinary text (and numbers) alone."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from moderation.normalize import ECHO_TOKEN, URL_TOKEN, USER_TOKEN, normalize, normalize_many


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("J E W S run the banks", "jews run the banks"),
        ("the z.o.g says so", "the zog says so"),
        ("j-e-w", "jew"),
        ("j3ws", "jews"),
        ("k1ke", "kike"),
        ("j00s", "joos"),
        ("\u0458\u0435ws", "jews"),  # Cyrillic je and ie
        ("je\u200bws", "jews"),  # zero-width space inside the word
        ("je\u0301ws", "jews"),  # combining acute accent
        ("\uff2a\uff25\uff37\uff33", "jews"),  # full-width letters
        ("jeeeeews", "jeews"),
    ],
)
def test_obfuscated_spellings_are_folded(written: str, read: str) -> None:
    assert normalize(written) == read


def test_the_echo_becomes_a_marker_token_followed_by_its_name() -> None:
    assert normalize("(((them)))") == f"{ECHO_TOKEN} them"


def test_urls_are_masked() -> None:
    assert normalize("read https://example.com/a?b=1 first") == f"read {URL_TOKEN} first"


def test_mentions_are_masked() -> None:
    assert normalize("@bob_1 you are wrong") == f"{USER_TOKEN} you are wrong"


def test_an_email_address_is_not_a_mention() -> None:
    assert USER_TOKEN not in normalize("write to ed@example.com")


@pytest.mark.parametrize("number", ["45s", "the 1930s", "covid19", "3rd", "4th", "f-35s", "1000", "1488"])
def test_numbers_are_not_read_as_letters(number: str) -> None:
    assert normalize(number) == number


def test_upper_case_numbers_are_only_lower_cased() -> None:
    assert normalize("F-35s") == "f-35s"


def test_lone_surrogates_from_json_are_dropped() -> None:
    # json.loads('"\\ud800"') yields a lone surrogate; every later step encodes text, so it must not survive.
    normalized = normalize("bad \ud800 text")
    assert not any(0xD800 <= ord(ch) <= 0xDFFF for ch in normalized)


# Pieces that exercise every rule, mixed with arbitrary characters (NUL, emoji, other scripts included).
pieces = st.one_of(
    st.characters(codec="utf-8"),
    st.sampled_from(
        ["\x00", "😀", "\u0458", "\u0435", "\u200b", "\u0301", "(((", ")))", "@ab", "$", " ", "3"]
    ),
    st.sampled_from(["j e w s", "z.o.g", "k1ke", "http://x.y", "www.a.b", "<user>", "aaaa", "\n", "\uff2a"]),
)
texts = st.lists(pieces, max_size=20).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(texts, max_size=8))
def test_a_batch_is_normalized_exactly_like_its_texts_one_by_one(batch: list[str]) -> None:
    assert normalize_many(batch) == [normalize(text) for text in batch]


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_normalizes_to_one_line_without_separators(text: str) -> None:
    normalized = normalize(text)
    assert "\x00" not in normalized
    assert "\n" not in normalized


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ok " * 6500, "ok"),
        ("hello world. " * 50, "hello world."),
        (
            "The council met on Tuesday to discuss the budget and the roads. " * 40,
            "the council met on tuesday to discuss the budget and the roads.",
        ),
        ("no no no no way, not a chance, no no no no no no no no no no no no no", "no way, not a chance, no"),
    ],
)
def test_a_phrase_or_sentence_said_over_and_over_is_kept_once(text, expected):
    assert normalize(text) == expected


def test_ordinary_repetition_is_left_alone():
    text = "the cat and the dog and the bird went to the park and the zoo"
    assert normalize(text) == text


def test_placeholders_read_as_what_they_stand_for():
    from moderation.normalize import readable

    assert readable(normalize("(((them))) again")) == "(((them))) again"
    assert readable(normalize("see http://x.io by @someone")) == "see <link> by @user"


# -- offsets back into the raw text ---------------------------------------------------------------------------

from moderation.normalize import _TRANSLATION, NormalizedText, normalize_with_offsets  # noqa: E402

# Every rule's trigger, densely: spaced letters, leet, repeats, URLs, mentions, echoes, "$", confusables and
# full-width letters, combining marks (some that Unicode reorders), zero-width and control characters.
tricky = st.sampled_from(
    ["J E W S", "z.o.g", "j-e-w", "k1ke", "J00S", "j3w", "$hekel", "x$ab", "$", "aaaa", "EEEEE", "http://x.y/Z",
     "www.a.b", "@bob_1", "a@bc", "<user>", "(((", ")))", "(((them)))", "((( the Bankers )))", "\u0458\u0435ws",
     "\uff2a\uff25", "\u00df", "\ufb01", "\u0130", "\u03a3", "\u0301", "\u0323", "\u0f73", "a\u0301\u0323",
     "\u200b", "\u00ad", "\ufeff", "\x00", "\n", "\t", " ", "  ", ". ", "ok ", "3", "0", "!"]
)  # fmt: skip
dense = st.lists(st.one_of(tricky, st.characters(codec="utf-8")), max_size=24).map("".join)
# Repeated phrases and comments, which are kept once.
repeated = st.tuples(dense, st.lists(tricky, min_size=1, max_size=4), st.integers(2, 6), dense).map(
    lambda parts: parts[0] + " ".join(parts[1] * parts[2]) + parts[3]
)
# Plain text too, which normalization only lower-cases and strips (the path most comments take).
plain = st.text(st.sampled_from("abcXYZ 019.,!?'\t\n"), max_size=30)
raw_texts = st.one_of(dense, repeated, dense.map(lambda t: t.encode("ascii", "ignore").decode()), plain)


def _check_offsets(raw: str, mapped: NormalizedText) -> None:
    assert len(mapped.starts) == len(mapped.ends) == len(mapped.text)
    assert all(0 <= start <= end <= len(raw) for start, end in zip(mapped.starts, mapped.ends, strict=True))
    assert list(mapped.starts) == sorted(mapped.starts) and list(mapped.ends) == sorted(mapped.ends)


_LEET_FOLDS = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "$": "s"})
_PLACEHOLDER_SOURCES = {URL_TOKEN: ("http", "www."), USER_TOKEN: ("@", "<user>"), ECHO_TOKEN: ("(((", ")))")}


def _folds(raw: str) -> set[str]:
    """Every character a piece of raw text can become under some rule (each character on its own)."""
    found = set()
    for char in unicodedata.normalize("NFKD", raw):
        lowered = char.lower()
        # Greek capital sigma lowers to the final form at the end of a word, which is read as "s".
        for form in {lowered, "\u03c2" if lowered == "\u03c3" else lowered}:
            folded = form.translate(_TRANSLATION)
            found.update(folded, folded.translate(_LEET_FOLDS))
    return found


@settings(max_examples=600, deadline=None)
@given(raw_texts)
def test_offsets_normalize_exactly_as_normalize_and_point_at_what_produced_each_character(raw: str) -> None:
    mapped = normalize_with_offsets(raw)
    assert mapped.text == normalize(raw)
    _check_offsets(raw, mapped)
    # A caller passing normalize(raw) along may skip the tracking, never change its result.
    given_normalized = normalize_with_offsets(raw, mapped.text)
    assert given_normalized.text == mapped.text
    assert list(given_normalized.starts) == list(mapped.starts)
    assert list(given_normalized.ends) == list(mapped.ends)
    placeholders = {
        index: token
        for match in re.finditer(rf"\b({URL_TOKEN}|{USER_TOKEN}|{ECHO_TOKEN})\b", mapped.text)
        for index, token in zip(range(*match.span()), [match.group(1)] * len(match.group(1)), strict=False)
    }
    for index, char in enumerate(mapped.text):
        if not char.isalnum():
            continue
        produced_by = raw[mapped.starts[index] : mapped.ends[index]]
        assert produced_by, f"{char!r} at {index} came from nothing"
        token = placeholders.get(index)
        stands_for = token and any(s in produced_by.lower() for s in _PLACEHOLDER_SOURCES[token])
        assert stands_for or char in _folds(produced_by), f"{char!r} at {index} from {produced_by!r}"


# Pieces of text no rule reads across when they stand between " | " (tested: each normalizes alone to what it
# becomes in the whole): each character's span must then lie inside the piece that produced it.
@settings(max_examples=400, deadline=None)
@given(
    st.lists(raw_texts.filter(lambda t: "|" not in unicodedata.normalize("NFKD", t)), min_size=2, max_size=4)
)
def test_offsets_never_leave_the_piece_of_text_that_produced_them(pieces: list[str]) -> None:
    separator = " | "
    raw = separator.join(pieces)
    alone = [normalize(piece) for piece in pieces]
    assume(all(alone) and normalize(raw) == separator.join(alone))
    mapped = normalize_with_offsets(raw)
    raw_begin = normalized_begin = 0
    for piece, normalized in zip(pieces, alone, strict=True):
        raw_end = raw_begin + len(piece)
        for index in range(normalized_begin, normalized_begin + len(normalized)):
            assert raw_begin <= mapped.starts[index] <= mapped.ends[index] <= raw_end, (piece, index)
        bar = normalized_begin + len(normalized) + 1
        if bar < len(mapped.text):  # the bar itself maps to the raw bar, widened at most by what is dropped
            assert mapped.text[bar] == "|" and mapped.starts[bar] == raw_end + 1
        raw_begin = raw_end + len(separator)
        normalized_begin = bar + 2


@pytest.mark.parametrize(
    ("raw", "ngram", "written"),
    [
        ("The J3ws control it", "jews", "J3ws"),
        ("so J E W S run it", "jews", "J E W S"),
        ("the z.o.g says", "zog", "z.o.g"),
        ("jeeeeews again", "jeews", "jeeeeews"),
        ("they jewsss", "jewss", "jewsss"),
        ("\u0458\u0435ws here", "jews", "\u0458\u0435ws"),
        ("the \uff2a\uff25\uff37\uff33 here", "jews", "\uff2a\uff25\uff37\uff33"),
        ("ju\u0308den here", "juden", "ju\u0308den"),
        ("j\u00fcden here", "juden", "j\u00fcden"),
        ("je\u200bws here", "jews", "je\u200bws"),
        ("pay the $hekels", "shekels", "$hekels"),
        ("see https://x.io/a?b=1 now", URL_TOKEN, "https://x.io/a?b=1"),
        ("hey @bob_1 you", USER_TOKEN, "@bob_1"),
        ("the (((bankers))) again", f"{ECHO_TOKEN} bankers", "(((bankers)))"),
        ("the (((bankers))) again", ECHO_TOKEN, "((("),
        ("the (((bankers))) again", "bankers again", "bankers))) again"),
        ("the \u039f\u0394\u039f\u03a3 here", "o\u03b4os", "\u039f\u0394\u039f\u03a3"),  # final sigma
        ("x a\u0301\u0323b y", "ab", "a\u0301\u0323b"),  # marks NFKD puts in order
        ("ok ok ok ok ok", "ok", "ok"),
        ("Hello  world\n\nagain", "world again", "world\n\nagain"),
    ],
)
def test_a_stretch_of_normalized_text_maps_to_what_was_written(raw: str, ngram: str, written: str) -> None:
    mapped = normalize_with_offsets(raw)
    begin = mapped.text.index(ngram)
    start, end = mapped.raw_span(begin, begin + len(ngram))
    assert raw[start:end] == written


def test_an_empty_stretch_has_no_raw_span() -> None:
    with pytest.raises(ValueError, match="not a non-empty stretch"):
        normalize_with_offsets("jews").raw_span(2, 2)
