"""A tiny model with all seven labels a Perspective drop-in maps attributes from, trained inside the tests.

Attribute behaviour is checked against this model, never against the shipped weights: it has every label
(:mod:`moderation.service.attributes` names), so each attribute is supported and each mapping can be compared
with the label probabilities it is defined on.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from moderation.lexicon import Lexicon
from moderation.moderator import Moderator
from moderation.training import LabelledTexts, TrainingConfig, fit

LABELS = ("hateful", "antisemitic", "offensive", "toxicity", "insult", "threat", "profanity")

# text, then one 0/1 per label in LABELS order
_ROWS = [
    ("the jews control the banks and the media", 1, 1, 0, 1, 0, 0, 0),
    ("zog runs this country wake up", 1, 1, 0, 1, 0, 0, 0),
    ("the joos are behind every war", 1, 1, 0, 1, 0, 0, 0),
    ("khazarian bankers rule us all", 1, 1, 0, 1, 0, 0, 0),
    ("immigrants are vermin and should be deported", 1, 0, 0, 1, 0, 0, 0),
    ("those people are animals send them back", 1, 0, 0, 1, 0, 0, 0),
    ("women are too stupid to vote", 1, 0, 0, 1, 0, 0, 0),
    ("you are a complete idiot", 0, 0, 1, 1, 1, 0, 0),
    ("shut up you pathetic moron", 0, 0, 1, 1, 1, 0, 0),
    ("what a worthless clown you are", 0, 0, 1, 1, 1, 0, 0),
    ("you stupid loser nobody likes you", 0, 0, 1, 1, 1, 0, 0),
    ("i will kill you and your family", 0, 0, 1, 1, 0, 1, 0),
    ("we will find you and shoot you dead", 0, 0, 1, 1, 0, 1, 0),
    ("someone should burn your house down tonight", 0, 0, 1, 1, 0, 1, 0),
    ("watch your back or you will be stabbed", 0, 0, 1, 1, 0, 1, 0),
    ("this is fucking shit", 0, 0, 0, 1, 0, 0, 1),
    ("what the fuck is this crap", 0, 0, 0, 1, 0, 0, 1),
    ("holy shit that damn bastard goal", 0, 0, 0, 0, 0, 0, 1),
    ("fucking hell the bloody bus is late again", 0, 0, 0, 1, 0, 0, 1),
    ("my jewish neighbours invited us for dinner", 0, 0, 0, 0, 0, 0, 0),
    ("great reporting on the city budget", 0, 0, 0, 0, 0, 0, 0),
    ("the council should fix the roads first", 0, 0, 0, 0, 0, 0, 0),
    ("i will call you tomorrow about the meeting", 0, 0, 0, 0, 0, 0, 0),
    ("lovely weather for the parade today", 0, 0, 0, 0, 0, 0, 0),
    ("the team played well in the second half", 0, 0, 0, 0, 0, 0, 0),
    ("thanks for the thoughtful article", 0, 0, 0, 0, 0, 0, 0),
    ("the museum opens a new exhibition on friday", 0, 0, 0, 0, 0, 0, 0),
    ("interest rates will rise again next year", 0, 0, 0, 0, 0, 0, 0),
]


def _labelled(rows, labels: tuple[str, ...]) -> LabelledTexts:
    columns = [LABELS.index(label) for label in labels]
    return LabelledTexts(
        tuple(text for text, *_ in rows),
        np.array([labels for _, *labels in rows], dtype=np.int8)[:, columns],
        tuple("toy" for _ in rows),
        labels,
    )


def moderator_with_labels(labels: tuple[str, ...] = LABELS) -> Moderator:
    """A tiny model with ``labels`` (all seven by default), trained on the rows above."""
    lexicon = Lexicon.load(Path(__file__).resolve().parents[2] / "data" / "lexicon.json")
    config = TrainingConfig(n_features=2**14, min_dev_positives=1)
    # Every row is in train and dev: tiny data, and the tests check the mapping, not generalisation.
    return Moderator(fit(_labelled(_ROWS, labels), _labelled(_ROWS, labels), lexicon, config))


def seven_label_moderator() -> Moderator:
    return moderator_with_labels(LABELS)
