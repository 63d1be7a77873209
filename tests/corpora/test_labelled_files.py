"""Users' labelled files and the in-domain comments."""

from __future__ import annotations

import gzip

import pytest
from corpus_helpers import expected_split, labels_by_text, targets_by_text

from moderation.corpora import load_in_domain, load_labelled_file
from moderation.errors import DataError


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
    assert dataset["source"].tolist() == ["extra"]
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
    assert dataset["source"].tolist() == ["in_domain"]
    assert dataset["split"].tolist() == [expected_split("jews don't control the media")]


def test_a_dataset_saved_by_the_datasets_library_is_read_like_a_file(tmp_path):
    datasets = pytest.importorskip("datasets")
    saved = tmp_path / "moderated_comments"
    datasets.Dataset.from_dict(
        {"text": ["the migrants are vermin", "lovely weather"], "hateful": [1, 0], "antisemitic": [0, 0]}
    ).save_to_disk(str(saved))
    table = load_labelled_file(saved)
    assert table["text"].tolist() == ["the migrants are vermin", "lovely weather"]
    assert table["hateful"].tolist() == [1, 0]
    assert table["offensive"].tolist() == [-1, -1]  # not given: unknown
    assert set(table["source"]) == {"moderated_comments"}


def test_a_saved_dataset_with_bad_labels_names_its_row(tmp_path):
    datasets = pytest.importorskip("datasets")
    saved = tmp_path / "bad"
    datasets.Dataset.from_dict({"text": ["a", "b"], "hateful": ["0", "maybe"]}).save_to_disk(str(saved))
    with pytest.raises(DataError, match=r"bad: row 2: hateful must be"):
        load_labelled_file(saved)


def test_a_folder_that_is_not_a_saved_dataset_is_refused_in_one_line(tmp_path):
    with pytest.raises(DataError, match="not a file"):
        load_labelled_file(tmp_path)
