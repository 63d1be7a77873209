"""ToxiGen seed sentences, from the CSV or the gzip prompts."""

from __future__ import annotations

import gzip

from corpus_helpers import FIXTURES, labels_by_text, targets_by_text

from moderation.corpora import load_corpus


def test_toxigen_hate_against_jews_is_antisemitic_and_shared_sentences_join_targets():
    dataset = load_corpus("toxigen_prompts", FIXTURES)
    rows = labels_by_text(dataset)
    assert rows["jews are greedy and control the money"] == (1, 1, 0)
    assert rows["jewish people celebrate passover in spring"] == (0, 0, 0)
    assert rows["they are all the same"] == (1, 0, 0)
    assert targets_by_text(dataset)["they are all the same"] == "asian; lgbtq"


def test_toxigen_falls_back_to_the_gzip_prompts(tmp_path):
    prompts = tmp_path / "toxigen_prompts" / "prompts"
    prompts.mkdir(parents=True)
    with gzip.open(prompts / "hate_jewish_1k.txt.gz", "wt", encoding="utf-8") as out:
        out.write("- jews are greedy\\n- they control the money\\n-\n- jews are greedy\\n-\n")
    with gzip.open(prompts / "neutral_women_1k.txt.gz", "wt", encoding="utf-8") as out:
        out.write("- women lead many companies\\n-\n")
    rows = labels_by_text(load_corpus("toxigen_prompts", tmp_path))
    assert rows == {
        "jews are greedy": (1, 1, 0),
        "they control the money": (1, 1, 0),
        "women lead many companies": (0, 0, 0),
    }
