"""`moderate train` and `moderate evaluate` end to end on the tiny fixture corpora (a few rows per corpus)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from moderation.cli import app
from moderation.corpora import CORPORA
from moderation.model import LinearModel

FIXTURE_CORPORA = Path(__file__).resolve().parents[1] / "fixtures" / "corpora"
EVALUATION_ONLY = sorted(
    name for name, info in CORPORA.items() if not info.trainable and (FIXTURE_CORPORA / name).is_dir()
)
TRAINABLE = sorted(
    name for name, info in CORPORA.items() if info.trainable and (FIXTURE_CORPORA / name).is_dir()
)


def _train(out: Path, *extra: str):
    return CliRunner().invoke(
        app, ["train", "--data", str(FIXTURE_CORPORA), "--no-in-domain", "--out", str(out), *extra]
    )


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("train") / "model"
    result = _train(out)
    assert result.exit_code == 0, result.output
    return out


def test_the_fixture_corpora_hold_trainable_and_evaluation_only_sets() -> None:
    assert TRAINABLE and EVALUATION_ONLY  # otherwise the tests below prove less than they say


def test_train_writes_a_model_directory_with_its_card(trained: Path) -> None:
    assert sorted(p.name for p in trained.iterdir()) == [
        "README.md",
        "lexicon.json",
        "manifest.json",
        "weights.npz",
    ]


def test_the_trained_model_loads_and_scores(trained: Path) -> None:
    model = LinearModel.load(trained)
    # The core labels always; an attribute label only when the data has positives for it.
    assert model.labels[:3] == ("hateful", "antisemitic", "offensive")
    assert model.probabilities(["some comment"]).shape == (1, len(model.labels))


def test_the_trained_model_never_saw_an_evaluation_only_corpus(trained: Path) -> None:
    rows = json.loads((trained / "manifest.json").read_text())["training"]["rows_by_corpus"]
    seen = set(rows["train"]) | set(rows["dev"])
    assert seen and seen.isdisjoint(EVALUATION_ONLY)


def test_the_model_card_lists_each_training_corpus_with_its_license(trained: Path) -> None:
    card = (trained / "README.md").read_text()
    rows = json.loads((trained / "manifest.json").read_text())["training"]["rows_by_corpus"]["train"]
    for name in rows:
        row = next(line for line in card.splitlines() if f"`{name}`" in line)
        assert CORPORA[name].license in row


def test_the_model_card_names_the_evaluation_only_corpora(trained: Path) -> None:
    card = (trained / "README.md").read_text()
    for name in EVALUATION_ONLY:
        rows = [line for line in card.splitlines() if f"`{name}`" in line and "evaluation only" in line]
        assert rows, f"{name} is not named as evaluation-only in the model card"


def test_the_model_files_are_readable_by_others(trained: Path) -> None:
    # A model directory is meant to be shipped and shared; a private README would not be packaged for others.
    assert all(p.stat().st_mode & 0o044 == 0o044 for p in trained.iterdir())


def test_training_twice_with_one_seed_gives_the_same_weights(trained: Path, tmp_path: Path) -> None:
    again = _train(tmp_path / "again")
    assert again.exit_code == 0, again.output
    np.testing.assert_array_equal(
        LinearModel.load(tmp_path / "again").weights, LinearModel.load(trained).weights
    )


def test_evaluate_writes_the_metrics_as_json(trained: Path, tmp_path: Path) -> None:
    out = tmp_path / "metrics.json"
    result = CliRunner().invoke(
        app,
        [
            "evaluate",
            "--model",
            str(trained),
            "--data",
            str(FIXTURE_CORPORA),
            "--no-in-domain",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    metrics = json.loads(out.read_text())
    assert metrics["split"] == "test"
    assert metrics["metrics"]
    for row in metrics["metrics"]:
        assert 0.0 <= row["f1"] <= 1.0
        assert row["corpus"] in result.stdout
    # Clean rows flagged, per corpus: printed beside the metrics and written with them.
    assert "false alarms: clean rows given any flag" in result.stdout
    assert metrics["false_alarms"]
    for alarms in metrics["false_alarms"]:
        assert 0 <= alarms["flagged"] <= alarms["clean"]
        assert f"{alarms['corpus']:<32} {alarms['clean']:>7} {alarms['flagged']:>8}" in result.stdout


def test_evaluate_measures_evaluation_only_corpora_too(trained: Path, tmp_path: Path) -> None:
    out = tmp_path / "metrics.json"
    result = CliRunner().invoke(
        app,
        ["evaluate", "--model", str(trained), "--data", str(FIXTURE_CORPORA), "--no-in-domain",
         "--split", "train", "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    measured = {row["corpus"] for row in json.loads(out.read_text())["metrics"]}
    assert set(EVALUATION_ONLY) & measured


@pytest.mark.parametrize("command", ["train", "evaluate"])
def test_a_missing_data_root_is_one_line_and_exit_2(command: str, tmp_path: Path) -> None:
    extra = ["--out", str(tmp_path / "model")] if command == "train" else []
    result = CliRunner().invoke(app, [command, "--data", str(tmp_path / "nowhere"), "--no-in-domain", *extra])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert result.stderr.strip().count("\n") == 0
    assert "nowhere" in result.stderr
    assert not (tmp_path / "model").exists()


def test_evaluate_on_a_missing_model_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["evaluate", "--model", str(tmp_path / "nomodel"), "--data", str(FIXTURE_CORPORA), "--no-in-domain"],
    )
    assert result.exit_code == 2
    assert result.stderr.startswith("moderate: error:")
    assert result.stderr.strip().count("\n") == 0


def test_evaluate_refuses_an_unknown_split(trained: Path) -> None:
    result = CliRunner().invoke(app, ["evaluate", "--model", str(trained), "--split", "validation"])
    assert result.exit_code == 2
    assert "--split" in result.stderr


def test_a_labelled_file_with_a_bad_label_is_one_line_and_exit_2(tmp_path: Path) -> None:
    labelled = tmp_path / "mine.jsonl"
    labelled.write_text('{"text": "hello", "hateful": "maybe"}\n')
    result = CliRunner().invoke(
        app,
        ["train", "--data", str(FIXTURE_CORPORA), "--no-in-domain", "--file", str(labelled), "--out",
         str(tmp_path / "model")],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "hateful must be 0, 1, true, false or blank" in result.stderr
    assert "Traceback" not in result.output


def test_an_analysts_own_file_chooses_the_thresholds_with_the_in_domain_comments(tmp_path: Path) -> None:
    labelled = tmp_path / "our_site.jsonl"
    labelled.write_text(
        "".join(
            json.dumps({"text": f"comment number {i} about the {word} story", "hateful": int(word == "vile")})
            + "\n"
            for i in range(40)
            for word in ("local", "vile")
        )
    )
    out = tmp_path / "model"
    result = _train(out, "--file", str(labelled))
    assert result.exit_code == 0, result.output
    training = json.loads((out / "manifest.json").read_text())["training"]
    assert training["config"]["comment_sources"] == ["our_site"]
    # Its held-out train rows join its dev rows in choosing the hateful threshold, not the corpora's rows.
    hateful = training["labels"]["hateful"]
    assert hateful["threshold_rows"] > hateful["dev_rows"] > 0


def test_train_needs_out_and_never_writes_the_shipped_model_unasked(tmp_path, monkeypatch) -> None:
    from moderation.moderator import MODEL_ENV, default_model_path

    monkeypatch.delenv(MODEL_ENV, raising=False)  # the shipped model, not the one tests/cli/conftest.py sets
    shipped = default_model_path()
    before = {path.name: path.stat().st_mtime_ns for path in shipped.iterdir()}
    monkeypatch.chdir(Path(__file__).resolve().parents[2])  # where models/default is a relative path
    result = CliRunner().invoke(app, ["train", "--data", str(FIXTURE_CORPORA), "--no-in-domain"])
    assert result.exit_code == 2
    assert "--out" in result.output
    assert {path.name: path.stat().st_mtime_ns for path in shipped.iterdir()} == before


@pytest.mark.parametrize("occupied", ["a file", "a folder of other files"])
def test_train_refuses_an_out_it_would_destroy_before_training(tmp_path, occupied) -> None:
    out = tmp_path / "out"
    if occupied == "a file":
        out.write_text("keep me")
    else:
        out.mkdir()
        (out / "notes.txt").write_text("keep me")
        (out / "manifest.json").write_text("{}")
    result = _train(out)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"moderate: error: --out {out}: ") and result.stderr.count("\n") == 1
    kept = out if occupied == "a file" else out / "notes.txt"
    assert kept.read_text() == "keep me"


def test_train_replaces_an_existing_model_directory(trained: Path, tmp_path) -> None:
    import shutil

    out = tmp_path / "model"
    shutil.copytree(trained, out)
    result = _train(out)
    assert result.exit_code == 0, result.output
    model = LinearModel.load(out)
    assert model.probabilities(["x"]).shape == (1, len(model.labels))
