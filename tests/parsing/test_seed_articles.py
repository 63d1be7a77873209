"""The five seed pages, with what a reader sees in them written down by hand.

Seed 001 is Putin's article with reader comments below it; the other four are news articles with no
comment section, whose tails carry site boilerplate.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from moderation.parsing import parse_file
from moderation.parsing.text import layout_text

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def seed(prefix: str) -> Path:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path


def squash(text: str) -> str:
    """Collapse whitespace (seed 001 spells many spaces as no-break spaces)."""
    return " ".join(text.split())


# Read off the file: an author line, one blank line, the text; anonymous comments follow one another after
# two blank lines. The comment opened at line 64 runs on over one blank line to line 66: in this layout a
# single blank line continues a comment, and only two blank lines or an author line start the next one.
SEED_001_COMMENTS = [
    ("Vlad the Great", "respect to my north korean hommies, true anti imperialists"),
    (None, "never forget the genocide we americans did in korea!"),
    (
        "Edgar Zetar",
        (
            "nice political move from mr. putin. ahead of his visit. the geopolitical chess "
            "table in the north asia sea and korean peninsula is well deployed and contested "
            "inch by inch since korean war by the world powers. if the balance of power moves"
            " will signal the future winner of the confronted sides. usa has the advantage "
            "but can you predict if it will last? could china route the usa from this region?"
            " would japan, taiwan and south korea be enough to contest russia, china, north "
            "korea?"
        ),
    ),
    (
        "Edgar Zetar",
        (
            "russia is moving forward on their asia political and economical integration, and"
            " this move is not going to stop. guess china would be the arbiter in this part "
            "of the world in this century and the next century also, like it or not… u.s.a "
            "empire is doing all the wrong moves, pushing russia to asia would only means the"
            " weakening of the entire collective west as mr. putin writes in his letter to "
            "the nk people. the confronted sides are moving in opossite direction."
        ),
    ),
    (
        "Mr Fixer",
        (
            "usa has advantages?? only in bribing and blackmailing. logistics and geography "
            "do not favor the usa. sooner or later asians will realize they better band "
            "together and kick out the cancer from the region"
        ),
    ),
    (
        "Edgar Zetar",
        (
            "in a war you only have to defeat your enemy, it doesn’t matter the methods you "
            "use to accomplish the task. completely agree with you mr. fixer, geography, "
            "logistics aren’t not in favor of u.s.a. and usa could lose their world power "
            "status if they lose north east asia and a weakening in their biggest military "
            "arm, the usa navy if a conflict starts in that region."
        ),
    ),
    (
        None,
        (
            "the us establishment is controlled top to bottom by ashkenazi joo’s, as they are"
            " in controlling positions in every sector, including the us military. and the "
            "joo’s have hated russia since sviatoslav i grand prince of kiev kicked them out "
            "of khrazia.\n\nyes it was a genocide perpetrated on n. korea by us and natostan."
        ),
    ),
    (None, "from second best army to kim jong un’s bitch – 🇷🇺=🤡 😆😆😆"),
    (None, ("usa the joo’s goy bitch, doing what it’s masters in jerusalem tells it to do. usa=🤡 😆😆😆")),
    (
        None,
        (
            "the kims are ruthless murdering tyrants, but if putin can get them to cough up "
            "plenty of ammo for his special military operation, so be it. the west has "
            "needlessly driven russian to make allies out of a variety of states hated by the"
            " west and it was totally unnecessary. the cold war was over, but the western "
            "banksters and pentagon old hacks reinvented the cold war to to keep the money "
            "train rolling, regardless of the costs to world peace and true order."
        ),
    ),
    (None, "not to mention who controls western banks. oy vey."),
    (
        None,
        (
            "oh yes, the joo banksters have been plotting against nobles, whites, christians,"
            " straights, gun owners, conservatives, traditionalists, and basically everyone "
            "except lgbtq and communists since they have had means to do so."
        ),
    ),
    (None, "monetarily two of the freest nations on earth."),
    (
        "Paul Citro",
        (
            "the fig leaf is off and the world knows it: the us does not seek to better the "
            "world, but only to dominate it through violence, coercion, and deception."
        ),
    ),
]


def test_seed_001_yields_every_reader_comment_with_its_author():
    article = parse_file(seed("001"))
    assert [(c.author, c.text) for c in article.comments] == SEED_001_COMMENTS
    assert [c.index for c in article.comments] == list(range(14))
    assert all(c.parent is None and c.posted is None for c in article.comments)


def test_seed_001_spans_point_at_the_comment_text_in_the_file():
    path = seed("001")
    text = path.read_text(encoding="utf-8")
    for comment in parse_file(path).comments:
        start, end = comment.span
        assert text[start:end] == comment.text


def test_seed_001_body_is_the_article_and_ends_before_the_comments():
    article = parse_file(seed("001"))
    assert article.title == (
        "Russian President Putin's Article On Partnership Prospects Ahead Of Visit To North Korea"
    )
    assert article.byline is None
    assert len(article.body) == 18
    assert squash(article.body[0]).startswith("Article by Vladimir Putin in Rodong Sinmun newspaper")
    assert squash(article.body[-1]).endswith("friendly people of the DPRK.")
    assert not any("Vlad the Great" in paragraph for paragraph in article.body)
    assert article.dropped == ()


@pytest.mark.parametrize(
    ("prefix", "title", "byline", "published", "paragraphs"),
    [
        (
            "000",
            "Vladimir Putin Praises ‘Dignity and Courage’ of North Korea, Vowing Russia’s Support "
            "on Eve of Visit",
            None,
            None,
            21,
        ),
        (
            "002",
            "Putin Arrives In North Korea, Vows To Boost Cooperation With North Korea",
            "Taejun Kang",
            None,
            32,
        ),
        (
            "003",
            "Hours before his trip to North Korea, Putin praises Pyongyang for 'firmly supporting' "
            "Russia's war in Ukraine",
            "FP Staff",
            "June 18, 2024, 07:57:20 IST",
            17,
        ),
        (
            "004",
            "North Korea’s Kim Hails Russia Alliance, Promises Putin Support On Ukraine",
            "Taejun Kang",
            None,
            24,
        ),
    ],
)
def test_seeds_without_a_comment_section_have_no_comments(prefix, title, byline, published, paragraphs):
    article = parse_file(seed(prefix))
    assert article.comments == ()
    assert (article.title, article.byline, article.published) == (title, byline, published)
    assert len(article.body) == paragraphs
    assert article.source == str(seed(prefix))


@pytest.mark.parametrize(
    ("prefix", "dropped"),
    [
        (
            "000",
            [
                "Russian President Vladimir Putin (R) and North Korean dictator Kim Jong-un (L) shake "
                "hands during their meeting at the Vostochny Cosmodrome in Amur region on September 13, "
                "2023. (VLADIMIR SMIRNOV/POOL/AFP via Getty Images)",
                "Follow Frances Martel on Facebook and Twitter.",
                "Please let us know if you're having issues with commenting.",
            ],
        ),
        (
            "002",
            [
                "Radio Free Asia’s mission is to provide accurate and timely news and information to "
                "Asian countries whose governments prohibit access to a free press. Content used with "
                "the permission of Radio Free Asia, 2025 M St. NW, Suite 300, Washington DC 20036.",
                "Leave a Reply",
                "Your email address will not be published. Required fields are marked *",
            ],
        ),
        (
            "003",
            [
                "Trending:",
                "Advertisement",
                "North Korean leader Kim Jong Un and Russian President Vladimir Putin. Source REUTERS/FILE",
                "North Korean leader Kim Jong Un and Russian President Vladimir Putin. Source REUTERS/FILE",
                "STORY CONTINUES BELOW THIS AD",
                "STORY CONTINUES BELOW THIS AD",
                "STORY CONTINUES BELOW THIS AD",
                "With inputs from agencies",
                "QUICK LINKS",
                "Home Video Shorts Live TV",
            ],
        ),
        (
            "004",
            [
                "Radio Free Asia’s mission is to provide accurate and timely news and information to "
                "Asian countries whose governments prohibit access to a free press. Content used with "
                "the permission of Radio Free Asia, 2025 M St. NW, Suite 300, Washington DC 20036.",
                "Leave a Reply",
                "Your email address will not be published. Required fields are marked *",
            ],
        ),
    ],
)
def test_seed_boilerplate_is_dropped_not_body(prefix, dropped):
    article = parse_file(seed(prefix))
    assert [squash(line) for line in article.dropped] == dropped
    body = [squash(paragraph) for paragraph in article.body]
    for line in dropped:
        assert line not in body


@pytest.mark.parametrize(
    ("prefix", "subhead"),
    [
        ("000", "Putin stressed:"),
        ("002", "Citizens prepare"),
        ("002", "Putin ‘desperate’, US says"),
        ("003", "Putin-Kim meet: What’s on plate?"),
        ("003", "‘Will beat sanctions together’"),
        ("004", "‘Solid friendship’"),
    ],
)
def test_short_lines_inside_the_body_stay_body(prefix, subhead):
    article = parse_file(seed(prefix))
    assert subhead in [paragraph.strip() for paragraph in article.body]


def test_seed_003_keeps_the_standfirst_as_body_and_drops_the_ad_breaks():
    article = parse_file(seed("003"))
    assert article.body[0].startswith("Talking about his trip, Putin said, ‘Bilateral cooperation")
    assert article.body[-1].startswith(
        "Putin also said Russia and North Korea will develop unspecified trade"
    )
    assert "STORY CONTINUES BELOW THIS AD" not in article.body


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_every_seed_line_has_exactly_one_role(prefix):
    text = seed(prefix).read_text(encoding="utf-8")
    layout = layout_text(text)
    non_blank = {number for number, line in enumerate(text.split("\n")) if line.strip()}
    assert set(layout.roles) == non_blank
    assert layout.layout == ("blank-lines" if prefix == "001" else "none")
