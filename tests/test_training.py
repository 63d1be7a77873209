"""Training: deterministic fits, unknown labels masked, corpora weighted, thresholds and calibration."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from test_model import CONFIG, DEV, TRAIN, labelled

from moderation.lexicon import Lexicon
from moderation.training import (
    HeldOut,
    LabelledTexts,
    _threshold_folds,
    calibrate,
    choose_threshold,
    fit,
    log_ratio_scale,
    platt,
    sample_weights,
)
from moderation.types import REFINES

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
        np.vstack([data.truth, np.array([labels], dtype=np.int8)]),
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
    all_unknown_but_negatives = train.truth.copy()
    all_unknown_but_negatives[:, 1] = np.where(train.truth[:, 1] == 1, -1, train.truth[:, 1])
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


def test_the_threshold_is_the_lowest_reaching_the_target_precision_at_the_base_rate() -> None:
    # One corpus, 2 positives and 4 negatives. At a cut in (0.5, 0.6] both positives and no negative are
    # flagged; at (0.35, 0.5] one negative in four is flagged too. With positives 5% of the reweighted rows,
    # that negative costs 0.95 / 4 of flagged weight against 0.05 of true positives: precision 0.17.
    probabilities = np.array([0.1, 0.2, 0.35, 0.5, 0.6, 0.8])
    truth = np.array([False, False, False, False, True, True])
    threshold, precision, recall = choose_threshold(
        probabilities, truth, np.array(["toy"] * 6), base_rate=0.05, target_precision=0.8
    )
    assert 0.5 < threshold <= 0.6
    assert precision == pytest.approx(1.0)
    assert recall == pytest.approx(1.0)


def test_no_threshold_lies_under_the_lowest_allowed() -> None:
    # The rule would take 0.35 (both positives, no negative under 0.5); a flag must mean "more likely than not".
    probabilities = np.array([0.1, 0.2, 0.3, 0.35, 0.4, 0.8])
    truth = np.array([False, False, False, True, True, True])
    sources = np.array(["toy"] * 6)
    free, _, _ = choose_threshold(probabilities, truth, sources, base_rate=0.05, target_precision=0.8)
    floored, precision, recall = choose_threshold(
        probabilities, truth, sources, base_rate=0.05, target_precision=0.8, lowest=0.5
    )
    assert free == pytest.approx(0.31)
    assert (floored, precision, recall) == (pytest.approx(0.5), pytest.approx(1.0), pytest.approx(1 / 3))


def test_only_a_refining_label_is_flagged_under_even_odds() -> None:
    # Without the floor the toy data's rule puts some label under 0.5; with it, only antisemitic may lie there.
    unfloored = fit(labelled(TRAIN), labelled(DEV), LEXICON, dataclasses.replace(CONFIG, min_threshold=0.05))
    assert (
        min(
            t for label, t in zip(unfloored.labels, unfloored.thresholds, strict=True) if label not in REFINES
        )
        < 0.5
    )
    model = fit(labelled(TRAIN), labelled(DEV), LEXICON, CONFIG)
    for label, threshold in zip(model.labels, model.thresholds, strict=True):
        if label not in REFINES:
            assert threshold >= CONFIG.min_threshold, label


@pytest.mark.parametrize("value", [0.0, 0.99, -1.0])
def test_a_floor_outside_the_thresholds_range_is_refused(value: float) -> None:
    with pytest.raises(ValueError, match="min_threshold"):
        dataclasses.replace(CONFIG, min_threshold=value)


def test_a_floor_off_the_grid_is_never_undercut() -> None:
    probabilities = np.array([0.1, 0.2, 0.3, 0.35, 0.4, 0.8])
    truth = np.array([False, False, False, True, True, True])
    threshold, _, _ = choose_threshold(
        probabilities, truth, np.array(["toy"] * 6), base_rate=0.05, target_precision=0.8, lowest=0.505
    )
    assert threshold == pytest.approx(0.51)


def test_a_lower_base_rate_asks_for_a_higher_threshold() -> None:
    # A negative scored 0.55 between the positives: at a 50% base rate flagging it still leaves precision
    # 0.8 (0.5 / (0.5 + 0.5 / 4)), at 5% it does not, so the cut moves above it.
    probabilities = np.array([0.1, 0.2, 0.35, 0.55, 0.5, 0.8])
    truth = np.array([False, False, False, False, True, True])
    sources = np.array(["toy"] * 6)
    balanced, _, _ = choose_threshold(probabilities, truth, sources, base_rate=0.5, target_precision=0.8)
    rare, _, recall = choose_threshold(probabilities, truth, sources, base_rate=0.05, target_precision=0.8)
    assert balanced <= 0.5 < rare
    assert recall == pytest.approx(0.5)


def test_the_antisemitic_threshold_is_chosen_among_the_comments_flagged_hateful() -> None:
    model = fit(labelled(TRAIN), labelled(DEV), LEXICON, CONFIG)
    report = model.info["training"]["labels"]
    assert report["antisemitic"]["chosen_among"] == "hateful flags"
    assert "chosen_among" not in report["hateful"]
    # The toy rows are not comment-like and not cross-fitted, so dev alone chooses: its rows flagged hateful.
    hateful = model.labels.index("hateful")
    flagged = model.probabilities(list(labelled(DEV).texts))[:, hateful] >= model.thresholds[hateful]
    assert report["antisemitic"]["threshold_rows"] == int(flagged.sum()) < len(DEV)


def test_the_antisemitic_threshold_may_lie_below_the_hateful_one() -> None:
    # A dev negative that reads as hate ("immigrants are vermin, my foot") pushes the hateful threshold up; the
    # antisemitic one is chosen among the comments flagged hateful, where nothing pushes it, and is not held at
    # the hateful threshold: a comment over both is flagged both, and only such a comment (Thresholds.flags).
    model = fit(
        labelled(TRAIN), labelled([*DEV, ("immigrants are vermin, my foot", 0, 0, 0)]), LEXICON, CONFIG
    )
    thresholds = dict(zip(model.labels, model.thresholds, strict=True))
    assert thresholds["antisemitic"] < thresholds["hateful"]


def test_with_no_threshold_precise_enough_the_most_precise_is_taken() -> None:
    probabilities = np.array([0.9, 0.9, 0.1])
    truth = np.array([True, False, False])
    threshold, precision, _ = choose_threshold(
        probabilities, truth, np.array(["toy"] * 3), base_rate=0.05, target_precision=0.8
    )
    assert threshold == pytest.approx(0.9)  # the highest of the equally precise cuts
    assert precision == pytest.approx(0.05 * 1 / (0.05 + 0.95 * 0.5))


def test_with_no_threshold_flagging_a_positive_the_highest_is_taken() -> None:
    probabilities = np.array([0.01, 0.9, 0.1])
    truth = np.array([True, False, False])
    threshold, precision, recall = choose_threshold(
        probabilities, truth, np.array(["toy"] * 3), base_rate=0.05, target_precision=0.8
    )
    assert (threshold, precision, recall) == (pytest.approx(0.95), 0.0, 0.0)


def test_calibration_at_a_lower_base_rate_gives_lower_probabilities() -> None:
    logits = np.array([-3.0, -2.0, -1.5, -0.5, 0.5, 1.0, 1.5, 2.0, 3.0, -0.2])
    truth = np.array([False, False, False, True, False, True, True, True, True, False])
    sources = np.array(["toy"] * len(truth))
    corpus_a, corpus_b = platt(logits, truth)
    real_a, real_b = platt(logits, truth, sources, base_rate=0.05)
    assert 1 / (1 + np.exp(-(real_a * 1.0 + real_b))) < 1 / (1 + np.exp(-(corpus_a * 1.0 + corpus_b)))


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


def test_antisemitic_fitted_on_hateful_reads_hate_words_it_learnt_only_from_other_hate() -> None:
    # "vermin" and "send them back" are hateful in train only against other groups; fitted alone, the antisemitic
    # label never learns them, fitted on hateful's logit it does.
    stacked = fit(labelled(TRAIN), labelled(DEV), LEXICON, CONFIG)
    alone = fit(labelled(TRAIN), labelled(DEV), LEXICON, dataclasses.replace(CONFIG, fitted_on={}))
    texts = ["the jews are vermin, send them back"]
    antisemitic = stacked.labels.index("antisemitic")
    assert stacked.logits(texts)[0, antisemitic] > alone.logits(texts)[0, antisemitic] + 0.5
    assert stacked.info["training"]["labels"]["antisemitic"]["fitted_on"] == "hateful"
    assert stacked.info["training"]["labels"]["antisemitic"]["base_scale"] > 0
    assert "base_scale" not in alone.info["training"]["labels"]["antisemitic"]


def _in_domain(rows: list[tuple[str, int, int, int]]) -> LabelledTexts:
    return labelled(rows, source="in_domain")


def test_thresholds_also_read_every_comment_like_train_row_scored_out_of_fold() -> None:
    config = dataclasses.replace(CONFIG, threshold_folds=3)
    model = fit(_in_domain(TRAIN), _in_domain(DEV), LEXICON, config)
    report = model.info["training"]["labels"]["hateful"]
    assert report["dev_rows"] == len(DEV)
    assert report["threshold_rows"] == len(DEV) + len(TRAIN)
    assert report["threshold_positives"] == sum(row[1] for row in DEV + TRAIN)
    again = fit(_in_domain(TRAIN), _in_domain(DEV), LEXICON, config)
    np.testing.assert_array_equal(model.thresholds, again.thresholds)


def test_without_folds_or_comment_like_rows_thresholds_read_dev_alone() -> None:
    for data, folds in ((_in_domain(TRAIN), 0), (labelled(TRAIN), 3)):
        model = fit(data, _in_domain(DEV), LEXICON, dataclasses.replace(CONFIG, threshold_folds=folds))
        assert model.info["training"]["labels"]["hateful"]["threshold_rows"] == len(DEV)


def test_a_held_out_comment_scored_high_but_benign_raises_the_threshold() -> None:
    model = fit(labelled(TRAIN), _in_domain(DEV), LEXICON, CONFIG)
    hateful = model.labels.index("hateful")
    base = calibrate(model, _in_domain(DEV), CONFIG)[0].thresholds[hateful]
    benign = _in_domain([("the jewish bakery on main street reopened", 0, 0, 0)] * 20)
    logits = np.full((len(benign), len(model.labels)), -5.0)
    logits[:, hateful] = model.logits(["the jews run the banks, everyone knows"])[0, hateful]
    raised = calibrate(model, _in_domain(DEV), CONFIG, held_out=HeldOut(benign, logits))[0].thresholds[
        hateful
    ]
    assert raised > base


def test_a_rows_fold_depends_on_its_text_alone() -> None:
    config = dataclasses.replace(CONFIG, threshold_folds=4)
    folds = _threshold_folds(_in_domain(TRAIN), config)
    more = _threshold_folds(_in_domain([("a new comment about the budget", 0, 0, 0), *TRAIN]), config)
    np.testing.assert_array_equal(folds, more[1:])
    assert set(folds) <= {0, 1, 2, 3} and len(set(folds)) > 1
    assert _threshold_folds(labelled(TRAIN), config) is None


def test_a_column_that_tells_the_classes_apart_is_scaled_above_one_that_does_not() -> None:
    from scipy import sparse

    # Columns: 0 only in positives, 1 in every row alike, 2 mostly in negatives, 3 in no row.
    x = sparse.csr_matrix(
        np.array([[1, 1, 0, 0], [1, 1, 0, 0], [0, 1, 1, 0], [0, 1, 1, 0], [0, 1, 0, 0]], float)
    )
    positive = np.array([True, True, False, False, False])
    scale = log_ratio_scale(x, positive, np.ones(5), power=0.25, smoothing=0.1)
    assert scale[0] > scale[2] > scale[1] >= 0
    assert scale[:3].mean() == pytest.approx(1.0)  # the columns in use average 1
    np.testing.assert_array_equal(
        log_ratio_scale(x, positive, np.ones(5), power=0, smoothing=0.1), np.ones(4)
    )


def test_a_positive_row_that_weighs_nothing_says_nothing() -> None:
    from scipy import sparse

    x = sparse.csr_matrix(np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]))
    positive = np.array([True, True, False])
    weighted = log_ratio_scale(x, positive, np.array([1.0, 0.0, 1.0]), power=1, smoothing=0.1)
    unweighted = log_ratio_scale(x, positive, np.array([1.0, 1.0, 1.0]), power=1, smoothing=0.1)
    # Weighed alike the two columns mirror each other; with column 1's positive row weighing nothing, column 1
    # is seen among the negatives alone, and tells the classes apart more than column 0 does.
    assert unweighted[0] == pytest.approx(unweighted[1]) and weighted[1] > weighted[0]


def test_the_scale_folds_into_the_weights_exactly() -> None:
    # The regression is fitted on the scaled columns; the weights it returns, read on the unscaled columns, give
    # the same logits: what is scored is still one linear model per label.
    from scipy import sparse
    from sklearn.linear_model import LogisticRegression

    from moderation.training import _fit_label

    rng = np.random.default_rng(0)
    x = sparse.random(60, 12, density=0.3, random_state=1, format="csr") * 3
    column = (rng.random(60) < 0.4).astype(np.int8)
    sources = np.array(["toy"] * 60)
    fitted = _fit_label("hateful", x, column, sources, CONFIG)
    weights = sample_weights(np.ones(60, bool), column == 1, sources, CONFIG.corpus_size_power, {})
    power = CONFIG.log_ratio_power["hateful"]
    scale = log_ratio_scale(x, column == 1, weights, power, CONFIG.log_ratio_smoothing)
    direct = LogisticRegression(C=CONFIG.C["hateful"], solver="liblinear", random_state=CONFIG.seed)
    direct.fit(x @ sparse.diags(scale), column, sample_weight=weights)
    np.testing.assert_allclose(
        x @ fitted.weights + fitted.intercept, direct.decision_function(x @ sparse.diags(scale)), atol=1e-9
    )
    assert not np.allclose(scale, 1.0)


@pytest.mark.parametrize(
    "powers, smoothing",
    [({"hateful": -0.1}, 0.1), ({"hateful": 1.5}, 0.1), ({"hateful": 0.25}, 0.0), ({}, float("inf")),
     ({"hateful": float("nan")}, 0.1), ({"hateful": "1"}, 0.1), (0.25, 0.1)],
)  # fmt: skip
def test_a_log_ratio_setting_out_of_range_is_refused(powers, smoothing) -> None:
    with pytest.raises(ValueError, match="log_ratio"):
        dataclasses.replace(CONFIG, log_ratio_power=powers, log_ratio_smoothing=smoothing)


def test_a_label_without_a_power_is_fitted_unscaled() -> None:
    scaled = fit(labelled(TRAIN), labelled(DEV), LEXICON, CONFIG)
    unscaled = fit(labelled(TRAIN), labelled(DEV), LEXICON, dataclasses.replace(CONFIG, log_ratio_power={}))
    offensive = scaled.labels.index("offensive")
    hateful = scaled.labels.index("hateful")
    # Offensive is unscaled by default; hateful is scaled.
    np.testing.assert_array_equal(scaled.weights[:, offensive], unscaled.weights[:, offensive])
    assert not np.allclose(scaled.weights[:, hateful], unscaled.weights[:, hateful])


# -- a threat at a group is hate ---------------------------------------------------------------------------------

THREATS = [
    ("we will burn your house down tonight", 0, 0, 0, 1),
    ("i will find you and hurt you", 0, 0, 0, 1),
    ("someone should shoot that senator", 0, 0, 0, 1),
    ("we are coming for you, watch your back", 0, 0, 0, 1),
]


def _with_threat(rows: list[tuple], threats: list[tuple]) -> LabelledTexts:
    """Rows of (text, hateful, antisemitic, offensive[, threat]); toxicity and insult unknown."""
    return LabelledTexts(
        tuple(text for text, *_ in rows + threats),
        np.array(
            [[*labels[:3], -1, -1, labels[3] if len(labels) > 3 else 0] for _, *labels in rows + threats]
        ),
        tuple("in_domain" for _ in rows + threats),
        ("hateful", "antisemitic", "offensive", "toxicity", "insult", "threat"),
    )


def test_held_out_threats_at_a_group_count_as_hate_when_choosing_the_hateful_threshold() -> None:
    model = fit(
        _with_threat(TRAIN, THREATS), _with_threat(DEV, THREATS[:2]), LEXICON, CONFIG,
        targets={"migrants": "migration"}, threat_targets={"migrants"},
    )  # fmt: skip
    assert model.threat_targets == {"migrants"}
    hateful, threat = model.labels.index("hateful"), model.labels.index("threat")
    dev = _with_threat(DEV, THREATS[:2])
    base = calibrate(model, dev, CONFIG)[0].thresholds[hateful]
    # Benign by their labels, yet read as threats naming a group: they count against the hateful flag only
    # when calibrate is told which windows decided their threats.
    text = "we will burn the migrants out tonight"
    benign = _with_threat([(text, 0, 0, 0)] * 20, [])
    logits = np.full((len(benign), len(model.labels)), -5.0)
    logits[:, threat] = 10.0
    unread = calibrate(model, dev, CONFIG, held_out=HeldOut(benign, logits))[0]
    read = calibrate(model, dev, CONFIG, held_out=HeldOut(benign, logits, [text] * len(benign)))[0]
    assert (read.calibrate(logits)[:, threat] > base).all()
    assert unread.thresholds[hateful] == base
    assert read.thresholds[hateful] > base


def test_threat_targets_must_be_target_words() -> None:
    with pytest.raises(ValueError, match="not target words"):
        fit(
            labelled(TRAIN),
            labelled(DEV),
            LEXICON,
            CONFIG,
            targets={"jews": "religion"},
            threat_targets={"x"},
        )
