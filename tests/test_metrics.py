"""The measures in moderation.metrics, against counts done by hand."""

from __future__ import annotations

import numpy as np
import pytest

from moderation.metrics import FlagQuality, f1, flag_quality, platt, precision_at_base_rate


def test_platt_is_the_logistic_sigmoid_of_the_scaled_logit() -> None:
    logits = np.array([[0.0, 1.0], [-2.0, 3.0]])
    expected = 1 / (1 + np.exp(-(logits * np.array([2.0, 0.5]) + np.array([0.1, -1.0]))))
    np.testing.assert_allclose(platt(logits, np.array([2.0, 0.5]), np.array([0.1, -1.0])), expected)


def test_platt_never_overflows_on_huge_logits() -> None:
    with np.errstate(over="raise"):
        assert platt(np.array([-1e6, 1e6]), 1.0, 0.0).tolist() == pytest.approx([0.0, 1.0])


def test_flag_quality_counts() -> None:
    # 2 true positives, 1 false positive, 1 false negative, 2 true negatives
    predicted = np.array([1, 1, 1, 0, 0, 0], dtype=bool)
    truth = np.array([1, 1, 0, 1, 0, 0], dtype=bool)
    assert flag_quality(predicted, truth) == pytest.approx(FlagQuality(2 / 3, 2 / 3, 2 / 3, 1 / 3))


def test_flag_quality_weights_rows() -> None:
    predicted = np.array([1, 1, 0], dtype=bool)
    truth = np.array([1, 0, 1], dtype=bool)
    weights = np.array([3.0, 1.0, 1.0])
    # tp 3, fp 1, fn 1: precision 3/4, recall 3/4, F1 6/8, false-positive rate 1/1
    assert flag_quality(predicted, truth, weights) == pytest.approx(FlagQuality(0.75, 0.75, 0.75, 1.0))


def test_nothing_flagged_or_nothing_true_is_zero_not_an_error() -> None:
    assert flag_quality(np.zeros(3, bool), np.array([1, 0, 0], bool)) == (0.0, 0.0, 0.0, 0.0)
    assert flag_quality(np.ones(2, bool), np.zeros(2, bool)) == (0.0, 0.0, 0.0, 1.0)


def test_f1_of_a_curve() -> None:
    np.testing.assert_allclose(f1(np.array([0.5, 1.0, 0.0]), np.array([0.5, 0.5, 0.0])), [0.5, 2 / 3, 0.0])


def test_precision_at_base_rate_reweights_the_mix() -> None:
    # Recall 0.8 and a 1% false-positive rate: at 5% positives, 0.04 of 0.0495 flagged rows are right.
    assert precision_at_base_rate(0.8, 0.01, 0.05) == pytest.approx(0.04 / 0.0495)
    assert precision_at_base_rate(0.0, 0.0, 0.05) == 0.0
