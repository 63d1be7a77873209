"""Evaluation: per-corpus precision, recall, F1 and ROC-AUC, checked against counts done by hand."""

from __future__ import annotations

import numpy as np
import pytest

from moderation.evaluation import Evaluation, FalseAlarms, LabelMetrics, evaluate
from moderation.features import KIND_WORD, Featurizer
from moderation.lexicon import Lexicon
from moderation.model import LinearModel
from moderation.moderator import Moderator
from moderation.training import LabelledTexts

LABELS = ("hateful", "antisemitic", "offensive")


@pytest.fixture(scope="module")
def toy_model() -> LinearModel:
    """Flags a label when the text has its trigger word ("hate", "zog" or "idiot"); nothing else counts."""
    featurizer = Featurizer(n_features=2**14)
    weights = np.zeros((featurizer.n_features, 3), dtype=np.float32)
    for k, trigger in enumerate(("hate", "zog", "idiot")):
        occ = featurizer.occurrences([trigger], positions=True)
        weights[occ.columns[occ.kinds == KIND_WORD], k] = 100.0
    return LinearModel(LABELS, featurizer, Lexicon(), weights, [-5.0] * 3, [[1.0, 0.0]] * 3, [0.5] * 3)


def _metrics(evaluation: Evaluation, corpus: str, label: str) -> LabelMetrics | None:
    """The corpus's metrics for the label, or None when it was not measured."""
    return next((m for m in evaluation.metrics if m.corpus == corpus and m.label == label), None)


def _data(rows: list[tuple[str, int, int, int, str]]) -> LabelledTexts:
    return LabelledTexts(
        tuple(r[0] for r in rows), np.array([r[1:4] for r in rows], dtype=np.int8), tuple(r[4] for r in rows)
    )


DATA = _data(
    [
        # corpus "a", hateful: 2 true positives, 1 false positive, 1 false negative, 2 true negatives
        ("i hate them", 1, -1, 0, "a"),
        ("hate hate", 1, -1, 0, "a"),
        ("i hate broccoli", 0, -1, 0, "a"),
        ("they should all vanish", 1, -1, 0, "a"),
        ("nice day", 0, -1, 0, "a"),
        ("lovely", 0, -1, 1, "a"),  # offensive: one positive, missed
        # corpus "b", antisemitic: 1 true positive, 1 false negative, 0 false positives; hateful unknown
        ("zog again", -1, 1, -1, "b"),
        ("the bankers again", -1, 1, -1, "b"),
        ("a quiet street", -1, 0, -1, "b"),
    ]
)


def test_toy_model_flags_exactly_its_trigger_words(toy_model: LinearModel) -> None:
    # "zog" is antisemitic, and so hateful too: the label hierarchy lifts hateful to antisemitic's probability.
    flags = toy_model.probabilities(["hate", "zog", "idiot", "calm"]) >= 0.5
    np.testing.assert_array_equal(flags, np.array([[1, 0, 0], [1, 1, 0], [0, 0, 1], [0, 0, 0]], dtype=bool))


def test_precision_recall_and_f1_match_counts_by_hand(toy_model: LinearModel) -> None:
    hateful = _metrics(evaluate(Moderator(toy_model), DATA), "a", "hateful")
    assert (hateful.rows, hateful.positives) == (6, 3)
    assert hateful.precision == pytest.approx(2 / 3)  # tp 2, fp 1
    assert hateful.recall == pytest.approx(2 / 3)  # tp 2, fn 1
    assert hateful.f1 == pytest.approx(2 / 3)


def test_each_corpus_is_measured_on_its_own_rows_with_known_labels(toy_model: LinearModel) -> None:
    antisemitic = _metrics(evaluate(Moderator(toy_model), DATA), "b", "antisemitic")
    assert (antisemitic.rows, antisemitic.positives) == (3, 2)
    assert (antisemitic.precision, antisemitic.recall) == (1.0, 0.5)
    assert antisemitic.f1 == pytest.approx(2 / 3)


def test_roc_auc_is_measured_on_probabilities_not_flags(toy_model: LinearModel) -> None:
    # "hate" texts rank first: of the 3 x 3 positive/negative pairs, the positives win 2 x 2 + ties none...
    # positives {hate, hate, vanish} vs negatives {hate broccoli, nice, lovely}: p(hate) tie with broccoli.
    hateful = _metrics(evaluate(Moderator(toy_model), DATA), "a", "hateful")
    # Pairs (pos, neg): hate-positive beats the two calm negatives (2 x 2 = 4), ties broccoli (2 x 0.5 = 1);
    # the calm positive ties the two calm negatives (2 x 0.5 = 1) and loses to broccoli (0). AUC = 6 / 9.
    assert hateful.roc_auc == pytest.approx(6 / 9, abs=1e-6)


def test_a_label_with_no_positives_in_a_corpus_is_not_reported(toy_model: LinearModel) -> None:
    evaluation = evaluate(Moderator(toy_model), DATA)
    assert _metrics(evaluation, "b", "hateful") is None
    assert _metrics(evaluation, "a", "antisemitic") is None


def test_a_missed_single_positive_has_zero_f1(toy_model: LinearModel) -> None:
    offensive = _metrics(evaluate(Moderator(toy_model), DATA), "a", "offensive")
    assert (offensive.precision, offensive.recall, offensive.f1) == (0.0, 0.0, 0.0)


def test_threshold_overrides_change_the_flags(toy_model: LinearModel) -> None:
    # Below every calm text's probability, everything is flagged: recall 1, precision = 3 positives / 6 rows.
    hateful = _metrics(evaluate(Moderator(toy_model, thresholds={"hateful": 0.0}), DATA), "a", "hateful")
    assert (hateful.threshold, hateful.recall, hateful.precision) == (0.0, 1.0, 0.5)


def test_small_batches_give_the_same_metrics(toy_model: LinearModel) -> None:
    assert evaluate(Moderator(toy_model), DATA, batch_size=2) == evaluate(Moderator(toy_model), DATA)


def test_the_summary_and_dict_carry_every_metric(toy_model: LinearModel) -> None:
    evaluation = evaluate(Moderator(toy_model), DATA)
    assert evaluation.summary()["a"]["hateful"]["f1"] == pytest.approx(2 / 3, abs=1e-4)
    assert len(evaluation.to_dict()["metrics"]) == len(evaluation.metrics)


def test_false_alarms_count_the_clean_rows_flagged_on_a_label_known_to_be_clean(
    toy_model: LinearModel,
) -> None:
    # "a": "i hate broccoli" and "nice day" are clean, and "hate" flags the first; "lovely" is offensive, not
    # clean, though missed. "b": "a quiet street" is clean on the one label it knows, and unflagged.
    assert evaluate(Moderator(toy_model), DATA).false_alarms == (
        FalseAlarms("a", 2, 1),
        FalseAlarms("b", 1, 0),
    )


def test_a_flag_on_a_label_the_row_does_not_know_is_no_false_alarm(toy_model: LinearModel) -> None:
    # The row knows only antisemitic (0); a hateful flag on it is no claim its labels can refute.
    data = _data([("hate it", -1, 0, -1, "c")])
    assert evaluate(Moderator(toy_model), data).false_alarms == (FalseAlarms("c", 1, 0),)


def test_a_row_that_knows_no_label_is_not_counted_clean(toy_model: LinearModel) -> None:
    data = _data([("nice day", -1, -1, -1, "d"), ("a quiet street", 0, -1, -1, "d")])
    assert evaluate(Moderator(toy_model), data).false_alarms == (FalseAlarms("d", 1, 0),)


def test_a_row_positive_on_a_label_the_model_lacks_is_not_clean() -> None:
    # The model knows hateful only; the row is offensive, which the data knows. A clean row is clean on every
    # label its data knows, not only on the model's.
    featurizer = Featurizer(n_features=2**14)
    hateful_only = LinearModel(
        ("hateful",),
        featurizer,
        Lexicon(),
        np.zeros((featurizer.n_features, 1), np.float32),
        [-5.0],
        [[1.0, 0.0]],
        [0.5],
    )
    data = _data([("you idiot", 0, -1, 1, "e"), ("nice day", 0, -1, 0, "e")])
    assert evaluate(hateful_only, data).false_alarms == (FalseAlarms("e", 1, 0),)


def test_the_false_alarms_are_in_the_dict_and_the_cards_summary(toy_model: LinearModel) -> None:
    evaluation = evaluate(Moderator(toy_model), DATA)
    assert evaluation.to_dict()["false_alarms"] == [
        {"corpus": "a", "clean": 2, "flagged": 1},
        {"corpus": "b", "clean": 1, "flagged": 0},
    ]
    assert evaluation.false_alarm_summary() == {
        "a": {"clean": 2, "flagged": 1},
        "b": {"clean": 1, "flagged": 0},
    }


def test_an_empty_data_set_has_no_metrics(toy_model: LinearModel) -> None:
    empty = LabelledTexts((), np.zeros((0, 3), dtype=np.int8), ())
    measured = evaluate(Moderator(toy_model), empty)
    assert measured.metrics == () and measured.false_alarms == ()


def test_a_bare_model_is_evaluated_at_its_own_thresholds(toy_model: LinearModel) -> None:
    assert evaluate(toy_model, DATA) == evaluate(Moderator(toy_model), DATA)


def test_flags_count_as_the_moderator_flags_them_label_hierarchy_included() -> None:
    # Calibrated gently, "zog" scores about 0.72 for antisemitic and, through the hierarchy, 0.72 for hateful.
    # Under a hateful threshold of 0.9 it is not flagged hateful, and so not antisemitic either, though 0.72 is
    # over the antisemitic threshold of 0.5: only a hateful comment is flagged antisemitic.
    featurizer = Featurizer(n_features=2**14)
    weights = np.zeros((featurizer.n_features, 3), dtype=np.float32)
    occ = featurizer.occurrences(["zog"], positions=True)
    weights[occ.columns[occ.kinds == KIND_WORD], 1] = 100.0
    model = LinearModel(LABELS, featurizer, Lexicon(), weights, [-5.0] * 3, [[0.01, 0.0]] * 3, [0.5] * 3)
    data = _data([("zog again", 1, 1, 0, "c"), ("a quiet street", 0, 0, 0, "c")])
    strict = Moderator(model, thresholds={"hateful": 0.9})
    assert 0.5 < strict.probabilities(["zog again"])[0, 1] < 0.9
    evaluation = evaluate(strict, data)
    hateful, antisemitic = (_metrics(evaluation, "c", label) for label in ("hateful", "antisemitic"))
    assert (hateful.threshold, hateful.recall) == (0.9, 0.0)
    assert (antisemitic.threshold, antisemitic.recall) == (0.5, 0.0)
    lenient = _metrics(evaluate(Moderator(model), data), "c", "antisemitic")
    assert (lenient.threshold, lenient.recall, lenient.precision) == (0.5, 1.0, 1.0)
