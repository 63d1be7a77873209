"""Highlighting reads the spans reasons carry: the comment as written, split into plain and marked runs."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from moderation.reporting.highlight import segments
from moderation.types import Reason


def marked(text: str, *reasons: Reason) -> list[tuple[str, tuple[str, ...]]]:
    return [(segment.text, segment.ngrams) for segment in segments(text, reasons) if segment.highlighted]


def test_each_span_of_a_reason_is_marked_with_its_ngram():
    text = "The J3ws control the banks, and the BANKS again"
    banks = Reason("banks", 0.8, ((21, 26), (36, 41)))
    assert marked(text, banks) == [("banks", ("banks",)), ("BANKS", ("banks",))]


def test_what_is_marked_is_the_text_as_written_whatever_the_ngram_says():
    # The n-gram is normalized ("jews"); the span says where its spelling stands.
    assert marked("so J E W S run it", Reason("jews", 1.0, ((3, 10),))) == [("J E W S", ("jews",))]


def test_overlapping_or_touching_spans_merge_into_one_run_naming_every_ngram_in_reason_order():
    text = "jews control banks"
    reasons = (Reason("control banks", 0.5, ((5, 18),)), Reason("jews control", 1.0, ((0, 12),)))
    assert marked(text, *reasons) == [("jews control banks", ("control banks", "jews control"))]
    touching = (Reason("(((", 1.0, ((0, 3),)), Reason("them", 1.0, ((3, 10),)))
    assert marked("(((them))) again", *touching) == [("(((them)))", ("(((", "them"))]


def test_reasons_without_spans_or_with_spans_outside_the_text_leave_it_plain():
    text = "S e n d them back"
    reasons = (Reason("send them back", 1.0), Reason("x", 1.0, ((5, 99), (-1, 2), (4, 4))))
    assert marked(text, *reasons) == []
    assert [segment.text for segment in segments(text, reasons)] == [text]
    assert segments("", reasons) == []


@settings(max_examples=200, deadline=None)
@given(
    st.text(max_size=40),
    st.lists(st.tuples(st.integers(-3, 45), st.integers(-3, 45)), max_size=6),
)
def test_segments_always_rebuild_the_original_text(text: str, spans: list[tuple[int, int]]):
    found = segments(text, [Reason("n", 1.0, tuple(spans))])
    assert "".join(segment.text for segment in found) == text
    assert all(segment.text for segment in found)
    inside = {(start, end) for start, end in spans if 0 <= start < end <= len(text)}
    assert any(segment.highlighted for segment in found) == bool(inside)


def test_a_model_s_reasons_mark_the_spellings_it_read():
    import numpy as np

    from moderation.features import KIND_WORD, Featurizer
    from moderation.lexicon import Lexicon
    from moderation.model import LinearModel

    featurizer = Featurizer(n_features=2**12)
    weights = np.zeros((featurizer.n_features, 1), dtype=np.float32)
    for word in ("jews", "zog", "xxecho"):
        occurrences = featurizer.occurrences([word], positions=True)
        weights[occurrences.columns[occurrences.kinds == KIND_WORD], 0] = 5.0
    model = LinearModel(("hateful",), featurizer, Lexicon(), weights, [-2.0], [[1.0, 0.0]], [0.5])
    text = "The J3WS and their (((friends))), Z.O.G, j e w s, ｊｅｗｓ"
    reasons = [reason for reason in model.explain(text)["hateful"] if reason.ngram in ("jews", "zog", "(((")]
    assert [segment.text for segment in segments(text, reasons) if segment.highlighted] == [
        "J3WS", "(((", "Z.O.G", "j e w s", "ｊｅｗｓ",
    ]  # fmt: skip
