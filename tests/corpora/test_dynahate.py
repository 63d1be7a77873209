"""DynaHate: evaluation only; Jewish targets antisemitic."""

from __future__ import annotations

from corpus_helpers import FIXTURES, labels_by_text

from moderation.corpora import CORPORA, load_corpus


def test_dynahate_is_evaluation_only_with_jewish_targets_antisemitic():
    assert not CORPORA["dynahate_devtest"].trainable
    rows = labels_by_text(load_corpus("dynahate_devtest", FIXTURES))
    assert rows["jews are vermin"] == (1, 1, 0)
    assert rows["women belong in the kitchen"] == (1, 0, 0)
    assert rows["they are all the same those people"] == (1, -1, 0)  # round 1: no target given
    assert rows["saying jews are vermin is disgusting"] == (0, 0, -1)
