"""Gab Hate Corpus: hd or cv is hate, vo alone offensive."""

from __future__ import annotations

from corpus_helpers import FIXTURES, labels_by_text

from moderation.corpora import load_corpus


def test_gab_hd_or_cv_is_hate_and_vo_alone_is_offensive():
    rows = labels_by_text(load_corpus("gab_hate_corpus_kennedy", FIXTURES))
    assert rows["they are animals and should be deported"] == (1, -1, 0)
    assert rows["we should shoot them all"] == (1, -1, 0)
    assert rows["what a fucking idiot"] == (0, 0, 1)
    assert rows["nice photo"] == (0, 0, 0)
