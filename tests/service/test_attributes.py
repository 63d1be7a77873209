"""The attribute mapping (moderation.service.attributes), checked on a model trained here with all seven labels."""

from __future__ import annotations

import pytest
from service_helpers import API_KEY, perspective_body

from moderation.service.attributes import (
    ATTRIBUTE_LABELS,
    attribute_score,
    feedback_labels,
    supported_attributes,
)

SEVEN = ("hateful", "antisemitic", "offensive", "toxicity", "insult", "threat", "profanity")
THREE = ("hateful", "antisemitic", "offensive")

DOCUMENTED = {
    "TOXICITY": ("toxicity", "hateful"),
    "SEVERE_TOXICITY": ("hateful", "antisemitic", "threat"),
    "IDENTITY_ATTACK": ("hateful", "antisemitic"),
    "INSULT": ("insult",),
    "THREAT": ("threat",),
    "PROFANITY": ("profanity",),
    "ANTISEMITISM": ("antisemitic",),
}


def test_the_mapping_is_the_documented_one():
    assert dict(ATTRIBUTE_LABELS) == DOCUMENTED
    assert supported_attributes(SEVEN) == DOCUMENTED


def test_a_model_lacking_a_label_does_not_support_its_attributes():
    supported = supported_attributes(THREE)
    assert set(supported) == {"TOXICITY", "IDENTITY_ATTACK", "ANTISEMITISM"}
    assert supported["TOXICITY"] == THREE  # no toxicity label: the highest of every label
    no_threat = supported_attributes(tuple(label for label in SEVEN if label != "threat"))
    assert "THREAT" not in no_threat and "SEVERE_TOXICITY" not in no_threat
    assert no_threat["TOXICITY"] == ("toxicity", "hateful")


def analyze_all(client, text: str) -> dict[str, float]:
    body = perspective_body(text, attributes=tuple(DOCUMENTED))
    response = client.post("/v1alpha1/comments:analyze", params={"key": API_KEY}, json=body)
    assert response.status_code == 200, response.text
    return {
        name: entry["summaryScore"]["value"] for name, entry in response.json()["attributeScores"].items()
    }


@pytest.mark.parametrize(
    "text",
    [
        "you are a pathetic worthless idiot",
        "I will kill you and your family",
        "what the fuck is this shit",
        "the jews control the banks",
        "lovely weather for the parade",
    ],
)
def test_each_attribute_is_the_max_of_its_labels_probabilities(client, moderator, text):
    scores = analyze_all(client, text)
    expected = moderator.score(text, reasons=0)
    assert set(scores) == set(DOCUMENTED)
    for attribute, labels in DOCUMENTED.items():
        assert scores[attribute] == pytest.approx(max(expected[label].probability for label in labels))
        assert scores[attribute] == pytest.approx(attribute_score(expected, labels))


def test_severe_toxicity_holds_threats_and_identity_hate_but_not_rudeness_or_swearing(client):
    threat = analyze_all(client, "I will kill you and your family")
    insult = analyze_all(client, "you are a pathetic worthless idiot")
    swearing = analyze_all(client, "what the fuck is this shit")
    hate = analyze_all(client, "the jews control the banks")
    assert threat["SEVERE_TOXICITY"] > 0.8 and hate["SEVERE_TOXICITY"] > 0.8
    assert insult["SEVERE_TOXICITY"] < 0.3 and swearing["SEVERE_TOXICITY"] < 0.3
    assert insult["TOXICITY"] > 0.8 and swearing["TOXICITY"] > 0.8
    # INSULT is its own label now, not a copy of TOXICITY.
    assert swearing["INSULT"] < 0.3 < swearing["TOXICITY"]


@pytest.mark.parametrize(
    ("attribute", "value", "labels"),
    [
        ("TOXICITY", 1, {"toxicity": 1}),
        ("TOXICITY", 0, {"toxicity": 0, "hateful": 0, "antisemitic": 0}),
        ("SEVERE_TOXICITY", 0, {"hateful": 0, "antisemitic": 0, "threat": 0}),
        ("IDENTITY_ATTACK", 1, {"hateful": 1}),
        ("ANTISEMITISM", 1, {"antisemitic": 1, "hateful": 1}),
        ("ANTISEMITISM", 0.2, {"antisemitic": 0}),
        ("INSULT", 0.9, {"insult": 1}),
        ("THREAT", 0, {"threat": 0}),
        ("PROFANITY", 1, {"profanity": 1}),
    ],
)
def test_a_verdict_on_an_attribute_says_only_what_is_certain_about_labels(attribute, value, labels):
    assert feedback_labels(attribute, value) == labels
