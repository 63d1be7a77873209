"""Plain-text layouts: WordPress and Disqus dumps, a comment heading, and the seeds' blank-line layout."""

from __future__ import annotations

from pathlib import Path

import pytest

from moderation.parsing import parse, parse_file
from moderation.parsing.text import layout_text

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"


def comments_of(article):
    return [(c.author, c.posted, c.parent, c.text) for c in article.comments]


def test_wordpress_dump():
    article = parse_file(PAGES / "wordpress_dump.txt")
    assert article.title == "Harbour Bridge Repairs to Start in Spring"
    assert (article.byline, article.published) == ("Lena Ortiz", "March 3, 2024")
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
        ("Tom Reed", "March 3, 2024 at 10:02 am", None, "Six months of one lane? Good luck getting to work."),
        # indented under Tom Reed's comment, and addressed to him
        ("Marta Kowalska", "March 3, 2024 at 10:30 am", 1, "@Tom Reed take the ferry, it's faster anyway."),
        ("dave_k", "March 4, 2024 at 7:45 pm", None, "Another waste of our money by this council."),
    ]
    for expected in [
        "Share this:",
        "Like Loading...",
        "4 thoughts on “Harbour Bridge Repairs to Start in Spring”",
        "Reply",
        "Leave a Reply Cancel reply",
        "Comment *",
        "Save my name, email, and website in this browser for the next time I comment.",
        "Post Comment",
    ]:
        assert expected in article.dropped
    assert article.dropped.count("Reply") == 4


def test_disqus_dump():
    article = parse_file(PAGES / "disqus_dump.txt")
    assert (article.title, article.byline, article.published) == (
        "Council Votes to Close Riverside Library",
        "Sam Patel",
        "March 5, 2024",
    )
    assert len(article.body) == 3
    assert comments_of(article) == [
        (
            "Grace Liu",
            "2 hours ago",
            None,
            "This library is where my kids learned to read. Shameful decision.",
        ),
        ("Henry Cole", "an hour ago", 0, "Agreed. Write to your councillor, it worked for the pool."),
        (
            "Anonymous",
            "5 hours ago",
            None,
            "Good riddance, nobody reads books anymore.\nLibraries are a relic.",
        ),
    ]
    for expected in [
        "Advertisement",
        "3 Comments",
        "Sort by Best",
        "12 • Reply • Share ›",
        "Reply • Share ›",
    ]:
        assert expected in article.dropped


def test_a_comment_heading_opens_the_comment_section():
    article = parse_file(PAGES / "comment_heading.txt")
    # "Kim Lee" looks like a name but sits between single blank lines inside the article: body.
    assert article.body == (
        "The night bus service to the old town resumes on Friday after a two-year pause.",
        "Kim Lee",
        "The first bus leaves the central station at 23:40.",
    )
    assert [(c.author, c.text) for c in article.comments] == [
        ("Jo Banks", "I was at the meeting and this is accurate.\n\nReally good reporting."),
        (None, "Why is nobody talking about the costs?"),
        ("Priya N", "Costs are in the second paragraph."),
    ]
    assert article.dropped == ("Reader comments (3)",)


def test_name_over_a_date_line_is_a_comment_header():
    text = (
        "Storm Closes Coastal Road\n\nThe coastal road is closed until Monday.\n\nComments\n\n"
        "Ann Lee\nJune 18, 2024 at 9:14 am\nStay safe everyone.\n\n"
        "Bo Chen\nJune 18, 2024 at 9:30 am\nAgain? Third time this year.\n"
    )
    article = parse(text)
    assert article.body == ("The coastal road is closed until Monday.",)
    assert comments_of(article) == [
        ("Ann Lee", "June 18, 2024 at 9:14 am", None, "Stay safe everyone."),
        ("Bo Chen", "June 18, 2024 at 9:30 am", None, "Again? Third time this year."),
    ]


def test_blank_line_layout_needs_the_double_gap_or_a_recurring_author():
    article_only = (
        "Title Of The Story\n\nFirst paragraph of the story.\n\nMaria Lopez\n\n"
        "Second paragraph, under a name-like subhead.\n\nThird paragraph.\n"
    )
    assert parse(article_only).comments == ()
    with_comments = article_only + "\n\nAl Green\n\nnice article\n\n\nanother anonymous comment\n"
    article = parse(with_comments)
    assert [(c.author, c.text) for c in article.comments] == [
        ("Al Green", "nice article"),
        (None, "another anonymous comment"),
    ]
    assert "Maria Lopez" in article.body
    recurring = (
        "Title\n\nA paragraph of the article.\n\nAnother one.\n\nJo\n\nfirst comment\n\nSam\n\n"
        "second comment\n\nJo\n\nthird comment\n"
    )
    assert [(c.author, c.text) for c in parse(recurring).comments] == [
        ("Jo", "first comment"),
        ("Sam", "second comment"),
        ("Jo", "third comment"),
    ]


def test_an_anonymous_first_comment_after_the_double_gap():
    text = (
        "Title\n\nThe article's only paragraph.\n\nIts second paragraph.\n\n\n"
        "first, anonymous\n\n\nsecond, anonymous\n\nMr Fixer\n\nthird, signed\n"
    )
    assert [(c.author, c.text) for c in parse(text).comments] == [
        (None, "first, anonymous"),
        (None, "second, anonymous"),
        ("Mr Fixer", "third, signed"),
    ]


def test_a_quote_lead_in_is_not_a_wordpress_comment():
    text = "Title\n\nThe minister spoke on Monday.\n\nPutin says:\n\nWe will cooperate.\n\nThe end.\n"
    article = parse(text)
    assert article.comments == ()
    assert "Putin says:" in article.body


def test_no_comment_section_means_no_comments():
    text = "A Headline\n\nBy Jane Doe\n\nOne paragraph.\n\nTwo paragraph.\n\nAdvertisement\n\nThree.\n"
    article = parse(text)
    assert article.comments == ()
    assert article.byline == "Jane Doe"
    assert article.body == ("One paragraph.", "Two paragraph.", "Three.")
    assert article.dropped == ("Advertisement",)


def test_a_caption_repeated_on_the_next_line_is_dropped_both_times():
    caption = "The two leaders at the airport on Wednesday morning"
    text = f"Title\n\nFirst paragraph.\n{caption}\n{caption}\n\nSecond paragraph.\n"
    article = parse(text)
    assert article.dropped == (caption, caption)
    assert article.body == ("First paragraph.", "Second paragraph.")


def test_comment_text_that_looks_like_boilerplate_is_still_a_comment():
    text = (
        "Title\n\nBody one.\n\nBody two.\n\n\nJo Smith\n\nit is all lies.\nSource: Reuters\n\n\n"
        "click here to see the proof\n"
    )
    article = parse(text)
    assert [c.text for c in article.comments] == [
        "it is all lies.\nSource: Reuters",
        "click here to see the proof",
    ]


def test_crlf_text_passed_directly_still_parses_with_spans():
    text = "Title\r\n\r\nBody.\r\n\r\nMore body.\r\n\r\n\r\nAl Green\r\n\r\nnice\r\n"
    article = parse(text)
    (comment,) = article.comments
    assert (comment.author, comment.text) == ("Al Green", "nice")
    assert text[comment.span[0] : comment.span[1]] == "nice"


def test_a_single_line_is_body_not_title():
    article = parse("just one line of text")
    assert (article.title, article.body) == (None, ("just one line of text",))


def test_empty_and_blank_text_give_an_empty_article():
    for text in ("", "\n\n  \n\t\n"):
        layout = layout_text(text)
        assert layout.article.body == () and layout.article.comments == () and layout.article.title is None
        assert dict(layout.roles) == {}


_HEAD = "Harbour Bridge Repairs\n\nThe city council approved the repairs on Tuesday.\n\nTraffic will be reduced.\n\n"
_NAME_LAYOUTS = {
    "says": "{a} says:\nMarch 3, 2024 at 9:14 am\n\nFirst.\n\nReply\n\n{b} says:\nMarch 3, 2024 at 9:20 am\n\nSecond.\n\n"
    "Reply\n\n{c} says:\nMarch 3, 2024 at 9:30 am\n\nThird.\n",
    "says, no dates": "{a} says:\nFirst.\n\n{b} says:\nSecond.\n\n{c} says:\nThird.\n",
    "name over date": "{a}\nMarch 3, 2024 at 9:14 am\nFirst.\n\n{b}\nMarch 3, 2024 at 9:20 am\nSecond.\n\n"
    "{c}\nMarch 3, 2024 at 9:30 am\nThird.\n",
    "blank lines": "\n{a}\n\nFirst comment text here.\n\n{b}\n\nSecond comment text here.\n\n{c}\n\nThird comment text here.\n",
    "disqus": "{a} • 2 hours ago\nFirst.\n\n{b} • an hour ago\nSecond.\n\n{c} • 5 minutes ago\nThird.\n",
}


@pytest.mark.parametrize("layout", sorted(_NAME_LAYOUTS))
@pytest.mark.parametrize(
    "name",
    [
        "J. R. Smith",
        "O'Neil",
        "O’Neil",
        "anne-marie_77",
        "anne-marie",
        "mike.jones",
        "Smith, J.",
        "J.R.",
        "Ed Jones Jr.",
    ],
)
def test_names_with_initials_and_punctuation_are_authors(layout, name):
    # In the middle and at the start: the comment must not merge into the one before or open nothing.
    for names in (("Ann Lee", name, "Bo Chen"), (name, "Ann Lee", "Bo Chen")):
        page = _HEAD + _NAME_LAYOUTS[layout].format(a=names[0], b=names[1], c=names[2])
        comments = parse(page).comments
        assert [c.author for c in comments] == list(names), page
        assert [c.text.split()[0] for c in comments] == ["First", "Second", "Third"] or [
            c.text.split()[0] for c in comments
        ] == ["First.", "Second.", "Third."]


def test_a_second_comment_heading_does_not_swallow_the_comments_before_it():
    seed = next((Path(__file__).resolve().parents[2] / "seeds").glob("001_*.txt"))
    alone = parse_file(seed)
    text = seed.read_text(encoding="utf-8")
    appended = "\n\n50 Comments\n\nJane Roe\n\nI liked this one.\n\nMark Twain\n\nA later comment here.\n"
    article = parse(text + appended)
    assert article.body == alone.body
    assert [c.text for c in article.comments] == [
        *(c.text for c in alone.comments),
        "I liked this one.",
        "A later comment here.",
    ]
    assert any("joo" in c.text for c in article.comments[:14])


def test_comments_between_two_headings_are_comments():
    page = (
        "Night Buses Return\n\nThe night bus service resumes on Friday after a two-year pause.\n\n"
        "The first bus leaves the central station at 23:40.\n\n12 Comments\n\nJo Banks\n\n"
        "I was at the meeting.\n\nPriya N\n\nCosts are in the second paragraph.\n\n12 Comments\n\n"
        "Sam Hill\n\nLater page comment.\n"
    )
    article = parse(page)
    assert len(article.body) == 2
    assert [c.author for c in article.comments] == ["Jo Banks", "Priya N", "Sam Hill"]


def test_chat_style_name_colon_lines_are_one_comment_each():
    text = (
        "Council approves new cycle lanes\n\nThe council voted on Tuesday to approve the lanes.\n\n"
        "user1: great news for commuters\nuser2: jews are behind this, as always\n"
        "Mr Fixer: about time, the roads are a mess\nand the buses too\n"
    )
    layout = layout_text(text)
    assert layout.layout.value == "inline"
    assert layout.article.body == ("The council voted on Tuesday to approve the lanes.",)
    assert [(c.author, c.text) for c in layout.article.comments] == [
        ("user1", "great news for commuters"),
        ("user2", "jews are behind this, as always"),
        ("Mr Fixer", "about time, the roads are a mess\nand the buses too"),
    ]
    # Each comment's span is its text, without the name before the colon.
    second = layout.article.comments[1]
    assert text[second.span[0] : second.span[1]] == "jews are behind this, as always"


def test_a_page_of_only_name_colon_lines_has_no_title_and_keeps_every_comment():
    text = "Comments\n\nann_1: first\nbob: second\nann_1: third\n"
    article = parse(text)
    assert article.title is None
    assert [(c.author, c.text) for c in article.comments] == [
        ("ann_1", "first"),
        ("bob", "second"),
        ("ann_1", "third"),
    ]


def test_an_interview_with_two_speakers_stays_in_the_body():
    text = (
        "Brexit: what happens next\n\nWe asked two economists.\n\n"
        "Smith: Trade will slow.\nJones: I disagree.\nSmith: Look at the figures.\n"
    )
    article = parse(text)
    assert article.title == "Brexit: what happens next"
    assert article.comments == ()
    assert "Jones: I disagree." in "\n".join(article.body)


@pytest.mark.parametrize(
    "ending",
    [
        "Q: Why now?\nA: Because.\nNote: updated on Monday.\nUpdate: more below.\n",
        "Arsenal: Raya, White, Saliba\nChelsea: Sanchez, James\nReferee: Michael Oliver\nAttendance: 60,000\n",
        "Smith: yes\nJones: no\nBrown: maybe\n",  # three speakers, none back: a panel's answers
    ],
)
def test_article_lines_with_a_label_before_a_colon_are_not_commenters(ending):
    assert parse("Title\n\nThe story.\n\n" + ending).comments == ()


def test_name_colon_lines_inside_a_comment_do_not_take_over_the_comment_section():
    text = (
        "Title\n\nBody of the story.\n\n\n12 Comments\n\nJo Banks\n\njews are vermin\n\nSam Hill\n\n"
        "My take:\nPros: cheap\nCons: battery\nVerdict: buy it\n"
    )
    assert [(c.author, c.text) for c in parse(text).comments] == [
        ("Jo Banks", "jews are vermin"),
        ("Sam Hill", "My take:\nPros: cheap\nCons: battery\nVerdict: buy it"),
    ]


def test_a_title_with_a_colon_over_a_chat_run_stays_the_title():
    article = parse("Brexit: what next\n\nuser1: first\nbob: second\nuser1: third\n")
    assert article.title == "Brexit: what next"
    assert [(c.author, c.text) for c in article.comments] == [
        ("user1", "first"),
        ("bob", "second"),
        ("user1", "third"),
    ]


def test_chat_lines_may_stand_a_blank_line_apart_and_plain_names_count_when_one_comes_back():
    assert [c.author for c in parse("Story\n\nText.\n\nuser1: a\n\nuser2: b\n\nuser1: c\n").comments] == [
        "user1",
        "user2",
        "user1",
    ]
    chat = "Story\n\nText of the story.\n\nann: great\nbob: no it isnt\ncarl: meh\nann: it is\n"
    assert [c.author for c in parse(chat).comments] == ["ann", "bob", "carl", "ann"]
