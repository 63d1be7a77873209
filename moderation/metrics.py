"""The measures moderate computes, each defined once: the Platt sigmoid that turns a logit into a
probability, and precision, recall, F1 and precision at a base rate of a set of flags.

numpy only, so the scoring path (which calibrates) can import it without the ``train`` extra.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


def platt(logits: np.ndarray, slope: np.ndarray | float, offset: np.ndarray | float) -> np.ndarray:
    """Platt calibration: ``sigmoid(slope * logit + offset)``, the logit clipped so it never overflows."""
    z = np.asarray(logits) * slope + offset
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))


class FlagQuality(NamedTuple):
    """How good a set of flags is against the truth (0.0 where a ratio has nothing to divide by)."""

    precision: float
    recall: float
    f1: float
    false_positive_rate: float


def flag_quality(predicted: np.ndarray, truth: np.ndarray, weights: np.ndarray | None = None) -> FlagQuality:
    """Precision, recall, F1 and false-positive rate of boolean ``predicted`` against boolean ``truth``,
    each row counting ``weights`` (1 when None)."""
    predicted = np.asarray(predicted, dtype=bool)
    truth = np.asarray(truth, dtype=bool)
    if weights is None:
        true_positives = float(np.count_nonzero(predicted & truth))
        flagged = float(np.count_nonzero(predicted))
        positives = float(np.count_nonzero(truth))
        negatives = float(len(truth)) - positives
    else:
        true_positives = float(weights[predicted & truth].sum())
        flagged = float(weights[predicted].sum())
        positives = float(weights[truth].sum())
        negatives = float(weights[~truth].sum())
    false_positives = flagged - true_positives
    return FlagQuality(
        true_positives / flagged if flagged > 0 else 0.0,
        true_positives / positives if positives > 0 else 0.0,
        2 * true_positives / (flagged + positives) if true_positives > 0 else 0.0,
        false_positives / negatives if negatives > 0 else 0.0,
    )


def f1(precision: np.ndarray, recall: np.ndarray) -> np.ndarray:
    """F1 from precision and recall (arrays, e.g. a precision-recall curve), 0 where both are 0."""
    precision, recall = np.asarray(precision, dtype=float), np.asarray(recall, dtype=float)
    return 2 * precision * recall / np.maximum(precision + recall, 1e-12)


def precision_at_base_rate(recall: float, false_positive_rate: float, base_rate: float) -> float:
    """Precision where positives are ``base_rate`` of all rows, from the rates measured on any mix."""
    flagged = base_rate * recall + (1.0 - base_rate) * false_positive_rate
    return base_rate * recall / flagged if flagged > 0 else 0.0
