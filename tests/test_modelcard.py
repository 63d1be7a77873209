"""The model card, generated from a manifest: data, licenses, thresholds and the evaluation-only sets."""

from __future__ import annotations

import re

import pytest

from moderation.corpora import CORPORA, corpus_cards
from moderation.modelcard import render
from moderation.moderator import Moderator

EVALUATION_ONLY = sorted(name for name, info in CORPORA.items() if not info.trainable)


@pytest.fixture(scope="module")
def manifest() -> dict:
    return Moderator.load().manifest


@pytest.fixture(scope="module")
def card(manifest: dict) -> str:
    return render(manifest)


def _row_of(card: str, needle: str) -> str:
    rows = [line for line in card.splitlines() if line.startswith("|") and needle in line]
    assert len(rows) == 1, f"expected one table row naming {needle!r}, found {rows}"
    return rows[0]


def test_the_shipped_manifest_names_every_training_corpus_with_its_license(manifest: dict) -> None:
    trained_on = set(manifest["training"]["rows_by_corpus"]["train"])
    described = manifest["training"]["corpora"]
    assert trained_on <= set(described)
    assert all(described[name].get("license") for name in trained_on)


def test_the_shipped_model_card_lists_every_training_corpus_with_its_license(
    manifest: dict, card: str
) -> None:
    trained_on = manifest["training"]["rows_by_corpus"]["train"]
    assert trained_on
    for name in trained_on:
        license_ = corpus_cards([name])[name]["license"]
        assert license_ in _row_of(card, f"`{name}`")


def test_the_shipped_model_card_lists_every_corpus_of_its_manifest(manifest: dict, card: str) -> None:
    for name, meta in manifest["training"]["corpora"].items():
        assert meta["license"] in _row_of(card, f"`{name}`")


def test_the_shipped_model_card_states_each_threshold(manifest: dict, card: str) -> None:
    for label, threshold in manifest["thresholds"].items():
        assert f"{threshold:.2f}" in _row_of(card, f"`{label}`")


def test_the_shipped_model_card_names_the_evaluation_only_corpora(card: str) -> None:
    for name in EVALUATION_ONLY:
        assert "evaluation only" in _row_of(card, f"`{name}`")


def test_the_shipped_model_card_reports_test_metrics(card: str) -> None:
    assert "## Metrics" in card


# -- render on a manifest built here, independent of the shipped model ---------------------------------------


@pytest.fixture(scope="module")
def built_card(manifest: dict) -> str:
    names = ["isca_antisemitism_twitter", "gab_hate_corpus_kennedy", "in_domain"]
    training = {
        **manifest["training"],
        "corpora": corpus_cards(names),
        "rows_by_corpus": {"train": {"isca_antisemitism_twitter": 7400, "in_domain": 603}, "dev": {}},
    }
    metrics = {
        "split": "test",
        "corpora": {
            "gab_hate_corpus_kennedy": {
                "hateful": {
                    "f1": 0.5,
                    "precision": 0.4,
                    "recall": 0.6,
                    "roc_auc": None,
                    "rows": 10,
                    "positives": 3,
                }
            }
        },
    }
    return render({**manifest, "training": training, "metrics": metrics})


def test_a_trainable_corpus_is_marked_as_used_for_training(built_card: str) -> None:
    row = _row_of(built_card, "`isca_antisemitism_twitter`")
    assert "training + evaluation" in row
    assert CORPORA["isca_antisemitism_twitter"].license in row
    assert "7,400" in row


def test_a_corpus_without_a_license_is_marked_evaluation_only(built_card: str) -> None:
    assert "evaluation only" in _row_of(built_card, "`gab_hate_corpus_kennedy`")


def test_metrics_rows_show_each_corpus_and_label(built_card: str) -> None:
    row = _row_of(built_card, "| gab_hate_corpus_kennedy | hateful |")
    assert "0.500" in row and "–" in row  # F1, and no ROC-AUC


def test_the_card_says_what_the_near_block_pairs_and_only_when_there_is_one(manifest: dict) -> None:
    card = render(manifest)
    assert f"each of {len(manifest['features']['group_words']):,} words naming a group" in card
    unframed = {**manifest, "features": {**manifest["features"], "frame_words": []}}
    assert "up to 8 away in its sentence, a negation between the two words making another pair" in render(
        unframed
    )
    framed = {**manifest, "features": {**manifest["features"], "frame_words": ["claiming", "myth"]}}
    assert (
        "a negation between the two words, or one of 2 words that report a claim (`features.frame_words`) "
        "shortly before them making another pair" in render(framed)
    )
    assert "report a claim" not in render(unframed)
    without = {**manifest, "features": {**manifest["features"], "near_words": 0}}
    assert "near block" not in render(without)


def test_the_card_states_the_threat_at_a_group_rule_only_for_a_model_that_has_it(manifest: dict) -> None:
    ruled = {
        **manifest,
        "scoring": {**manifest["scoring"], "threat_targets": ["jews", "migrants", "muslims"]},
    }
    assert "a threat whose deciding window names one of 3 words for groups of people" in render(ruled)
    unruled = {**manifest, "scoring": {k: v for k, v in manifest["scoring"].items() if k != "threat_targets"}}
    assert "deciding window" not in render(unruled)


def test_the_card_names_only_scoring_settings_a_model_still_writes(manifest: dict, small_moderator) -> None:
    # A setting the card explains but no model holds any more (a retired margin) would describe another model.
    named = set(re.findall(r"`scoring\.(\w+)`", render(manifest)))
    assert named and named <= set(small_moderator.manifest["scoring"])


def test_the_known_limits_quote_the_models_own_thresholds_and_in_domain_numbers(manifest: dict) -> None:
    # An analyst's model, trained on other data, must not be described with the shipped model's numbers.
    thresholds = {**manifest["thresholds"], "hateful": 0.55, "antisemitic": 0.21, "threat": 0.66}
    metrics = {
        "split": "test",
        "base_rate": 0.05,
        "corpora": {
            "in_domain": {
                "hateful": {
                    **manifest["metrics"]["corpora"]["in_domain"]["hateful"],
                    "recall": 0.61,
                    "precision_at_base_rate": 0.83,
                },
                "threat": {**manifest["metrics"]["corpora"]["in_domain"]["threat"], "recall": 0.37},
            }
        },
        "false_alarms": {"in_domain": {"clean": 1234, "flagged": 17}},
    }
    limits = render({**manifest, "thresholds": thresholds, "metrics": metrics}).split("## Known limits")[1]
    assert "hateful flag (at 0.55) has precision 0.83 at recall 0.61" in limits
    assert "17 of its 1,234 clean comments get any flag" in limits
    assert "threat flag is set at 0.66; it catches 37% of the in-domain test split's threats." in limits


def test_a_model_without_in_domain_metrics_states_no_operating_point(manifest: dict) -> None:
    limits = render({**manifest, "metrics": {}}).split("## Known limits")[1]
    assert "traded\n  for quiet. Many" in limits
    assert "has precision" not in limits and "catches" not in limits


def test_the_card_counts_the_clean_rows_each_corpus_gets_flagged(manifest: dict) -> None:
    metrics = {**manifest["metrics"], "false_alarms": {"in_domain": {"clean": 800, "flagged": 12}}}
    card = render({**manifest, "metrics": metrics})
    assert "| in_domain | 800 | 12 | 0.015 |" in card


def test_the_card_states_the_lowest_threshold_only_for_a_model_trained_with_one(manifest: dict) -> None:
    config = manifest["training"]["config"]
    floored = {**manifest, "training": {**manifest["training"], "config": {**config, "min_threshold": 0.5}}}
    assert (
        "and no lower than 0.5 (a flag says the label is more likely than not), but for `antisemitic`."
        in render(floored)
    )
    bare = {k: v for k, v in config.items() if k != "min_threshold"}
    older = {**manifest, "training": {**manifest["training"], "config": bare}}
    assert "no lower than" not in render(older)


def test_the_card_says_which_labels_were_fitted_on_log_ratio_scaled_columns(manifest: dict) -> None:
    import copy

    per_label = copy.deepcopy(manifest)
    per_label["training"]["config"]["log_ratio_power"] = {"hateful": 0.25, "offensive": 0.0}
    text = render(per_label)
    assert (
        "log-count ratio" in text
        and "`hateful` 0.25" in text
        and "`offensive`" not in text.split("NBSVM")[0][-200:]
    )
    unscaled = copy.deepcopy(manifest)
    unscaled["training"]["config"]["log_ratio_power"] = {}
    assert "log-count ratio" not in render(unscaled)
