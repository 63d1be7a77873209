"""schema.org JSON-LD: comments (with replies) and an article body, read directly and through a page."""

from __future__ import annotations

import json
from pathlib import Path

import lxml.html
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moderation.parsing import jsonld, parse, parse_file
from moderation.parsing.html import parse_html

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"


def fields_of(comments):
    return [(c.author, c.posted, c.parent, c.text) for c in comments]


def comments_of(article):
    return fields_of(article.comments)


def blocks_of(*scripts: str) -> list[object]:
    scripts_markup = "".join(f"<script {attributes}>{text}</script>" for attributes, text in scripts)
    return jsonld.read_blocks(lxml.html.document_fromstring(f"<html><head>{scripts_markup}</head></html>"))


def test_read_blocks_keeps_json_ld_scripts_in_order_and_skips_the_rest():
    blocks = blocks_of(
        ('type="application/ld+json"', '{"n": 1}'),
        ('type="text/javascript"', '{"n": "not linked data"}'),
        ('type="application/ld+json; charset=utf-8"', '<!-- {"n": 2} -->'),
        ('type="application/ld+json"', "{broken"),
        ('type="Application/LD+JSON"', '<![CDATA[[{"n": 3}]]]>'),
    )
    assert blocks == [{"n": 1}, {"n": 2}, [{"n": 3}]]


def test_read_comments_threads_replies_and_reads_people_and_dates():
    blocks = [
        {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "https://schema.org/comment": [
                {
                    "@type": "schema:Comment",
                    "text": "First   one.\n\n1 &lt; 2 < 3",
                    "author": [{"@type": "Person", "name": " Ann  Lee "}],
                    "dateCreated": "2024-01-02",
                    "comment": {"@type": "Comment", "text": {"@value": "A reply."}, "author": "bo"},
                },
                {"@type": "Comment", "text": "Advertisement"},
            ],
        }
    ]
    assert fields_of(jsonld.read_comments(blocks)) == [
        # plain text (no tag in it): spaces collapse within a line, paragraphs stay, entities decode
        ("Ann Lee", "2024-01-02", None, "First one.\n\n1 < 2 < 3"),
        ("bo", None, 0, "A reply."),
    ]


def test_read_article_body_takes_the_first_article_in_a_graph_and_drops_boilerplate():
    blocks = [
        {"@type": "Person", "articleBody": "not an article"},
        {
            "@graph": [
                {"@type": "WebSite", "articleBody": "not an article either"},
                {
                    "@type": ["NewsArticle"],
                    "articleBody": "<p>One.</p><p>Advertisement</p><p>Two &amp; three.</p>",
                },
                {"@type": "Article", "articleBody": "a second article"},
            ]
        },
    ]
    assert jsonld.read_article_body(blocks) == ["One.", "Two & three."]
    assert jsonld.read_article_body(
        [{"@type": "Article", "articleBody": "Plain.\n\nText  with\n space."}]
    ) == [
        "Plain.",
        "Text with\nspace.",
    ]
    assert jsonld.read_article_body([]) == []


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


def test_half_a_surrogate_pair_in_json_ld_becomes_a_replacement_character():
    page = (
        '<html><body><p>x</p><script type="application/ld+json">{"@type": "Article", "comment": '
        '[{"@type": "Comment", "text": "bad \\ud800 text", "author": {"name": "\\udfff"}}]}</script></body></html>'
    )
    article = parse(page)
    assert [(c.text, c.author) for c in article.comments] == [("bad \ufffd text", "\ufffd")]
    json.dumps(article.to_dict(), ensure_ascii=False).encode("utf-8")  # writable
