"""The small model the tests train (see tests/conftest.py): its labelled rows and how it is fitted."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from moderation.lexicon import Lexicon
from moderation.model import LinearModel
from moderation.types import IMPLIED_BY, LABELS

SMALL_MODEL_DATA = Path(__file__).resolve().parent / "fixtures" / "small_model" / "labelled.jsonl"


def small_model_rows(split: str, labels: tuple[str, ...] = LABELS):
    """The fixture's rows of ``split`` as training input: every label not listed on a row is a 0."""
    from moderation.training import LabelledTexts

    texts, rows = [], []
    for line in SMALL_MODEL_DATA.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record["split"] != split:
            continue
        positive = set(record["labels"])
        assert positive <= set(LABELS), record
        for label, implied_by in IMPLIED_BY.items():  # keep the fixture consistent with the label hierarchy
            assert label in positive or not positive & set(implied_by), record
        texts.append(record["text"])
        rows.append([int(label in positive) for label in labels])
    return LabelledTexts(tuple(texts), np.array(rows, dtype=np.int8), ("fixture",) * len(texts), labels)


def train_small_model(labels: tuple[str, ...] = LABELS) -> LinearModel:
    """Fit, calibrate and choose thresholds exactly as ``moderate train`` does, on the fixture's rows."""
    from moderation.training import TrainingConfig, fit

    # No lexicon: the model must learn its triggers from the rows, not from data/lexicon.json, which changes.
    config = TrainingConfig(n_features=2**14, min_dev_positives=1, n_jobs=1)
    return fit(small_model_rows("train", labels), small_model_rows("dev", labels), Lexicon(), config)
