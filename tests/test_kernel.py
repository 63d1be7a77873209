"""The compiled kernel (moderation/_kernel.pyx) computes exactly what its Python definitions say.

* Normalization: the kernel folds ASCII comments; the regular expressions of ``regex_normalize_many`` are the
  reference, compared on thousands of texts dense in the characters the rules care about.
* Features: the kernel hashes the same columns as ``Featurizer.occurrences`` (what training sees), and its
  ``X @ W`` equals ``Featurizer.transform(texts) @ W``.
"""

from __future__ import annotations

import gc
import importlib.machinery
import threading
import unicodedata
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

from moderation import _kernel
from moderation.features import KIND_NEAR, Featurizer
from moderation.normalize import (
    _COMBINING,
    _KERNEL_FOLDS,
    _SEPARATOR,
    _TRANSLATION,
    _fold_unicode,
    _kernel_folds,
    normalize_many,
    regex_normalize_many,
)
from moderation.types import LabelScore


def test_the_kernel_is_compiled() -> None:
    # The build is required (pip install . compiles it): CI without it must fail here, not fall back quietly.
    assert _kernel.__file__.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))


# ---- normalization --------------------------------------------------------------------------------------

# Characters the ASCII rules react to: leads and joiners of _SPACED, its lookahead, leet digits (and the ones
# that are not), letters to repeat, upper case, control characters, spaces.
DENSE = " .*_-'\"(" + "013457" + "2689" + "abejswz" + "AEJ" + "\t\n\x01\x7f" + ")"
dense_pieces = st.one_of(
    st.sampled_from(DENSE),
    st.sampled_from(DENSE).map(lambda c: c * 3),
    st.sampled_from(["j e w s", "z.o.g", "k-i-k-e", "j*e*w", "a_b_c_d", "j3w", "k1ke", "j00s", "eeee", "  "]),
)
dense_texts = st.lists(dense_pieces, max_size=30).map("".join)


def _has_rare_literal(text: str) -> bool:
    """Whether a rule the kernel leaves to the regular expressions may apply (after lower-casing)."""
    return any(
        literal in text.lower() for literal in ("http", "www.", "@", "<user>", "(((", ")))", "$", "\x00")
    )


@settings(max_examples=4000, deadline=None)
@given(dense_texts)
def test_the_kernel_folds_ascii_exactly_as_the_regular_expressions(text: str) -> None:
    folded, regex_rows, squeeze_rows = _kernel.fold_ascii([text])
    if regex_rows:  # a rare rule's literal ("(((", "www."): left to the regular expressions
        assert _has_rare_literal(text)
        return
    expected = regex_normalize_many([text])[0]
    assert (folded[0] if not squeeze_rows else normalize_many([text])[0]) == expected


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.one_of(dense_texts, st.text(max_size=30)), max_size=6))
def test_normalize_many_equals_the_reference_on_any_batch(batch: list[str]) -> None:
    assert normalize_many(batch) == regex_normalize_many(batch)


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "a",
        "ok ok ok ok",
        "See www.example.com",
        "HTTP://X.Y",
        "mail @bob",
        "<USER> hi",
        "(((them)))",
        "so)))",
        "$hekels",
        "nul\x00inside",
        "caf\u00e9",
        "\u2018quoted\u2019",
        "\U0001f600",
    ],
)
def test_the_kernel_leaves_what_it_cannot_fold_to_the_regular_expressions(text: str) -> None:
    folded, regex_rows, squeeze_rows = _kernel.fold_ascii([text])
    rare = not text.isascii() or _has_rare_literal(text)
    assert (regex_rows == [0]) == rare
    if not rare:
        # Phrase squeezing is the regular expressions' too; the kernel only says when it may change something.
        assert (squeeze_rows == [0]) == (len(set(folded[0].split())) * 2 <= len(folded[0].split()))
    assert normalize_many([text]) == regex_normalize_many([text])


def test_most_benchmark_like_comments_are_folded_by_the_kernel() -> None:
    texts = [
        "The Council met on Tuesday, and they said so!!",
        "j e w s run it",
        "caf\u00e9 \u2018ok\u2019",
    ] * 10
    _, regex_rows, _ = _kernel.fold_ascii(texts)
    assert len(regex_rows) == 10  # only the non-ASCII one


# Non-ASCII characters the kernel folds from its table, characters it must leave to the regular expressions
# (a capital sigma, whose lower case depends on its neighbours; a Hebrew point, a mark the fold keeps; CJK and
# Ogham space, a word and a space the rules would see), and marks that NFKD reorders.
_FOLD_ARRAYS = _kernel_folds()
_TABLE_CHARACTERS = [chr(code) for code in _FOLD_ARRAYS[0][::7].tolist()]
_LEFT_TO_REGEX = ["\u03a3", "\u05b0", "\u65e5", "\u1680", "\U000e0001", "\ud800"]
_MARKS = ["\u0301", "\u0327", "\u0308", "\u0345", "\u20d7"]
unicode_pieces = st.one_of(
    dense_pieces,
    st.sampled_from(_TABLE_CHARACTERS),
    st.sampled_from(_LEFT_TO_REGEX),
    st.sampled_from(_MARKS),
    st.sampled_from(
        [
            "\u2018ok\u2019",
            "caf\u00e9",
            "\U0001f602\U0001f602",
            "j\u0435ws",
            "\u00c9T\u00c9",
            "\u2026",
            "`x\u00e9",
        ]
    ),
)
unicode_texts = st.lists(unicode_pieces, max_size=30).map("".join)


@settings(max_examples=3000, deadline=None)
@given(unicode_texts)
def test_the_kernel_folds_tabled_unicode_exactly_as_the_regular_expressions(text: str) -> None:
    assert normalize_many([text]) == regex_normalize_many([text])
    folded, regex_rows, _ = _kernel.fold_ascii([text], _KERNEL_FOLDS)
    if not regex_rows:
        assert folded[0] == _fold_joined_reference(text)


def _fold_joined_reference(text: str) -> str:
    # What the kernel folds is before phrase squeezing, which stays Python's. An ASCII text skips the Unicode
    # fold there (_prepare), which would turn its tabs into spaces: "j e w s\t\t\tj e w s" is "jewsjews".
    from moderation.normalize import _fold, _prepare

    return _fold(_prepare(text)).strip()


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(_TABLE_CHARACTERS + _MARKS + list("aA e\t")), max_size=20).map("".join))
def test_a_text_of_tabled_characters_folds_as_its_characters_do(text: str) -> None:
    # What the table rests on: the Unicode fold of such a text is its characters' folds one after another.
    assert _fold_unicode(text) == "".join(_fold_unicode(character) for character in text)


def test_an_ascii_text_with_runs_of_tabs_folds_as_the_regular_expressions_fold_it() -> None:
    text = "j e w s\t\t\tj e w s"
    folded, regex_rows, _ = _kernel.fold_ascii([text], _KERNEL_FOLDS)
    assert not regex_rows and folded[0] == _fold_joined_reference(text) == "jewsjews"
    assert normalize_many([text]) == regex_normalize_many([text])


def test_comments_with_curly_quotes_accents_and_emoji_are_folded_by_the_kernel() -> None:
    texts = [
        "caf\u00e9 \u2018ok\u2019 \U0001f602",
        "\u201cQuoted\u201d \u2013 fine\u2026",
        "j\u0435ws \U0001f44d",
    ]
    folded, regex_rows, _ = _kernel.fold_ascii(texts, _KERNEL_FOLDS)
    assert regex_rows == []
    assert (
        folded
        == regex_normalize_many(texts)
        == ["cafe 'ok' \U0001f602", '"quoted" - fine...', "jews \U0001f44d"]
    )
    _, regex_rows, _ = _kernel.fold_ascii(["\u03a3\u03a3 \u65e5"], _KERNEL_FOLDS)
    assert regex_rows == [0]


def test_the_kernel_leaves_texts_a_bad_table_entry_touches_to_the_regular_expressions() -> None:
    codes, starts, pieces = _FOLD_ARRAYS
    with pytest.raises(ValueError, match="go together"):
        _kernel.FoldTable(codes, starts[:-1].copy(), pieces)
    with pytest.raises(ValueError, match="go together"):
        _kernel.FoldTable(codes[:100].copy(), starts[:101].copy(), pieces)
    e_acute = int(np.searchsorted(codes, 0xE9))
    broken = pieces.copy()
    broken[starts[e_acute]] = 0xC3  # not ASCII: the entry is not read
    long_piece = starts.copy()
    long_piece[e_acute + 1 :] += 5  # five more bytes for "\u00e9": longer than the kernel takes
    longer = np.insert(pieces, starts[e_acute + 1], np.full(5, ord("e"), dtype=np.uint8))
    for table in ((codes, starts, broken), (codes, long_piece, longer)):
        folded, regex_rows, _ = _kernel.fold_ascii(["caf\u00e9", "cafe \u2019"], _kernel.FoldTable(*table))
        assert regex_rows == [0]
        assert folded[1] == "cafe '"


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_unicode_folding_maps_each_character_as_its_translation_table_says(text: str) -> None:
    lowered = unicodedata.normalize("NFKD", text).lower()
    expected = _COMBINING.sub("", lowered.translate(_TRANSLATION).replace(_SEPARATOR, " "))
    assert _fold_unicode(text) == expected


@settings(max_examples=1000, deadline=None)
@given(
    st.text(alphabet=" \t\n\u1680\u3000\u00a0\u200b\x1c\x85ab\u00e9\U0001f600", max_size=40),
    st.integers(0, 8),
)
def test_word_counts_are_str_split_counts(text: str, limit: int) -> None:
    assert (_kernel.more_words_than([text], limit) == [0]) == (len(text.split()) > limit)


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet=" \t\n\x1c\x1f\x85\xa0\xadab\xe9.", max_size=60), st.integers(0, 8))
def test_word_counts_of_one_byte_texts_are_str_split_counts(text: str, limit: int) -> None:
    # Texts of code points below 256 (nearly all) are counted from a table of which bytes are spaces, U+0085
    # and U+00A0 among them; U+00AD (soft hyphen) is not one.
    assert (_kernel.more_words_than([text], limit) == [0]) == (len(text.split()) > limit)


def test_a_text_of_many_distinct_words_then_one_repeated_is_judged_on_all_its_words() -> None:
    # The repeat test stops once more than half of the words are known to differ; a text whose distinct words
    # come first and whose repeats come after must still be read to its end.
    distinct = " ".join(f"word{i}" for i in range(10))
    for repeats in (9, 10, 11, 12):
        text = distinct + " ok" * repeats
        words = text.split()
        _, _, squeeze_rows = _kernel.fold_ascii([text])
        assert (squeeze_rows == [0]) == (len(set(words)) * 2 <= len(words)), repeats


# ---- features -------------------------------------------------------------------------------------------

LEXICON = {"zog": "conspiracy", "jewish lobby": "conspiracy", "kike": "slur", "oy vey": "phrase"}
GROUP_WORDS = {
    "jews": "religion",
    "jewish": "religion",
    "muslims": "religion",
    "gays": "sexuality",
    "a": "test",
}
NEGATION_WORDS = frozenset({"not", "never", "isn"})
FRAME_WORDS = frozenset({"claiming", "myth"})

feature_texts = st.lists(
    st.one_of(
        st.sampled_from(
            list(LEXICON)
            + list(GROUP_WORDS)
            + ["lobby", "oy", "vey", "the", "_", ".", "!", ";", "not", "isn't", "claiming", "myth"]
        ),
        st.sampled_from(
            ["café", "naïve", "日本語", "中文", "😀", "👍🏽", "x" * 70, "é", " ", "  ", ",", "!!"]
        ),
        st.text(max_size=8),
    ),
    max_size=12,
).map(" ".join)


def _random_featurizer(
    word_ngrams: tuple[int, int] = (1, 2), char_ngrams: tuple[int, int] = (2, 5), near_words: int = 0
):
    plain = Featurizer(
        n_features=2**10,
        char_ngrams=char_ngrams,
        word_ngrams=word_ngrams,
        lexicon=LEXICON,
        norm_smoothing=(0.7, 2.5),
    )
    idf = 1.0 + np.random.default_rng(3).random(plain.n_features).astype(np.float32) * 4
    return Featurizer(
        plain.n_features, plain.char_ngrams, plain.word_ngrams, plain.lexicon, plain.norm_smoothing, idf,
        group_words=GROUP_WORDS if near_words else {}, near_words=near_words, near_smoothing=3.5,
        negation_words=NEGATION_WORDS, frame_words=FRAME_WORDS,
    )  # fmt: skip


FEATURIZERS = [
    _random_featurizer(),
    _random_featurizer((1, 1), (1, 3)),
    _random_featurizer((1, 2), (3, 8)),
    _random_featurizer(near_words=2),
    _random_featurizer((1, 1), (2, 5), near_words=16),
]


def _multiset(rows, columns, kinds) -> Counter:
    return Counter(zip(rows.tolist(), kinds.tolist(), columns.tolist(), strict=True))


@settings(max_examples=600, deadline=None)
@given(st.lists(feature_texts, min_size=1, max_size=5), st.sampled_from(range(len(FEATURIZERS))))
def test_the_kernel_hashes_the_columns_training_sees(texts: list[str], which: int) -> None:
    featurizer = FEATURIZERS[which]
    occurrences = featurizer.occurrences(texts, positions=True)
    expected = _multiset(occurrences.rows, occurrences.columns, occurrences.kinds)
    assert _multiset(*featurizer._hasher.columns(texts)) == expected


@pytest.mark.parametrize(
    "texts",
    [
        [""],
        ["a"],
        ["😀"],
        ["zog"],
        ["the jewish lobby again", "oy vey", "kike", "日本語 and 中文"],
        ["x" * 3000],
        ["jews are vermin. muslims too; gays!", "a a a a a", "jews"],
        ["people claiming", "jews run it", "the myth. jews", "myth " * 20 + "jews x", "claiming jews not x"],
        ["jews " * 200, "gays. " * 100],
    ],
)
@pytest.mark.parametrize("which", [0, 3, 4])
def test_the_kernel_hashes_edge_cases_as_training_does(texts: list[str], which: int) -> None:
    featurizer = FEATURIZERS[which]
    occurrences = featurizer.occurrences(texts, positions=True)
    expected = _multiset(occurrences.rows, occurrences.columns, occurrences.kinds)
    assert _multiset(*featurizer._hasher.columns(texts)) == expected


def test_a_group_word_is_paired_with_the_words_near_it_in_its_sentence_only() -> None:
    featurizer = Featurizer(n_features=2**16, group_words=GROUP_WORDS, near_words=2)
    text = "the jews are parasites. every one"
    occurrences = featurizer.occurrences([text], positions=True)
    near = occurrences.kinds == KIND_NEAR
    spans = sorted({text[s:e] for s, e in zip(occurrences.starts[near], occurrences.ends[near], strict=True)})
    # "every" is two words from "jews" but in the next sentence; each pair is three features.
    assert spans == ["jews are", "jews are parasites", "the jews"]
    assert near.sum() == 3 * 3


def test_a_negation_between_the_two_words_makes_another_pair() -> None:
    featurizer = Featurizer(
        n_features=2**16, group_words=GROUP_WORDS, near_words=3, negation_words=NEGATION_WORDS
    )

    def near_columns(text: str) -> set[int]:
        occurrences = featurizer.occurrences([text], positions=True)
        return set(occurrences.columns[occurrences.kinds == KIND_NEAR].tolist())

    plain, negated = near_columns("jews are parasites"), near_columns("jews are not parasites")
    # "jews"-"are" has no negation between: shared; "jews"-"parasites" has one: not shared.
    assert near_columns("jews are") <= plain & negated
    assert near_columns("jews x parasites") & plain and not near_columns("jews x parasites") & negated - plain
    # A negation outside the pair ("not" after "parasites") leaves it plain.
    assert near_columns("jews are parasites not") >= plain


def test_a_pair_after_a_frame_word_reads_as_negated() -> None:
    featurizer = Featurizer(
        n_features=2**16,
        group_words=GROUP_WORDS,
        near_words=3,
        negation_words=NEGATION_WORDS,
        frame_words=FRAME_WORDS,
    )

    def near_columns(text: str) -> set[int]:
        occurrences = featurizer.occurrences([text], positions=True)
        return set(occurrences.columns[occurrences.kinds == KIND_NEAR].tolist())

    # "people claiming the jews run it" reports the claim: its pairs are the negated pairs, not the claim's.
    framed = near_columns("claiming jews run") - near_columns("claiming jews")
    assert framed == near_columns("jews not run") - near_columns("jews not")
    assert not near_columns("claiming jews run") & near_columns("jews run")
    # Only before the pair, within near_words, and in its sentence.
    assert framed == near_columns("claiming x x jews run") - near_columns("claiming x x jews")
    assert near_columns("jews run claiming") >= near_columns("jews run")
    assert near_columns("claiming x x x jews run") >= near_columns("jews run")
    assert near_columns("the myth. jews run") >= near_columns("jews run")


def test_only_a_texts_first_64_group_words_are_paired() -> None:
    featurizer = Featurizer(n_features=2**16, group_words=GROUP_WORDS, near_words=1)
    for count in (64, 65, 200):
        occurrences = featurizer.occurrences([" ".join(["jews", "x"] * count)])
        n_near = (featurizer._hasher.columns([" ".join(["jews", "x"] * count)])[2] == KIND_NEAR).sum()
        # Each of the first 64 is paired with the words on either side (the first has none before it).
        assert (
            n_near
            == 3 * (2 * 64 - 1)
            == len(occurrences.columns)
            - len(Featurizer(n_features=2**16).occurrences([" ".join(["jews", "x"] * count)]).columns)
        )


@settings(max_examples=300, deadline=None)
@given(st.lists(feature_texts, max_size=6), st.sampled_from(range(len(FEATURIZERS))), st.integers(1, 9))
def test_kernel_logits_equal_the_training_matrix_times_the_weights(
    texts: list[str], which: int, n_labels: int
) -> None:
    featurizer = FEATURIZERS[which]
    # Weights of a trained model's size (the shipped one's average 0.08): every term is stored in float32 on
    # either side, so agreement within 1e-6 needs logits of a realistic size.
    rng = np.random.default_rng(n_labels)
    weights = rng.normal(scale=0.3, size=(featurizer.n_features, n_labels)).astype(np.float32)
    logits = featurizer.dot(texts, featurizer.scoring_table(weights), n_labels)
    assert logits.shape == (len(texts), n_labels)
    # Featurizer.transform's entries, duplicates summed in float64: transform itself sums an n-gram repeated
    # 70 times in float32, a few 1e-6 off; the kernel sums in float64 and agrees with this within 1e-6.
    occurrences = featurizer.occurrences(texts)
    matrix = sparse.csr_matrix(
        (occurrences.values.astype(np.float64), (occurrences.rows, occurrences.columns)),
        shape=(len(texts), featurizer.n_features),
    )
    np.testing.assert_allclose(logits, matrix @ weights.astype(np.float64), rtol=0, atol=1e-6)
    # Against the training matrix itself, the float32 sums' drift is the tolerance: hypothesis found texts of
    # many repeated n-grams 1.2e-5 off, so 1e-4 here; the exact check is the 1e-6 one above.
    training = featurizer.transform(texts).astype(np.float64) @ weights.astype(np.float64)
    np.testing.assert_allclose(logits, training, rtol=1e-5, atol=1e-4)


def test_an_empty_batch_has_no_columns_and_no_logits() -> None:
    featurizer = FEATURIZERS[0]
    assert all(len(array) == 0 for array in featurizer._hasher.columns([]))
    assert featurizer.dot([], featurizer.scoring_table(np.ones((2**10, 2), "f4")), 2).shape == (0, 2)


def test_the_dot_refuses_a_table_of_another_featurizer() -> None:
    featurizer = FEATURIZERS[0]
    with pytest.raises(ValueError, match="table"):
        featurizer.dot(["x"], np.zeros((16, 4), dtype=np.float32), 3)


def test_the_kernel_refuses_texts_that_are_not_str() -> None:
    with pytest.raises(TypeError, match="str"):
        FEATURIZERS[0].dot(["ok", b"bytes"], FEATURIZERS[0].scoring_table(np.zeros((2**10, 1), "f4")), 1)
    with pytest.raises(TypeError, match="str"):
        _kernel.fold_ascii([None])


def test_one_featurizer_scores_the_same_from_many_threads_at_once() -> None:
    # The dot runs without the GIL and keeps no state between calls: a shared model must not mix up texts.
    featurizer = FEATURIZERS[0]
    weights = np.random.default_rng(5).normal(size=(featurizer.n_features, 3)).astype(np.float32)
    table = featurizer.scoring_table(weights)
    batches = [[f"text number {i} {'zog ' * (i % 7)}{'é' * (i % 3)}" * (1 + i % 5)] * 50 for i in range(8)]
    expected = [featurizer.dot(batch, table, 3) for batch in batches]
    results: dict[int, list[np.ndarray]] = {i: [] for i in range(len(batches))}

    def score(i: int) -> None:
        for _ in range(20):
            results[i].append(featurizer.dot(batches[i], table, 3))

    threads = [threading.Thread(target=score, args=(i,)) for i in range(len(batches))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for i, found in results.items():
        assert all(np.array_equal(f, expected[i]) for f in found)


# ---- results ----------------------------------------------------------------------------------------------


def test_label_scores_are_the_named_tuples_python_would_build() -> None:
    probabilities = np.array([[0.1, 0.9], [0.5, 0.2]])
    flags = probabilities > 0.4
    rows = _kernel.label_scores(LabelScore, ("a", "b"), probabilities, flags.view(np.uint8), [0.3, 0.6])
    assert rows == [
        {"a": LabelScore(0.1, False, 0.3, ()), "b": LabelScore(0.9, True, 0.6, ())},
        {"a": LabelScore(0.5, True, 0.3, ()), "b": LabelScore(0.2, False, 0.6, ())},
    ]
    assert all(type(score) is LabelScore for row in rows for score in row.values())
    # Atoms only, so the collector need not watch them; a dict given something that may hold a cycle is
    # watched again.
    assert not any(gc.is_tracked(score) for row in rows for score in row.values())
    assert not gc.is_tracked(rows[0])
    rows[0]["c"] = [rows[0]]
    assert gc.is_tracked(rows[0])


def test_label_scores_refuse_a_record_that_could_hold_a_cycle() -> None:
    class WithAttributes(tuple):
        pass

    with pytest.raises(TypeError, match="tuple subclass"):
        _kernel.label_scores(WithAttributes, ("a",), np.zeros((1, 1)), np.zeros((1, 1), np.uint8), [0.5])


@settings(max_examples=200, deadline=None)
@given(
    st.lists(feature_texts, min_size=1, max_size=4),
    st.sampled_from(range(len(FEATURIZERS))),
    st.integers(1, 8),
)
def test_kernel_logits_are_the_idf_weighted_table_sums_bit_for_bit(
    texts: list[str], which: int, n_labels: int
) -> None:
    # The table holds weights and idf; the kernel forms float32 products W * idf and idf * idf, exactly the
    # float32 values a table of idf-weighted weights held, and adds them in float64 in the order it hashes.
    featurizer = FEATURIZERS[which]
    weights = (
        np.random.default_rng(n_labels).normal(size=(featurizer.n_features, n_labels)).astype(np.float32)
    )
    logits = featurizer.dot(texts, featurizer.scoring_table(weights), n_labels)
    weighted = weights * featurizer.idf[:, None]  # float32, as numpy multiplies
    squares = featurizer.idf * featurizer.idf
    # In the kernel's order: characters, then words, then the pairs of group words and near words.
    rows, columns, kinds = featurizer._hasher.columns(texts)
    for row, text_logits in enumerate(logits):
        expected = np.zeros(n_labels)
        for block, smoothing in (
            (kinds == 0, featurizer.norm_smoothing[0]),
            ((kinds != 0) & (kinds != KIND_NEAR), featurizer.norm_smoothing[1]),
            (kinds == KIND_NEAR, featurizer.near_smoothing),
        ):
            taken = columns[(rows == row) & block]
            sums = [0.0] * n_labels
            norm = 0.0
            for column in taken.tolist():  # one addition at a time, in order, as the kernel adds
                norm += float(squares[column])
                sums = [s + float(w) for s, w in zip(sums, weighted[column].tolist(), strict=True)]
            expected += np.array(sums) / np.sqrt(max(norm + smoothing, 1e-12))
        assert np.array_equal(text_logits, expected)


@pytest.mark.parametrize(
    "settings",
    [
        {"near_words": True},
        {"near_words": 17},
        {"negation_words": "not"},
        {"negation_words": frozenset({"isn't"})},
        {"frame_words": "claiming"},
        {"frame_words": frozenset({"Claiming"})},
        {"group_words": {"Jews": "religion"}},
        {"group_words": {"jews": "race/ethnicity"}},
        {"group_words": ["jews"]},
    ],
)
def test_near_settings_the_manifest_could_not_hold_are_refused(settings: dict) -> None:
    with pytest.raises(ValueError):
        Featurizer(n_features=2**10, **{"group_words": GROUP_WORDS, "near_words": 2, **settings})


def test_a_featurizers_group_words_cannot_change_under_its_hasher() -> None:
    featurizer = Featurizer(n_features=2**10, group_words=GROUP_WORDS, near_words=2)
    with pytest.raises(TypeError):
        featurizer.group_words["migrants"] = "migration"  # type: ignore[index]


def test_a_pickled_featurizer_hashes_as_the_original() -> None:
    import pickle

    featurizer = FEATURIZERS[3]
    copy = pickle.loads(pickle.dumps(featurizer))
    texts = ["jews are not vermin. gays; a a", "muslims"]
    assert copy == featurizer
    assert _multiset(*copy._hasher.columns(texts)) == _multiset(*featurizer._hasher.columns(texts))
