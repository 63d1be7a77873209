"""LinearModel: probabilities, explanations, and a model directory that cannot be tampered with unnoticed."""

from __future__ import annotations

import dataclasses
import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from moderation.errors import ModelError
from moderation.lexicon import Lexicon
from moderation.model import MANIFEST, WEIGHTS, LinearModel, _sha256
from moderation.normalize import normalize, readable
from moderation.training import LabelledTexts, TrainingConfig, fit

# (text, hateful, antisemitic, offensive): a few dozen hand-written comments, enough for every label to have
# both classes in train and in dev.
TRAIN = [
    ("the jews control the banks and the media", 1, 1, 0),
    ("zog runs this country, wake up", 1, 1, 0),
    ("the joos are behind every war", 1, 1, 0),
    ("(((globalists))) own the press", 1, 1, 0),
    ("khazarian bankers rule us all", 1, 1, 0),
    ("immigrants are vermin and should be deported", 1, 0, 0),
    ("those people are animals, send them back", 1, 0, 0),
    ("women are too stupid to vote", 1, 0, 0),
    ("gays are a disease on society", 1, 0, 0),
    ("you are a complete idiot", 0, 0, 1),
    ("shut up you moron", 0, 0, 1),
    ("what a stupid clown this senator is", 0, 0, 1),
    ("go to hell you pathetic loser", 0, 0, 1),
    ("this article is garbage and so are you, idiot", 0, 0, 1),
    ("my jewish neighbours invited us for dinner", 0, 0, 0),
    ("the synagogue hosts a food drive on sunday", 0, 0, 0),
    ("great reporting on the city budget", 0, 0, 0),
    ("the council should fix the roads first", 0, 0, 0),
    ("i disagree with the minister on taxes", 0, 0, 0),
    ("lovely weather for the parade today", 0, 0, 0),
    ("the team played well in the second half", 0, 0, 0),
    ("interest rates will rise again next year", 0, 0, 0),
    ("the museum opens a new exhibition on friday", 0, 0, 0),
    ("thanks for the thoughtful article", 0, 0, 0),
]
DEV = [
    ("the jews run the banks, everyone knows", 1, 1, 0),
    ("zog controls the government", 1, 1, 0),
    ("immigrants are rats", 1, 0, 0),
    ("you idiot, read the article", 0, 0, 1),
    ("shut up moron", 0, 0, 1),
    ("a jewish festival in the park this weekend", 0, 0, 0),
    ("the roads need fixing", 0, 0, 0),
    ("good article about the budget", 0, 0, 0),
    ("the parade was lovely", 0, 0, 0),
]


def labelled(rows: list[tuple[str, int, int, int]], source: str = "toy") -> LabelledTexts:
    return LabelledTexts(
        tuple(text for text, *_ in rows),
        np.array([labels for _, *labels in rows], dtype=np.int8),
        tuple(source for _ in rows),
    )


CONFIG = TrainingConfig(n_features=2**14, min_dev_positives=1)
TARGETS = {"jews": "religion", "jewish": "religion", "muslims": "religion", "migrants": "migration"}


@pytest.fixture(scope="session")
def tiny_model() -> LinearModel:
    return fit(
        labelled(TRAIN),
        labelled(DEV),
        Lexicon.load(Path(__file__).resolve().parents[1] / "data/lexicon.json"),
        CONFIG,
        targets=TARGETS,
    )


@pytest.fixture
def saved(tiny_model: LinearModel, tmp_path: Path) -> Path:
    return tiny_model.save(tmp_path / "model")


PROBES = ["the jews control the banks", "you idiot", "nice article", "", "😀 emoji only", "J E W S"]


def test_probabilities_are_one_row_per_text_and_one_column_per_label(tiny_model: LinearModel) -> None:
    probabilities = tiny_model.probabilities(PROBES)
    assert probabilities.shape == (len(PROBES), 3)
    assert np.all((probabilities >= 0) & (probabilities <= 1))


def test_the_tiny_model_learnt_its_training_data(tiny_model: LinearModel) -> None:
    hateful, antisemitic, offensive = tiny_model.probabilities(["the jews control the banks and the media"])[
        0
    ]
    assert antisemitic > tiny_model.probabilities(["great reporting on the city budget"])[0][1]


def test_a_saved_model_loads_with_identical_probabilities(tiny_model: LinearModel, saved: Path) -> None:
    loaded = LinearModel.load(saved)
    np.testing.assert_array_equal(loaded.probabilities(PROBES), tiny_model.probabilities(PROBES))
    assert loaded.labels == tiny_model.labels
    np.testing.assert_array_equal(loaded.thresholds, tiny_model.thresholds)


def test_a_saved_model_keeps_its_group_words_and_their_pairs(tiny_model: LinearModel, saved: Path) -> None:
    loaded = LinearModel.load(saved)
    assert loaded.featurizer.group_words == TARGETS
    assert loaded.featurizer.negation_words == frozenset(CONFIG.negation_words)
    assert loaded.featurizer.frame_words == frozenset(CONFIG.frame_words)
    assert (loaded.featurizer.near_words, loaded.featurizer.near_smoothing) == (
        CONFIG.near_words,
        CONFIG.near_smoothing,
    )
    # The near block counts: without it the same weights score a text naming a group differently.
    text = ["the jews control the banks"]
    plain = dataclasses.replace(loaded, featurizer=dataclasses.replace(loaded.featurizer, near_words=0))
    assert not np.array_equal(loaded.logits(text), plain.logits(text))


def test_a_model_saved_before_frame_words_reads_no_pair_as_framed(saved: Path) -> None:
    manifest = json.loads((saved / MANIFEST).read_text())
    del manifest["features"]["frame_words"]
    (saved / MANIFEST).write_text(json.dumps(manifest))
    loaded = LinearModel.load(saved)
    assert loaded.featurizer.frame_words == frozenset()
    assert loaded.featurizer.negation_words == frozenset(CONFIG.negation_words)


def test_a_model_saved_before_the_near_block_loads_without_pairs(saved: Path) -> None:
    manifest = json.loads((saved / MANIFEST).read_text())
    for key in ("near_words", "near_smoothing", "group_words", "negation_words", "frame_words"):
        del manifest["features"][key]
    (saved / MANIFEST).write_text(json.dumps(manifest))
    assert LinearModel.load(saved).featurizer.near_words == 0


def test_a_model_directory_holds_only_the_manifest_weights_and_lexicon(saved: Path) -> None:
    assert sorted(p.name for p in saved.iterdir()) == ["lexicon.json", "manifest.json", "weights.npz"]


def test_the_manifest_records_the_sha256_of_every_other_file(saved: Path) -> None:
    manifest = json.loads((saved / MANIFEST).read_text())
    assert manifest["files"] == {name: _sha256(saved / name) for name in ("weights.npz", "lexicon.json")}


def test_saving_over_an_existing_model_replaces_it(tiny_model: LinearModel, saved: Path) -> None:
    tiny_model.with_info(note="second").save(saved)
    assert LinearModel.load(saved).info["note"] == "second"
    assert sorted(p.name for p in saved.parent.iterdir()) == ["model"]  # no staging or old directory left


@pytest.mark.parametrize("name", ["weights.npz", "lexicon.json"])
def test_a_file_changed_by_one_byte_is_refused_by_its_hash(saved: Path, name: str) -> None:
    path = saved / name
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="SHA-256"):
        LinearModel.load(saved)


def test_a_truncated_weights_file_is_refused(saved: Path) -> None:
    path = saved / WEIGHTS
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(ModelError, match="truncated"):
        LinearModel.load(saved)


def _rewrite_manifest(directory: Path, **changes) -> None:
    manifest = json.loads((directory / MANIFEST).read_text())
    manifest.update(changes)
    (directory / MANIFEST).write_text(json.dumps(manifest))


def test_an_unknown_format_version_is_refused(saved: Path) -> None:
    _rewrite_manifest(saved, format_version=2)
    with pytest.raises(ModelError, match="format version 2"):
        LinearModel.load(saved)


def test_a_manifest_that_is_not_json_is_refused(saved: Path) -> None:
    (saved / MANIFEST).write_text("{truncated")
    with pytest.raises(ModelError, match="manifest"):
        LinearModel.load(saved)


def test_a_missing_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="no such model directory"):
        LinearModel.load(tmp_path / "absent")


class _Tripwire:
    """Unpickling this touches a file: proof that a loader ran code from the archive."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def test_weights_holding_a_pickled_object_are_refused_without_running_it(saved: Path, tmp_path: Path) -> None:
    marker = tmp_path / "unpickled"
    buffer = io.BytesIO()
    np.save(buffer, np.array([_Tripwire(marker)], dtype=object), allow_pickle=True)
    with zipfile.ZipFile(saved / WEIGHTS, "w") as archive:
        archive.writestr("weights.npy", buffer.getvalue())
    files = json.loads((saved / MANIFEST).read_text())["files"]
    _rewrite_manifest(saved, files={**files, WEIGHTS: _sha256(saved / WEIGHTS)})  # the hash check now passes

    with pytest.raises(ModelError, match="weights"):
        LinearModel.load(saved)
    assert not marker.exists()


def test_weights_of_the_wrong_shape_are_refused(saved: Path) -> None:
    with np.load(saved / WEIGHTS) as archive:
        arrays = dict(archive)
    np.savez_compressed(saved / WEIGHTS, **{**arrays, "weights": np.zeros((16, 3), dtype=np.float32)})
    files = json.loads((saved / MANIFEST).read_text())["files"]
    _rewrite_manifest(saved, files={**files, WEIGHTS: _sha256(saved / WEIGHTS)})
    with pytest.raises(ModelError, match="shape"):
        LinearModel.load(saved)


@pytest.mark.parametrize("name", ["weights", "intercepts", "calibration", "thresholds"])
def test_model_arrays_are_read_only(tiny_model: LinearModel, name: str) -> None:
    with pytest.raises(ValueError, match="read-only"):
        getattr(tiny_model, name)[0] = 0


def test_loaded_weights_are_read_only(saved: Path) -> None:
    with pytest.raises(ValueError, match="read-only"):
        LinearModel.load(saved).weights[0, 0] = 1


def test_a_model_cannot_be_reassigned(tiny_model: LinearModel) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        tiny_model.thresholds = np.zeros(3)  # type: ignore[misc]


def test_model_info_cannot_be_changed(tiny_model: LinearModel) -> None:
    with pytest.raises(TypeError):
        tiny_model.info["training"] = {}  # type: ignore[index]


EXPLAINED = [text for text, *_ in TRAIN[:6]] + [
    "The J E W S run the banks!!",
    "the the the jews",
    "!!!",
    "😀 😀",
    "",
]


@pytest.mark.parametrize("text", EXPLAINED)
def test_explanations_name_ngrams_of_the_normalized_text(tiny_model: LinearModel, text: str) -> None:
    # Placeholder tokens read as what they stand for ("xxecho globalists" -> "(((globalists)))").
    normalized = normalize(text)
    shown = readable(normalized)
    explained = tiny_model.explain(text, top=5)
    assert set(explained) == set(tiny_model.labels)
    for contributions in explained.values():
        for contribution in contributions:
            assert contribution.ngram.strip()
            assert contribution.ngram in normalized or contribution.ngram in shown
            assert "xxecho" not in contribution.ngram


@pytest.mark.parametrize("text", EXPLAINED)
def test_explanations_are_at_most_top_distinct_positive_ngrams_strongest_first(
    tiny_model: LinearModel, text: str
) -> None:
    for contributions in tiny_model.explain(text, top=3).values():
        weights = [c.weight for c in contributions]
        ngrams = [c.ngram for c in contributions]
        assert len(contributions) <= 3
        assert len(set(ngrams)) == len(ngrams)
        assert all(w > 0 for w in weights)
        assert weights == sorted(weights, reverse=True)


def test_the_strongest_reason_for_an_antisemitic_text_is_found(tiny_model: LinearModel) -> None:
    assert tiny_model.explain("the jews control the banks and the media", top=5)["antisemitic"]


def test_explaining_a_batch_equals_explaining_each_text(tiny_model: LinearModel) -> None:
    assert tiny_model.explain_many(EXPLAINED, top=4) == [tiny_model.explain(t, top=4) for t in EXPLAINED]


def test_an_empty_text_has_no_explanations(tiny_model: LinearModel) -> None:
    assert all(not contributions for contributions in tiny_model.explain("").values())


def test_loading_and_scoring_never_import_scikit_learn() -> None:
    # The shipped model must survive a scikit-learn upgrade: nothing on the scoring path may touch it.
    import subprocess
    import sys

    probe = (
        "import sys; from moderation import Moderator; m = Moderator.load(); "
        "m.score_many(['the joo banksters', 'hello'], explain='all'); "
        "print(sorted(name for name in sys.modules if name.split('.')[0] in ('sklearn', 'joblib')))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


# -- loading refuses what a tampered, half-copied or hostile model directory holds (issue 13, items 16-18) --


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda m: m["thresholds"].update(hateful=-5), "thresholds.hateful"),
        (lambda m: m["thresholds"].update(offensive=7), "thresholds.offensive"),
        (lambda m: m["thresholds"].update(hateful=True), "thresholds.hateful"),
        (lambda m: m["thresholds"].update(hateful="0.5"), "thresholds.hateful"),
        (lambda m: m["thresholds"].pop("antisemitic"), "thresholds must hold one entry"),
        (lambda m: m["thresholds"].update(extra=0.5), "thresholds must hold one entry"),
        (lambda m: m["calibration"]["hateful"].update(slope=0), "calibration.hateful.slope"),
        (lambda m: m["calibration"]["hateful"].update(slope=-1.0), "calibration.hateful.slope"),
        (lambda m: m["calibration"]["offensive"].update(offset=1e300), "calibration.offensive.offset"),
        (lambda m: m["intercepts"].update(hateful=None), "intercepts.hateful"),
        (lambda m: m.update(labels=["hateful", "hateful", "offensive"]), "labels"),
        (lambda m: m.update(labels=[]), "labels"),
        (lambda m: m.update(labels="hateful"), "labels"),
        (lambda m: m.update(languages=[3]), "languages"),
        (lambda m: m["features"].update(n_features=2**40), "n_features"),
        (lambda m: m["features"].update(n_features=True), "n_features"),
        (lambda m: m["features"].update(char_ngrams=[2]), "char_ngrams"),
        (lambda m: m["features"].update(word_ngrams=["1", "2"]), "word_ngrams"),
        (lambda m: m["features"].update(idf="yes"), "idf"),
        (lambda m: m["features"].update(norm_smoothing=[-1.0, 0.0]), "norm_smoothing"),
        (lambda m: m["features"].update(norm_smoothing=[0.0]), "norm_smoothing"),
        (lambda m: m["features"].update(near_words=17), "near_words"),
        (lambda m: m["features"].update(near_words=True), "near_words"),
        (lambda m: m["features"].update(near_words=2.5), "near_words"),
        (lambda m: m["features"].update(near_smoothing=-1), "near_smoothing"),
        (lambda m: m["features"].update(group_words=["jews"]), "group_words"),
        (lambda m: m["features"].update(group_words={"Jews": "religion"}), "group_words"),
        (lambda m: m["features"].update(group_words={"jews": 3}), "group_words"),
        (lambda m: m["features"].update(group_words={"jews": "a kind"}), "group_words"),
        (lambda m: m["features"].update(negation_words="not"), "negation_words"),
        (lambda m: m["features"].update(negation_words=["not", 3]), "negation_words"),
        (lambda m: m["features"].update(frame_words="claiming"), "frame_words"),
        (lambda m: m["features"].update(frame_words=["Claiming"]), "frame_words"),
        (lambda m: m.update(scoring={"window_words": 0}), "window_words"),
        (lambda m: m.update(scoring={"window_words": 10**9}), "window_words"),
        (lambda m: m.update(scoring="64"), "window_words"),
        (lambda m: m["scoring"].update(window_target_margin=-1), "window_target_margin"),
        (lambda m: m["scoring"].update(window_target_margin="0"), "window_target_margin"),
        (lambda m: m["scoring"].update(window_margin=True), "window_margin"),
        (lambda m: m["scoring"].update(window_margin=1e9), "window_margin"),
    ],
)
def test_every_manifest_value_is_checked(saved: Path, change, words: str) -> None:
    manifest = json.loads((saved / MANIFEST).read_text())
    change(manifest)
    (saved / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(ModelError, match=words):
        LinearModel.load(saved)


# A long comment whose hateful sentence names no group: the windows a retired margin would have gated.
LONG_PROBES = [
    *PROBES,
    "The council met on Tuesday to discuss the budget for the roads and the schools. "
    "The mayor said the library would stay open on Sundays. They control the banks and the media. "
    "Roads and schools took most of the meeting.",
]


def test_a_manifest_of_an_older_moderate_with_no_margin_for_windows_naming_no_group_loads(
    tiny_model: LinearModel, saved: Path
) -> None:
    # Models saved by the moderate of the fourteenth batch carry the margin at 0 and the target words it read;
    # at 0 the margin never changed a score, so they load and score as they always did.
    manifest = json.loads((saved / MANIFEST).read_text())
    manifest["scoring"].update(window_target_margin=0.0, window_targets=["jews", "migrants"])
    (saved / MANIFEST).write_text(json.dumps(manifest))
    loaded = LinearModel.load(saved)
    assert "window_target_margin" not in loaded.manifest()["scoring"]
    np.testing.assert_array_equal(loaded.probabilities(LONG_PROBES), tiny_model.probabilities(LONG_PROBES))


@pytest.mark.parametrize("margin", [0.15, 1, 100])
def test_a_manifest_asking_a_margin_of_windows_naming_no_group_is_refused_not_scored_differently(
    saved: Path, margin: float
) -> None:
    manifest = json.loads((saved / MANIFEST).read_text())
    manifest["scoring"].update(window_target_margin=margin, window_targets=["jews"])
    (saved / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(ModelError, match="window_target_margin") as refused:
        LinearModel.load(saved)
    message = str(refused.value)
    assert "\n" not in message and "older moderate" in message and "retrain" in message


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_numbers_in_the_manifest_are_refused(saved: Path, constant: str) -> None:
    text = (saved / MANIFEST).read_text()
    manifest = json.loads(text)
    threshold = json.dumps(manifest["thresholds"]["hateful"])
    (saved / MANIFEST).write_text(text.replace(f'"hateful": {threshold}', f'"hateful": {constant}', 1))
    with pytest.raises(ModelError, match="manifest"):
        LinearModel.load(saved)


def test_a_manifest_linked_to_dev_zero_is_refused_without_reading_it(saved: Path) -> None:
    import subprocess
    import sys

    (saved / MANIFEST).unlink()
    (saved / MANIFEST).symlink_to("/dev/zero")
    # In a child with 1 GB of address space and a deadline: an unbounded read fails the test, not the machine.
    program = (
        "import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (2**30, 2**30))\n"
        "from moderation.errors import ModelError\nfrom moderation.model import LinearModel\n"
        "try:\n    LinearModel.load(sys.argv[1])\nexcept ModelError as error:\n    print(error)\n"
    )
    child = subprocess.run(
        [sys.executable, "-c", program, str(saved)], capture_output=True, text=True, timeout=120
    )
    assert child.returncode == 0 and "not a regular file" in child.stdout, child.stderr[-500:]


@pytest.mark.parametrize("name", [WEIGHTS, "lexicon.json"])
def test_a_model_file_linked_to_a_device_is_refused(saved: Path, name: str) -> None:
    (saved / name).unlink()
    (saved / name).symlink_to("/dev/zero")
    with pytest.raises(ModelError, match="not a regular file"):
        LinearModel.load(saved)


def test_a_fifo_in_place_of_the_manifest_does_not_hang_the_load(saved: Path) -> None:
    import os
    import subprocess
    import sys

    (saved / MANIFEST).unlink()
    os.mkfifo(saved / MANIFEST)
    program = (
        "import sys\nfrom moderation.errors import ModelError\nfrom moderation.model import LinearModel\n"
        "try:\n    LinearModel.load(sys.argv[1])\nexcept ModelError as error:\n    print(error)\n"
    )
    # A hang would block the whole test run: the child gets a deadline instead.
    child = subprocess.run(
        [sys.executable, "-c", program, str(saved)], capture_output=True, text=True, timeout=60
    )
    assert "not a regular file" in child.stdout, child.stderr[-500:]


def test_an_oversized_manifest_is_refused_before_it_is_read(saved: Path) -> None:
    from moderation.model import MAX_MANIFEST_BYTES

    with open(saved / MANIFEST, "r+b") as handle:
        handle.truncate(MAX_MANIFEST_BYTES + 1)  # sparse: the size is claimed, nothing is written
    with pytest.raises(ModelError, match="larger than any model file"):
        LinearModel.load(saved)


def test_weights_whose_members_inflate_past_the_manifest_shape_are_refused(saved: Path) -> None:
    with np.load(saved / WEIGHTS) as archive:
        arrays = dict(archive)
    big = np.zeros((arrays["weights"].shape[0] * 4, 3), dtype=np.float32)  # compresses to almost nothing
    np.savez_compressed(saved / WEIGHTS, **{**arrays, "weights": big})
    files = json.loads((saved / MANIFEST).read_text())["files"]
    _rewrite_manifest(saved, files={**files, WEIGHTS: _sha256(saved / WEIGHTS)})
    with pytest.raises(ModelError, match="larger than the manifest's shape allows"):
        LinearModel.load(saved)


@pytest.mark.parametrize("stray", ["extra.pkl", ".hidden", "weights.npz.bak"])
def test_a_model_directory_with_unknown_files_is_refused_and_they_are_named(saved: Path, stray: str) -> None:
    (saved / stray).write_bytes(b"\x80\x04K\x01.")
    with pytest.raises(ModelError, match=f"unexpected files in the model directory: {stray}"):
        LinearModel.load(saved)


def test_the_model_card_beside_a_model_is_allowed(saved: Path, tiny_model: LinearModel) -> None:
    (saved / "README.md").write_text("# model card\n")
    assert LinearModel.load(saved).labels == tiny_model.labels


# -- where reasons stand in the raw text ----------------------------------------------------------------------

SPELLED = [
    *EXPLAINED,
    "The J3WS control the banks, wake up!",
    "Those (((globalists))) own the PRESS http://x.io",
    "you complete IDIOOOOT, @bob",
    "ＴＨＥ ｊｅｗｓ\u200b control the me\u0301dia",
]


def _read(text: str) -> str:
    """A piece of text as the model reads it, echo marks aside: "(((them)))" closes on the name it follows."""
    return " ".join(readable(normalize(text)).replace("(((", " ").replace(")))", " ").split())


@pytest.mark.parametrize("text", SPELLED)
def test_every_reason_has_spans_in_the_raw_text_that_read_as_its_ngram(
    tiny_model: LinearModel, text: str
) -> None:
    for reasons in tiny_model.explain(text, top=5).values():
        for reason in reasons:
            assert reason.spans, reason
            assert list(reason.spans) == sorted(set(reason.spans))
            for start, end in reason.spans:
                assert 0 <= start < end <= len(text)
                written = text[start:end]
                assert _read(written) == _read(reason.ngram), (reason, written)  # "J3WS" reads "jews"
                assert "(((" not in reason.ngram or "(((" in written


def test_a_reason_points_at_the_obfuscated_spelling_as_written(tiny_model: LinearModel) -> None:
    text = "The J3WS control the banks, wake up!"
    # Ten: the pairs of "jews" with its neighbours ("the jews", "jews control the") are reasons too.
    reasons = {reason.ngram: reason for reason in tiny_model.explain(text, top=10)["antisemitic"]}
    assert [text[start:end] for start, end in reasons["jews"].spans] == ["J3WS"]
    assert [text[start:end] for start, end in reasons["jews control"].spans] == ["J3WS control"]


def test_a_reason_said_twice_has_both_spans(tiny_model: LinearModel) -> None:
    text = "zog runs the banks and the ZOG runs the press"
    (zog,) = [reason for reason in tiny_model.explain(text)["antisemitic"] if reason.ngram == "zog"]
    assert [text[start:end] for start, end in zog.spans] == ["zog", "ZOG"]


def test_only_explained_texts_pay_for_offsets(tiny_model: LinearModel, monkeypatch) -> None:
    from moderation import windows

    tracked: list[str] = []
    real = windows.normalize_with_offsets
    monkeypatch.setattr(
        windows,
        "normalize_with_offsets",
        lambda text, normalized: tracked.append(text) or real(text, normalized),
    )
    # The last two need tracking (a space squeezed); the first is only lower-cased, which the kernel maps itself.
    texts = ["The jews control the banks", "lovely  weather for the parade", "you complete  idiot"]
    assessment = tiny_model.assess(texts)
    assert tracked == []  # scoring alone never tracks offsets
    wanted = np.zeros_like(assessment.probabilities, dtype=bool)
    wanted[2, tiny_model.labels.index("offensive")] = True
    wanted[0, tiny_model.labels.index("antisemitic")] = True
    reasons = tiny_model.reasons(assessment, only=wanted)
    assert tracked == ["you complete  idiot"]
    assert reasons[2]["offensive"][0].spans
    assert [
        texts[0][a:b] for r in reasons[0]["antisemitic"] for a, b in r.spans if r.ngram == "the jews"
    ] == ["The jews"]


def test_reasons_keep_no_spans_rather_than_wrong_ones(tiny_model: LinearModel, monkeypatch) -> None:
    from moderation import windows
    from moderation.normalize import NormalizedText

    # A window that would not normalize to the text explained (it cannot happen while normalize_with_offsets
    # equals normalize, which tests/test_normalize.py proves): its offsets describe another text.
    monkeypatch.setattr(
        windows,
        "normalize_with_offsets",
        lambda text, normalized: NormalizedText("other", (0,) * 5, (1,) * 5),
    )
    reasons = tiny_model.explain("the jews  control the banks")["antisemitic"]  # tracked: a space squeezed
    assert reasons and all(reason.spans == () for reason in reasons)


# -- a threat at a group is hate ---------------------------------------------------------------------------------

THREAT_LABELS = ("hateful", "antisemitic", "offensive", "threat")
# Words that name people a comment can threaten for who they are; "nazis" (a movement) is a context word.
PEOPLE = frozenset({"jews", "muslims", "migrants"})


@pytest.fixture(scope="module")
def threat_model() -> LinearModel:
    """Threat when a text says "burn" (a word weight), hateful when it says "scum"; nothing else counts."""
    from moderation.features import KIND_WORD, Featurizer

    featurizer = Featurizer(n_features=2**14)
    weights = np.zeros((featurizer.n_features, len(THREAT_LABELS)), dtype=np.float32)
    for k, trigger in ((0, "scum"), (3, "burn")):
        occurrences = featurizer.occurrences([trigger], positions=True)
        weights[occurrences.columns[occurrences.kinds == KIND_WORD], k] = 100.0
    return LinearModel(
        THREAT_LABELS, featurizer, Lexicon(), weights, [-5.0] * 4, [[1.0, 0.0]] * 4, [0.5] * 4,
        window_words=12, threat_targets=PEOPLE,
    )  # fmt: skip


def test_a_threat_at_a_group_lifts_hateful_to_the_threat(threat_model: LinearModel) -> None:
    hateful, _, _, threat = threat_model.probabilities(["we should burn the migrants out"])[0]
    assert threat > 0.99
    assert hateful == threat
    reasons = threat_model.explain("we should burn the migrants out")
    assert reasons["hateful"] == reasons["threat"] and reasons["hateful"][0].ngram == "burn"


@pytest.mark.parametrize(
    "text",
    [
        "we should burn the nazis out",  # a movement: a context word, not people attacked for who they are
        "we should burn the old barn down",  # a threat naming no group at all
        "we should burn the anti-migrants mob out",  # people against migrants are not migrants
        "Our neighbours are jews and muslims and we share everything with them. "
        "The man who robbed the corner shop last night, we should burn him out.",  # the threat is elsewhere
    ],
)
def test_a_threat_at_no_group_is_not_hate(threat_model: LinearModel, text: str) -> None:
    hateful, _, _, threat = threat_model.probabilities([text])[0]
    assert threat > 0.99
    assert hateful < 0.05


def test_threat_windows_must_match_the_rows(threat_model: LinearModel) -> None:
    logits = threat_model.logits(["we should burn the migrants out", "hello"])
    with pytest.raises(ValueError, match="1 threat windows for 2 rows"):
        threat_model.calibrated(logits, ["we should burn the migrants out"])


def test_without_threat_targets_a_threat_stays_apart_from_hate(threat_model: LinearModel) -> None:
    plain = dataclasses.replace(threat_model, threat_targets=frozenset())
    hateful, _, _, threat = plain.probabilities(["we should burn the migrants out"])[0]
    assert threat > 0.99 and hateful < 0.05


def test_threat_targets_are_saved_and_a_manifest_without_them_loads_with_none(
    threat_model: LinearModel, tmp_path: Path
) -> None:
    saved = threat_model.save(tmp_path / "model")
    assert LinearModel.load(saved).threat_targets == PEOPLE
    manifest = json.loads((saved / MANIFEST).read_text())
    assert manifest["scoring"]["threat_targets"] == sorted(PEOPLE)
    del manifest["scoring"]["threat_targets"]
    (saved / MANIFEST).write_text(json.dumps(manifest))
    assert LinearModel.load(saved).threat_targets == frozenset()


@pytest.mark.parametrize("value", ["jews", ["Jews"], [3], ["jews", None]])
def test_malformed_threat_targets_are_refused(threat_model: LinearModel, tmp_path: Path, value) -> None:
    saved = threat_model.save(tmp_path / "model")
    manifest = json.loads((saved / MANIFEST).read_text())
    manifest["scoring"]["threat_targets"] = value
    (saved / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(ModelError, match="threat_targets"):
        LinearModel.load(saved)


def test_threat_targets_need_the_hateful_and_threat_labels(tiny_model: LinearModel) -> None:
    with pytest.raises(ModelError, match="threat_targets needs"):
        dataclasses.replace(tiny_model, threat_targets=PEOPLE)
