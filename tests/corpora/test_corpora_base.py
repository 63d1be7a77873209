"""The labelled-set schema, the split rule, duplicates merged, labels implied, nothing cached."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
from corpus_helpers import FIXTURES, attributes_by_text, expected_split, labels_by_text, rows_of

from moderation.corpora import CORPORA, load_corpora, load_corpus, split_of
from moderation.errors import DataError
from moderation.types import LABELS


@pytest.mark.parametrize(
    "text",
    ["", "hello", "  hello  \n", "the holocaust killed six million jews", "Ünïcödé ✡ text", "x" * 1000],
)
def test_split_follows_the_sha1_rule(text):
    assert split_of(text) == expected_split(text)


def test_split_matches_the_rule_at_every_bucket_boundary():
    texts = [f"comment number {i}" for i in range(3000)]
    assert [split_of(text) for text in texts] == [expected_split(text) for text in texts]


def test_split_ignores_surrounding_whitespace_only():
    assert split_of("  some comment\n") == split_of("some comment")


def test_split_reaches_all_three_splits_in_roughly_the_documented_shares():
    splits = [split_of(f"comment number {i}") for i in range(5000)]
    shares = {name: splits.count(name) / len(splits) for name in ("train", "dev", "test")}
    assert shares["test"] == pytest.approx(0.20, abs=0.03)
    assert shares["dev"] == pytest.approx(0.10, abs=0.03)
    assert shares["train"] == pytest.approx(0.70, abs=0.03)


def test_every_loaded_row_has_the_schema_and_its_split():
    dataset = load_corpora(FIXTURES)
    assert list(dataset.columns) == ["text", *LABELS, "source", "split", "target"]
    assert set(dataset["source"]) == set(CORPORA)
    for row in rows_of(dataset):
        assert row["split"] == expected_split(row["text"])
        assert row["text"] == row["text"].strip()
        assert all(row[label] in (-1, 0, 1) for label in LABELS)
        assert not (row["antisemitic"] == 1 and row["hateful"] != 1)
        assert not (row["hateful"] == 0 and row["antisemitic"] != 0)


def test_duplicates_that_disagree_are_merged_towards_the_positive_label():
    rows = labels_by_text(load_corpus("isca_antisemitism_twitter", FIXTURES))
    assert rows["Shabbat shalom, friends"] == (1, 1, 0)
    assert len(rows) == 3


def test_a_duplicate_overruled_to_hateful_does_not_claim_not_antisemitic():
    # "send them back" is 0/0/0 in the train file and hd=1 in the test file.
    rows = labels_by_text(load_corpus("gab_hate_corpus_kennedy", FIXTURES))
    assert rows["send them back"] == (1, -1, 0)


def test_hate_implies_toxicity_and_a_civil_row_is_no_kind_of_toxic():
    rows = attributes_by_text(load_corpus("davidson2017", FIXTURES))
    for labels in rows.values():
        if labels["hateful"] == 1 or labels["offensive"] == 1:
            assert labels["toxicity"] == 1
        if labels["hateful"] == 0 and labels["offensive"] == 0:
            assert (labels["toxicity"], labels["insult"], labels["threat"], labels["profanity"]) == (
                0,
                0,
                0,
                0,
            )


def test_a_corpus_file_without_its_columns_is_a_data_error(tmp_path):
    folder = tmp_path / "davidson2017"
    folder.mkdir()
    (folder / "labeled_data.csv").write_text("a,b\n1,2\n")
    with pytest.raises(DataError, match="missing column"):
        load_corpus("davidson2017", tmp_path)


def test_loading_needs_neither_the_hub_nor_its_cache():
    # The labelled set is pandas read from local files: loading never imports `datasets`, so it can neither
    # reach the Hugging Face Hub nor write its cache.
    program = (
        "import sys; from pathlib import Path; import moderation.corpora as c; "
        f"c.load_corpus('davidson2017', Path({str(FIXTURES)!r})); c.load_corpora(Path({str(FIXTURES)!r})); "
        "print(sorted(m for m in sys.modules if m.partition('.')[0] in ('datasets', 'huggingface_hub')))"
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_a_loaded_corpus_is_one_pandas_table_in_the_schema():
    table = load_corpus("davidson2017", FIXTURES)
    assert isinstance(table, pd.DataFrame)
    assert list(table.index) == list(range(len(table)))
    assert {str(table[label].dtype) for label in LABELS} == {"int8"}
