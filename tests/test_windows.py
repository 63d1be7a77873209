"""Windows: a long text is also scored sentence by sentence, so padding cannot hide one hateful sentence."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from moderation import windows
from moderation.features import KIND_WORD, Featurizer
from moderation.lexicon import Lexicon
from moderation.model import LinearModel
from moderation.normalize import normalize_many


def _split(texts, max_words):
    """Windows of texts that are already in canonical form (normalizing them changes nothing but case)."""
    return windows.split(texts, texts, max_words)


# Varied on purpose: a paragraph pasted over and over is squeezed to one copy by normalization.
NEUTRAL = " ".join(
    f"The council met on day {i} to discuss the budget for road {i}. Roads and schools took {i} hours. "
    f"The mayor said library {i} would stay open on Sundays."
    for i in range(20)
)


def test_a_short_text_is_its_own_only_window():
    split = _split(["a short comment, two sentences. here.", ""], 30)
    assert split.texts == ["a short comment, two sentences. here.", ""]
    assert split.one_per_text
    assert split.first.tolist() == [0, 1]


def test_a_long_text_has_the_whole_text_and_every_sentence_among_its_windows():
    text = NEUTRAL + " the bankers run everything."
    split = windows.split([text], normalize_many([text]), 30)
    assert normalize_many([text])[0] in split.texts
    assert "the bankers run everything." in split.texts
    assert "the mayor said library 7 would stay open on sundays." in split.texts
    for window, start, end in zip(split.texts, split.starts, split.ends, strict=True):
        assert normalize_many([text[start:end]])[0] == window


@settings(max_examples=60, deadline=None)
@given(
    comment=st.lists(
        st.sampled_from(["the bankers run everything.", "they lie!", "wake up people.", "look it up?"]),
        min_size=1,
        max_size=4,
    ).map(" ".join),
    before=st.integers(400, 3000),
    after=st.integers(400, 3000),
    where=st.sampled_from(["before", "after"]),
)
def test_a_comment_pasted_before_or_after_other_text_is_still_one_window(comment, before, after, where):
    # Long enough padding makes the text long; a short text is one window, scored whole.
    padding = NEUTRAL[:before] if where == "before" else NEUTRAL[:after]
    padding = padding[: padding.rfind(". ") + 1] if ". " in padding else ""
    text = f"{padding} {comment}" if where == "before" else f"{comment} {padding}"
    assert normalize_many([comment])[0] in _split([text.strip()], 30).texts


def test_a_sentence_longer_than_the_window_is_cut_into_overlapping_chunks():
    text = " ".join(f"w{i}" for i in range(100))
    split = _split([text], 20)
    assert text in split.texts
    chunks = [w for w in split.texts if w != text]
    assert all(len(w.split()) <= 20 for w in chunks)
    covered = {word for w in chunks for word in w.split()}
    assert covered == set(text.split())


def test_a_pasted_comment_whose_first_sentence_is_longer_than_the_window_is_still_one_window():
    # Its first sentence becomes overlapping chunks; the chunks are no run, but the sentence whole is.
    long_sentence = " ".join(f"w{i}" for i in range(25)) + "."
    comment = f"{long_sentence} the bankers run everything. wake up people."
    text = NEUTRAL[: NEUTRAL.rfind(". ", 0, 600) + 1] + " " + comment
    texts = _split([text], 24).texts
    assert comment in texts
    assert long_sentence in texts


def test_windows_of_a_batch_are_contiguous_per_text():
    texts = ["short", NEUTRAL, "also short", NEUTRAL + "end."]
    split = _split(texts, 25)
    assert np.all(np.diff(split.owners) >= 0)
    assert split.owners[split.first].tolist() == [0, 1, 2, 3]


@pytest.fixture(scope="module")
def trigger_model() -> LinearModel:
    """Hateful when a text says "vermin" (a word weight), antisemitic when it says "zog"; nothing else counts."""
    featurizer = Featurizer(n_features=2**14)
    weights = np.zeros((featurizer.n_features, 3), dtype=np.float32)
    for k, trigger in ((0, "vermin"), (1, "zog")):
        occ = featurizer.occurrences([trigger], positions=True)
        weights[occ.columns[occ.kinds == KIND_WORD], k] = 12.0
    return LinearModel(
        ("hateful", "antisemitic", "offensive"), featurizer, Lexicon(), weights, [-4.0] * 3,
        [[1.0, 0.0]] * 3, [0.5] * 3, window_words=30,
    )  # fmt: skip


def test_padding_does_not_dilute_a_hateful_sentence(trigger_model: LinearModel):
    alone = trigger_model.probabilities(["they are vermin."])[0, 0]
    padded = trigger_model.probabilities([NEUTRAL + " they are vermin.", "they are vermin. " + NEUTRAL])[:, 0]
    assert alone > 0.5
    np.testing.assert_allclose(padded, alone, rtol=1e-6)


def test_the_reasons_of_a_padded_comment_come_from_its_own_words(trigger_model: LinearModel):
    reasons = trigger_model.explain(NEUTRAL + " they are vermin.")["hateful"]
    assert reasons and reasons[0].ngram == "vermin"


def test_antisemitic_implies_hateful_in_probabilities_and_reasons(trigger_model: LinearModel):
    hateful, antisemitic, _ = trigger_model.probabilities(["zog again"])[0]
    assert antisemitic > 0.5
    assert hateful == antisemitic
    explained = trigger_model.explain("zog again")
    assert explained["hateful"] == explained["antisemitic"]
    assert explained["hateful"][0].ngram == "zog"


def test_thousands_of_tiny_sentences_make_a_bounded_number_of_windows():
    text = "a. " * 20_000
    split = _split([text], 64)
    # At most 256 units, and per unit: itself, its first and last words, and the 7 longer runs it opens.
    assert len(split.texts) <= 10 * 256
    assert sum(len(w) for w in split.texts) <= 100 * len(text)


def test_a_missing_full_stop_before_a_capitalised_sentence_is_still_a_boundary():
    comment = "jews are parasites and should leave"
    text = comment + " The council met on Tuesday to discuss the budget and the roads. " + NEUTRAL
    split = windows.split([text], normalize_many([text]), 30)
    assert comment in split.texts


def test_line_breaks_separate_sentences_and_windows_are_normalized():
    text = "THE BANKERS RUN EVERYTHING\n" + NEUTRAL
    split = windows.split([text], normalize_many([text]), 30)
    assert "the bankers run everything" in split.texts
    assert normalize_many([text])[0] in split.texts


def test_every_window_maps_back_into_its_raw_text():
    texts = [
        "The J3WS run the banks!\n" + NEUTRAL + " Those (((globalists))) again. ZOG z.o.g owns the PRESS.",
        "short j e w s",
        NEUTRAL + " \uff2a\uff25\uff37\uff33 are vermin",
    ]
    split = windows.split(texts, normalize_many(texts), 30)
    assert not split.one_per_text
    for window, normalized in enumerate(split.texts):
        mapped = split.offsets(texts, window)
        assert mapped.text == normalized
        begin, end = split.starts[window], split.ends[window]
        assert all(begin <= s <= e <= end for s, e in zip(mapped.starts, mapped.ends, strict=True))


def test_a_padded_comment_s_reasons_point_into_its_own_sentence(trigger_model: LinearModel):
    text = NEUTRAL + " they are VERMIN. " + NEUTRAL.replace("council", "committee")
    (reason,) = [r for r in trigger_model.explain(text)["hateful"] if r.ngram == "vermin"]
    assert reason.spans == ((text.index("VERMIN"), text.index("VERMIN") + len("VERMIN")),)


@pytest.mark.parametrize("separator", [" ", "\n"])
@pytest.mark.parametrize("copies", [2, 3, 7])
def test_a_long_comment_pasted_again_has_no_more_windows_than_once(separator, copies):
    comment = NEUTRAL[:700] + " And they are vermin, all of them."
    text = separator.join([comment] * copies)
    once = windows.split([comment], normalize_many([comment]), 30)
    again = windows.split([text], normalize_many([text]), 30)
    assert set(again.texts) == set(once.texts)
    assert again.ends.max() == len(text) and again.whole.sum() == 1


def test_a_window_short_of_the_whole_text_needs_a_margin_more_to_raise_the_other_labels(
    trigger_model: LinearModel, tmp_path
):
    weights = np.array(trigger_model.weights)
    occ = trigger_model.featurizer.occurrences(["stupid"], positions=True)
    weights[occ.columns[occ.kinds == KIND_WORD], 2] = 12.0  # offensive when a text says "stupid"
    rude = dataclasses.replace(trigger_model, weights=weights)
    careful = dataclasses.replace(rude, window_margin=20.0)
    long_comment = NEUTRAL + " they're not stupid. they are vermin."
    # One sentence of a long comment no longer decides offensive, whose tone is the comment's...
    assert rude.probabilities([long_comment])[0, 2] > 0.5
    assert careful.probabilities([long_comment])[0, 2] < 0.5
    # ...while identity hate still counts from one sentence, and a short text is its own whole window.
    assert careful.probabilities([long_comment])[0, 0] > 0.5
    assert careful.probabilities(["they're not stupid."])[0, 2] > 0.5
    loaded = LinearModel.load(careful.save(tmp_path / "careful"))
    assert loaded.window_margin == 20.0
    np.testing.assert_allclose(loaded.probabilities([long_comment]), careful.probabilities([long_comment]))
