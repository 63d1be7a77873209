"""HTML pages: WordPress, schema.org microdata and Disqus-style comments; chrome ignored."""

from __future__ import annotations

from pathlib import Path

import pytest

from moderation.parsing import looks_like_html, parse, parse_file
from moderation.parsing.html import parse_html

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"


def comments_of(article):
    return [(c.author, c.posted, c.parent, c.text) for c in article.comments]


def test_wordpress_page():
    article = parse_file(PAGES / "wordpress.html")
    assert article.title == "Harbour Bridge Repairs to Start in Spring"
    assert (article.byline, article.published) == ("Lena Ortiz", "2024-03-03T08:00:00+00:00")
    assert article.body == (
        "The city council approved the long-delayed repairs to the harbour bridge on Tuesday, with work due "
        "to begin in April.",
        "Traffic will be reduced to one lane in each direction for about six months.",
        "What changes for commuters",
        "Buses will be rerouted over the north crossing, and the ferry will run every fifteen minutes at "
        "peak hours.",
    )
    assert comments_of(article) == [
        (
            "Marta Kowalska",
            "March 3, 2024 at 9:14 am",
            None,
            "Finally. That bridge has been falling apart for a decade.\n\n"
            "I hope they keep the cycle lane open though.",
        ),
        # in ol.children under Marta's comment; <br> is a line break inside the paragraph
        ("Tom Reed", "March 3, 2024 at 10:02 am", 0, "Six months of one lane?\nGood luck getting to work."),
        ("dave_k", "March 4, 2024 at 7:45 pm", None, "Another waste of our money by this council."),
    ]
    assert all(c.span is None for c in article.comments)
    assert "Advertisement" in article.dropped
    assert "Sponsored: cheap flights to the coast" in article.dropped
    assert "The harbour bridge at dusk." in article.dropped


def test_wordpress_page_ignores_scripts_styles_navigation_footer_form_and_pingbacks():
    article = parse_file(PAGES / "wordpress.html")
    everything = " ".join(
        [
            *article.body,
            *article.dropped,
            *(c.text for c in article.comments),
            *(c.author for c in article.comments),
        ]
    )
    for chrome in [
        "dataLayer",
        "font-family",
        "loadAd",
        "not a paragraph",
        "Home",
        "Most read",
        "Coastline Gazette. All rights reserved",
        "Your email address will not be published",
        "Pingback",
    ]:
        assert chrome not in " ".join([*article.body, *(c.text for c in article.comments)]), chrome
    assert "loadAd" not in everything and "dataLayer" not in everything


def test_schema_org_microdata_comments():
    article = parse_file(PAGES / "microdata.html")
    assert (article.title, article.byline, article.published) == (
        "Ferry fares rise again",
        "Noor Haddad",
        "2024-05-02",
    )
    assert article.body == (
        "Single tickets on the harbour ferry will cost 20 cents more from June.",
        "The operator blamed fuel prices.",
    )
    assert comments_of(article) == [
        ("Ivo Petrov", "2024-05-02T11:00:00Z", None, "Third rise this year. Ridiculous."),
        (
            "Harbour Times",
            "2 May 2024, 12:00",
            0,
            "Fuel costs rose 30% since January, see the second paragraph.",
        ),
        ("guest_77", "2 May 2024", None, "Still cheaper than the bridge toll."),
    ]


def test_disqus_style_posts():
    article = parse_file(PAGES / "disqus.html")
    assert article.title == "Council Votes to Close Riverside Library"  # og:title; the page has no <h1>
    assert article.byline == "Sam Patel"
    assert article.body == (
        "The riverside branch of the public library will close at the end of June, the council decided "
        "on Monday.",
        "Around 40,000 visitors used the branch last year, according to the library's annual report.",
    )
    assert comments_of(article) == [
        (
            "Grace Liu",
            "2 hours ago",
            None,
            "This library is where my kids learned to read.\n\nShameful decision.",
        ),
        ("Henry Cole", "an hour ago", 0, "Agreed. Write to your councillor, it worked for the pool."),
        ("Anonymous", "5 hours ago", None, "Good riddance, nobody reads books anymore."),
    ]
    assert "Get the Riverside Post newsletter in your inbox every morning." in article.dropped


def test_li_comment_wrapping_comment_microdata_is_one_comment():
    page = """<html><body><article><h1>T</h1><p>Body text.</p></article><ol class="comment-list">
      <li class="comment"><article class="comment-body" itemscope itemtype="https://schema.org/Comment">
        <span class="comment-author"><b class="fn" itemprop="author">Ana</b></span>
        <div class="comment-content" itemprop="text"><p>Top-level.</p></div></article>
        <ol class="children"><li class="comment">
          <article class="comment-body" itemscope itemtype="https://schema.org/Comment">
          <b class="fn">Ben</b><div class="comment-content" itemprop="text"><p>A reply.</p></div></article>
        </li></ol>
      </li></ol></body></html>"""
    article = parse(page)
    assert [(c.index, c.author, c.parent, c.text) for c in article.comments] == [
        (0, "Ana", None, "Top-level."),
        (1, "Ben", 0, "A reply."),
    ]


def test_title_falls_back_from_h1_to_og_title_to_title():
    assert (
        parse("<html><head><title>Only Title</title></head><body><p>x</p></body></html>").title
        == "Only Title"
    )
    og = '<html><head><meta property="og:title" content="OG"><title>T</title></head><body><p>x</p></body>'
    assert parse(og).title == "OG"
    assert parse("<html><body><h1>Heading</h1><p>x</p></body></html>").title == "Heading"


@pytest.mark.parametrize(
    "markup",
    [
        "<html><body><p>Unclosed <b>bold <div class='comment'><p>text</li></ol><article>",
        "<div class='comment'><div class='comment-content'>",
        "<li class='comment'></li><li class='post'><div class='post-message'></div></li>",
        "<!-- only a comment -->",
        "<?xml version='1.0' encoding='utf-8'?><html><body><p>XHTML é</p></body></html>",
        "<html>\x00<body><p>nul</p>",
        "<p>" * 3000,
        "<html><body><script>var x = '</p><p>';</script><style>p{}</style></body></html>",
        "",
        "<>",
    ],
)
def test_malformed_html_never_crashes(markup):
    article = parse_html(markup)
    assert isinstance(article.body, tuple)


def test_html_is_detected_and_kind_can_be_forced():
    assert looks_like_html("<!DOCTYPE html><html><body><p>x</p></body></html>")
    assert looks_like_html("  <div class='article'><p>x</p></div>")
    assert not looks_like_html("A headline\n\nA paragraph mentioning <b> tags in passing.")
    text = "<p>kept as text</p>\n\nsecond line\n\nthird line"
    assert parse(text, kind="text").body == ("second line", "third line")
    assert parse(text, kind="text").title == "<p>kept as text</p>"
    assert parse("plain words", kind="html").body == ("plain words",)
    with pytest.raises(ValueError, match="kind must be one of"):
        parse("x", kind="pdf")


def test_the_author_and_time_of_a_plain_comment_div_are_not_its_text():
    markup = (
        "<html><body><article><h1>Story</h1><p>Body text here.</p></article>"
        '<div class="comment"><span class="author">Bob</span> <time>2 hours ago</time><p>jews are vermin</p></div>'
        '<div class="comment"><span class="username">ann_1</span><p>great story'
    )  # the last comment never closed, as truncated scrapes end
    assert [(c.author, c.posted, c.text) for c in parse(markup).comments] == [
        ("Bob", "2 hours ago", "jews are vermin"),
        ("ann_1", None, "great story"),
    ]


def test_a_name_or_time_inside_what_the_commenter_wrote_stays_in_the_text():
    markup = (
        "<html><body><article><h1>Story</h1><p>Body text here.</p></article>"
        '<div class="comment"><span class="author">ann</span>'
        "<p>we meet at the mosque at <time>8pm Friday</time> with petrol</p></div>"
        '<div class="comment"><div class="author">Bob<p>jews are vermin</p></div></div>'
    )
    texts = [c.text for c in parse(markup).comments]
    assert texts[0] == "we meet at the mosque at 8pm Friday with petrol"
    assert texts[1].endswith("jews are vermin")  # markup that wraps the text in its author element keeps it
