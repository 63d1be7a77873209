"""The featurizer: hashed n-grams whose scoring shortcut (dot) is exactly the matrix that training sees."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from moderation.features import KIND_BIGRAM, KIND_CHAR, KIND_LEXICON, KIND_WORD, Featurizer

BATCHES = [
    ["hello world"],
    ["", "a", "", "hello world", "hello world hello"],
    ["😀", "😀 emoji 😀 in text", "日本語 and english", "ok"],
    ["jews control nothing", "the zog again", "x" * 300, "a b", "punctuation!!! ,,, ..."],
]


@pytest.fixture(scope="module")
def featurizer() -> Featurizer:
    return Featurizer(n_features=2**12, lexicon={"zog": "conspiracy", "jewish lobby": "conspiracy"})


def _scores(featurizer: Featurizer, texts: list[str], weights: np.ndarray) -> np.ndarray:
    """The scoring path: ``X @ weights`` computed without building X."""
    return featurizer.dot(texts, featurizer.scoring_table(weights), weights.shape[1])


def _with_some_idf(featurizer: Featurizer) -> Featurizer:
    corpus = [text for batch in BATCHES for text in batch]
    return featurizer.with_idf(featurizer.document_frequency(corpus), len(corpus))


@pytest.mark.parametrize("idf", [False, True], ids=["counts", "tf-idf"])
@pytest.mark.parametrize("n_labels", [1, 3, 4])
@pytest.mark.parametrize("batch", BATCHES)
def test_dot_equals_the_training_matrix_times_the_weights(
    featurizer: Featurizer, batch: list[str], n_labels: int, idf: bool
) -> None:
    featurizer = _with_some_idf(featurizer) if idf else featurizer
    weights = np.random.default_rng(7).normal(size=(featurizer.n_features, n_labels)).astype(np.float32)
    expected = featurizer.transform(batch).astype(np.float64) @ weights.astype(np.float64)
    np.testing.assert_allclose(_scores(featurizer, batch, weights), expected, rtol=1e-4, atol=1e-4)


def test_dot_of_an_empty_batch_is_an_empty_matrix(featurizer: Featurizer) -> None:
    weights = np.ones((featurizer.n_features, 3), dtype=np.float32)
    assert _scores(featurizer, [], weights).shape == (0, 3)


def test_each_block_of_a_row_has_unit_length(featurizer: Featurizer) -> None:
    # Long comments must not score higher for being long: characters and words each count as a unit vector.
    occ = _with_some_idf(featurizer).occurrences(["a long comment, long long long", "short"], positions=True)
    for row in (0, 1):
        for kinds in ((KIND_CHAR,), (KIND_WORD, KIND_BIGRAM, KIND_LEXICON)):
            block = (occ.rows == row) & np.isin(occ.kinds, kinds)
            assert np.sum(occ.values[block].astype(np.float64) ** 2) == pytest.approx(1.0, rel=1e-5)


def _columns_of(featurizer: Featurizer, texts: list[str], substring: str, kind: int) -> set[int]:
    """Columns of the occurrences of ``kind`` that cover exactly ``substring`` (offsets are into the text,
    whose padding space is at -1: slice the padded text one further on)."""
    occ = featurizer.occurrences(texts, positions=True)
    padded = [f" {t} " for t in texts]
    return {
        int(occ.columns[i])
        for i in range(len(occ))
        if occ.kinds[i] == kind and padded[occ.rows[i]][occ.starts[i] + 1 : occ.ends[i] + 1] == substring
    }


def test_a_word_gets_the_same_column_in_any_text_and_position(featurizer: Featurizer) -> None:
    texts = ["world", "hello world", "the world is big, world"]
    assert len(_columns_of(featurizer, texts, "world", KIND_WORD)) == 1


def test_a_character_ngram_gets_the_same_column_in_any_text_and_position(featurizer: Featurizer) -> None:
    texts = ["abcde", "xx abcd", "word abc, abc"]
    assert len(_columns_of(featurizer, texts, "abc", KIND_CHAR)) == 1


def test_a_word_and_the_same_characters_as_an_ngram_get_different_columns(featurizer: Featurizer) -> None:
    texts = ["say ab now"]
    assert _columns_of(featurizer, texts, "ab", KIND_WORD).isdisjoint(
        _columns_of(featurizer, texts, "ab", KIND_CHAR)
    )


def _lexicon_hits(featurizer: Featurizer, text: str) -> list[str]:
    occ = featurizer.occurrences([text], positions=True)
    return [
        text[s:e] for kind, s, e in zip(occ.kinds, occ.starts, occ.ends, strict=True) if kind == KIND_LEXICON
    ]


@pytest.mark.parametrize(
    ("text", "hits"),
    [
        ("the zog again", ["zog"]),
        ("zog and zog", ["zog", "zog"]),
        ("the zogs again", []),
        ("zogzog", []),
        ("a jewish lobby story", ["jewish lobby"]),
        ("jewish people lobby", []),
        ("jewish", []),
    ],
)
def test_lexicon_features_mark_only_the_listed_spellings(
    featurizer: Featurizer, text: str, hits: list[str]
) -> None:
    assert _lexicon_hits(featurizer, text) == hits


def _lexicon_columns(featurizer: Featurizer, texts: list[str]) -> list[int]:
    occ = featurizer.occurrences(texts, positions=True)
    return occ.columns[occ.kinds == KIND_LEXICON].tolist()


def test_lexicon_terms_of_one_category_share_its_feature(featurizer: Featurizer) -> None:
    # The category, not the term, is the feature: what the model learns about one spelling carries over.
    same = _lexicon_columns(featurizer, ["the zog", "a jewish lobby story"])
    assert len(same) == 2 and same[0] == same[1]
    split = Featurizer(n_features=2**12, lexicon={"jewish lobby": "conspiracy", "zog": "slur"})
    different = _lexicon_columns(split, ["the zog", "a jewish lobby story"])
    assert len(different) == 2 and different[0] != different[1]


def test_features_are_the_same_on_every_call_and_every_instance(featurizer: Featurizer) -> None:
    batch = BATCHES[3]
    again = Featurizer(n_features=2**12, lexicon={"jewish lobby": "conspiracy", "zog": "conspiracy"})
    first = featurizer.transform(batch)
    assert (first != featurizer.transform(batch)).nnz == 0
    assert (first != again.transform(batch)).nnz == 0


def test_columns_do_not_depend_on_the_python_process() -> None:
    # A shipped model's weights are indexed by these columns: a per-process hash seed would silently break it.
    script = (
        "from moderation.features import Featurizer;"
        "print(sorted(set(Featurizer(n_features=2**12).occurrences(['hello world']).columns.tolist())))"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    assert len(outputs) == 1


@pytest.mark.parametrize("text", ["hello big world", "😀 bad 😀 word", "日本語 mixed 语"])
def test_word_positions_slice_the_words_and_word_pairs(text: str) -> None:
    featurizer = Featurizer(n_features=2**12)
    occ = featurizer.occurrences([text], positions=True)
    words = text.replace("😀", " ").split()
    words = [w for w in words if w.isascii()]  # CJK letters are words too; check the ASCII ones
    sliced = {
        text[s:e] for kind, s, e in zip(occ.kinds, occ.starts, occ.ends, strict=True) if kind == KIND_WORD
    }
    assert set(words) <= sliced


def test_word_positions_slice_exactly_the_expected_ngrams() -> None:
    text = "hello big world"
    occ = Featurizer(n_features=2**12).occurrences([text], positions=True)
    sliced = {
        kind: sorted(text[s:e] for k, s, e in zip(occ.kinds, occ.starts, occ.ends, strict=True) if k == kind)
        for kind in (KIND_WORD, KIND_BIGRAM)
    }
    assert sliced == {KIND_WORD: ["big", "hello", "world"], KIND_BIGRAM: ["big world", "hello big"]}


def test_character_positions_slice_windows_of_the_padded_text() -> None:
    text = "😀 abc"
    featurizer = Featurizer(n_features=2**12, char_ngrams=(2, 3))
    occ = featurizer.occurrences([text], positions=True)
    padded = f" {text} "
    windows = sorted(
        padded[s + 1 : e + 1]
        for kind, s, e in zip(occ.kinds, occ.starts, occ.ends, strict=True)
        if kind == KIND_CHAR
    )
    expected = sorted(padded[i : i + n] for n in (2, 3) for i in range(len(padded) - n + 1))
    assert windows == expected


def test_character_windows_of_one_text_hash_like_the_same_windows_elsewhere() -> None:
    # The window " ab" of "ab" (with its padding) and of "x ab": same characters, same column.
    featurizer = Featurizer(n_features=2**12, char_ngrams=(3, 3))
    occ = featurizer.occurrences(["ab", "x ab"], positions=True)
    padded = [" ab ", " x ab "]
    columns = {
        int(c)
        for r, c, s, e in zip(occ.rows, occ.columns, occ.starts, occ.ends, strict=True)
        if padded[r][s + 1 : e + 1] == " ab"
    }
    assert len(columns) == 1


def test_n_features_must_be_a_power_of_two() -> None:
    with pytest.raises(ValueError, match="power of two"):
        Featurizer(n_features=1000)
