"""Thresholds: validated once, immutable, parsed from ``label=value``, and the one flag rule."""

from __future__ import annotations

import numpy as np
import pytest

from moderation import InputError, ThresholdError, Thresholds

LABELS = ("hateful", "antisemitic", "offensive", "toxicity")
BASE = Thresholds({"hateful": 0.5, "antisemitic": 0.6, "offensive": 0.7, "toxicity": 0.8})


def test_a_mapping_in_label_order() -> None:
    assert tuple(BASE) == BASE.labels == LABELS
    assert BASE["offensive"] == 0.7 and dict(BASE) == {"hateful": 0.5, "antisemitic": 0.6, "offensive": 0.7,
                                                       "toxicity": 0.8}  # fmt: skip
    assert BASE.array.tolist() == [0.5, 0.6, 0.7, 0.8]
    with pytest.raises(KeyError):
        BASE["violent"]


def test_immutable() -> None:
    with pytest.raises(TypeError):
        BASE["hateful"] = 0.1  # type: ignore[index]
    with pytest.raises(AttributeError):
        BASE._values = None  # type: ignore[misc]
    with pytest.raises(ValueError):
        BASE.array[0] = 0.1


def test_replace_takes_a_mapping_or_assignments_and_leaves_the_original() -> None:
    changed = BASE.replace({"hateful": 0.9})
    assert changed["hateful"] == 0.9 and BASE["hateful"] == 0.5
    assert BASE.replace(["hateful=0.9"]) == changed
    assert hash(BASE.replace(["hateful = 0.9 "])) == hash(changed)


def test_parse() -> None:
    assert Thresholds.parse(["hateful=0.7", "offensive = 0"], LABELS) == {"hateful": 0.7, "offensive": 0.0}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (["hateful"], "threshold hateful: expected LABEL=VALUE, e.g. hateful=0.7"),
        (["hatefull=0.5"], "threshold hatefull=0.5: unknown label 'hatefull' (labels: hateful, antisemitic"),
        (["hateful=high"], "threshold hateful=high: 'high' is not a number"),
        (["hateful=1.5"], "threshold hateful=1.5: the value must be between 0 and 1"),
        (["hateful=nan"], "threshold hateful=nan: the value must be between 0 and 1"),
        ({"violent": 0.5}, "threshold violent=0.5: unknown label 'violent'"),
        ({"hateful": -0.1}, "threshold hateful=-0.1: the value must be between 0 and 1"),
        ({"hateful": "x"}, "threshold hateful=x: 'x' is not a number"),
    ],
)
def test_one_clear_error_for_every_bad_threshold(changes, message) -> None:
    with pytest.raises(ThresholdError) as raised:
        BASE.replace(changes)
    assert str(raised.value).startswith(message)
    # Bad input for the command line (one line, exit 2) and a bad argument for Python callers.
    assert isinstance(raised.value, InputError) and isinstance(raised.value, ValueError)


def test_flags_are_the_threshold_reached_or_implied_by_a_flagged_label() -> None:
    probabilities = np.array(
        [
            [
                0.5,
                0.0,
                0.69,
                0.0,
            ],  # hateful at its threshold exactly: flagged; so toxicity, which hate implies
            [0.55, 0.6, 0.0, 0.0],  # antisemitic at its threshold on a hateful comment: both, and toxicity
            [0.49, 0.59, 0.7, 0.79],  # only offensive
        ]
    )
    expected = [[1, 0, 0, 1], [1, 1, 0, 1], [0, 0, 1, 0]]
    np.testing.assert_array_equal(BASE.flags(probabilities), np.array(expected, dtype=bool))


def test_an_antisemitic_flag_needs_a_hateful_one_whatever_the_thresholds() -> None:
    # Antisemitic is "which of the hateful comments are antisemitic": its threshold may lie below hateful's.
    lenient = BASE.replace({"hateful": 0.7, "antisemitic": 0.4})
    probabilities = np.array(
        [
            [0.75, 0.45, 0.0, 0.0],  # hateful, and antisemitic over its own lower threshold
            [0.65, 0.65, 0.0, 0.0],  # antisemitic over its threshold, but not hateful enough: neither flag
            [0.75, 0.35, 0.0, 0.0],  # hateful only
        ]
    )
    expected = [[1, 1, 0, 1], [0, 0, 0, 0], [1, 0, 0, 1]]
    np.testing.assert_array_equal(lenient.flags(probabilities), np.array(expected, dtype=bool))


def test_a_model_without_a_label_has_no_implication_for_it() -> None:
    core = Thresholds({"hateful": 0.5, "antisemitic": 0.5})
    np.testing.assert_array_equal(
        core.flags(np.array([[0.9, 0.9], [0.9, 0.1]])), [[True, True], [True, False]]
    )


# Every consumer of flags flags as the Moderator does: a hateful threshold of 0 flags everything hateful, and
# so toxic (hate is toxic) even under a toxicity threshold of 1; an antisemitic threshold of 0 flags nothing
# antisemitic under a hateful threshold of 1 (only a hateful comment is flagged antisemitic).


@pytest.fixture(scope="module")
def strict():
    from moderation import Moderator

    return Moderator.load().with_thresholds({"hateful": 0.0, "toxicity": 1.0})


@pytest.fixture(scope="module")
def not_hateful():
    from moderation import Moderator

    return Moderator.load().with_thresholds({"hateful": 1.0, "antisemitic": 0.0})


def test_archives_flag_as_the_moderator_does(strict, not_hateful) -> None:
    pandas = pytest.importorskip("pandas")
    from moderation.archive import score_frame

    scored = score_frame(pandas.DataFrame({"text": ["what a lovely photo of the harbour"]}), strict)
    assert bool(scored["hateful_flagged"].iloc[0]) and bool(scored["toxicity_flagged"].iloc[0])
    scored = score_frame(pandas.DataFrame({"text": ["the zog runs the council"]}), not_hateful)
    assert not scored["antisemitic_flagged"].iloc[0] and not scored["hateful_flagged"].iloc[0]


def test_corals_long_comments_flag_as_the_moderator_does(strict) -> None:
    from moderation.service.coral import highest

    windows = strict.score_many(["what a lovely photo", "of the harbour at dawn"], explain="none")
    combined = highest(windows, strict.thresholds)
    assert combined["hateful"].flagged and combined["toxicity"].flagged
    assert combined["toxicity"].threshold == 1.0


def test_corals_long_comments_flag_antisemitic_only_when_hateful(not_hateful) -> None:
    from moderation.service.coral import highest

    windows = not_hateful.score_many(["the zog runs the council", "and the weather is fine"], explain="none")
    combined = highest(windows, not_hateful.thresholds)
    assert combined["antisemitic"].probability > 0.0
    assert not combined["antisemitic"].flagged and not combined["hateful"].flagged


def test_refines_names_each_label_whose_flag_needs_another_among_the_models_labels() -> None:
    assert BASE.refines == {"antisemitic": "hateful"}
    assert Thresholds({"antisemitic": 0.5, "offensive": 0.5}).refines == {}
