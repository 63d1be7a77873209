"""`moderate train` and `moderate evaluate`: fit a model on labelled data; measure it per corpus and label."""

from __future__ import annotations

import importlib.util
import json
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from moderation.cli._common import ModelOption, fail, user_errors

if TYPE_CHECKING:
    from moderation.evaluation import Evaluation

# The training stack is the `train` extra (import name -> distribution): a plain install scores and serves
# without it, so these commands check for it before anything else.
TRAINING_PACKAGES = {
    "sklearn": "scikit-learn",
    "scipy": "scipy",
    "joblib": "joblib",
    "pandas": "pandas",
    "datasets": "datasets",
}


def _require_training_stack(command: str) -> None:
    """A one-line hint (exit 2) when the `train` extra is not installed, instead of an ImportError traceback."""
    for module, distribution in TRAINING_PACKAGES.items():
        try:
            found = importlib.util.find_spec(module) is not None
        except ImportError:
            found = False
        if not found:
            raise fail(
                f"`moderate {command}` needs {distribution}, which is not installed: "
                "pip install 'moderate[train]'"
            )


DATA_HELP = (
    "Corpora root (folders as in ../shared/datasets). Default: $MODERATE_CORPORA or ../shared/datasets."
)


class Split(str, Enum):
    train = "train"
    dev = "dev"
    test = "test"


DataOption = Annotated[Path | None, typer.Option("--data", help=DATA_HELP)]
NoCorporaOption = Annotated[
    bool, typer.Option("--no-corpora", help="Use no public corpora (in-domain/--file only).")
]
InDomainOption = Annotated[
    Path | None, typer.Option("--in-domain", help="In-domain JSONL (default data/comments.jsonl).")
]
NoInDomainOption = Annotated[bool, typer.Option("--no-in-domain", help="Leave the in-domain comments out.")]
FilesOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--file",
        "-f",
        help="Extra labelled CSV/TSV/JSONL file, a datasets save_to_disk folder, or hf:owner/name(@split) "
        "from the Hugging Face Hub (repeatable). Training reads it as your own site's comments: with the "
        "in-domain ones, its rows choose the flag thresholds.",
    ),
]


def _labelled_set(data: Path | None, no_corpora: bool, in_domain: Path | None, no_in_domain: bool, files):
    """Every labelled row: the corpora (licensed or not: the API decides what trains), in-domain, files."""
    from rich.console import Console

    from moderation import corpora

    root = None if no_corpora else (data if data is not None else corpora.default_corpora_root())
    with Console(stderr=True).status("loading labelled data") as status:
        return corpora.load_labelled_set(
            root,
            in_domain=False if no_in_domain else (in_domain or True),
            files=files or [],
            progress=lambda name: status.update(f"loading {name}"),
        )


def train(
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            "-o",
            help="Model directory to write (required): a new or empty directory, or a model directory to "
            "replace. Nothing is written anywhere else: the shipped model changes only when named here.",
        ),
    ],
    data: DataOption = None,
    no_corpora: NoCorporaOption = False,
    in_domain: InDomainOption = None,
    no_in_domain: NoInDomainOption = False,
    files: FilesOption = None,
    lexicon: Annotated[
        Path | None, typer.Option("--lexicon", help="Coded-term lexicon JSON (default data/lexicon.json).")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed; training is deterministic given it.")] = 0,
) -> None:
    """Train a model on the train split, calibrate on dev, measure on test, write it with its model card."""
    _require_training_stack("train")
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from moderation import pipeline
    from moderation.lexicon import Lexicon
    from moderation.training import TrainingConfig

    with user_errors():
        pipeline.check_model_directory(out)
        table = _labelled_set(data, no_corpora, in_domain, no_in_domain, files)
        with Progress(
            TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(), transient=True,
        ) as progress:  # fmt: skip
            task = progress.add_task("training", total=None)

            def report(stage: str, done: int, total: int) -> None:
                progress.update(task, description=stage, completed=done, total=total or None)

            trained = pipeline.train_model(
                table,
                lexicon=Lexicon.load(lexicon) if lexicon else None,
                config=TrainingConfig(seed=seed, comment_sources=pipeline.comment_sources(table)),
                progress=report,
            )
        trained.save(out)
        typer.echo(_metrics_table(trained.test))
        typer.echo(
            f"wrote {out} ({trained.train_rows:,} train rows, {trained.dev_rows:,} dev rows)", err=True
        )


def evaluate(
    model_dir: ModelOption = None,
    data: DataOption = None,
    no_corpora: NoCorporaOption = False,
    in_domain: InDomainOption = None,
    no_in_domain: NoInDomainOption = False,
    files: FilesOption = None,
    split: Annotated[Split, typer.Option("--split", help="Which split to measure.")] = Split.test,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Also write the metrics as JSON here.")
    ] = None,
    base_rate: Annotated[
        float,
        typer.Option(
            "--base-rate",
            min=0.001,
            max=0.999,
            help="Share of positives in a real comment section: the P@base column reweights each corpus to it.",
        ),
    ] = 0.05,
    identities: Annotated[
        Path | None,
        typer.Option(
            "--identities",
            help="Identity test set (default data/identity_templates.json): false flags and bias AUCs per identity.",
        ),
    ] = None,
) -> None:
    """Print precision, recall, F1 and ROC-AUC per corpus and label (all corpora, licensed or not), precision at
    a comment section's base rate, how many clean rows of each corpus get any flag, and per identity the false
    flag rate and unintended-bias AUCs."""
    _require_training_stack("evaluate")
    from moderation import pipeline
    from moderation.moderator import Moderator
    from moderation.reporting import write_atomically

    with user_errors():
        moderator = Moderator.load(model_dir)
        table = _labelled_set(data, no_corpora, in_domain, no_in_domain, files)
        measured = pipeline.measure_model(
            moderator.model, table, split=split.value, base_rate=base_rate, identities=identities
        )
        typer.echo(_metrics_table(measured.evaluation))
        typer.echo(_false_alarm_table(measured.evaluation))
        if measured.identities is not None:
            typer.echo(_identity_table(measured.identities))
        if out is not None:
            write_atomically(out, json.dumps(measured.to_dict(), indent=2) + "\n")


def _identity_table(bias) -> str:
    header = (
        f"{'identity':<16} {'benign':>6} {'hate':>5} {'false flags':>11} {'missed':>7} "
        f"{'subgroup':>8} {'BPSN':>6} {'BNSP':>6}"
    )
    lines = ["", "identity statements (AUCs on the hateful probability)", header, "-" * len(header)]
    for m in bias:
        lines.append(
            f"{m.identity:<16} {m.benign:>6} {m.hateful:>5} {m.false_flag_rate:>11.3f} {m.missed_rate:>7.3f} "
            f"{m.subgroup_auc:>8.3f} {m.bpsn_auc:>6.3f} {m.bnsp_auc:>6.3f}"
        )
    return "\n".join(lines)


def _false_alarm_table(measured: Evaluation) -> str:
    header = f"{'corpus':<32} {'clean':>7} {'flagged':>8} {'share':>6}"
    lines = ["", "false alarms: clean rows given any flag (a label known to be 0)", header, "-" * len(header)]
    for a in measured.false_alarms:
        lines.append(f"{a.corpus:<32} {a.clean:>7} {a.flagged:>8} {a.rate:>6.3f}")
    return "\n".join(lines)


def _metrics_table(measured) -> str:
    header = (
        f"{'corpus':<32} {'label':<12} {'rows':>7} {'pos':>6} {'prec':>6} {'rec':>6} {'F1':>6} {'AUC':>6} "
        f"{'P@base':>6}"
    )
    lines = [
        f"{measured.split} split; P@base: precision with positives reweighted to {measured.base_rate:g} of rows",
        header,
        "-" * len(header),
    ]
    for m in measured.metrics:
        auc = "-" if m.roc_auc is None else f"{m.roc_auc:.3f}"
        at_base = "-" if m.precision_at_base_rate is None else f"{m.precision_at_base_rate:.3f}"
        lines.append(
            f"{m.corpus:<32} {m.label:<12} {m.rows:>7} {m.positives:>6} {m.precision:>6.3f} {m.recall:>6.3f} "
            f"{m.f1:>6.3f} {auc:>6} {at_base:>6}"
        )
    return "\n".join(lines)


def register(app: typer.Typer) -> None:
    """Add `train` and `evaluate` to the app."""
    app.command("train")(train)
    app.command("evaluate")(evaluate)
