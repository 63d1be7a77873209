"""Word lists written as text blocks."""

from __future__ import annotations

from moderation.parsing.words import word_set


def test_word_set_splits_on_any_whitespace_and_keeps_each_word_once():
    assert word_set("""
        ad  ads\tad
        a.m p.m
    """) == frozenset({"ad", "ads", "a.m", "p.m"})
    assert word_set("   ") == frozenset()
