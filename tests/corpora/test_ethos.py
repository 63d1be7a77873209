"""ETHOS: antisemitism ruled out only when the targets cannot be Jews."""

from __future__ import annotations

from corpus_helpers import FIXTURES, labels_by_text, targets_by_text

from moderation.corpora import load_corpus


def test_ethos_rules_out_antisemitism_only_when_the_targets_cannot_be_jews():
    dataset = load_corpus("ethos", FIXTURES)
    rows = labels_by_text(dataset)
    assert rows["women belong in the kitchen"] == (1, 0, 0)
    assert rows["that religion is a cancer"] == (1, -1, 0)
    assert rows["go back to your country"] == (1, -1, 0)  # not in the multi-label file
    assert rows["jewish women are so ugly"] == (1, -1, 0)  # gender target, but names Jews
    assert rows["i like this video"] == (0, 0, -1)
    assert rows["borderline rude remark"] == (0, 0, -1)  # isHate 1/3 is below 0.5
    targets = targets_by_text(dataset)
    assert targets["women belong in the kitchen"] == "gender"
    assert targets["go back to your country"] == ""
