"""The shipped model judged as a moderator would (issue 9): quiet on ordinary comments, short replies and people
saying who they are; loud on hate however much neutral text surrounds it; labels that agree with each other.

These run against the shipped default model on purpose: they are the promises its model card makes.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from moderation import evaluation
from moderation.moderator import Moderator
from moderation.parsing import parse_file

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
SEED_001 = ROOT / "seeds" / "001_46c9a693b51bb0d4.txt"
IN_DOMAIN = [json.loads(line) for line in (ROOT / "data" / "comments.jsonl").open(encoding="utf-8")]
ANTISEMITIC_IN_SEED_001 = (
    "ashkenazi joo",
    "the joo\u2019s goy bitch",
    "who controls western banks. oy vey",
    "the joo banksters",
)
HATE_LABELS = ("hateful", "antisemitic")

# Everyday one-line replies, none of them in data/comments.jsonl (a test in test_data_files checks the
# file's own short replies; these are the ones a moderator tries first).
SHORT_REPLIES = [
    "them", "they", "a", "what", "!", "lol", "hey", "Thank you thank you thank you!", "ok", "yes", "no",
    "agreed", "source?", "this.", "+1", "wow", "haha", "so true", "well said", "exactly", "nope", "who cares",
    "fair point", "read the article", "hello", "thanks", "same", "lmao", "interesting", "good point", "me too",
    "first", "why?", "sure", "great article", "bump", "what a joke", "I disagree", "indeed", "true",
]  # fmt: skip


# Plain, short statements of hate against groups, none of them a row of data/comments.jsonl: what a moderator
# types first to see whether the model catches hate at all. Each feature block is L2-normalised with a smoothing
# term, so that "them" is not a whole argument, and that also leaves a short statement little weight: the shipped
# model flags 9 of these ("I hate women." reads hateful 0.30), as the previous one did. The floor below keeps it
# from getting worse; raise it when a model does better.
PLAIN_HATE = [
    "I hate women.", "I really hate Muslims.", "Gay people are disgusting.", "Muslims are scum.",
    "Trans people should all be killed.", "Black people are a cancer on society.", "Disabled people are worthless.",
    "Immigrants are filthy animals.", "All women are stupid.", "I'd shoot any immigrant I saw.",
    "Women belong in the kitchen.", "Black people are inferior.", "Why are gay people so disgusting?",
    "I think trans people are freaks.", "Isn't it obvious that Muslims are terrorists?", "Jews control the media.",
    "Fucking immigrants ruin everything.", "Gay people are just sick.",
]  # fmt: skip
PLAIN_HATE_FLAGGED_AT_LEAST = 9


@pytest.fixture(scope="module")
def moderator() -> Moderator:
    return Moderator.load()


@pytest.fixture(scope="module")
def article_text() -> str:
    """The seeds' article bodies: real neutral news prose to pad comments with."""
    return " ".join(" ".join(parse_file(path).body) for path in SEEDS)


def _flags(moderator: Moderator, texts: list[str]) -> np.ndarray:
    return moderator.flags(moderator.probabilities(texts))


# -- seed 001 ----------------------------------------------------------------------------------------------


def test_seed_001_has_the_four_antisemitic_comments_this_check_is_about():
    comments = parse_file(SEED_001).comments
    for phrase in ANTISEMITIC_IN_SEED_001:
        assert sum(phrase in c.text for c in comments) == 1, phrase


def test_in_seed_001_no_comment_but_the_antisemitic_ones_is_flagged_hateful_or_antisemitic(moderator):
    moderated = moderator.moderate(parse_file(SEED_001))
    for comment in moderated.comments:
        if not any(p in comment.comment.text for p in ANTISEMITIC_IN_SEED_001):
            assert not set(comment.scores.flags) & set(HATE_LABELS), comment.comment.text


# Known misses of the shipped model, kept strict: a model that catches them turns these into failures to update.
def _known_miss(phrase: str, reason: str):
    return pytest.param(phrase, marks=pytest.mark.xfail(strict=True, reason=reason))


# Each reason gives the shipped model's score and the one before it; the longer history is in git.
_OY_VEY = _known_miss(
    "who controls western banks. oy vey",
    "coded: hateful and antisemitic 0.68 (0.65 before), below the hateful threshold 0.69, so not flagged "
    "antisemitic either",
)


@pytest.mark.parametrize(
    "phrase", ["ashkenazi joo", "the joo\u2019s goy bitch", "the joo banksters", _OY_VEY]
)
def test_seed_001_antisemitic_comments_are_flagged_antisemitic_and_hateful(moderator, phrase):
    (comment,) = [c.text for c in parse_file(SEED_001).comments if phrase in c.text]
    assert {"hateful", "antisemitic"} <= set(moderator.score(comment).flags)


@pytest.mark.parametrize(
    "phrase", ["ashkenazi joo", "the joo\u2019s goy bitch", "the joo banksters", _OY_VEY]
)
def test_seed_001_antisemitic_comments_are_flagged_hateful(moderator, phrase):
    (comment,) = [c.text for c in parse_file(SEED_001).comments if phrase in c.text]
    assert "hateful" in moderator.score(comment).flags


@pytest.mark.parametrize(
    "text",
    [
        "Jews are parasites.",
        "Jews should be driven out.",
        "Jews are vermin.",
    ],
)
def test_plain_antisemitic_statements_are_flagged_antisemitic(moderator, text):
    assert {"hateful", "antisemitic"} <= set(moderator.score(text).flags)


def test_plain_short_statements_of_hate_are_flagged_no_less_often_than_by_the_shipped_model(moderator):
    flagged = _flags(moderator, PLAIN_HATE)[:, moderator.labels.index("hateful")]
    missed = [text for text, flag in zip(PLAIN_HATE, flagged, strict=True) if not flag]
    assert len(PLAIN_HATE) - len(missed) >= PLAIN_HATE_FLAGGED_AT_LEAST, missed


def test_plain_short_statements_of_hate_are_not_in_the_training_data():
    texts = {" ".join(row["text"].casefold().split()) for row in IN_DOMAIN}
    assert not [text for text in PLAIN_HATE if " ".join(text.casefold().split()) in texts]


# Counter-speech that reports a hateful claim to reject it, none of it a row of data/comments.jsonl. The claim's
# own words are all there ("muslims are behind every attack"); what is not is the writer making it. A pair of a
# group word and a word near it that follows "claiming", "myth", "trope" ... is hashed as a negated pair
# (TrainingConfig.frame_words); the others lean on what the data teaches of "saying", "posted" and the like.
COUNTER_SPEECH = [
    "I'm tired of people claiming the muslims are behind every attack.",
    "Anyone saying the jewish bankers run the world needs a history book.",
    "The myth that jews control the media has got people killed.",
    "Stop pretending that immigrants are all criminals, the numbers say otherwise.",
    "My uncle keeps insisting that black people are lazy. He has never worked a day in his life.",
    "The old trope that jews are greedy turned up in the comments again. Report it, don't argue with it.",
    "Every week someone here claims gay people are a danger to children. It's a lie and it always was.",
    "He posted that all muslims are terrorists and got forty likes. This town deserves better.",
]


def test_reporting_a_hateful_claim_to_reject_it_is_not_flagged_hateful(moderator):
    flagged = _flags(moderator, COUNTER_SPEECH)[:, moderator.labels.index("hateful")]
    assert not flagged.any(), [text for text, flag in zip(COUNTER_SPEECH, flagged, strict=True) if flag]


@pytest.mark.parametrize(
    "text",
    [
        "everyone says gays are disgusting and they are right.",
        "it's a conspiracy, the jews run the banks.",
        pytest.param(
            "it's no myth, the jews run the banks.",
            marks=pytest.mark.xfail(
                strict=True,
                reason="hateful 0.37 (0.91 before): 'myth' frames the pairs after it, even after 'no'",
            ),
        ),
    ],
)
def test_hate_stated_after_a_word_of_speech_or_doubt_stays_flagged(moderator, text):
    # Why "says", "saying" and "conspiracy" are not frame words: the writer's own hate follows them too.
    assert "hateful" in moderator.score(text).flags


def test_the_counter_speech_cases_are_not_in_the_training_data():
    texts = {" ".join(row["text"].casefold().split()) for row in IN_DOMAIN}
    stated = ["everyone says gays are disgusting", "it's a conspiracy, the jews", "it's no myth, the jews"]
    assert not [text for text in COUNTER_SPEECH if " ".join(text.casefold().split()) in texts]
    assert not [text for text in texts for phrase in stated if phrase in text]


# A threat at people for who they are is hate, however little of the hateful regression's vocabulary it uses:
# where the window that decided a comment's threat names a group of people (LinearModel.threat_targets), hateful
# is read no lower than threat. None is a row of data/comments.jsonl; the model without the rule read
# "refugees should be shot at the border" 0.51 and "hang the black family down the road" 0.68.
THREATS_AT_A_GROUP = [
    "we will kill every muslim in this town",
    "round up the migrants and shoot them",
    "that gay couple next door should be beaten",
    "Every Jew in this city should be lynched.",
    "refugees should be shot at the border",
    "hang the black family down the road",
]
# Threats at a person, or at people for what they do or believe, are threats and not hate. (A threat at one
# person named by their group, "the black guy who stole my bike should be shot", does read as hate: 0.81.)
THREATS_AT_NO_GROUP = [
    "someone should punch every nazi in the face",
    "shoot the guy who stole from the old woman",
    "I'll find you and break your legs",
    "the woman who ran over my dog deserves to be shot",
    "those anti-muslim thugs should be beaten senseless",
]


def test_a_threat_at_a_group_is_flagged_hateful(moderator):
    flagged = _flags(moderator, THREATS_AT_A_GROUP)[:, moderator.labels.index("hateful")]
    assert flagged.all(), [text for text, flag in zip(THREATS_AT_A_GROUP, flagged, strict=True) if not flag]


def test_a_threat_at_no_group_is_not_flagged_hateful(moderator):
    flagged = _flags(moderator, THREATS_AT_NO_GROUP)[:, moderator.labels.index("hateful")]
    assert not flagged.any(), [text for text, flag in zip(THREATS_AT_NO_GROUP, flagged, strict=True) if flag]


def test_the_threat_cases_are_not_in_the_training_data():
    texts = {" ".join(row["text"].casefold().split()) for row in IN_DOMAIN}
    cases = [
        " ".join(text.casefold().rstrip(".").split()) for text in THREATS_AT_A_GROUP + THREATS_AT_NO_GROUP
    ]
    assert not [case for case in cases for text in texts if case in text]


# -- identity statements -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def identity_flags(moderator):
    """Each benign identity statement with whether the shipped model flags it (any label)."""
    statements = [
        s for s in evaluation.identity_statements(ROOT / "data" / "identity_templates.json") if not s.hateful
    ]
    return statements, _flags(moderator, [s.text for s in statements]).any(axis=1)


def test_benign_identity_statements_are_rarely_flagged(identity_flags):
    statements, flagged = identity_flags
    assert flagged.mean() <= 0.01, [s.text for s, f in zip(statements, flagged, strict=True) if f]


def test_no_identity_has_more_than_one_percent_of_its_benign_statements_flagged(identity_flags):
    statements, flagged = identity_flags
    identities = np.array([s.identity for s in statements])
    worst = max(flagged[identities == identity].mean() for identity in set(identities))
    assert worst <= 0.01


@pytest.mark.parametrize(
    "text",
    [
        "I am Jewish",
        "I am a Jewish man",
        "I am a proud gay Jewish man",
        "I am a Muslim woman",
        "I am a gay man",
        "my Jewish neighbours invited us for Shabbat",
        "the holocaust killed six million jews and we must never forget",
    ],
)
def test_saying_who_you_are_is_not_flagged(moderator, text):
    assert not moderator.score(text).flags


# -- short and repeated texts --------------------------------------------------------------------------------


def test_common_short_replies_are_not_flagged(moderator):
    flagged = _flags(moderator, SHORT_REPLIES).any(axis=1)
    assert not flagged.any(), [t for t, f in zip(SHORT_REPLIES, flagged, strict=True) if f]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    text=st.sampled_from(
        [
            *SHORT_REPLIES,
            "hello world. ",
            "ok ",
            *(r["text"] for r in IN_DOMAIN if r["category"] == "short_reply_benign"),
        ]
    ),
    times=st.integers(1, 3000),
)
def test_repeating_a_benign_text_does_not_make_it_hateful(moderator, text, times):
    flags = moderator.score((text + " ") * times if not text.endswith(" ") else text * times).flags
    assert not set(flags) & set(HATE_LABELS)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    text=st.sampled_from(
        [
            r["text"]
            for r in IN_DOMAIN
            if not any(r.get(label) for label in ("hateful", "offensive", "toxicity"))
        ]
    ),
    times=st.integers(2, 200),
)
def test_pasting_a_comment_again_and_again_adds_no_flag(moderator, text, times):
    alone = set(moderator.score(text, reasons=0).flags)
    assert set(moderator.score(" ".join([text] * times), reasons=0).flags) <= alone


# -- long comments -------------------------------------------------------------------------------------------


def _padded(comment: str, padding: str, where: str) -> str:
    return f"{padding} {comment}" if where == "before" else f"{comment} {padding}"


def _neutral(article_text: str, start: int, length: int) -> str:
    """About ``length`` characters of article prose from near ``start``, in whole sentences."""
    repeated = article_text * (2 + (start + length) // len(article_text))
    begin = repeated.find(". ", start) + 2
    end = repeated.find(". ", begin + length)
    return repeated[begin : end + 1]


def test_hate_keeps_its_flag_under_up_to_20_kb_of_neutral_text(moderator, article_text):
    hateful = [r["text"] for r in IN_DOMAIN if r["hateful"]]
    alone = _flags(moderator, hateful)
    column = moderator.labels.index("hateful")
    flagged = [text for text, f in zip(hateful, alone[:, column], strict=True) if f]
    assert len(flagged) >= 100
    kept = []
    for length in (300, 2_000, 20_000):
        padding = _neutral(article_text, 7 * length, length)
        for where in ("before", "after"):
            kept.append(_flags(moderator, [_padded(t, padding, where) for t in flagged])[:, column])
    assert np.concatenate(kept).mean() >= 0.95


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    phrase=st.sampled_from(ANTISEMITIC_IN_SEED_001),
    start=st.integers(0, 50_000),
    length=st.integers(200, 20_000),
    where=st.sampled_from(["before", "after"]),
)
def test_seed_001_antisemitic_comments_keep_their_flag_inside_long_text(
    moderator, article_text, phrase, start, length, where
):
    (comment,) = [c.text for c in parse_file(SEED_001).comments if phrase in c.text]
    assume("antisemitic" in moderator.score(comment).flags)  # a flag to keep
    text = _padded(comment, _neutral(article_text, start, length), where)
    assert "antisemitic" in moderator.score(text).flags


def test_a_neutral_article_is_not_flagged_however_long(moderator, article_text):
    texts = [_neutral(article_text, start, length) for start in (0, 9_000) for length in (500, 5_000, 20_000)]
    assert not _flags(moderator, texts)[:, [moderator.labels.index(label) for label in HATE_LABELS]].any()


# -- the label hierarchy -------------------------------------------------------------------------------------


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    texts=st.lists(
        st.one_of(st.sampled_from([r["text"] for r in IN_DOMAIN]), st.text(max_size=200)),
        min_size=1,
        max_size=8,
    )
)
def test_antisemitic_never_outranks_hateful(moderator, texts):
    hateful, antisemitic = (moderator.labels.index(label) for label in HATE_LABELS)
    probabilities = moderator.probabilities(texts)
    assert np.all(probabilities[:, hateful] >= probabilities[:, antisemitic])
    flags = moderator.flags(probabilities)
    assert np.all(flags[:, hateful] >= flags[:, antisemitic])


# -- Perspective attributes on the shipped model (issue 10) --------------------------------------------------


def _attribute(moderator: Moderator, text: str, attribute: str) -> float:
    from moderation.service.attributes import ATTRIBUTE_LABELS, attribute_score

    return attribute_score(moderator.score(text, reasons=0), ATTRIBUTE_LABELS[attribute])


@pytest.mark.parametrize(
    ("text", "attribute", "low", "high"),
    [
        ("you are a pathetic worthless idiot", "INSULT", 0.8, 1.0),
        pytest.param(
            "I am going to kill you and your whole family",
            "THREAT",
            0.8,
            1.0,
            marks=pytest.mark.xfail(
                strict=True,
                reason="THREAT 0.23 (0.22 before): violent idioms and twins such as 'kill you lot on Saturday' leave "
                "the bigram 'kill you' weighing against threat",
            ),
        ),
        ("I will call you tomorrow", "THREAT", 0.0, 0.3),
        ("fuck this fucking shit, what a fucking mess", "PROFANITY", 0.8, 1.0),
        ("it will be sunny and warm tomorrow with a light breeze", "PROFANITY", 0.0, 0.2),
    ],
)
def test_attribute_scores_sit_where_perspective_clients_expect(moderator, text, attribute, low, high):
    assert low <= _attribute(moderator, text, attribute) <= high


@pytest.mark.parametrize(
    "phrase",
    [
        "ashkenazi joo",
        "the joo\u2019s goy bitch",
        _known_miss("who controls western banks. oy vey", "TOXICITY 0.68 (0.65 before)"),
        _known_miss("the joo banksters", "TOXICITY 0.77 (0.79 before)"),
    ],
)
def test_seed_001_antisemitic_comments_pass_corals_toxicity_hold_threshold(moderator, phrase):
    (comment,) = [c.text for c in parse_file(SEED_001).comments if phrase in c.text]
    assert _attribute(moderator, comment, "TOXICITY") > 0.8
