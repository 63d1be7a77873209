"""Scoring comment tables: JSONL, CSV and Parquet in, one row of scores per comment out, here or on Dask."""

from __future__ import annotations

import json
import sys

import pandas as pd
import pytest
from typer.testing import CliRunner

from moderation.archive import read_batches, score_files, score_frame, table_files
from moderation.cli import app
from moderation.moderator import MODEL_ENV, Moderator

TEXTS = [
    "you are an idiot and everyone knows it",
    "lovely photos of the open day",
    "the joos control the banks, wake up",
    "council approves the new bike lanes",
    "go back to where you came from, vermin",
    "thanks for the recipe!",
]


@pytest.fixture(scope="module", autouse=True)
def moderator(small_model_path) -> Moderator:
    """The small model (tests/conftest.py), which $MODERATE_MODEL also names here for `moderate batch` and for
    Dask workers' ModelPlugin: these tests need a model, not the shipped one's judgement."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(MODEL_ENV, str(small_model_path))
        yield Moderator.load()


@pytest.fixture
def tables(tmp_path):
    """The same kind of comments as JSONL (with bad lines), CSV and Parquet, in a folder."""
    folder = tmp_path / "archive"
    (folder / "2024").mkdir(parents=True)
    lines = [json.dumps({"id": f"j{i}", "text": f"{text} ({i})"}) for i, text in enumerate(TEXTS * 5)]
    lines[3] = "{not json"
    lines[5] = json.dumps({"id": "j5", "text": 42})
    lines[8] = json.dumps({"id": "j8"})
    (folder / "a.jsonl").write_text("\n".join(lines) + "\n\n")
    frame = pd.DataFrame({"id": [f"c{i}" for i in range(12)], "text": (TEXTS * 2)[::-1], "extra": 1})
    frame.to_csv(folder / "2024" / "b.csv", index=False)
    parquet = pd.DataFrame(
        {"id": [f"p{i}" for i in range(40)], "text": [f"{t} #{i}" for i, t in enumerate(TEXTS * 7)][:40]}
    )
    parquet.to_parquet(folder / "2024" / "c.parquet", row_group_size=15)  # three row groups
    return folder


def test_score_frame_gives_each_row_every_label_and_reports_rows_without_text(moderator):
    frame = pd.DataFrame({"key": [7, 8, 9], "body": ["you idiot", None, 3]}, index=[10, 11, 12])
    scored = score_frame(frame, moderator, text_column="body", id_column="key")
    assert list(scored.index) == [10, 11, 12]
    assert list(scored["id"]) == ["7", "8", "9"]
    expected = moderator.probabilities(["you idiot"])[0]
    flags = moderator.flags(expected[None])[0]
    for k, label in enumerate(moderator.labels):
        assert scored[f"{label}_probability"].iloc[0] == expected[k]
        assert bool(scored[f"{label}_flagged"].iloc[0]) == flags[k]
        assert scored[f"{label}_flagged"].isna().tolist() == [False, True, True]
    assert list(scored["error"]) == ["", "no body", "body is not a string (int)"]


def test_a_table_without_the_text_column_is_a_clear_error(tmp_path, moderator):
    pd.DataFrame({"comment": ["x"]}).to_csv(tmp_path / "t.csv", index=False)
    result = CliRunner().invoke(app, ["batch", str(tmp_path / "t.csv"), "--out", str(tmp_path / "o.csv")])
    assert result.exit_code == 2
    assert (
        result.stderr.strip() == f'moderate: error: {tmp_path / "t.csv"}: no "text" column (columns: comment)'
    )
    assert not (tmp_path / "o.csv").exists()


def test_files_are_read_in_bounded_batches_and_scores_do_not_depend_on_the_batch(tables, tmp_path, moderator):
    files = table_files([str(tables)])
    assert [f.name for f in files] == ["b.csv", "c.parquet", "a.jsonl"] or [f.name for f in files] == [
        "a.jsonl",
        "b.csv",
        "c.parquet",
    ]
    assert max(len(batch) for f in files for batch in read_batches(f, id_column="id", rows=7)) == 7
    score_files(files, tmp_path / "small.parquet", moderator, id_column="id", rows=7)
    summary = score_files(files, tmp_path / "large.parquet", moderator, id_column="id")
    small, large = pd.read_parquet(tmp_path / "small.parquet"), pd.read_parquet(tmp_path / "large.parquet")
    pd.testing.assert_frame_equal(small, large)
    assert summary.rows == len(large) == 30 + 12 + 40 and summary.unscored == 3
    bad = large[large["error"] != ""]
    assert bad[["id", "row", "error"]].astype(object).where(bad.notna(), None).values.tolist() == [
        [None, 4, "not valid JSON (Expecting property name enclosed in double quotes)"],
        ["j5", 6, "text is not a string (int)"],
        ["j8", 9, "no text"],
    ]


def test_output_formats_hold_the_same_numbers(tables, tmp_path, moderator):
    files = table_files([str(tables)])
    for name in ("o.parquet", "o.jsonl", "o.csv"):
        score_files(files, tmp_path / name, moderator, id_column="id")
    parquet = pd.read_parquet(tmp_path / "o.parquet")
    records = [json.loads(line) for line in (tmp_path / "o.jsonl").read_text().splitlines()]
    as_csv = pd.read_csv(tmp_path / "o.csv", dtype={"id": str}, keep_default_na=False)
    assert len(records) == len(as_csv) == len(parquet)
    for label in moderator.labels:
        column = f"{label}_probability"
        scored = parquet[column].notna()
        assert [r[column] for r in records if r[column] is not None] == parquet[column][scored].tolist()
        assert [float(v) for v in as_csv[column] if v != ""] == parquet[column][scored].tolist()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.mark.slow
def test_a_local_dask_cluster_of_two_worker_processes_writes_exactly_what_streaming_writes(tables, tmp_path):
    distributed = pytest.importorskip("distributed")
    from moderation.archive import ModelPlugin, score_on_dask, write_from_dask

    files = table_files([str(tables)])
    moderator = Moderator.load()
    score_files(files, tmp_path / "here.parquet", moderator, id_column="id")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        frame = score_on_dask(client, files, id_column="id")
        assert frame.npartitions == 5  # one per JSONL/CSV file, one per Parquet row group

        def loaded_models(dask_worker):
            return [id(p.moderator) for p in dask_worker.plugins.values() if isinstance(p, ModelPlugin)]

        before = client.run(loaded_models)
        assert len(before) == 2 and all(len(ids) == 1 and ids[0] != id(None) for ids in before.values())
        write_from_dask(client, frame, tmp_path / "there.parquet", moderator.labels)

        # The pandas API in map_partitions finds the worker's model by itself.
        import dask.dataframe as dd

        texts = dd.from_pandas(pd.DataFrame({"text": TEXTS * 4}), npartitions=4)
        meta = score_frame(pd.DataFrame({"text": ["x"]}), moderator).iloc[:0]
        on_workers = texts.map_partitions(score_frame, meta=meta).compute()
        assert client.run(loaded_models) == before  # each worker loaded its model once, before any task
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "there.parquet"), pd.read_parquet(tmp_path / "here.parquet")
    )
    pd.testing.assert_frame_equal(on_workers, score_frame(pd.DataFrame({"text": TEXTS * 4}), moderator))


@pytest.mark.slow
def test_the_batch_command_on_a_local_cluster_matches_the_command_without_one(tables, tmp_path):
    pytest.importorskip("distributed")
    runner = CliRunner()
    here = runner.invoke(app, ["batch", str(tables), "--out", str(tmp_path / "here.csv")])
    there = runner.invoke(
        app, ["batch", str(tables), "--out", str(tmp_path / "there.csv"), "--scheduler", "local"]
    )
    assert here.exit_code == there.exit_code == 2  # three rows have no text; they are kept and named
    assert "3 rows could not be scored" in here.stderr
    assert (tmp_path / "here.csv").read_text() == (tmp_path / "there.csv").read_text()
    assert (tmp_path / "here.csv").read_text().splitlines()[0].startswith("source,row,id,hateful_probability")


def test_without_the_batch_extra_the_command_prints_a_hint(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "moderation.archive", None)  # import fails as if pandas were missing
    result = CliRunner().invoke(app, ["batch", str(tmp_path), "--out", str(tmp_path / "o.csv")])
    assert result.exit_code == 2
    assert (
        result.stderr
        == "moderate: error: moderate batch needs the batch extra: pip install 'moderate[batch]'\n"
    )


def test_unknown_formats_and_missing_inputs_are_one_line_errors(tmp_path):
    (tmp_path / "t.jsonl").write_text('{"text": "hi"}\n')
    runner = CliRunner()
    wrong_out = runner.invoke(app, ["batch", str(tmp_path / "t.jsonl"), "--out", str(tmp_path / "o.xlsx")])
    assert wrong_out.exit_code == 2 and "unknown output format .xlsx" in wrong_out.stderr
    missing = runner.invoke(app, ["batch", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "o.csv")])
    assert missing.exit_code == 2 and "nope.csv: no such file or directory" in missing.stderr
    (tmp_path / "notes.txt").write_text("x")
    wrong_in = runner.invoke(app, ["batch", str(tmp_path / "notes.txt"), "--out", str(tmp_path / "o.csv")])
    assert wrong_in.exit_code == 2 and "unknown table format .txt" in wrong_in.stderr
    assert "Traceback" not in wrong_out.stderr + missing.stderr + wrong_in.stderr


def test_a_table_that_breaks_midway_leaves_the_old_output_and_no_temporary_file(tmp_path):
    good = "".join(f"c{i},comment number {i}\n" for i in range(30))
    (tmp_path / "t.csv").write_text("id,text\n" + good + 'c30,"an unterminated quote\n')
    out = tmp_path / "o.jsonl"
    out.write_text("yesterday's scores\n")
    result = CliRunner().invoke(app, ["batch", str(tmp_path / "t.csv"), "--out", str(out)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"moderate: error: {tmp_path / 't.csv'}: not a readable CSV table")
    assert out.read_text() == "yesterday's scores\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o.jsonl", "t.csv"]
