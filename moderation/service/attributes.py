"""Perspective's attributes in terms of moderate's labels: the one place the mapping lives.

Each label's probability is already calibrated to Perspective's scale by the model (the share of readers who
would judge the comment so), so an attribute's score is a label's probability, or the highest of several:

=================  ==================================  ==========================================================
attribute          score                               why
=================  ==================================  ==========================================================
TOXICITY           max(toxicity, hateful)              rude, disrespectful or hateful; a model without a
                                                       ``toxicity`` label uses the max of all its labels
SEVERE_TOXICITY    max(hateful, antisemitic, threat)   identity hate and threats are severe; rudeness and
                                                       swearing are not
IDENTITY_ATTACK    max(hateful, antisemitic)           attacks on people for who they are
INSULT             insult
THREAT             threat
PROFANITY          profanity
ANTISEMITISM       antisemitic                         moderate's own attribute (IHRA working definition)
=================  ==================================  ==========================================================

An attribute is supported by a model when the model has every label it names (TOXICITY: when it has any
label). Asking for an unsupported one is a 400, as Perspective answers for an attribute it does not offer,
unless the request sets ``dropUnsupportedAttributes``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType

from moderation.types import Scores

#: Every attribute moderate knows, and the labels whose highest probability is its score.
ATTRIBUTE_LABELS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "TOXICITY": ("toxicity", "hateful"),
        "SEVERE_TOXICITY": ("hateful", "antisemitic", "threat"),
        "IDENTITY_ATTACK": ("hateful", "antisemitic"),
        "INSULT": ("insult",),
        "THREAT": ("threat",),
        "PROFANITY": ("profanity",),
        "ANTISEMITISM": ("antisemitic",),
    }
)

_FALLBACK_WHEN_MISSING = {"TOXICITY": "toxicity"}
"""Attributes still answered without this label: from every label the model has (older models)."""


def supported_attributes(model_labels: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """The attributes a model with ``model_labels`` answers, each with the labels its score is the max of."""
    have = set(model_labels)
    supported: dict[str, tuple[str, ...]] = {}
    for attribute, labels in ATTRIBUTE_LABELS.items():
        if set(labels) <= have:
            supported[attribute] = labels
        elif attribute in _FALLBACK_WHEN_MISSING and _FALLBACK_WHEN_MISSING[attribute] not in have and have:
            supported[attribute] = tuple(model_labels)
    return supported


def attribute_score(scores: Scores, labels: Sequence[str]) -> float:
    """An attribute's score: the highest probability among its labels."""
    return max(scores[label].probability for label in labels)


def feedback_labels(attribute: str, value: float) -> dict[str, int]:
    """What a moderator's verdict on one attribute says about each label, for training data.

    ``value`` at or above 0.5 means "the comment is so" (Coral sends 1 on reject, 0 on approve). A "yes" on a
    max() of labels cannot say which label was meant, so it sets only what is certain; a "no" says none of
    them applies. ``antisemitic`` implies ``hateful``, so a "yes" on ANTISEMITISM sets both.
    """
    positive = value >= 0.5
    if attribute == "TOXICITY":
        return {"toxicity": 1} if positive else {"toxicity": 0, "hateful": 0, "antisemitic": 0}
    if attribute == "SEVERE_TOXICITY":
        return {"toxicity": 1} if positive else {"hateful": 0, "antisemitic": 0, "threat": 0}
    if attribute == "IDENTITY_ATTACK":
        return {"hateful": 1} if positive else {"hateful": 0, "antisemitic": 0}
    if attribute == "ANTISEMITISM":
        return {"antisemitic": 1, "hateful": 1} if positive else {"antisemitic": 0}
    (label,) = ATTRIBUTE_LABELS[attribute]
    return {label: int(positive)}
