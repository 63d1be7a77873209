"""One line on its own: a commenter's name or handle, a login vouched for by a date line, a date and time."""

from __future__ import annotations

from moderation.parsing.names import ends_like_a_name, looks_like_login, looks_like_name, looks_like_timestamp


def test_names_and_timestamps():
    for name in ["Vlad the Great", "Edgar Zetar", "Mr Fixer", "Paul Citro", "jon_88", "mrFixer", "O'Brien"]:
        assert looks_like_name(name), name
    for not_name in [
        "Citizens prepare",
        "‘Solid friendship’",
        "Putin stressed:",
        "Putin-Kim meet: What’s on plate?",
        "QUICK LINKS",
        "Agreed",
        "yes it was a genocide perpetrated on n. korea by us and natostan.",
        "June 18, 2024",
    ]:
        assert not looks_like_name(not_name), not_name
    for stamp in [
        "June 18, 2024 at 9:14 am",
        "2 hours ago",
        "an hour ago",
        "18/06/2024 09:14",
        "Yesterday 9:14",
    ]:
        assert looks_like_timestamp(stamp), stamp
    for not_stamp in ["Paul Citro", "the 2 of us", "Reply"]:
        assert not looks_like_timestamp(not_stamp), not_stamp


def test_contractions_and_sentences_are_not_names():
    for text in ("don't", "It's", "we'll", "The end.", "Thanks,", "e.g."):
        assert not looks_like_name(text), text


def test_a_login_is_one_lowercase_word_that_is_not_a_reply():
    for login in ("jdoe", "mk", "ravo"):
        assert looks_like_login(login), login
    for not_login in ("j", "jdoe88", "jane doe", "agreed", "thanks", "x" * 31):
        assert not looks_like_login(not_login), not_login


def test_a_name_ends_in_a_period_only_after_an_initial_or_a_suffix():
    for name in ("Smith, J.", "J.R.", "Ed Jones Jr.", "Ann Lee"):
        assert ends_like_a_name(name), name
    for not_name in ("The end.", "Ann Lee,", "Thanks."):
        assert not ends_like_a_name(not_name), not_name
