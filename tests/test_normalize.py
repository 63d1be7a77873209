"""Normalization folds the ways people disguise words, and leaves ordinary text (and numbers) alone."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
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
