"""The labelled set: split rule, each corpus's label mapping, dedupe, unknown-vs-0, licenses, errors."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import pytest

from moderation.corpora import (
    CORPORA,
    default_corpora_root,
    load_corpora,
    load_corpus,
    load_in_domain,
    load_labelled_file,
    split_of,
)
from moderation.errors import DataError
from moderation.types import CORE_LABELS, LABELS

FIXTURES = Path(__file__).parent / "fixtures" / "corpora"


def expected_split(text: str) -> str:
    bucket = int(hashlib.sha1(text.strip().encode("utf-8")).hexdigest()[:8], 16) % 100
    return "test" if bucket < 20 else "dev" if bucket < 30 else "train"


def labels_by_text(dataset) -> dict[str, tuple[int, int, int]]:
    """text -> (hateful, antisemitic, offensive)."""
    return {row["text"]: tuple(row[label] for label in CORE_LABELS) for row in dataset}


def targets_by_text(dataset) -> dict[str, str]:
    return {row["text"]: row["target"] for row in dataset}


# --- split rule ------------------------------------------------------------------------------------


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


# --- per-corpus label mapping on fixture folders ---------------------------------------------------


def test_every_loaded_row_has_the_schema_and_its_split():
    dataset = load_corpora(FIXTURES)
    assert dataset.column_names == ["text", *LABELS, "source", "split", "target"]
    assert set(dataset["source"]) == set(CORPORA)
    for row in dataset:
        assert row["split"] == expected_split(row["text"])
        assert row["text"] == row["text"].strip()
        assert all(row[label] in (-1, 0, 1) for label in LABELS)
        assert not (row["antisemitic"] == 1 and row["hateful"] != 1)
        assert not (row["hateful"] == 0 and row["antisemitic"] != 0)


def test_davidson_hate_is_hateful_with_unknown_antisemitism_and_offensive_is_not_hate():
    rows = labels_by_text(load_corpus("davidson2017", FIXTURES))
    assert rows["those people are vermin, all of them"] == (1, -1, 0)
    assert rows["shut up you stupid clown\nseriously"] == (0, 0, 1)  # a multi-line CSV field
    assert rows["lovely weather for the match today"] == (0, 0, 0)
    assert len(rows) == 3  # the padded copy of the weather tweet is a duplicate


def test_isca_biased_is_antisemitic_and_unbiased_is_neither_antisemitic_nor_hateful():
    dataset = load_corpus("isca_antisemitism_twitter", FIXTURES)
    rows = labels_by_text(dataset)
    assert rows["the jews control the banks\nwake up"] == (1, 1, 0)
    assert rows["The last 24 hours in Israel"] == (0, 0, -1)
    assert targets_by_text(dataset)["the jews control the banks\nwake up"] == "jews"


def test_duplicates_that_disagree_are_merged_towards_the_positive_label():
    rows = labels_by_text(load_corpus("isca_antisemitism_twitter", FIXTURES))
    assert rows["Shabbat shalom, friends"] == (1, 1, 0)
    assert len(rows) == 3


def test_pol4chan_non_antisemitic_rows_have_unknown_hatefulness():
    rows = labels_by_text(load_corpus("pol4chan_antisemitism_le2021", FIXTURES))
    assert rows["the kikes run the banks"] == (1, 1, 0)  # in both official files, kept once
    assert rows["israel ."] == (-1, 0, -1)
    assert rows["nice weather anon"] == (-1, 0, -1)
    assert len(rows) == 3


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


def test_gab_hd_or_cv_is_hate_and_vo_alone_is_offensive():
    rows = labels_by_text(load_corpus("gab_hate_corpus_kennedy", FIXTURES))
    assert rows["they are animals and should be deported"] == (1, -1, 0)
    assert rows["we should shoot them all"] == (1, -1, 0)
    assert rows["what a fucking idiot"] == (0, 0, 1)
    assert rows["nice photo"] == (0, 0, 0)


def test_a_duplicate_overruled_to_hateful_does_not_claim_not_antisemitic():
    # "send them back" is 0/0/0 in the train file and hd=1 in the test file.
    rows = labels_by_text(load_corpus("gab_hate_corpus_kennedy", FIXTURES))
    assert rows["send them back"] == (1, -1, 0)


def test_stormfront_drops_relation_and_skipped_sentences():
    rows = labels_by_text(load_corpus("stormfront_degibert2018", FIXTURES))
    assert rows == {
        "They are a plague on our nation .": (1, -1, 0),
        "As of March 13th , 2014 , the booklet had been downloaded .": (0, 0, -1),
    }


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


# --- registry, selection, root ---------------------------------------------------------------------


def test_corpora_without_a_license_are_evaluation_only():
    untrainable = {name for name, info in CORPORA.items() if not info.trainable}
    assert untrainable == {"pol4chan_antisemitism_le2021", "gab_hate_corpus_kennedy", "dynahate_devtest"}
    for info in CORPORA.values():
        assert info.license and info.citation and info.title


def test_trainable_only_leaves_out_unlicensed_corpora():
    sources = set(load_corpora(FIXTURES, trainable_only=True)["source"])
    assert sources == {name for name, info in CORPORA.items() if info.trainable}


def test_naming_an_unlicensed_corpus_for_training_is_refused():
    with pytest.raises(DataError, match="no usable license"):
        load_corpora(FIXTURES, ["davidson2017", "gab_hate_corpus_kennedy"], trainable_only=True)


def test_load_corpora_reports_progress_per_corpus_in_order():
    seen: list[str] = []
    dataset = load_corpora(FIXTURES, ["ethos", "davidson2017"], progress=seen.append)
    assert seen == ["ethos", "davidson2017"]
    assert list(dict.fromkeys(dataset["source"])) == ["ethos", "davidson2017"]


def test_load_corpora_skips_absent_folders_but_needs_at_least_one(tmp_path):
    with pytest.raises(DataError, match="no known corpus folder"):
        load_corpora(tmp_path)
    (tmp_path / "davidson2017").symlink_to(FIXTURES / "davidson2017")
    assert set(load_corpora(tmp_path)["source"]) == {"davidson2017"}


def test_corpus_errors_are_one_line_data_errors(tmp_path):
    with pytest.raises(DataError, match="unknown corpus 'nope'"):
        load_corpus("nope", FIXTURES)
    with pytest.raises(DataError, match="folder .* not found"):
        load_corpus("ethos", tmp_path)
    (tmp_path / "ethos").mkdir()
    with pytest.raises(DataError, match="missing file Ethos_Dataset_Binary.csv"):
        load_corpus("ethos", tmp_path)
    with pytest.raises(DataError, match="corpora root .* not found"):
        load_corpora(tmp_path / "absent")


def test_a_corpus_file_without_its_columns_is_a_data_error(tmp_path):
    folder = tmp_path / "davidson2017"
    folder.mkdir()
    (folder / "labeled_data.csv").write_text("a,b\n1,2\n")
    with pytest.raises(DataError, match="missing column"):
        load_corpus("davidson2017", tmp_path)


def test_default_root_prefers_the_environment_variable(monkeypatch, tmp_path):
    monkeypatch.setenv("MODERATE_CORPORA", str(tmp_path))
    assert default_corpora_root() == tmp_path


def test_default_root_finds_shared_datasets_next_to_the_working_dir(monkeypatch, tmp_path):
    monkeypatch.delenv("MODERATE_CORPORA", raising=False)
    (tmp_path / "shared" / "datasets").mkdir(parents=True)
    (tmp_path / "checkout").mkdir()
    monkeypatch.chdir(tmp_path / "checkout")
    assert default_corpora_root() == (tmp_path / "shared" / "datasets").resolve()


# --- labelled files and the in-domain set ----------------------------------------------------------


def test_labelled_jsonl_keeps_given_labels_and_fills_only_implied_unknowns(tmp_path):
    path = tmp_path / "comments.jsonl"
    path.write_text(
        '{"text": "(((they))) run the banks", "hateful": 1, "antisemitic": 1, "offensive": 0, '
        '"category": "coded"}\n'
        "\n"
        '{"text": "my Jewish neighbours invited us for Shabbat", "hateful": 0, "offensive": 0}\n'
        '{"text": "what an idiot", "hateful": false, "antisemitic": false, "offensive": true}\n'
        '{"text": "those people are animals", "hateful": 1, "offensive": 1}\n'
        '{"text": "they are coded", "antisemitic": 1}\n'
    )
    dataset = load_labelled_file(path)
    assert set(dataset["source"]) == {"comments"}
    rows = labels_by_text(dataset)
    assert rows["(((they))) run the banks"] == (1, 1, 0)
    assert rows["my Jewish neighbours invited us for Shabbat"] == (0, 0, 0)  # antisemitic implied 0
    assert rows["what an idiot"] == (0, 0, 1)
    assert rows["those people are animals"] == (1, -1, 1)  # user labels are not rewritten
    assert rows["they are coded"] == (1, 1, -1)  # hateful implied 1


def test_labelled_csv_and_tsv_accept_blank_and_word_labels(tmp_path):
    (tmp_path / "mine.csv").write_text(
        'text,hateful,offensive,target\n"a comment, with a comma",TRUE,,Jews\nanother one,0,False,\n'
    )
    rows = labels_by_text(load_labelled_file(tmp_path / "mine.csv"))
    assert rows == {"a comment, with a comma": (1, -1, -1), "another one": (0, 0, 0)}
    assert targets_by_text(load_labelled_file(tmp_path / "mine.csv"))["a comment, with a comma"] == "jews"
    (tmp_path / "mine.tsv").write_text("text\tantisemitic\nfirst\t1\nsecond\t\n")
    assert labels_by_text(load_labelled_file(tmp_path / "mine.tsv")) == {
        "first": (1, 1, -1),
        "second": (-1, -1, -1),
    }


def test_labelled_gzip_jsonl_is_read(tmp_path):
    path = tmp_path / "extra.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as out:
        out.write('{"text": "hello there", "hateful": 0}\n')
    dataset = load_labelled_file(path)
    assert dataset["source"] == ["extra"]
    assert labels_by_text(dataset) == {"hello there": (0, 0, -1)}


def test_labelled_file_duplicates_are_merged(tmp_path):
    path = tmp_path / "dups.jsonl"
    path.write_text('{"text": "same", "hateful": 0}\n{"text": " same ", "hateful": 1}\n{"text": "other"}\n')
    assert labels_by_text(load_labelled_file(path)) == {"same": (1, -1, -1), "other": (-1, -1, -1)}


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("bad.jsonl", '{"text": "ok"}\n{"text": "broken"\n', r"bad.jsonl: line 2: not valid JSON"),
        ("list.jsonl", '["text"]\n', r"line 1: expected a JSON object"),
        ("notext.jsonl", '{"body": "x"}\n', r"line 1: no 'text' field"),
        ("numtext.jsonl", '{"text": 5}\n', r"line 1: 'text' must be a string"),
        (
            "label.jsonl",
            '{"text": "a"}\n{"text": "b", "hateful": "maybe"}\n',
            r"line 2: hateful must be 0, 1",
        ),
        (
            "conflict.jsonl",
            '{"text": "a", "hateful": 0, "antisemitic": 1}\n',
            r"line 1: antisemitic is 1 but",
        ),
        ("nocol.csv", "body,hateful\nx,1\n", r"no 'text' column \(columns: body, hateful\)"),
        ("badlabel.csv", "text,offensive\nx,2\n", r"row 1: offensive must be 0, 1"),
        ("data.json", '[{"text": "x"}]', r"unsupported file type"),
    ],
)
def test_labelled_file_errors_say_what_and_where(tmp_path, filename, content, message):
    path = tmp_path / filename
    path.write_text(content)
    with pytest.raises(DataError, match=message) as caught:
        load_labelled_file(path)
    assert "\n" not in str(caught.value)


def test_missing_labelled_file_is_a_data_error(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        load_labelled_file(tmp_path / "absent.jsonl")
    with pytest.raises(DataError, match="not a file"):
        load_labelled_file(tmp_path)


def test_in_domain_rows_are_sourced_and_split_by_the_same_rule(tmp_path):
    path = tmp_path / "comments.jsonl"
    path.write_text(
        '{"text": "jews don\'t control the media", "hateful": 0, "antisemitic": 0, "offensive": 0, '
        '"category": "negation", "rationale": "denies the trope"}\n'
    )
    dataset = load_in_domain(path)
    assert dataset["source"] == ["in_domain"]
    assert dataset["split"] == [expected_split("jews don't control the media")]


def _value_counts(dataset, label: str) -> str:
    """How many rows have the label 1, 0 and unknown (-1), as "1/0/?"."""
    values = list(dataset[label])
    return "/".join(str(values.count(value)) for value in (1, 0, -1))


def test_stormfront_rows_map_each_label_to_one_zero_or_unknown():
    dataset = load_corpus("stormfront_degibert2018", FIXTURES)
    assert (set(dataset["source"]), len(dataset)) == ({"stormfront_degibert2018"}, 2)
    # hateful, antisemitic, offensive, then toxicity (hate is toxic; noHate's is unknown), insult, threat,
    # profanity: unknown for both rows.
    assert [_value_counts(dataset, label) for label in LABELS] == [
        "1/1/0", "0/1/1", "0/1/1", "1/0/1", "0/0/2", "0/0/2", "0/0/2",
    ]  # fmt: skip


# --- the real corpora (../shared/datasets) ---------------------------------------------------------


def real_root() -> Path:
    root = default_corpora_root()
    if root is None or not root.is_dir():
        pytest.skip("../shared/datasets not available (set MODERATE_CORPORA)")
    return root


# name: (rows as in SOURCE.md after the documented drops, hateful 1, antisemitic 1, offensive 1 or None)
SOURCE_COUNTS = {
    "isca_antisemitism_twitter": (11_311, 1_953, 1_953, 0),
    "pol4chan_antisemitism_le2021": (2_400 + 600, 1_173 + 327, 1_173 + 327, 0),
    "hatexplain_kaggle_derived": (20_109, 6_484, 1_406, 5_807),
    "implicit_hate_elsherief2021": (21_480, 7_100 + 1_089, 523, 0),
    "gab_hate_corpus_kennedy": (22_036 + 5_510, 1_941 + 509, 0, None),
    "stormfront_degibert2018": (10_944 - 168 - 73, 1_196, 0, 0),
    "davidson2017": (24_783, 1_430, 0, 19_190),
    "ethos": (998, 433, 0, 0),
    "toxigen_prompts": (722, 425, 7, 0),
}


@pytest.mark.corpora
@pytest.mark.parametrize("name", sorted(SOURCE_COUNTS))
def test_real_corpus_rows_match_source_md(name):
    root = real_root()
    if not (root / name).is_dir():
        pytest.skip(f"{name} not under {root}")
    rows, hateful, antisemitic, offensive = SOURCE_COUNTS[name]
    mapped = CORPORA[name].loader(root / name)
    assert len(mapped) == rows
    assert int((mapped["hateful"] == 1).sum()) == hateful
    assert int((mapped["antisemitic"] == 1).sum()) == antisemitic
    if offensive is not None:
        assert int((mapped["offensive"] == 1).sum()) == offensive

    dataset = load_corpus(name, root)
    texts = dataset["text"]
    assert len(texts) == len(set(texts)) == mapped["text"].astype(str).str.strip().nunique()
    assert set(dataset["split"]) == {"train", "dev", "test"}


@pytest.mark.corpora
def test_all_real_corpora_load_together_with_consistent_labels():
    root = real_root()
    dataset = load_corpora(root)
    frame = dataset.to_pandas()
    assert not ((frame["antisemitic"] == 1) & (frame["hateful"] != 1)).any()
    assert not ((frame["hateful"] == 0) & (frame["antisemitic"] != 0)).any()
    assert not ((frame["hateful"] == 1) & (frame["offensive"] == 1)).any()
    sample = frame.sample(500, random_state=0)
    assert all(
        split == expected_split(text) for text, split in zip(sample["text"], sample["split"], strict=True)
    )
    shares = frame["split"].value_counts(normalize=True)
    assert shares["test"] == pytest.approx(0.2, abs=0.02)


def test_loaded_datasets_live_in_memory_without_cache_files():
    assert load_corpus("davidson2017", FIXTURES).cache_files == []
    assert load_corpora(FIXTURES).cache_files == []


# --- ToxicSpans and DynaHate -----------------------------------------------------------------------------


def _attributes(dataset) -> dict[str, dict[str, int]]:
    return {row["text"]: {label: row[label] for label in LABELS} for row in dataset}


def test_toxic_spans_labels_come_from_the_majority_of_span_raters():
    rows = _attributes(load_corpus("civil_comments_toxic_spans", FIXTURES))
    # Two of three raters marked an insult, one ticked "not toxic": toxic, insulting, not hate.
    assert rows["You are an idiot and a moron."] == {
        "hateful": 0, "antisemitic": 0, "offensive": 1, "toxicity": 1, "insult": 1, "threat": 0, "profanity": 0,
    }  # fmt: skip
    # All three marked an identity attack: hateful, and so not merely offensive.
    assert rows["Muslims are all terrorists."]["hateful"] == 1
    assert rows["Muslims are all terrorists."]["offensive"] == 0
    # A majority ticked "not toxic": a (weak) negative for every label; one rater's insult span is outvoted.
    assert set(rows["I disagree with the mayor."].values()) == {0}
    # Two threat spans of three raters: a threat, and toxic.
    assert rows["I will find you and hurt you"]["threat"] == 1
    assert rows["I will find you and hurt you"]["toxicity"] == 1


def test_toxic_spans_hate_about_jews_has_unknown_antisemitism_and_a_minority_attack_unknown_hate():
    rows = _attributes(load_corpus("civil_comments_toxic_spans", FIXTURES))
    assert rows["Jews run the banks, you fool"]["hateful"] == 1
    assert rows["Jews run the banks, you fool"]["antisemitic"] == -1  # no target labels: only reading tells
    assert rows["Jews run the banks, you fool"]["threat"] == 0  # one rater of three
    assert rows["Those people ruin every town they move to"]["hateful"] == -1
    assert rows["Those people ruin every town they move to"]["offensive"] == -1


def test_dynahate_is_evaluation_only_with_jewish_targets_antisemitic():
    assert not CORPORA["dynahate_devtest"].trainable
    rows = labels_by_text(load_corpus("dynahate_devtest", FIXTURES))
    assert rows["jews are vermin"] == (1, 1, 0)
    assert rows["women belong in the kitchen"] == (1, 0, 0)
    assert rows["they are all the same those people"] == (1, -1, 0)  # round 1: no target given
    assert rows["saying jews are vermin is disgusting"] == (0, 0, -1)


def test_hate_implies_toxicity_and_a_civil_row_is_no_kind_of_toxic():
    rows = _attributes(load_corpus("davidson2017", FIXTURES))
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
