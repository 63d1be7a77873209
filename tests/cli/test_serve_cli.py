"""`moderate serve --threshold`: the service flags at the thresholds given, in one worker or many."""

from __future__ import annotations

from fastapi.testclient import TestClient

from moderation.cli import app
from moderation.service import app as service_app
from moderation.service.settings import SETTINGS_ENV, ServiceSettings


def test_serve_refuses_a_bad_threshold_in_one_line_before_listening(runner):
    result = runner.invoke(app, ["serve", "--threshold", "rude=0.5", "--port", "0"])
    assert result.exit_code == 2
    assert (
        result.stderr.strip().count("\n") == 0
        and "--threshold rude=0.5: unknown label 'rude'" in result.stderr
    )
    assert "running on" not in result.stderr


def test_serve_scores_with_the_thresholds_given(runner, monkeypatch):
    served = {}

    class Stop(Exception):
        pass

    def capture(moderator, settings):
        served["moderator"], served["settings"] = moderator, settings
        raise Stop

    monkeypatch.setattr(service_app, "create_app", capture)
    result = runner.invoke(
        app, ["serve", "--threshold", "hateful=0.91", "--threshold", "threat=0", "--port", "0"]
    )
    assert isinstance(result.exception, Stop)
    assert (
        served["moderator"].thresholds["hateful"] == 0.91 and served["moderator"].thresholds["threat"] == 0.0
    )
    # Worker processes build their Moderator from the settings: the same thresholds.
    assert served["settings"].thresholds == ("hateful=0.91", "threat=0")


def test_a_worker_loads_the_thresholds_from_its_settings(monkeypatch):
    settings = ServiceSettings(thresholds=("hateful=0.91",))
    monkeypatch.setenv(SETTINGS_ENV, settings.to_env())
    with TestClient(service_app.app_from_env()) as client:
        ready = client.get("/readyz").json()
    assert ready["thresholds"]["hateful"] == 0.91
    everything = ServiceSettings(thresholds=tuple(f"{label}=0" for label in ready["labels"]))
    monkeypatch.setenv(SETTINGS_ENV, everything.to_env())
    with TestClient(service_app.app_from_env()) as client:
        scored = client.post("/v1/score", json={"texts": ["what a lovely photo of the harbour"]}).json()
    assert scored["results"][0]["flags"] == ready["labels"]


def test_the_language_choices_are_the_services_policies():
    from moderation.cli.serve import LanguagePolicy
    from moderation.service.perspective import LANGUAGE_POLICIES

    assert tuple(policy.value for policy in LanguagePolicy) == LANGUAGE_POLICIES
