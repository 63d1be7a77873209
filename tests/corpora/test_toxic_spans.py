"""ToxicSpans: labels from the majority of span raters."""

from __future__ import annotations

from corpus_helpers import FIXTURES, attributes_by_text

from moderation.corpora import load_corpus


def test_toxic_spans_labels_come_from_the_majority_of_span_raters():
    rows = attributes_by_text(load_corpus("civil_comments_toxic_spans", FIXTURES))
    # Two of three raters marked an insult, one ticked "not toxic": toxic, insulting, not hate.
    assert rows["You are an idiot and a moron."] == {
        "hateful": 0, "antisemitic": 0, "offensive": 1, "toxicity": 1, "insult": 1, "threat": 0, "profanity": 0,
    }  # fmt: skip
    # All three marked an identity attack: hateful, and so not merely offensive.
    assert rows["Muslims are all terrorists."]["hateful"] == 1
    assert rows["Muslims are all terrorists."]["offensive"] == 0
    # A majority ticked "not toxic": a (weak) negative for every label; one rater's insult span is outvoted.
    assert set(rows["I disagree with the mayor."].values()) == {0}
    # Two threat spans of three raters: a threat, and toxic.
    assert rows["I will find you and hurt you"]["threat"] == 1
    assert rows["I will find you and hurt you"]["toxicity"] == 1


def test_toxic_spans_hate_about_jews_has_unknown_antisemitism_and_a_minority_attack_unknown_hate():
    rows = attributes_by_text(load_corpus("civil_comments_toxic_spans", FIXTURES))
    assert rows["Jews run the banks, you fool"]["hateful"] == 1
    assert rows["Jews run the banks, you fool"]["antisemitic"] == -1  # no target labels: only reading tells
    assert rows["Jews run the banks, you fool"]["threat"] == 0  # one rater of three
    assert rows["Those people ruin every town they move to"]["hateful"] == -1
    assert rows["Those people ruin every town they move to"]["offensive"] == -1
