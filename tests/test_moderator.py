"""The Moderator on the shipped default model: typed scores, batches, threads, and the product's promises."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from moderation.errors import ModelError
from moderation.moderator import Moderator
from moderation.parsing import parse_file
from moderation.types import LABELS, Scores

SEED_001 = Path(__file__).resolve().parents[1] / "seeds" / "001_46c9a693b51bb0d4.txt"

TEXTS = [
    "the joo banksters control everything",
    "you are a complete idiot",
    "thanks for the thoughtful article",
    "",
    "😀😀😀",
    "J E W S run the media",
    "I disagree with the minister's budget",
    "(((globalists))) again",
]


@pytest.fixture(scope="module")
def moderator() -> Moderator:
    return Moderator.load()


def probabilities(scores: Scores) -> dict[str, float]:
    return {label: score.probability for label, score in scores.labels.items()}


def test_a_score_has_every_label_with_a_probability(moderator: Moderator) -> None:
    scores = moderator.score("the joo banksters control everything")
    assert tuple(scores.labels) == LABELS
    assert all(0.0 <= score.probability <= 1.0 for score in scores.labels.values())


def test_a_flag_is_the_probability_reaching_the_threshold(moderator: Moderator) -> None:
    for scores in moderator.score_many(TEXTS):
        for label, score in scores.labels.items():
            assert score.threshold == moderator.thresholds[label]
            assert score.flagged == (score.probability >= score.threshold)


def test_scoring_a_batch_equals_scoring_each_text(moderator: Moderator) -> None:
    batch = [probabilities(s) for s in moderator.score_many(TEXTS, batch_size=3)]
    assert batch == [probabilities(moderator.score(text)) for text in TEXTS]


@pytest.mark.parametrize("text", ["", "!!!", "😀", "   ", "a", "x" * 5000, "bad \ud800 text"])
def test_any_text_can_be_scored(moderator: Moderator, text: str) -> None:
    assert tuple(moderator.score(text).labels) == LABELS


def test_explain_none_gives_no_reasons(moderator: Moderator) -> None:
    for scores in moderator.score_many(TEXTS, explain="none"):
        assert all(score.reasons == () for score in scores.labels.values())


def test_explain_flagged_gives_reasons_only_to_flagged_labels(moderator: Moderator) -> None:
    for scores in moderator.score_many(TEXTS, explain="flagged"):
        for score in scores.labels.values():
            if not score.flagged:
                assert score.reasons == ()


def test_a_flagged_comment_says_why(moderator: Moderator) -> None:
    scores = moderator.score("the joo banksters control everything")
    assert scores.flagged
    for label in scores.flags:
        assert scores[label].reasons


def test_the_number_of_reasons_is_bounded(moderator: Moderator) -> None:
    scores = moderator.score(
        "the joo banksters control everything, they run the banks and the media", reasons=2
    )
    assert all(len(score.reasons) <= 2 for score in scores.labels.values())


def test_an_unknown_explain_choice_is_refused(moderator: Moderator) -> None:
    with pytest.raises(ValueError, match="explain"):
        moderator.score_many(["x"], explain="some")


def test_with_thresholds_returns_a_new_moderator_and_leaves_the_original(moderator: Moderator) -> None:
    before = moderator.thresholds
    stricter = moderator.with_thresholds({"hateful": 0.99})
    assert stricter is not moderator
    assert stricter.thresholds["hateful"] == 0.99
    assert moderator.thresholds == before
    assert {k: v for k, v in stricter.thresholds.items() if k != "hateful"} == {
        k: v for k, v in before.items() if k != "hateful"
    }


def test_a_threshold_of_zero_flags_everything(moderator: Moderator) -> None:
    everything = moderator.with_thresholds(dict.fromkeys(LABELS, 0.0))
    assert all(scores.flags == LABELS for scores in everything.score_many(TEXTS))


@pytest.mark.parametrize("overrides", [{"violent": 0.5}, {"hateful": 1.5}, {"hateful": -0.1}])
def test_bad_threshold_overrides_are_refused(moderator: Moderator, overrides: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        moderator.with_thresholds(overrides)


def test_the_moderator_is_immutable(moderator: Moderator) -> None:
    with pytest.raises(AttributeError):
        moderator._model = None  # type: ignore[misc]
    with pytest.raises(AttributeError):
        moderator.threshold = 0.1  # type: ignore[attr-defined]


def test_changing_the_returned_thresholds_dict_does_not_change_the_moderator(moderator: Moderator) -> None:
    original = moderator.thresholds["hateful"]
    thresholds = moderator.thresholds
    with pytest.raises(TypeError):  # Thresholds are immutable
        thresholds["hateful"] = original / 2 + 0.01
    assert moderator.thresholds["hateful"] == original


def test_score_many_from_eight_threads_equals_the_sequential_result(moderator: Moderator) -> None:
    batches = [TEXTS[i:] + TEXTS[:i] for i in range(8)] * 4
    expected = [[probabilities(s) for s in moderator.score_many(batch, explain="all")] for batch in batches]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(
            pool.map(lambda b: [probabilities(s) for s in moderator.score_many(b, explain="all")], batches)
        )
    assert results == expected


def test_reasons_from_eight_threads_equal_the_sequential_reasons(moderator: Moderator) -> None:
    expected = moderator.score_many(TEXTS, explain="all")
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: moderator.score_many(TEXTS, explain="all"), range(16)))
    assert all(result == expected for result in results)


def test_loading_a_missing_directory_is_a_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError):
        Moderator.load(tmp_path / "no-model")


def test_the_model_environment_variable_chooses_the_default(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MODERATE_MODEL", str(tmp_path / "elsewhere"))
    with pytest.raises(ModelError, match="elsewhere"):
        Moderator.load()


def test_the_manifest_names_labels_and_thresholds(moderator: Moderator) -> None:
    manifest = moderator.manifest
    assert tuple(manifest["labels"]) == LABELS
    assert manifest["thresholds"] == moderator.thresholds


def test_moderating_an_article_keeps_every_comment_in_order_with_its_author(moderator: Moderator) -> None:
    article = parse_file(SEED_001)
    moderated = moderator.moderate(article)
    assert [m.comment for m in moderated.comments] == list(article.comments)
    assert [m.comment.index for m in moderated.comments] == list(range(len(article.comments)))
    assert any(m.comment.author for m in moderated.comments)
