"""Latent Hatred: antisemitism from the stage 3 targets."""

from __future__ import annotations

from corpus_helpers import FIXTURES, labels_by_text, targets_by_text

from moderation.corpora import load_corpus


def test_implicit_hate_takes_antisemitism_from_the_stage3_target():
    dataset = load_corpus("implicit_hate_elsherief2021", FIXTURES)
    rows = labels_by_text(dataset)
    quoted = '" : jewish harvard professor wants to abolish the white race " " "'
    assert rows[quoted] == (1, 1, 0)
    assert rows["immigrants are taking over our towns"] == (1, 0, 0)
    assert rows["they will all be gone soon"] == (1, -1, 0)  # target "not specified"
    assert rows["we know what to do with vermin like them"] == (1, -1, 0)  # no stage 3 row
    assert rows["kill all of the invaders"] == (1, -1, 0)
    assert rows["great rally in the park today"] == (0, 0, -1)
    assert targets_by_text(dataset)[quoted] == "jews"
