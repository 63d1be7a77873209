"""Davidson et al. 2017: the majority class decides."""

from __future__ import annotations

from corpus_helpers import FIXTURES, labels_by_text

from moderation.corpora import load_corpus


def test_davidson_hate_is_hateful_with_unknown_antisemitism_and_offensive_is_not_hate():
    rows = labels_by_text(load_corpus("davidson2017", FIXTURES))
    assert rows["those people are vermin, all of them"] == (1, -1, 0)
    assert rows["shut up you stupid clown\nseriously"] == (0, 0, 1)  # a multi-line CSV field
    assert rows["lovely weather for the match today"] == (0, 0, 0)
    assert len(rows) == 3  # the padded copy of the weather tweet is a duplicate
