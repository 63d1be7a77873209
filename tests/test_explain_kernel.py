"""Reasons computed in the compiled kernel are exactly the reasons of the numpy implementation they replaced.

``tests/explain_reference.py`` keeps that implementation verbatim. The kernel follows it step by step, in its
order of summation, so the comparison is exact: the same n-grams in the same order, the same spans, and weights
equal as floats (not merely close). The texts are built to reach every rule: character windows inside a word,
across words and touching none, word pairs and lexicon phrases, placeholders, folded Unicode, repeated phrases,
long texts cut into windows, and labels decided by another label (the hierarchy).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from explain_reference import reference_reasons
from hypothesis import given, settings
from hypothesis import strategies as st

from moderation import _kernel
from moderation.features import Featurizer
from moderation.lexicon import Lexicon
from moderation.model import LinearModel
from moderation.moderator import Moderator
from moderation.normalize import readable
from moderation.types import LABELS, LabelScore, Reason, Scores, json_members, json_records

LEXICON = {"zog": "conspiracy", "jewish lobby": "conspiracy", "kike": "slur", "oy vey": "phrase"}

PIECES = [
    *LEXICON,
    "jewish", "lobby", "the", "they", "jews", "control", "banks", "a", "_", "them", "vermin", "idiot", "claiming",
    "myth",
    "J3WS", "k1ke", "j00s", "K1K3S", "sh3k3l5", "J000S", "a\x01b", "\x1ck1\x7f", "j e w s", "z.o.g", "jeeeews", "(((them)))", "(((", ")))", "@bob", "<user>",
    "http://x.io/a?b", "www.example.com", "$hekels", "xxurl", "<link>", "xxecho",
    "café", "naïve", "ＴＨＥ", "me\u0301dia", "\u200b", "日本語", "😀", "👍🏽", "\u00a0", "\u1680", "\u3000",
    "!!", "!!!", "?!", ",", ".", ";", "\n", "\t", '"', "\\", "'", "  ", "-", "--",
    "ok ok ok ok", "The council met. The council met. The council met.",
]  # fmt: skip

piece_texts = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=6)), max_size=40).map(" ".join)
sentence_texts = st.lists(st.sampled_from(PIECES), min_size=1, max_size=60).map(
    lambda words: " ".join(w + ("." if i % 7 == 6 else "") for i, w in enumerate(words))
)
texts_strategy = st.lists(st.one_of(piece_texts, sentence_texts), min_size=1, max_size=6)


def _model(
    seed: int,
    char_ngrams: tuple[int, int] = (2, 5),
    word_ngrams: tuple[int, int] = (1, 2),
    near_words: int = 0,
) -> LinearModel:
    """A model with every setting explanations read: idf, lexicon, smoothing, windows and their margin, and
    the pairs of group words and near words, negated or framed."""
    rng = np.random.default_rng(seed)
    plain = Featurizer(
        n_features=2**12, char_ngrams=char_ngrams, word_ngrams=word_ngrams, lexicon=LEXICON,
        norm_smoothing=(1.5, 0.5),
    )  # fmt: skip
    idf = (1.0 + rng.random(plain.n_features) * 4).astype(np.float32)
    featurizer = Featurizer(
        plain.n_features, plain.char_ngrams, plain.word_ngrams, plain.lexicon, plain.norm_smoothing, idf,
        group_words={"jews": "religion", "jewish": "religion", "them": "pronoun"} if near_words else {},
        near_words=near_words, near_smoothing=2.0, negation_words=frozenset({"not", "they"}),
        frame_words=frozenset({"claiming", "myth"}),
    )  # fmt: skip
    n_labels = len(LABELS)
    return LinearModel(
        LABELS,
        featurizer,
        Lexicon(),
        rng.normal(scale=0.6, size=(featurizer.n_features, n_labels)).astype(np.float32),
        rng.normal(scale=0.5, size=n_labels),
        np.column_stack([rng.uniform(0.5, 2.0, n_labels), rng.normal(size=n_labels)]),
        rng.uniform(0.2, 0.8, n_labels),
        window_words=6,
        window_margin=0.4,
    )


MODELS = [
    _model(1),
    _model(2, (1, 3), (1, 1)),
    _model(3, (3, 7)),
    _model(4, near_words=3),
    _model(5, near_words=1),
]


def _assert_same_reasons(model: LinearModel, texts: list[str], top: int, only: np.ndarray | None) -> None:
    assessment = model.assess(texts)
    expected = reference_reasons(model, assessment, top=top, only=only)
    found = model.reasons(assessment, top=top, only=only)
    # Equality of Reason tuples: n-grams, order and spans, and weights equal as floats (bit for bit).
    assert found == expected


@settings(max_examples=400, deadline=None)
@given(
    texts_strategy,
    st.sampled_from(range(len(MODELS))),
    st.sampled_from([1, 2, 5, 50]),
    st.integers(0, 2**32 - 1),
)
def test_kernel_reasons_are_the_reference_reasons(texts: list[str], which: int, top: int, seed: int) -> None:
    model = MODELS[which]
    only = np.random.default_rng(seed).random((len(texts), len(model.labels))) < 0.6
    _assert_same_reasons(model, texts, top, only)


@pytest.mark.parametrize("which", range(len(MODELS)))
@pytest.mark.parametrize(
    "texts",
    [
        [""],
        [" "],
        ["!!!"],
        ["😀 😀"],
        ["zog zog zog runs the banks and the ZOG runs the press"],
        ["the jewish lobby again, oy vey", "kike", "日本語 and 中文"],
        ['he said "x\\y" \t!!'],
        ["Those (((globalists))) own the PRESS http://x.io @bob xxurl <link>"],
        ["the J000S and k1k3s, sh3k3l5 j00s", "j0000s\x01j00s  k1ke", "1337 j3w5 4ever 007"],
        ["x" * 3000],
        [" ".join(PIECES) * 3],
        ["The council met on Tuesday. They control the banks. " * 12 + "jews are vermin."],
    ],
)
def test_kernel_reasons_are_the_reference_reasons_on_edge_cases(texts: list[str], which: int) -> None:
    _assert_same_reasons(MODELS[which], texts, 5, None)


def test_kernel_reasons_are_the_reference_reasons_for_a_trained_model(small_moderator: Moderator) -> None:
    texts = [
        "the jews control the banks and the media",
        "you complete IDIOOOOT, @bob",
        "The J3WS control the banks, wake up!",
        "Those (((globalists))) own the PRESS http://x.io",
        "ＴＨＥ ｊｅｗｓ\u200b control the me\u0301dia",
        "lovely weather for the parade",
        "I will find you and hurt you. " * 5 + "Nice article about gardening and the weather.",
        "",
    ] * 3
    for top in (1, 3, 5):
        _assert_same_reasons(small_moderator.model, texts, top, None)


def test_windows_with_leet_digits_are_mapped_in_the_kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    # Leet digits are read one for one, so their windows' spans are read off in the kernel, as plain ones are:
    # normalize_with_offsets is asked only for the window with a rule that is not one for one (the echo).
    # ("J000S" would not be: "ooo" is squeezed to "oo".)
    from moderation import windows

    texts = ["the J00S and k1k3s run it", "sh3k3l5 for the j00s", "the (((j00s))) again"]
    model = MODELS[0]
    _assert_same_reasons(model, texts, 5, None)
    asked: list[str] = []
    tracked = windows.normalize_with_offsets
    monkeypatch.setattr(
        windows, "normalize_with_offsets", lambda text, *more: asked.append(text) or tracked(text, *more)
    )
    model.reasons(model.assess(texts), top=5)
    assert asked == ["the (((j00s))) again"]


def test_score_many_gives_flagged_labels_the_reference_reasons(small_moderator: Moderator) -> None:
    texts = ["the jews control the banks and the media", "you idiot", "nice day", "I will hurt you"] * 5
    model = small_moderator.model
    expected = reference_reasons(model, model.assess(texts), top=3)
    scored = small_moderator.score_many(texts, reasons=3, batch_size=7)
    assert any(scores.flagged for scores in scored)
    for row, scores in enumerate(scored):
        for label, score in scores.labels.items():
            assert score.reasons == (tuple(expected[row][label]) if score.flagged else ())
    everything = small_moderator.score_many(texts, reasons=3, explain="all")
    assert [
        {label: list(s.reasons) for label, s in scores.labels.items()} for scores in everything
    ] == expected


def test_reasons_share_nothing_the_garbage_collector_must_watch(small_moderator: Moderator) -> None:
    import gc

    scored = small_moderator.score_many(["the jews control the banks and the media"], explain="all")
    reasons = [reason for score in scored[0].labels.values() for reason in score.reasons]
    assert reasons and all(type(reason) is Reason for reason in reasons)
    assert not any(gc.is_tracked(reason) for reason in reasons)


def test_reasons_come_untracked_with_their_spans(small_moderator: Moderator) -> None:
    # Built untracked, not left for a collection to untrack after walking them: collections are paused here
    # so that none can untrack them first.
    import gc

    texts = ["the jews control the banks and the media", "The J3WS control the banks, the banks!"]
    paused = gc.isenabled()
    gc.disable()
    try:
        scored = small_moderator.score_many(texts, explain="all")
    finally:
        if paused:
            gc.enable()
    per_label = [score.reasons for scores in scored for score in scores.labels.values()]
    spans = [reason.spans for reasons in per_label for reason in reasons]
    assert any(len(found) > 1 for found in spans)  # merged spans too
    assert all(found for found in spans)
    assert not any(gc.is_tracked(reasons) for reasons in per_label)
    assert not any(gc.is_tracked(found) or any(map(gc.is_tracked, found)) for found in spans)


def test_the_explain_kernel_checks_its_arguments() -> None:
    model = MODELS[0]
    featurizer = model.featurizer
    arguments = dict(top=5, offsets=lambda i: None, readable=readable, record=Reason)
    asked = np.ones((1, len(model.labels)), dtype=np.uint8)
    with pytest.raises(ValueError, match="asked"):
        featurizer.explain(["a", "b"], model._scoring_table, model._slopes, asked=asked, **arguments)
    with pytest.raises(ValueError, match="table"):
        featurizer.explain(["a"], model._scoring_table[:16], model._slopes, asked=asked, **arguments)
    with pytest.raises(TypeError, match="record"):
        featurizer.explain(
            ["a"], model._scoring_table, model._slopes, asked=asked, **{**arguments, "record": LabelScore}
        )
    reasons, slots = featurizer.explain(
        ["a"], model._scoring_table, model._slopes, asked=asked, **{**arguments, "top": 0}
    )
    assert reasons == [] and (slots == -1).all()


def test_label_scores_carry_the_reasons_their_slots_name() -> None:
    reason = Reason("zog", 0.5, ((0, 3),))
    explained = [(reason,), ()]
    slots = np.array([[0, -1], [1, 0]], dtype=np.int64)
    probabilities = np.array([[0.9, 0.1], [0.2, 0.8]])
    rows = _kernel.label_scores(
        LabelScore,
        ("a", "b"),
        probabilities,
        (probabilities > 0.5).view(np.uint8),
        [0.5, 0.5],
        explained,
        slots,
    )
    assert rows == [
        {"a": LabelScore(0.9, True, 0.5, (reason,)), "b": LabelScore(0.1, False, 0.5, ())},
        {"a": LabelScore(0.2, False, 0.5, ()), "b": LabelScore(0.8, True, 0.5, (reason,))},
    ]
    with pytest.raises(ValueError, match="slot"):
        _kernel.label_scores(
            LabelScore, ("a", "b"), probabilities, (probabilities > 0.5).view(np.uint8), [0.5, 0.5], explained,
            np.array([[0, 5], [1, 0]], dtype=np.int64),
        )  # fmt: skip


# ---- scores as JSON ---------------------------------------------------------------------------------------


def _python_members(scores: Scores) -> str:
    return json.dumps({"scores": scores.to_dict(), "flags": list(scores.flags)}, ensure_ascii=False)[1:-1]


weights = st.one_of(
    st.floats(-1e3, 1e3, allow_nan=False),
    st.floats(0, 1e-3),
    st.integers(0, 10**7).map(lambda k: k / 1e6 + 5e-7),  # halfway between two sixth decimals, or near it
    st.integers(0, 10**7).map(lambda k: k / 1e6),
    st.sampled_from([0.0, -0.0, 1.0, 1e-4, 9.99995e-05, 2.5e-06, 5e-07, 1e9, 1e12, 123456.7654325]),
)
ngrams = st.one_of(st.text(max_size=12), st.sampled_from(['"', "\\", "\n", "\x00\x1f", "é", "😀", "a\ud800"]))
reasons = st.tuples(
    ngrams, weights, st.lists(st.tuples(st.integers(0, 10**12), st.integers(0, 10**12))).map(tuple)
)
label_scores = st.builds(
    LabelScore,
    weights,
    st.booleans(),
    weights,
    st.lists(reasons.map(lambda r: Reason(*r)), max_size=4).map(tuple),
)
scores_strategy = st.dictionaries(st.text(max_size=8), label_scores, max_size=4).map(Scores)


@settings(max_examples=300, deadline=None)
@given(st.lists(scores_strategy, max_size=3))
def test_json_members_are_what_json_dumps_writes(rows: list[Scores]) -> None:
    assert json_members(rows) == [_python_members(scores) for scores in rows]


def test_json_members_round_numbers_as_python_does() -> None:
    # round(x, 6) then repr, for many probabilities and weights: random, tiny, and at or near a half millionth.
    rng = np.random.default_rng(7)
    values = np.concatenate([
        rng.random(40_000), rng.random(20_000) * 1e-3, rng.random(20_000) * 20 - 10,
        np.arange(20_000) / 1e6 + 5e-7, np.arange(20_000) / 1e6, np.arange(20_000) / 1e6 + 4.9999999e-7,
    ]).tolist()  # fmt: skip
    rows = [
        Scores({"a": LabelScore(abs(p), p > 0.5, 0.5, (Reason("x", w, ((0, 1),)),))})
        for p, w in zip(values, values[1:] + values[:1], strict=True)
    ]
    assert json_members(rows) == [_python_members(scores) for scores in rows]


def test_json_members_of_real_scores_are_what_json_dumps_writes(small_moderator: Moderator) -> None:
    texts = ["the jews control the banks", 'you "idiot" \\o/ 😀', "nice", "", "I will hurt you!!"] * 4
    rows = small_moderator.score_many(texts, explain="all") + small_moderator.score_many(texts)
    found = json_members(rows)
    assert found == [_python_members(scores) for scores in rows]
    assert all(json.loads("{" + members + "}")["scores"] for members in found)


@pytest.mark.parametrize(
    "odd",
    [
        Scores({"a": LabelScore(np.float64(0.25), True, 0.5, ())}),  # a numpy float
        Scores({"a": LabelScore(0.25, 1, 0.5, ())}),  # an int for a flag
        Scores({"a": LabelScore(0.25, True, float("inf"), ())}),
        Scores({"a": LabelScore(float("nan"), True, 0.5, ())}),
        Scores({"a": LabelScore(0.25, True, 1, ())}),  # an int threshold
        Scores({"a": LabelScore(0.25, True, 0.5, [Reason("x", 0.1, ((1, 2),))])}),  # reasons in a list
        Scores({"a": LabelScore(0.25, True, 0.5, (Reason("x", 0.1, [[1, 2]]),))}),
        Scores({"a": LabelScore(0.25, True, 0.5, (Reason("x", math.pi, ((1, 2**70),)),))}),
        Scores({f"label{i}": LabelScore(0.5, True, 0.5, ()) for i in range(70)}),
    ],
)
def test_json_members_of_scores_built_otherwise_are_written_by_json(odd: Scores) -> None:
    assert json_members([odd]) == [_python_members(odd)]


def test_label_scores_wrap_rows_in_scores_as_its_init_would() -> None:
    import gc
    import pickle

    probabilities = np.array([[0.9, 0.1]])
    rows = _kernel.label_scores(
        LabelScore,
        ("a", "b"),
        probabilities,
        (probabilities > 0.5).view(np.uint8),
        [0.5, 0.5],
        None,
        None,
        Scores,
    )
    expected = Scores({"a": LabelScore(0.9, True, 0.5, ()), "b": LabelScore(0.1, False, 0.5, ())})
    assert rows == [expected] and type(rows[0]) is Scores
    assert rows[0].flags == ("a",) and pickle.loads(pickle.dumps(rows[0])) == expected
    assert not gc.is_tracked(rows[0])

    class Other:
        __slots__ = ("labels", "more")

    with pytest.raises(TypeError, match="slot"):
        _kernel.label_scores(LabelScore, ("a", "b"), probabilities, np.ones((1, 2), np.uint8), [0.5, 0.5],
                             None, None, Other)  # fmt: skip


json_values = st.one_of(
    st.text(max_size=10),
    st.integers(-(2**70), 2**70),
    st.none(),
    st.booleans(),
    st.floats(allow_nan=False),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.dictionaries(st.one_of(st.text(max_size=8), st.integers()), json_values, max_size=6), st.text()
        ),
        max_size=4,
    )
)
def test_json_records_are_what_json_dumps_writes(rows: list[tuple[dict, str]]) -> None:
    records = [record for record, _ in rows]
    members = [json.dumps(members)[1:-1] or '"m": 1' for _, members in rows]
    expected = []
    for record, tail in zip(records, members, strict=True):
        text = json.dumps(record, ensure_ascii=False)
        expected.append(text[:-1] + (", " if text != "{}" else "") + tail + "}")
    assert json_records(records, members) == expected


def test_one_model_explains_the_same_from_many_threads_at_once() -> None:
    # The kernel's first pass runs without the GIL on memory of its own: threads must not mix up texts.
    import threading

    model = MODELS[0]
    batches = [
        [f"the jews {i} control {'zog ' * (i % 5)}the banks café. " * (1 + i % 4)] * 20 for i in range(6)
    ]
    expected = [model.explain_many(batch) for batch in batches]
    found: dict[int, list] = {i: [] for i in range(len(batches))}

    def explain(i: int) -> None:
        for _ in range(10):
            found[i].append(model.explain_many(batches[i]))

    threads = [threading.Thread(target=explain, args=(i,)) for i in range(len(batches))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(result == expected[i] for i, results in found.items() for result in results)


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.text(alphabet=st.sampled_from('ab "\\\n\t\x00\x1f\x7fé😀\u2028'), max_size=40), max_size=5)
)
def test_json_strings_are_written_as_json_dumps_writes_them(texts: list[str]) -> None:
    # Runs of characters that need no escape are copied whole, escapes written between them: every mix of
    # runs, quotes, backslashes and control characters, at either end, in ASCII and not.
    from moderation.types import _ENCODE

    objects = [{text: text, "n": len(text)} for text in texts]
    assert _kernel.json_objects(objects, _ENCODE) == [json.dumps(o, ensure_ascii=False) for o in objects]
