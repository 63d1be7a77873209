"""`moderate batch`: score comment tables (JSONL, CSV, Parquet) into one table of scores, here or on Dask.

A thin layer over :mod:`moderation.archive`; needs the ``batch`` extra (``pip install 'moderate[batch]'``).
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Annotated

import typer

from moderation.cli._common import ModelOption, fail, user_errors
from moderation.cli._signals import Terminated, terminate_as_exception
from moderation.errors import InputError
from moderation.moderator import Moderator

HINT = "moderate batch needs the batch extra: pip install 'moderate[batch]'"


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("batch")(batch)


def batch(
    inputs: Annotated[
        list[str],
        typer.Argument(help="Comment tables: .jsonl, .csv or .parquet files, folders of them, or globs."),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="The scores to write: .parquet, .jsonl or .csv.")],
    text_column: Annotated[str, typer.Option(help="The column (JSONL: field) with the comment.")] = "text",
    id_column: Annotated[
        str | None,
        typer.Option(
            help="The column that identifies a comment (default: id, when the first table has one)."
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            metavar="ADDRESS|local",
            help="Run on this Dask scheduler (e.g. tcp://10.0.0.5:8786), or on a local cluster "
            "(local); without it, stream on this machine.",
        ),
    ] = None,
    model: ModelOption = None,
) -> None:
    """Score every comment of comment tables: one output row per comment with its source and row, its
    id, every label's probability and flag, and an error for rows that could not be scored.

    Without --scheduler, tables are read in batches and memory stays flat. With one, every Dask worker
    receives the model and loads it once. The numbers are the same either way. Exit code 2 when a row
    could not be scored (it is kept, with its error) or on bad input.
    """
    try:
        archive = importlib.import_module("moderation.archive")
    except ImportError:
        raise fail(HINT) from None
    if scheduler is not None:
        try:
            import distributed
        except ImportError:
            raise fail(HINT) from None
    with user_errors(), terminate_as_exception():
        try:
            files = archive.table_files(inputs)
            archive.TableWriter(out)  # refuses an unknown format or a missing folder before any work
            if id_column is None and "id" in archive.table_columns(files[0]):
                id_column = "id"
            moderator = Moderator.load(model)
            if scheduler is None:
                summary = archive.score_files(
                    files, out, moderator, text_column=text_column, id_column=id_column
                )
            else:
                summary = _on_dask(distributed, scheduler, files, out, model, text_column, id_column)
        except Terminated:
            raise fail("terminated", 143) from None
        except OSError as error:
            raise InputError(
                f"{getattr(error, 'filename', None) or out}: {error.strerror or error}"
            ) from None
    flagged = ", ".join(f"{count} {label}" for label, count in summary.flagged.items())
    typer.echo(f"wrote {out}: {summary.rows} comments, flagged: {flagged}", err=True)
    if summary.unscored:
        raise fail(f"{summary.unscored} rows could not be scored; their error column says why")


def _on_dask(distributed, scheduler, files, out, model, text_column, id_column):
    archive = importlib.import_module("moderation.archive")
    labels = Moderator.load(model).labels
    if scheduler == "local":
        cluster = distributed.LocalCluster(threads_per_worker=1, dashboard_address=None)
        client = distributed.Client(cluster)
    else:
        cluster = None
        try:
            client = distributed.Client(scheduler, timeout="20s")
        except OSError as error:
            raise InputError(f"--scheduler {scheduler}: cannot connect ({error})") from None
    try:
        frame = archive.score_on_dask(
            client, files, model=model, text_column=text_column, id_column=id_column
        )
        return archive.write_from_dask(client, frame, out, labels)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
