"""The Moderator on a small model trained in the test session (tests/conftest.py): flags, the label hierarchy,
reasons, thresholds, batches, articles, threads and immutability.

The model's training rows (tests/fixtures/small_model/labelled.jsonl) give each label its own trigger words, so
what is asserted here holds by construction; nothing depends on the shipped weights.
"""

from __future__ import annotations

import dataclasses
import json
import math
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from moderation.errors import ModelError
from moderation.moderator import Moderator
from moderation.parsing import parse_file
from moderation.types import IMPLIED_BY, LABELS, REFINES, Scores

SEED_001 = Path(__file__).resolve().parents[1] / "seeds" / "001_46c9a693b51bb0d4.txt"

#: Two of the fixture's coded antisemitic terms ("khazarian", "joo") in a sentence the model never saw.
ANTISEMITIC = "the khazarian joo bankers run this country"
INSULT = "you are a pathetic moron"
THREAT = "i will shoot the mayor"
BENIGN = "thanks for the thoughtful article about the council budget"
#: Identity words are in the fixture's benign rows as often as in its hateful ones: they weigh nothing alone.
IDENTITY = "I am a Jewish man and my neighbours are Muslims"
TEXTS = [
    ANTISEMITIC,
    INSULT,
    THREAT,
    BENIGN,
    IDENTITY,
    "",
    "😀😀😀",
    "J E W S run the media",
    "the zog runs the council",
    "I disagree with the minister's budget",
]


@pytest.fixture(scope="module")
def moderator(small_moderator) -> Moderator:
    return small_moderator


def probabilities(scores: Scores) -> dict[str, float]:
    return {label: score.probability for label, score in scores.labels.items()}


# -- what is flagged -----------------------------------------------------------------------------------------


def test_a_clearly_antisemitic_comment_is_flagged_antisemitic_hateful_and_toxic(moderator: Moderator) -> None:
    assert moderator.score(ANTISEMITIC).flags == ("hateful", "antisemitic", "toxicity")


def test_an_insult_is_flagged_as_an_insult_not_as_hate(moderator: Moderator) -> None:
    assert moderator.score(INSULT).flags == ("offensive", "toxicity", "insult")


@pytest.mark.parametrize("text", [BENIGN, IDENTITY, "", "😀😀😀", "lol"])
def test_a_benign_comment_or_a_statement_of_identity_is_not_flagged(moderator: Moderator, text: str) -> None:
    scores = moderator.score(text)
    assert scores.flags == ()
    assert not scores.flagged


def test_a_score_has_every_label_with_a_probability(moderator: Moderator) -> None:
    for scores in moderator.score_many(TEXTS):
        assert tuple(scores.labels) == LABELS
        assert all(0.0 <= score.probability <= 1.0 for score in scores.labels.values())


# -- the label hierarchy -------------------------------------------------------------------------------------


def test_a_label_is_lifted_to_the_labels_that_imply_it(moderator: Moderator) -> None:
    # Fitted on top of hateful, the small model's antisemitic score rarely passes its hateful one; a copy whose
    # antisemitic calibration is shifted up makes sure the lift has something to do. Without threat targets, so
    # that the hierarchy is all there is to lift (a threat at a group is test_model's).
    calibration = moderator.model.calibration.copy()
    calibration[moderator.labels.index("antisemitic"), 1] += 3.0
    moderator = Moderator(
        dataclasses.replace(moderator.model, calibration=calibration, threat_targets=frozenset())
    )
    raw = moderator.model.calibrate(moderator.model.logits(TEXTS))  # before the hierarchy
    lifted = moderator.probabilities(TEXTS)
    labels = moderator.labels
    hateful, antisemitic = labels.index("hateful"), labels.index("antisemitic")
    toxicity, threat = labels.index("toxicity"), labels.index("threat")
    # The cases that make this test bite: the antisemitic comment's raw hateful score is below its antisemitic
    # one, and the threat's raw toxicity below its threat score.
    assert raw[0, hateful] < raw[0, antisemitic] and lifted[0, hateful] == lifted[0, antisemitic]
    assert raw[2, toxicity] < raw[2, threat] and lifted[2, toxicity] == lifted[2, threat]
    for label, implied_by in IMPLIED_BY.items():
        k = labels.index(label)
        expected = np.max(raw[:, [k] + [labels.index(other) for other in implied_by]], axis=1)
        assert lifted[:, k].tolist() == expected.tolist(), label


def test_hate_and_threats_bring_a_toxicity_flag_whatever_its_threshold(
    moderator: Moderator,
) -> None:
    row = dict.fromkeys(LABELS, 0.0)
    row["hateful"] = row["antisemitic"] = 1.0
    flags = dict(zip(LABELS, moderator.flags(np.array([list(row.values())]))[0].tolist(), strict=True))
    assert flags == {**dict.fromkeys(LABELS, False), "antisemitic": True, "hateful": True, "toxicity": True}

    threat = moderator.score(THREAT)
    assert threat["threat"].flagged and threat["toxicity"].probability < 1.0
    strict_toxicity = moderator.with_thresholds({"toxicity": 1.0}).score(THREAT)
    assert strict_toxicity["toxicity"].probability < strict_toxicity["toxicity"].threshold
    assert strict_toxicity["toxicity"].flagged, "a threat flag always brings a toxicity flag"
    without_threat = moderator.with_thresholds({"toxicity": 1.0, "threat": 1.0}).score(THREAT)
    assert not without_threat["toxicity"].flagged


def test_an_antisemitic_flag_always_brings_a_hateful_flag(moderator: Moderator) -> None:
    scores = moderator.score("the zog runs the council")
    hateful, antisemitic = scores["hateful"].probability, scores["antisemitic"].probability
    assert 0.0 < antisemitic <= hateful < 1.0
    # Antisemitic exactly at its threshold: flagged on a hateful comment, and not on one under the hateful
    # threshold, whatever its own, so the flag never comes alone.
    at_both = moderator.with_thresholds({"antisemitic": antisemitic, "hateful": hateful})
    assert at_both.score("the zog runs the council").flags[:2] == ("hateful", "antisemitic")
    stricter = moderator.with_thresholds(
        {"antisemitic": antisemitic, "hateful": math.nextafter(hateful, 1.0)}
    )
    assert not {"hateful", "antisemitic"} & set(stricter.score("the zog runs the council").flags)


# -- reasons ---------------------------------------------------------------------------------------------------


def test_reasons_name_the_ngram_that_drove_the_score_strongest_first(moderator: Moderator) -> None:
    scores = moderator.score(ANTISEMITIC)
    reasons = scores["antisemitic"].reasons
    assert reasons[0].ngram == "khazarian"
    assert "joo" in [reason.ngram for reason in reasons]
    weights = [reason.weight for reason in reasons]
    assert weights == sorted(weights, reverse=True) and weights[0] > 0
    assert "moron" in [reason.ngram for reason in moderator.score(INSULT)["insult"].reasons]


def test_a_flagged_comment_says_why_and_an_unflagged_label_says_nothing(moderator: Moderator) -> None:
    results = moderator.score_many(TEXTS, explain="flagged")
    flagged = [(scores, label) for scores in results for label in LABELS if scores[label].flagged]
    assert len(flagged) >= 8  # the antisemitic comment and the insult three flags each, the threat two
    for scores in results:
        for score in scores.labels.values():
            assert bool(score.reasons) == score.flagged


def test_explain_none_gives_no_reasons_and_the_same_flags(moderator: Moderator) -> None:
    explained = moderator.score_many(TEXTS, explain="all")
    unexplained = moderator.score_many(TEXTS, explain="none")
    assert all(score.reasons == () for scores in unexplained for score in scores.labels.values())
    assert [s.flags for s in unexplained] == [s.flags for s in explained]
    assert [probabilities(s) for s in unexplained] == [probabilities(s) for s in explained]


def test_explain_all_explains_the_labels_that_are_not_flagged_too(moderator: Moderator) -> None:
    (scores,) = moderator.score_many([ANTISEMITIC], explain="all")
    (flagged_only,) = moderator.score_many([ANTISEMITIC], explain="flagged")
    unflagged = [label for label in scores.labels if label not in scores.flags]
    assert [label for label in unflagged if scores[label].reasons]
    assert not [label for label in unflagged if flagged_only[label].reasons]
    # A reason is what pushed a score up: a label that no n-gram of the text raises has none to give.
    assert all(reason.weight > 0 for score in scores.labels.values() for reason in score.reasons)


def test_the_number_of_reasons_is_the_number_asked_for(moderator: Moderator) -> None:
    assert len(moderator.score(ANTISEMITIC)["antisemitic"].reasons) == 5  # the default
    scores = moderator.score(ANTISEMITIC, reasons=2)
    assert all(len(score.reasons) <= 2 for score in scores.labels.values())
    assert [len(scores[label].reasons) for label in scores.flags] == [2, 2, 2]
    assert scores["antisemitic"].reasons == moderator.score(ANTISEMITIC)["antisemitic"].reasons[:2]


def test_an_unknown_explain_choice_is_refused(moderator: Moderator) -> None:
    with pytest.raises(ValueError, match="explain"):
        moderator.score_many(["x"], explain="some")


def test_a_batch_size_under_one_is_refused(moderator: Moderator) -> None:
    with pytest.raises(ValueError, match="batch_size"):
        moderator.score_many(["x"], batch_size=0)


# -- thresholds ------------------------------------------------------------------------------------------------


def test_every_score_carries_the_models_threshold_and_is_flagged_by_it(moderator: Moderator) -> None:
    assert moderator.thresholds == moderator.manifest["thresholds"]
    for scores in moderator.score_many(TEXTS):
        for label, score in scores.labels.items():
            assert score.threshold == moderator.thresholds[label]
            implied = any(scores[other].flagged for other in IMPLIED_BY.get(label, ()))
            base_flagged = label not in REFINES or scores[REFINES[label]].flagged
            reached = score.probability >= score.threshold and base_flagged
            assert score.flagged == (reached or implied), (label, score)


@pytest.mark.parametrize("text", [ANTISEMITIC, THREAT, "the zog runs the council", "J E W S run the media"])
def test_a_probability_at_the_threshold_is_flagged_and_just_under_it_is_not(
    moderator: Moderator, text: str
) -> None:
    scores = moderator.score(text, reasons=0)
    checked = 0
    for label in LABELS:
        probability = scores[label].probability
        if label in IMPLIED_BY or label in REFINES or not 0.0 < probability < 1.0:
            continue  # another label's flag decides too; 0 and 1 have no "just under" and "at"
        at = moderator.with_thresholds({label: probability}).score(text, reasons=0)
        above = moderator.with_thresholds({label: math.nextafter(probability, 1.0)}).score(text, reasons=0)
        assert at[label].flagged and not above[label].flagged, label
        checked += 1
    assert checked >= 2


def test_with_thresholds_returns_a_new_moderator_and_leaves_the_original(moderator: Moderator) -> None:
    before = moderator.thresholds
    flags_before = [s.flags for s in moderator.score_many(TEXTS)]
    stricter = moderator.with_thresholds({"hateful": 0.99, "antisemitic": 1.0})
    assert stricter is not moderator
    assert stricter.thresholds == {**before, "hateful": 0.99, "antisemitic": 1.0}
    assert "antisemitic" not in stricter.score("the zog runs the council").flags
    assert moderator.thresholds == before
    assert [s.flags for s in moderator.score_many(TEXTS)] == flags_before


def test_a_threshold_of_zero_flags_everything_and_of_one_flags_only_certainty(moderator: Moderator) -> None:
    everything = moderator.with_thresholds(dict.fromkeys(LABELS, 0.0))
    assert all(scores.flags == LABELS for scores in everything.score_many(TEXTS))
    nothing = moderator.with_thresholds(dict.fromkeys(LABELS, 1.0))
    for scores in nothing.score_many([BENIGN, THREAT, "the zog runs the council"]):
        assert scores.flags == ()


@pytest.mark.parametrize("overrides", [{"violent": 0.5}, {"hateful": 1.5}, {"hateful": -0.1}])
def test_bad_threshold_overrides_are_refused(moderator: Moderator, overrides: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        moderator.with_thresholds(overrides)


# -- batches, articles and threads ---------------------------------------------------------------------------


def test_scoring_a_batch_equals_scoring_each_text(moderator: Moderator) -> None:
    one_by_one = [moderator.score(text) for text in TEXTS]
    assert moderator.score_many(TEXTS, batch_size=3, explain="all") == one_by_one  # reasons included
    assert moderator.score_many(TEXTS, explain="all") == one_by_one
    assert moderator.probabilities(TEXTS, batch_size=4).tolist() == [
        list(probabilities(s).values()) for s in one_by_one
    ]
    assert moderator.flags(moderator.probabilities(TEXTS)).tolist() == [
        [score.flagged for score in s.labels.values()] for s in one_by_one
    ]


@pytest.mark.parametrize("text", ["", "!!!", "😀", "   ", "a", "x" * 5000, "bad \ud800 text"])
def test_any_text_can_be_scored(moderator: Moderator, text: str) -> None:
    scores = moderator.score(text)
    assert tuple(scores.labels) == LABELS
    assert all(0.0 <= score.probability <= 1.0 for score in scores.labels.values())


def test_moderating_an_article_scores_every_comment_in_order_with_its_author(moderator: Moderator) -> None:
    article = parse_file(SEED_001)
    moderated = moderator.moderate(article)
    assert moderated.article == article
    assert [m.comment for m in moderated.comments] == list(article.comments)
    assert [m.comment.index for m in moderated.comments] == list(range(len(article.comments)))
    assert any(m.comment.author for m in moderated.comments)
    assert [m.scores for m in moderated.comments] == moderator.score_many([c.text for c in article.comments])
    # Seed 001's three comments with the fixture's "joo" are flagged; its plainly benign one is not.
    coded = [m for m in moderated.comments if "joo" in m.comment.text]
    assert len(coded) == 3
    assert all("hateful" in m.scores.flags for m in coded)
    flagged_hateful = [m.comment.index for m in moderated.flagged("hateful")]
    assert all(m.comment.index in flagged_hateful for m in coded)
    assert [m.comment.index for m in moderated.flagged("antisemitic")] == [
        m.comment.index for m in moderated.comments if "antisemitic" in m.scores.flags
    ]
    (benign,) = [m for m in moderated.comments if m.comment.text.startswith("monetarily two")]
    assert not benign.scores.flagged
    assert benign.comment.index not in [m.comment.index for m in moderated.flagged()]


def test_score_many_from_eight_threads_equals_the_sequential_result(moderator: Moderator) -> None:
    batches = [TEXTS[i:] + TEXTS[:i] for i in range(len(TEXTS))] * 3
    expected = [moderator.score_many(batch, explain="all") for batch in batches]
    assert sum(s.flagged for s in expected[0]) == 3
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda batch: moderator.score_many(batch, explain="all"), batches))
    assert results == expected  # probabilities, flags and reasons alike


def test_moderators_with_different_thresholds_share_weights_safely_across_threads(
    moderator: Moderator,
) -> None:
    variants = [moderator.with_thresholds(dict.fromkeys(LABELS, t)) for t in (0.0, 0.5, 1.0)] * 4
    expected = [variant.score_many(TEXTS) for variant in variants]
    assert expected[0] != expected[1] != expected[2]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda variant: variant.score_many(TEXTS), variants))
    assert results == expected


# -- immutability ----------------------------------------------------------------------------------------------


def test_the_moderator_is_immutable(moderator: Moderator) -> None:
    with pytest.raises(AttributeError):
        moderator._model = None  # type: ignore[misc]
    with pytest.raises(AttributeError):
        moderator.threshold = 0.1  # type: ignore[attr-defined]


def test_the_models_arrays_are_read_only(moderator: Moderator) -> None:
    model = moderator.model
    for array in (model.weights, model.intercepts, model.calibration, model.thresholds):
        with pytest.raises(ValueError, match="read-only"):
            array[0] = 0
    with pytest.raises(dataclasses.FrozenInstanceError):
        model.labels = ()  # type: ignore[misc]


def test_changing_the_returned_thresholds_dict_does_not_change_the_moderator(moderator: Moderator) -> None:
    original = moderator.thresholds["hateful"]
    thresholds = moderator.thresholds
    with pytest.raises(TypeError):  # Thresholds are immutable
        thresholds["hateful"] = original / 2 + 0.01
    assert moderator.thresholds["hateful"] == original


def test_results_are_values(moderator: Moderator) -> None:
    scores = moderator.score(ANTISEMITIC)
    with pytest.raises(dataclasses.FrozenInstanceError):
        scores.labels = {}  # type: ignore[misc]
    with pytest.raises(AttributeError):
        scores["antisemitic"].flagged = False  # type: ignore[misc]
    with pytest.raises(AttributeError):
        scores["antisemitic"].reasons[0].weight = 0.0  # type: ignore[misc]


# -- loading ---------------------------------------------------------------------------------------------------


def test_the_moderator_is_the_saved_model_loaded_back(moderator: Moderator, small_model_path: Path) -> None:
    assert moderator.path == small_model_path
    manifest = moderator.manifest
    assert tuple(manifest["labels"]) == LABELS
    assert manifest["thresholds"] == moderator.thresholds
    assert manifest["features"]["n_features"] == 2**14
    reloaded = Moderator.load(small_model_path)
    assert reloaded.score_many(TEXTS, explain="all") == moderator.score_many(TEXTS, explain="all")


def test_loading_a_missing_directory_is_a_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError):
        Moderator.load(tmp_path / "no-model")


def test_the_model_environment_variable_chooses_the_default(monkeypatch, small_model_path: Path) -> None:
    monkeypatch.setenv("MODERATE_MODEL", str(small_model_path))
    assert Moderator.load().path == small_model_path
    monkeypatch.setenv("MODERATE_MODEL", str(small_model_path.parent / "elsewhere"))
    with pytest.raises(ModelError, match="elsewhere"):
        Moderator.load()


def test_score_jsonl_writes_what_json_dumps_of_score_many_writes(moderator):
    # Written from the score arrays, each line is byte for byte json.dumps of the record with the Scores'
    # members, whatever the record holds: simple values in C, anything else (nested, huge ints, floats,
    # non-str keys) by json; across batches and for every explain choice.
    texts = [*TEXTS, "you moron " * 300, 'quote " back\\slash \x01 control \u2028', "idiot"]
    records = [
        {"source": "s.jsonl", "line": i, "id": f"c{i}", "author": None, "text": text}
        for i, text in enumerate(texts)
    ]
    records[1] = {"id": [1, {"x": None}], "fields": {"score": 1.5}, "text": texts[1]}
    records[2] = {"id": 10**30, "text": texts[2]}
    records[3] = {}
    records[4] = {1: "non-str key"}
    records[5] = {"ünïcode": "😀 \u00e9\u0000", "n": -7}
    for explain in ("flagged", "all", "none"):
        scores = moderator.score_many(texts, explain=explain)
        expected = "".join(
            json.dumps({**record, "scores": s.to_dict(), "flags": list(s.flags)}, ensure_ascii=False) + "\n"
            for record, s in zip(records, scores, strict=True)
        ).encode("utf-8")
        scored = moderator.score_jsonl(records, texts, batch_size=3, explain=explain)
        assert scored.lines == expected
        assert scored.flags.tolist() == [[s[label].flagged for label in moderator.labels] for s in scores]
    assert any(s.flagged for s in scores) and not all(s.flagged for s in scores)
    empty = moderator.score_jsonl([], [])
    assert empty.lines == b"" and empty.flags.shape == (0, len(moderator.labels))
    with pytest.raises(ValueError, match="one record per text"):
        moderator.score_jsonl([{}], [])
    with pytest.raises(ValueError, match="explain must be one of"):
        moderator.score_jsonl([], [], explain="some")


def test_score_many_builds_each_comments_labels_only_when_read(moderator):
    # score_many's Scores build their labels from the batch's arrays when first read: scores dropped unread,
    # or read for flagged and flags only, never build them. Read, they are what the eager build gives.
    import copy
    import pickle

    from moderation import _kernel
    from moderation.types import _LABELS_SLOT, LabelScore

    texts = [ANTISEMITIC, BENIGN, INSULT, THREAT]
    for explain in ("none", "flagged", "all"):
        scores = moderator.score_many(texts, explain=explain)
        assessment = moderator.model.assess(texts)
        flags = moderator.flags(assessment.probabilities)
        explained = None
        if explain != "none":
            only = np.ones_like(flags) if explain == "all" else flags
            explained = moderator.model.explained(assessment, top=5, only=only)
        eager = _kernel.label_scores(
            LabelScore, moderator.labels, assessment.probabilities, flags.view(np.uint8),
            moderator.thresholds.array.tolist(),
            *((None, None) if explained is None else (explained.reasons, explained.slots)), Scores,
        )  # fmt: skip
        for deferred, built in zip(scores, eager, strict=True):
            assert isinstance(deferred, Scores)
            assert deferred.flagged == built.flagged and deferred.flags == built.flags
            with pytest.raises(AttributeError):
                _LABELS_SLOT.__get__(deferred)  # flagged and flags came from the arrays
            assert deferred == built and built == deferred and repr(deferred) == repr(built)
            assert deferred.labels is deferred.labels  # built once
            assert deferred.to_dict() == built.to_dict() and dataclasses.asdict(
                deferred
            ) == dataclasses.asdict(built)
            for copied in (copy.copy(deferred), pickle.loads(pickle.dumps(deferred)),
                           dataclasses.replace(deferred, labels=dict(deferred.labels))):  # fmt: skip
                assert type(copied) is Scores and copied == built
            with pytest.raises(dataclasses.FrozenInstanceError):
                deferred.labels = {}
            with pytest.raises(TypeError):
                hash(deferred)
    assert [s.flagged for s in scores] == [True, False, True, True]
