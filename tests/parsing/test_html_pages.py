"""HTML pages: WordPress, schema.org microdata, Disqus-style and JSON-LD comments; chrome ignored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


def test_xhtml_with_an_encoding_declaration_parses():
    article = parse("<?xml version='1.0' encoding='utf-8'?><html><body><p>XHTML é</p></body></html>")
    assert article.body == ("XHTML é",)


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


# --- schema.org JSON-LD ----------------------------------------------------------------------------------


def test_json_ld_comments_with_a_nested_reply():
    article = parse_file(PAGES / "jsonld_article.html")
    assert comments_of(article) == [
        # author a Person; the block is wrapped in <!-- --> as old CMSs do
        (
            "Karl Jensen",
            "2024-09-10T08:05:00+02:00",
            None,
            "About time.\n\nThe buses on that route are always full.",
        ),
        # a reply, in the parent's own "comment"; author a plain string, date from datePublished
        ("mira_b", "2024-09-10T08:40:00+02:00", 0, "Full and late, most mornings."),
        # an Organization; dateCreated wins over datePublished
        (
            "Valley Courier",
            "2024-09-10T09:00:00+02:00",
            None,
            "Update: construction starts in March, see the second paragraph.",
        ),
    ]
    assert [c.index for c in article.comments] == [0, 1, 2]
    assert all(c.span is None for c in article.comments)
    # The markup has a body, so the JSON-LD articleBody is not used.
    assert article.body == (
        "The regional assembly approved the tram line extension to the north quarter on Monday.",
        "Construction is due to start in March and last two years.",
    )


def test_json_ld_graph_with_html_in_comment_text_and_no_markup_body():
    article = parse_file(PAGES / "jsonld_graph.html")
    assert comments_of(article) == [
        # HTML in "text" comes out as plain text: tags gone, entities decoded, <p> and <br> kept as breaks;
        # the comment whose text is only spaces is skipped
        (
            "Olga Brandt",
            "2024-10-01T22:10:00Z",
            None,
            "Great news for shift workers & students.\n\nFinally\na way home.",
        ),
        # a script inside the text is not text
        ("p.ng", "2024-10-01T23:45:00Z", None, "Every thirty minutes is not enough."),
    ]
    # The page is rendered by script: the only body is the JSON-LD article's articleBody.
    assert article.body == (
        "Night buses return to the city centre from Friday.",
        "They will run every thirty minutes between midnight and five.",
    )


def test_json_ld_top_level_list_with_full_iris_and_a_typed_list():
    article = parse_file(PAGES / "jsonld_list.html")
    assert comments_of(article) == [
        ("Ruth Akande", "2024-04-02", None, "I have been waiting four years."),
        # "@type": ["Comment"]; no "text", so the text is its articleBody
        ("Green Lanes Blog", "2024-04-03", 0, "We hear you, Ruth. A second site opens next spring."),
    ]
    assert article.body == ("More than 300 people are now waiting for an allotment plot in the borough.",)


def test_malformed_json_ld_is_skipped_and_the_page_still_parses():
    article = parse_file(PAGES / "jsonld_malformed.html")
    assert article.title == "Pool Reopens"
    assert article.body == (
        "The harbour swimming pool reopened on Saturday after a two-year refit.",
        "Entry stays free for children under twelve.",
    )
    # Four broken or empty blocks are skipped; the valid one after them is still read.
    assert comments_of(article) == [("Bea", None, None, "Glad it is open again.")]


def test_markup_comments_take_precedence_over_json_ld():
    article = parse_file(PAGES / "jsonld_with_markup.html")
    assert comments_of(article) == [
        ("Marta Kowalska", "June 1, 2024 at 9:00 am", None, "Good. The square is for people, not cars."),
        ("dave_k", "June 1, 2024 at 10:00 am", None, "Where are we supposed to park then?"),
    ]


def test_json_ld_comment_without_text_hands_its_replies_to_its_parent():
    data = """{"@type": "Article", "comment": {"@type": "Comment", "text": "Top.", "comment": {
        "@type": "Comment", "text": "<p> </p>", "comment": [
            {"@type": "Comment", "text": "Reply to the deleted one."},
            {"@type": "Person", "name": "not a comment", "text": "ignored"}]}}}"""
    article = parse_html(f'<script type="application/ld+json">{data}</script><p>Body.</p>')
    assert [(c.parent, c.text) for c in article.comments] == [
        (None, "Top."),
        (0, "Reply to the deleted one."),
    ]


def test_json_ld_nesting_is_capped():
    depth = 400
    data = '{"@type": "Article", "comment": ' + '{"@type": "Comment", "text": "deeper", "comment": ' * depth
    data += "null" + "}" * (depth + 1)
    article = parse_html(f'<script type="application/ld+json">{data}</script>')
    assert 40 <= len(article.comments) <= 60
    assert [c.parent for c in article.comments[:3]] == [None, 0, 1]


@pytest.mark.parametrize(
    "block",
    [
        "[" * 100_000,
        '{"@type": "Article", "comment": ' + "[" * 5000 + "]" * 5000 + "}",
        '{"comment": "not an object"}',
        '{"comment": [1, null, true, "x", {"@type": {"weird": 1}}]}',
        '{"comment": {"@type": "Comment", "text": 42, "author": {"name": ["", {"@value": 7}]}}}',
        '{"comment": {"@type": "Comment", "text": "<html><body>x", "dateCreated": {"a": 1}}}',
        '{"comment": {"@type": "Comment", "text": "\\u0000<b>nul</b>"}}',
        '{"@graph": {"@graph": {"articleBody": 3}}, "@type": "Article", "articleBody": ["</p>"]}',
        "1e999999",
        "9" * 5000,
        "<![CDATA[",
        "<!---->",
    ],
)
def test_strange_json_ld_never_crashes(block):
    article = parse_html(f'<html><head><script type="application/ld+json">{block}</script></head></html>')
    assert isinstance(article.comments, tuple)


_JSON_LD_STRINGS = ["Comment", "Person", "<p>a<br>b</p>", "</script>", "<!--", "", " ", "Reply", "x\n\n y"]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.sampled_from(_JSON_LD_STRINGS) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.sampled_from(["@value", "name"]), children)
    ),
    max_leaves=5,
)
json_ld_comments = st.recursive(
    st.fixed_dictionaries(
        {"@type": st.sampled_from(["Comment", ["Comment", "Thing"], "Person"]) | json_values},
        optional={"text": json_values, "author": json_values, "dateCreated": json_values},
    ),
    lambda replies: st.fixed_dictionaries(
        {"@type": st.just("Comment"), "text": json_values, "comment": st.lists(replies, max_size=3) | replies}
    ),
    max_leaves=10,
)
json_ld = st.fixed_dictionaries(
    {"@type": st.just("NewsArticle"), "comment": st.lists(json_ld_comments, max_size=4)}
)
json_ld = (
    json_ld | st.lists(json_ld, max_size=2) | st.fixed_dictionaries({"@graph": st.lists(json_ld, max_size=2)})
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_ld, st.sampled_from(["{}", "<!--{}-->", "<![CDATA[{}]]>", "{}}", "{} \n"]))
def test_any_json_ld_parses_without_raising(data, wrapper):
    block = wrapper.replace("{}", json.dumps(data), 1)
    article = parse_html(f'<html><head><script type="application/ld+json">{block}</script></head></html>')
    for index, comment in enumerate(article.comments):
        assert comment.index == index and comment.text and comment.span is None
        assert comment.parent is None or comment.parent < index  # a reply follows its parent


def test_moderate_parse_lists_json_ld_comments():
    from typer.testing import CliRunner

    from moderation.cli import app

    result = CliRunner().invoke(app, ["parse", str(PAGES / "jsonld_article.html"), "--format", "json"])
    assert result.exit_code == 0, result.output
    comments = json.loads(result.stdout)["comments"]
    assert [(c["number"], c["author"], c["parent"]) for c in comments] == [
        (1, "Karl Jensen", None),
        (2, "mira_b", 1),
        (3, "Valley Courier", None),
    ]
    assert comments[1]["text"] == "Full and late, most mornings."


_COMMENT_LIST = (
    '<ol class="commentlist"><li class="comment"><div class="comment-author">Bob</div>'
    '<div class="comment-content"><p>the joo banksters run everything</p></div></li></ol>'
)


@pytest.mark.parametrize(
    ("opening", "closing"),
    [("<div>", "</div>"), ('<div class="wrap"><span>', "</span></div>"), ("<div><p>", "</div>")],
)
def test_comments_under_ten_thousand_nested_elements_are_found(opening, closing):
    # libxml2 gives up past 2,048 levels and silently loses the rest of the page.
    page = (
        "<html><body><article><h1>Deep Page</h1><p>The article's first paragraph, long enough.</p></article>"
        + opening * 10_000
        + _COMMENT_LIST
        + closing * 10_000
        + "<p>The page goes on after the comments.</p></body></html>"
    )
    article = parse(page)
    assert [(c.author, c.text) for c in article.comments] == [("Bob", "the joo banksters run everything")]
    assert "The article's first paragraph, long enough." in article.body


def test_half_a_surrogate_pair_in_json_ld_becomes_a_replacement_character():
    page = (
        '<html><body><p>x</p><script type="application/ld+json">{"@type": "Article", "comment": '
        '[{"@type": "Comment", "text": "bad \\ud800 text", "author": {"name": "\\udfff"}}]}</script></body></html>'
    )
    article = parse(page)
    assert [(c.text, c.author) for c in article.comments] == [("bad \ufffd text", "\ufffd")]
    json.dumps(article.to_dict(), ensure_ascii=False).encode("utf-8")  # writable
