"""Fixtures for the service tests: the real shipped model, apps around it, and Coral's signing."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from service_helpers import API_KEY, CORAL_SECRET

from moderation.moderator import Moderator
from moderation.service import ServiceSettings, create_app


@pytest.fixture(scope="session")
def moderator() -> Moderator:
    """The shipped default model, loaded once for the whole session."""
    return Moderator.load()


@pytest.fixture()
def settings() -> ServiceSettings:
    return ServiceSettings(api_keys=(API_KEY,), coral_secrets=(CORAL_SECRET,))


@pytest.fixture()
def client(moderator, settings) -> TestClient:
    with TestClient(create_app(moderator, settings), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def seven_label_moderator() -> Moderator:
    """A tiny model trained here with every label the attribute mapping uses (see seven_labels.py)."""
    from seven_labels import seven_label_moderator as build

    return build()


@pytest.fixture()
def seven_client(seven_label_moderator, settings) -> TestClient:
    with TestClient(
        create_app(seven_label_moderator, settings), raise_server_exceptions=False
    ) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def three_label_moderator() -> Moderator:
    """A tiny model with only hateful, antisemitic and offensive: no toxicity, insult, threat or profanity."""
    from seven_labels import moderator_with_labels

    return moderator_with_labels(("hateful", "antisemitic", "offensive"))


@pytest.fixture()
def three_client(three_label_moderator, settings) -> TestClient:
    with TestClient(
        create_app(three_label_moderator, settings), raise_server_exceptions=False
    ) as test_client:
        yield test_client
