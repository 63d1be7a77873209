"""CLI tests run the real commands on the shipped default model and the seed pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from moderation.moderator import Moderator

SEEDS = sorted((Path(__file__).resolve().parents[2] / "seeds").glob("*.txt"))


@pytest.fixture(scope="session")
def moderator() -> Moderator:
    return Moderator.load()


@pytest.fixture(scope="session")
def seeds() -> list[Path]:
    """The five seed pages the project keeps in seeds/."""
    assert len(SEEDS) == 5
    return SEEDS


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()
