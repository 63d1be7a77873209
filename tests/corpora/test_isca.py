"""ISCA: Biased is antisemitic; unbiased tweets about Jews are neither."""

from __future__ import annotations

from corpus_helpers import FIXTURES, labels_by_text, targets_by_text

from moderation.corpora import load_corpus


def test_isca_biased_is_antisemitic_and_unbiased_is_neither_antisemitic_nor_hateful():
    dataset = load_corpus("isca_antisemitism_twitter", FIXTURES)
    rows = labels_by_text(dataset)
    assert rows["the jews control the banks\nwake up"] == (1, 1, 0)
    assert rows["The last 24 hours in Israel"] == (0, 0, -1)
    assert targets_by_text(dataset)["the jews control the banks\nwake up"] == "jews"
