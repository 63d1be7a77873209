"""CLI tests run the real commands on the seed pages, with the small model trained in the session
(tests/conftest.py): `--model` unset means it too, through $MODERATE_MODEL."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from moderation.moderator import MODEL_ENV, Moderator

SEEDS = sorted((Path(__file__).resolve().parents[2] / "seeds").glob("*.txt"))


@pytest.fixture(scope="session")
def moderator(small_moderator) -> Moderator:
    return small_moderator


@pytest.fixture(scope="session")
def model_path(small_model_path) -> Path:
    """The small model's directory, for an explicit `--model`."""
    return small_model_path


@pytest.fixture(scope="module", autouse=True)
def score_with_the_small_model(small_model_path):
    """Commands run here without --model (and Moderator.load()) use the small model; restored after each
    module, so tests elsewhere still find the shipped one."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(MODEL_ENV, str(small_model_path))
        yield


@pytest.fixture(scope="session")
def seeds() -> list[Path]:
    """The five seed pages the project keeps in seeds/."""
    assert len(SEEDS) == 5
    return SEEDS


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()
