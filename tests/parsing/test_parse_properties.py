"""Properties of the parser on arbitrary input: it never raises, and it accounts for every line."""

from __future__ import annotations

from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moderation.parsing import parse
from moderation.parsing.html import parse_html
from moderation.parsing.text import ROLES, layout_text

# Lines real scrapes are made of, so that the layouts are exercised and not only noise.
REALISTIC_LINES = [
    "Vlad the Great",
    "Edgar Zetar",
    "Mr Fixer",
    "jon_88",
    "Citizens prepare",
    "‘Solid friendship’",
    "Putin stressed:",
    "By Taejun Kang",
    "FP Staff June 18, 2024, 07:57:20 IST",
    "June 18, 2024 at 9:14 am",
    "2 hours ago",
    "Marta Kowalska says:",
    "Putin says:",
    "Grace Liu • 2 hours ago",
    "Henry Cole → Grace Liu • an hour ago",
    "12 • Reply • Share ›",
    "Reply",
    "3 thoughts on “A Title”",
    "12 Comments",
    "Comments",
    "Reader comments (3)",
    "Sort by Best",
    "Leave a Reply",
    "Your email address will not be published. Required fields are marked *",
    "Advertisement",
    "STORY CONTINUES BELOW THIS AD",
    "Trending:",
    "QUICK LINKS",
    "Home Video Shorts Live TV",
    "Follow Frances Martel on Facebook and Twitter.",
    "Kim greets Putin at the airport. Source REUTERS/FILE",
    "The Russian leader arrived in Pyongyang on Wednesday for talks with Kim Jong Un.",
    "respect to my north korean hommies, true anti imperialists",
    "@Edgar Zetar completely agree with you.",
    "usa has advantages?? only in bribing and blackmailing.",
    "",
]

line_text = st.one_of(
    st.sampled_from(REALISTIC_LINES),
    st.text(st.characters(blacklist_characters="\n"), max_size=60),
)
line = st.tuples(
    st.sampled_from(["", "", "", "  ", "\t", "    "]),
    line_text,
    st.sampled_from(["", "", " ", "\r"]),
    st.integers(min_value=0, max_value=3),
)


@st.composite
def scrapes(draw) -> str:
    parts = []
    for indent, text, trail, blanks in draw(st.lists(line, max_size=40)):
        parts.append(indent + text + trail + "\n" * (blanks + 1))
    return "".join(parts)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_parse_never_raises_on_arbitrary_text(text):
    for kind in ("auto", "text", "html"):
        article = parse(text, kind=kind)
        assert isinstance(article.body, tuple)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scrapes())
def test_every_non_blank_line_lands_in_exactly_one_place(text):
    layout = layout_text(text)
    article = layout.article
    lines = text.split("\n")
    non_blank = {number for number, raw in enumerate(lines) if raw.strip()}
    # exactly one role per non-blank line (a dict cannot hold two), and none for blank lines
    assert set(layout.roles) == non_blank
    assert set(layout.roles.values()) <= set(ROLES)

    by_role: dict[str, list[str]] = {role: [] for role in ROLES}
    for number, role in layout.roles.items():
        by_role[role].append(lines[number].strip())

    assert by_role["title"] == ([article.title] if article.title is not None else [])
    for byline_line in by_role["byline"]:
        assert (article.byline and article.byline in byline_line) or (
            article.published and article.published in byline_line
        )
    assert Counter(by_role["body"]) == Counter(
        part for paragraph in article.body for part in paragraph.split("\n")
    )
    assert Counter(by_role["dropped"]) == Counter(article.dropped)

    # comment lines: the text lines of the comments, plus header lines naming an author or a date
    comment_lines = Counter(by_role["comment"])
    text_lines = Counter(part for c in article.comments for part in c.text.split("\n") if part)
    assert not text_lines - comment_lines
    headers = comment_lines - text_lines
    labels = [label for c in article.comments for label in (c.author, c.posted) if label]
    for header in headers:
        assert any(label in header for label in labels), header


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scrapes())
def test_comment_spans_cover_their_text(text):
    comments = parse(text, kind="text").comments
    assert [c.index for c in comments] == list(range(len(comments)))
    for comment in comments:
        start, end = comment.span
        assert 0 <= start < end <= len(text)
        covered = text[start:end]
        parts = [part for part in comment.text.split("\n") if part]
        assert covered.startswith(parts[0]) and covered.endswith(parts[-1])
        for part in parts:
            assert part in covered


markup_piece = st.one_of(
    st.sampled_from(
        [
            "<p>",
            "</p>",
            "<div class='comment'>",
            "<li class='comment'>",
            "</li>",
            "<ol class='children'>",
            "<div class='comment-content'>",
            "<b class='fn'>",
            "</b>",
            "<li class='post'><div class='post-message'>",
            "<div itemscope itemtype='https://schema.org/Comment'>",
            "<span itemprop='text'>",
            "<article>",
            "</article>",
            "<h1>",
            "</h1>",
            "<br>",
            "<script>",
            "</script>",
            "<nav>",
            "<!--",
            "-->",
            "</div>",
            "<",
            ">",
            "&amp;",
            "&#0;",
        ]
    ),
    st.text(max_size=20),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(markup_piece, max_size=60))
def test_html_parsing_never_raises_on_broken_markup(pieces):
    article = parse_html("".join(pieces))
    assert [c.index for c in article.comments] == list(range(len(article.comments)))
    for comment in article.comments:
        assert comment.text
        assert comment.parent is None or 0 <= comment.parent < comment.index
