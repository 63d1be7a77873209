"""A small model trained in the test session, for every test that needs a model but not the shipped one's judgement.

The shipped weights (``models/default``) change with every retrain; a test that asserts on them asserts on one
training run. The small model is trained here, in about a second, by :func:`moderation.training.fit` on the
hand-written rows of ``tests/fixtures/small_model/labelled.jsonl``: each label has its own trigger words (coded
antisemitic terms, slurs against a group, insults, threats, swearing) and the benign rows use the same identity
and news words ("jewish", "muslims", "banks", "media"), so what the tests assert of it holds by construction.
Tests about the shipped model's judgement (tests/test_judgement.py) stay on the shipped model.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from small_model import train_small_model

from moderation.moderator import Moderator


@pytest.fixture(scope="session")
def small_model_path(tmp_path_factory) -> Path:
    """A model directory (seven labels) saved by LinearModel.save, for ``Moderator.load`` and ``--model``."""
    return train_small_model().save(tmp_path_factory.mktemp("models") / "small")


@pytest.fixture(scope="session")
def small_moderator(small_model_path) -> Moderator:
    """The small model as integrators get it: loaded (and verified) from its directory."""
    return Moderator.load(small_model_path)
