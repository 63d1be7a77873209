"""Stormfront: hate / noHate kept, relation and skipped dropped."""

from __future__ import annotations

from corpus_helpers import FIXTURES, labels_by_text, value_counts

from moderation.corpora import load_corpus
from moderation.types import LABELS


def test_stormfront_drops_relation_and_skipped_sentences():
    rows = labels_by_text(load_corpus("stormfront_degibert2018", FIXTURES))
    assert rows == {
        "They are a plague on our nation .": (1, -1, 0),
        "As of March 13th , 2014 , the booklet had been downloaded .": (0, 0, -1),
    }


def test_stormfront_rows_map_each_label_to_one_zero_or_unknown():
    dataset = load_corpus("stormfront_degibert2018", FIXTURES)
    assert (set(dataset["source"]), len(dataset)) == ({"stormfront_degibert2018"}, 2)
    # hateful, antisemitic, offensive, then toxicity (hate is toxic; noHate's is unknown), insult, threat,
    # profanity: unknown for both rows.
    assert [value_counts(dataset, label) for label in LABELS] == [
        "1/1/0", "0/1/1", "0/1/1", "1/0/1", "0/0/2", "0/0/2", "0/0/2",
    ]  # fmt: skip
