"""HateXplain: targets and the Jewish target."""

from __future__ import annotations

from corpus_helpers import FIXTURES, labels_by_text, targets_by_text

from moderation.corpora import load_corpus


def test_hatexplain_jewish_target_marks_antisemitic_hate():
    dataset = load_corpus("hatexplain_kaggle_derived", FIXTURES)
    rows = labels_by_text(dataset)
    assert rows["the jews are parasites"] == (1, 1, 0)
    # Hate kept with another target but naming Jews: the copy may have lost the Jewish target.
    assert rows["liberalism and jews paying sand niggers"] == (1, -1, 0)
    assert rows["send them all back to africa"] == (1, 0, 0)
    assert rows["jewish guy at work is a prick"] == (0, 0, 1)
    assert rows["<user> lmao wow"] == (0, 0, 0)
    targets = targets_by_text(dataset)
    assert targets["liberalism and jews paying sand niggers"] == "arab; islam"
    assert targets["send them all back to africa"] == "african; refugee"
    assert targets["<user> lmao wow"] == ""
