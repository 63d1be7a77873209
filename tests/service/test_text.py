"""plain_text: a comment's HTML as a reader sees it (what selectolax gave before lxml replaced it)."""

from __future__ import annotations

import pytest

from moderation.service.text import plain_text


@pytest.mark.parametrize(
    ("body", "seen"),
    [
        ("no markup  at all\n", "no markup  at all\n"),  # without a "<" the text is taken as it is
        ("<p>a<b>b</b>c</p>", "a b c"),
        ("<p>one</p>\n\n<p>two</p>", "one two"),
        ("a<br>b", "a b"),
        ("<p>caf&eacute; &amp; &#x263A; &lt;tag&gt;</p>", "café & ☺ <tag>"),
        ("a < b and x <3 y", "a < b and x <3 y"),
        ("a<!-- hidden -->b", "a b"),
        ("<p>a<script>alert(1)</script>b</p>", "a b"),
        ("<style>p{}</style>c<template>t</template>d", "c d"),
        ("<template><p>t</p></template>after", "after"),
        ("<a href='https://x.example'>link</a> text", "link text"),
        ("<img alt='alt text'>z", "z"),
        ("<p>a\x00b</p>", "ab"),
        ("<?xml version='1.0'?><p>x</p>", "x"),
        ("<table><tr><td>a</td><td>b</td></tr></table>", "a b"),
        ("<p>\u00a0nb\u2003sp\t</p>", "nb sp"),
        ("<p>x", "x"),
        ("<!-- only a comment -->", ""),
        ("<", "<"),
    ],
)
def test_plain_text_is_what_a_reader_sees(body, seen):
    assert plain_text(body) == seen


@pytest.mark.parametrize("tag", ["b", "div"])
def test_text_nested_past_the_parsers_depth_limit_is_kept(tag):
    # libxml2 stops at 2,048 levels and drops the rest: a comment must not hide its words that way.
    body = f"<{tag}>" * 3000 + "the hidden words" + f"</{tag}>" * 3000
    assert plain_text(body) == "the hidden words"
