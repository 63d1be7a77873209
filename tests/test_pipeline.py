"""The training pipeline as API: license policy, fit, test metrics in the manifest, measuring a model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from moderation import corpora
from moderation.errors import DataError
from moderation.model import LinearModel
from moderation.pipeline import (
    TrainingData,
    comment_sources,
    default_threat_targets,
    measure_model,
    train_model,
)
from moderation.training import TrainingConfig

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "corpora"
EVALUATION_ONLY = {name for name, info in corpora.CORPORA.items() if not info.trainable}


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    mine = tmp_path_factory.mktemp("labelled") / "mine.jsonl"
    mine.write_text(
        '{"text": "you people are vermin", "hateful": 1}\n{"text": "a calm remark", "hateful": 0}\n'
    )
    return corpora.load_labelled_set(FIXTURES, in_domain=False, files=[mine])


@pytest.fixture(scope="module")
def trained(table):
    return train_model(table, config=TrainingConfig(n_features=2**16))


def test_evaluation_only_corpora_are_measured_never_trained_or_tuned_on(table) -> None:
    data = TrainingData.from_table(table)
    assert EVALUATION_ONLY & set(table["source"])  # otherwise this proves nothing
    assert not EVALUATION_ONLY & (set(data.train.sources) | set(data.dev.sources))
    assert EVALUATION_ONLY & set(data.test.sources)
    assert "mine" in set(data.train.sources) | set(data.dev.sources) | set(data.test.sources)
    assert set(data.adversarial.sources) == {"dynahate_devtest"}
    assert len(data.adversarial) == int((table["source"] == "dynahate_devtest").sum())
    assert set(data.train.texts) == set(
        table[(table["split"] == "train") & ~table["source"].isin(EVALUATION_ONLY)]["text"]
    )


def test_the_sites_own_comments_are_the_in_domain_ones_and_the_users_files(table) -> None:
    assert comment_sources(table) == ("mine",)  # the fixture corpora are public corpora, not comments
    in_domain = corpora.load_labelled_set(None, in_domain=True)
    assert comment_sources(in_domain) == (corpora.IN_DOMAIN,)


def test_a_user_file_and_the_in_domain_comments_are_trainable() -> None:
    assert corpora.is_trainable("mine") and corpora.is_trainable(corpora.IN_DOMAIN)
    assert corpora.is_trainable("davidson2017")
    assert not corpora.is_trainable("gab_hate_corpus_kennedy")


def test_the_trained_model_carries_its_test_metrics_and_sources(trained, table) -> None:
    info = trained.model.info
    assert info["metrics"]["split"] == "test"
    assert info["metrics"]["corpora"] == trained.test.summary()
    assert 0.0 <= info["metrics"]["dynahate_accuracy"] <= 1.0
    assert info["metrics"]["identities"]  # data/identity_templates.json is in the checkout
    cards = info["training"]["corpora"]
    assert set(cards) == set(table["source"])
    assert cards["gab_hate_corpus_kennedy"]["trainable"] is False
    assert cards["mine"]["license"] == "user-supplied"
    assert (trained.train_rows, trained.dev_rows) == (
        info["training"]["rows"]["train"],
        info["training"]["rows"]["dev"],
    )


def test_saving_writes_the_model_and_its_card(trained, tmp_path) -> None:
    trained.save(tmp_path / "model")
    assert sorted(p.name for p in (tmp_path / "model").iterdir()) == [
        "README.md",
        "lexicon.json",
        "manifest.json",
        "weights.npz",
    ]
    assert json.loads((tmp_path / "model" / "manifest.json").read_text())["metrics"]["split"] == "test"
    assert "evaluation only" in (tmp_path / "model" / "README.md").read_text()
    assert LinearModel.load(tmp_path / "model").labels == trained.model.labels


def test_a_label_the_data_cannot_train_is_a_data_error(table) -> None:
    no_hate = table[table["hateful"] != 1]
    with pytest.raises(DataError, match="hateful"):
        train_model(no_hate, config=TrainingConfig(n_features=2**16))


def test_measuring_a_model_reports_every_corpus_and_the_identities(trained, table, tmp_path) -> None:
    measured = measure_model(trained.model, table, split="train")
    assert {m.corpus for m in measured.evaluation.metrics} & EVALUATION_ONLY
    record = measured.to_dict()
    assert record["split"] == "train"
    assert [row["identity"] for row in record["identities"]] == [m.identity for m in measured.identities]


def test_a_trained_model_lifts_hate_only_to_threats_at_people(trained) -> None:
    targets = trained.model.threat_targets
    assert "threat" in trained.model.labels  # the fixture corpora teach it; otherwise this proves nothing
    assert targets == default_threat_targets()
    assert {"jews", "muslims", "women"} <= targets
    assert not targets & {"israel", "nazis", "woman", "hanukkah"}
    assert targets <= set(trained.model.featurizer.group_words)


@pytest.mark.parametrize("context", ['"israel"', '["no such word"]', "[3]", "[[]]"])
def test_a_target_file_with_a_malformed_context_list_is_a_data_error(tmp_path, monkeypatch, context) -> None:
    path = tmp_path / "targets.json"
    terms = '{"jews": "jewish", "israel": "jewish"}'
    path.write_text(f'{{"terms": {terms}, "context": {context}}}')
    monkeypatch.setattr(corpora, "project_file", lambda relative: path)
    with pytest.raises(DataError, match="not a target-word file"):
        default_threat_targets()
