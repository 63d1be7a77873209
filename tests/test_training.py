"""Training: deterministic fits, unknown labels masked, corpora weighted, thresholds and calibration."""

from __future__ import annotations

import numpy as np
import pytest
from test_model import CONFIG, DEV, TRAIN, labelled

from moderation.lexicon import Lexicon
from moderation.training import LabelledTexts, choose_threshold, fit, platt, sample_weights

LEXICON = Lexicon()


def test_two_fits_on_the_same_data_give_identical_models() -> None:
    first = fit(labelled(TRAIN), labelled(DEV), LEXICON, CONFIG)
    second = fit(labelled(TRAIN), labelled(DEV), LEXICON, CONFIG)
    np.testing.assert_array_equal(first.weights, second.weights)
    np.testing.assert_array_equal(first.intercepts, second.intercepts)
    np.testing.assert_array_equal(first.calibration, second.calibration)
    np.testing.assert_array_equal(first.thresholds, second.thresholds)


def _with_row(data: LabelledTexts, text: str, labels: tuple[int, int, int]) -> LabelledTexts:
    return LabelledTexts(
        (*data.texts, text),
        np.vstack([data.labels, np.array([labels], dtype=np.int8)]),
        (*data.sources, "toy"),
    )


# The extra row is hateful and offensive-unknown. Its text is in every variant below (document frequencies
# count every train text), so only its offensive label differs.
EXTRA = "you vile idiot, immigrants are vermin"
OFFENSIVE = 2


def _offensive_weights(extra_labels: tuple[int, int, int]) -> np.ndarray:
    return fit(_with_row(labelled(TRAIN), EXTRA, extra_labels), labelled(DEV), LEXICON, CONFIG).weights[
        :, OFFENSIVE
    ]


def test_an_unknown_label_is_masked_in_training() -> None:
    # Offensive unknown trains offensive exactly like a row whose labels are all unknown.
    np.testing.assert_array_equal(_offensive_weights((1, 0, -1)), _offensive_weights((-1, -1, -1)))


def test_an_unknown_label_is_not_read_as_zero() -> None:
    # The counterpart of the test above: it shows the row would matter if its unknown were read as 0.
    assert not np.array_equal(_offensive_weights((1, 0, -1)), _offensive_weights((1, 0, 0)))


def test_a_label_with_only_one_known_class_in_train_is_refused() -> None:
    train = labelled(TRAIN)
    all_unknown_but_negatives = train.labels.copy()
    all_unknown_but_negatives[:, 1] = np.where(train.labels[:, 1] == 1, -1, train.labels[:, 1])
    with pytest.raises(ValueError, match="antisemitic"):
        fit(
            LabelledTexts(train.texts, all_unknown_but_negatives, train.sources),
            labelled(DEV),
            LEXICON,
            CONFIG,
        )


def _corpus(name: str, positives: int, negatives: int, unknown: int = 0):
    known = np.array([True] * (positives + negatives) + [False] * unknown)
    positive = np.array([True] * positives + [False] * (negatives + unknown))
    return known, positive, np.array([name] * len(known), dtype=object)


def _weights(*corpora, power: float = 0.5, factors=None):
    known, positive, sources = (np.concatenate(parts) for parts in zip(*corpora, strict=True))
    return sample_weights(known, positive, sources, power, factors or {}), known, positive, sources


def test_each_corpus_counts_as_its_size_to_the_power() -> None:
    weights, _, _, sources = _weights(_corpus("big", 10, 90), _corpus("small", 5, 20))
    ratio = weights[sources == "big"].sum() / weights[sources == "small"].sum()
    assert ratio == pytest.approx((100 / 25) ** 0.5)


def test_power_one_weights_corpora_by_their_size() -> None:
    weights, _, _, sources = _weights(_corpus("big", 10, 90), _corpus("small", 5, 20), power=1.0)
    assert weights[sources == "big"].sum() / weights[sources == "small"].sum() == pytest.approx(4.0)


def test_a_corpus_factor_multiplies_its_weight() -> None:
    weights, _, _, sources = _weights(_corpus("big", 10, 90), _corpus("small", 5, 20), factors={"small": 2.0})
    assert weights[sources == "big"].sum() / weights[sources == "small"].sum() == pytest.approx(1.0)


def test_classes_are_balanced_within_each_corpus() -> None:
    weights, _, positive, sources = _weights(_corpus("big", 10, 90), _corpus("small", 5, 20))
    for name in ("big", "small"):
        in_corpus = sources == name
        assert weights[in_corpus & positive].sum() == pytest.approx(weights[in_corpus & ~positive].sum())


def test_unknown_rows_weigh_nothing_and_known_rows_average_one() -> None:
    weights, known, _, _ = _weights(_corpus("a", 3, 7, unknown=5), _corpus("b", 4, 4, unknown=2))
    assert np.all(weights[~known] == 0)
    assert weights[known].mean() == pytest.approx(1.0)


def test_the_threshold_maximises_f1_on_a_toy_example() -> None:
    # At a cut in (0.2, 0.35] three of three positives and one negative are flagged: F1 = 6/7, the best cut.
    probabilities = np.array([0.1, 0.2, 0.35, 0.5, 0.6, 0.8])
    truth = np.array([False, False, True, False, True, True])
    threshold, f1 = choose_threshold(probabilities, truth, np.array(["toy"] * 6), min_positives=1)
    assert 0.2 < threshold <= 0.35
    assert f1 == pytest.approx(6 / 7)


def test_the_threshold_maximises_the_mean_f1_over_corpora() -> None:
    # Corpus a alone is best cut at 0.7, corpus b alone at 0.3; the mean of the two is best cut at 0.3.
    probabilities = np.array([0.8, 0.6, 0.1, 0.4, 0.2, 0.1])
    truth = np.array([True, False, False, True, False, False])
    sources = np.array(["a", "a", "a", "b", "b", "b"])
    threshold, f1 = choose_threshold(probabilities, truth, sources, min_positives=1)
    assert 0.2 < threshold <= 0.4
    assert f1 == pytest.approx((2 / 3 + 1) / 2)


def test_corpora_with_too_few_dev_positives_do_not_steer_the_threshold() -> None:
    probabilities = np.array([0.8, 0.6, 0.1, 0.4, 0.2, 0.1])
    truth = np.array([True, False, False, True, False, False])
    sources = np.array(["a", "a", "a", "b", "b", "b"])
    threshold, f1 = choose_threshold(
        np.concatenate([probabilities, [0.9, 0.7]]),
        np.concatenate([truth, [True, True]]),
        np.concatenate([sources, ["a", "a"]]),
        min_positives=2,
    )
    assert 0.6 < threshold <= 0.7  # only corpus a counts; its best cut flags 0.9, 0.8, 0.7 and not 0.6
    assert f1 == pytest.approx(1.0)


def test_platt_scaling_has_a_positive_slope_on_separable_data() -> None:
    logits = np.array([-3.0, -2.0, -1.5, -1.0, 1.0, 1.5, 2.0, 3.0])
    truth = logits > 0
    slope, _ = platt(logits, truth)
    assert slope > 0


def test_platt_scaling_keeps_the_ranking_of_a_model_worse_than_chance() -> None:
    logits = np.array([-3.0, -2.0, -1.0, 1.0, 2.0, 3.0])
    assert platt(logits, logits < 0) == (1.0, 0.0)


def test_platt_scaling_is_the_identity_when_dev_has_one_class() -> None:
    assert platt(np.array([0.5, 1.0]), np.array([False, False])) == (1.0, 0.0)


def test_the_model_records_its_training_rows_per_corpus() -> None:
    model = fit(labelled(TRAIN), labelled(DEV), LEXICON, CONFIG)
    assert model.info["training"]["rows_by_corpus"] == {
        "train": {"toy": len(TRAIN)},
        "dev": {"toy": len(DEV)},
    }
