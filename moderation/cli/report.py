"""`moderate report`: score a whole corpus of scraped pages and write one HTML, CSV or JSONL report.

Inputs are files (any name), directories (walked recursively for ``*.txt``, ``*.html`` and ``*.htm``,
skipping hidden files and folders, not following symbolic links) and glob patterns (``**`` recurses), or ``-``
for stdin. Each file is read once even when named twice. The report being written, and any HTML report
moderate wrote earlier, are never read as articles (a note on stderr says so). A file that cannot be read or
parsed is listed in the report with its error and reported on stderr; the report is still written
(atomically), and the exit code is then 2, as for ``moderate score``.

Articles are parsed, scored and written one at a time: CSV and JSONL lines go out as each article is
scored, and the HTML summary keeps counts and a capped list of flagged comments, so memory does not grow
with the corpus. SIGTERM, like Ctrl-C, stops the run and leaves no temporary file behind.
"""

from __future__ import annotations

from contextlib import closing
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from moderation.cli._common import (
    MaxBytesOption,
    ModelOption,
    ThresholdOption,
    fail,
    load_moderator,
    user_errors,
)
from moderation.cli._signals import Terminated, Termination, terminate_as_exception
from moderation.errors import InputError, ModerateError
from moderation.moderator import Moderator
from moderation.reading import DEFAULT_MAX_BYTES, FailedInput, collect_inputs
from moderation.reporting import Report, ReportWriter, report_format, without_reports
from moderation.reporting.corpus import moderate_corpus


def _model_facts(manifest: dict, directory: Path | None) -> dict:
    """What the report header says about the model: its name and version, where the manifest tells."""
    name = manifest.get("name") or (directory.name if directory else "default")
    version = manifest.get("version") or manifest.get("moderate_version")
    return {"name": str(name), **({"version": str(version)} if version else {})}


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("report")(report)


def report(
    paths: Annotated[
        list[str],
        typer.Argument(
            help="Files, directories (searched recursively for *.txt, *.html, *.htm) or glob patterns; "
            "- for stdin."
        ),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="The report to write: .html, .csv or .jsonl.")],
    threshold: ThresholdOption = None,
    model: ModelOption = None,
    max_bytes: MaxBytesOption = DEFAULT_MAX_BYTES,
) -> None:
    """Score every comment of a corpus and write one report: totals, articles, flagged comments.

    The format follows the extension of --out: the HTML page summarises and shows the 1,000 most
    confident flagged comments; CSV and JSONL hold every comment. Files that fail are listed in the report
    (CSV: rows with only source and error) and on stderr; the report is still written, and the exit code
    is then 2. The --out file and earlier HTML reports of moderate are never read as articles.
    """
    errors = Console(stderr=True, highlight=False, soft_wrap=True)
    with user_errors():
        report_format(out)
        if not out.parent.is_dir():
            raise InputError(f"{out}: directory {out.parent} does not exist")
    moderator = load_moderator(model, threshold)
    with user_errors(), terminate_as_exception() as termination:
        try:
            files, failures = collect_inputs(paths)
            files, reports = without_reports(files, out)
            for skipped in reports:
                errors.print(f"moderate: note: {skipped} is a moderate report, not read", markup=False)
            for failure in failures:
                errors.print(f"moderate: error: {failure.error}", markup=False)
            result = _write(moderator, files, failures, out, model, max_bytes, errors, termination)
        except Terminated:
            raise fail("terminated", 143) from None
    flagged = ", ".join(f"{count} {label}" for label, count in result.total_flagged.items())
    errors.print(
        f"wrote {out}: {len(result.rows)} articles, {result.total_comments} comments, "
        f"{result.total_flagged_any} flagged ({flagged}); failed inputs: {len(result.failures)}",
        markup=False,
    )
    if result.failures:
        raise typer.Exit(2)


def _write(
    moderator: Moderator,
    files: list[str],
    failures: list[FailedInput],
    out: Path,
    model: Path | None,
    max_bytes: int,
    errors: Console,
    termination: Termination,
) -> Report:
    """Parse, score and write the articles as they come; returns the report's summary."""
    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    writer = ReportWriter(
        out,
        labels=moderator.labels,
        thresholds=moderator.thresholds,
        model=_model_facts(dict(moderator.manifest), model),
        explain=moderator.score_many,
    )
    # The HTML page shows reasons only for the flagged comments it lists, explained when it is written;
    # CSV and JSONL hold every comment's reasons.
    explain = "none" if report_format(out) in (".html", ".htm") else "flagged"
    # The corpus is closed as soon as the loop ends, however it ends: its parser processes are shut down here,
    # in order, not when the interpreter exits (a SIGTERM'd report could then wait on them forever).
    with (
        writer,
        Progress(*columns, console=errors, transient=True, disable=not errors.is_terminal) as progress,
        closing(moderate_corpus(files, moderator, max_bytes=max_bytes, explain=explain)) as corpus,
    ):
        for failure in failures:
            writer.fail(failure)
        task = progress.add_task("scoring", total=len(files))
        for file, scored in corpus:
            termination.check()
            if isinstance(scored, ModerateError):
                writer.fail(FailedInput(file, str(scored)))
                progress.console.print(f"moderate: error: {scored}", markup=False)
            else:
                writer.add(scored)
            progress.advance(task)
        termination.check()
    return writer.report
