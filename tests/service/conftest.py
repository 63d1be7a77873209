"""Fixtures for the service tests: the small model trained in the session (tests/conftest.py), apps around it,
and Coral's signing.

The service is tested for what it does with a model's scores (the protocol, the attribute mapping, limits),
never for the shipped weights' judgement: the small model has all seven labels, so every attribute is supported.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from service_helpers import API_KEY, CORAL_SECRET

from moderation.moderator import MODEL_ENV, Moderator
from moderation.service import ServiceSettings, create_app


@pytest.fixture(scope="session")
def moderator(small_moderator) -> Moderator:
    return small_moderator


@pytest.fixture(scope="session")
def model_path(small_model_path):
    """The small model's directory, for `moderate serve --model`."""
    return small_model_path


@pytest.fixture(scope="module", autouse=True)
def serve_the_small_model(small_model_path):
    """`moderate serve` without --model, started by a test here, serves the small model too (through
    $MODERATE_MODEL, which the server process inherits); restored after each module."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(MODEL_ENV, str(small_model_path))
        yield


@pytest.fixture()
def settings() -> ServiceSettings:
    return ServiceSettings(api_keys=(API_KEY,), coral_secrets=(CORAL_SECRET,))


@pytest.fixture()
def client(moderator, settings) -> TestClient:
    with TestClient(create_app(moderator, settings), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def three_label_moderator() -> Moderator:
    """The small model trained with only hateful, antisemitic and offensive: no toxicity, insult, threat or
    profanity."""
    from small_model import train_small_model

    return Moderator(train_small_model(("hateful", "antisemitic", "offensive")))


@pytest.fixture()
def three_client(three_label_moderator, settings) -> TestClient:
    with TestClient(
        create_app(three_label_moderator, settings), raise_server_exceptions=False
    ) as test_client:
        yield test_client
