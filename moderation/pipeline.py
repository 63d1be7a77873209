"""What `moderate train` and `moderate evaluate` run, as API: labelled set -> license policy -> fit -> measure.

:func:`train_model` applies the license policy (corpora without a license are measured, never trained or
tuned on), fits on train, calibrates on dev, measures on test (every corpus), DynaHate and the identity
statements, and returns the model with those metrics in its manifest. :func:`measure_model` is the
evaluation of an existing model. Both take the labelled-set table of :func:`moderation.corpora.load_labelled_set`.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from moderation import corpora, evaluation, modelcard
from moderation.errors import DataError, InputError
from moderation.lexicon import Lexicon
from moderation.model import LEXICON, MANIFEST, WEIGHTS, LinearModel
from moderation.training import LabelledTexts, Progress, TrainingConfig, fit

#: The adversarial evaluation-only corpus reported on its own: all of its rows, whatever their split.
ADVERSARIAL = "dynahate_devtest"
IDENTITY_TEMPLATES = "data/identity_templates.json"
DEFAULT_LEXICON = "data/lexicon.json"
DEFAULT_TARGETS = "data/targets.json"


@dataclass(frozen=True)
class TrainingData:
    """A labelled set divided by split and license: what trains, what calibrates, what measures."""

    train: LabelledTexts
    """Train split of the sources that may be trained on."""
    dev: LabelledTexts
    """Dev split of the same: calibration and thresholds."""
    test: LabelledTexts
    """Test split of every source, evaluation-only corpora included."""
    adversarial: LabelledTexts
    """Every row of the adversarial corpus (evaluation only), whatever its split; may be empty."""
    sources: tuple[str, ...]
    """Every source in the set, sorted."""

    @classmethod
    def from_table(cls, table: pd.DataFrame) -> TrainingData:
        trainable = table["source"].map(corpora.is_trainable).to_numpy(dtype=bool)
        return cls(
            train=LabelledTexts.from_frame(table[trainable], "train"),
            dev=LabelledTexts.from_frame(table[trainable], "dev"),
            test=LabelledTexts.from_frame(table, "test"),
            adversarial=LabelledTexts.from_frame(table[table["source"] == ADVERSARIAL]),
            sources=tuple(sorted(set(table["source"]))),
        )


def comment_sources(table: pd.DataFrame) -> tuple[str, ...]:
    """The sources that read like a site's own comment section: the in-domain comments and every labelled file
    an analyst adds (their moderators' decisions), not the public corpora. Thresholds are chosen on these
    rows (:attr:`TrainingConfig.comment_sources`): a comment section's healthy comments, not a corpus's."""
    return tuple(sorted(source for source in set(table["source"]) if source not in corpora.CORPORA))


@dataclass(frozen=True)
class TrainedModel:
    """A trained model (its manifest holding the test metrics) and what it was measured on."""

    model: LinearModel
    test: evaluation.Evaluation
    train_rows: int
    dev_rows: int

    def save(self, directory: str | Path) -> None:
        """Write the model directory, replacing it, with its model card (README.md)."""
        from moderation.reporting import write_atomically

        directory = Path(directory)
        self.model.save(directory)
        write_atomically(directory / "README.md", modelcard.render(self.model.manifest()))


def check_model_directory(out: Path) -> None:
    """Refuse an output that saving would destroy (it replaces the whole directory): a file, or a directory
    holding anything but a model's files. Call it before the minutes of training, not after."""
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out}: exists and is not a directory")
    if out.is_dir():
        names = {path.name for path in out.iterdir()}
        if names and not (MANIFEST in names and names <= {MANIFEST, WEIGHTS, LEXICON, "README.md"}):
            raise InputError(
                f"--out {out}: holds files that are not a model's, and training replaces the whole "
                "directory; name a new or empty directory, or an existing model directory"
            )


def default_lexicon() -> Lexicon:
    """The project's coded-term lexicon (``data/lexicon.json``) when this runs in a checkout, else none."""
    path = corpora.project_file(DEFAULT_LEXICON)
    return Lexicon.load(path) if path else Lexicon()


def default_targets() -> dict[str, str]:
    """The words that name a group, each with the kind of group (``data/targets.json``), when this runs in a
    checkout, else none: the near block pairs them with their neighbours."""
    return dict(_target_file()[0])


def default_threat_targets() -> frozenset[str]:
    """The target words that name people (``data/targets.json``'s terms but its ``context`` words: a state, an
    ideology, a holiday, one woman), when this runs in a checkout, else none: a threat whose deciding window
    names one of them is a threat at a group, and so hate (:attr:`LinearModel.threat_targets`)."""
    terms, context = _target_file()
    return frozenset(terms) - context


def _target_file() -> tuple[dict[str, str], frozenset[str]]:
    path = corpora.project_file(DEFAULT_TARGETS)
    if not path:
        return {}, frozenset()
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
        terms, context = document["terms"], document.get("context", [])
        if not all(isinstance(word, str) and isinstance(kind, str) for word, kind in terms.items()):
            raise TypeError("terms must map words to kinds of group")
        if not isinstance(context, list) or not set(context) <= set(terms):
            raise TypeError("context must list words of terms")
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise DataError(f"{path}: not a target-word file ({error})") from None
    return terms, frozenset(context)


def train_model(
    table: pd.DataFrame,
    *,
    lexicon: Lexicon | None = None,
    config: TrainingConfig | None = None,
    progress: Progress | None = None,
) -> TrainedModel:
    """Train on the licensed rows' train split, calibrate on their dev split, measure on every test row.

    ``lexicon`` None is :func:`default_lexicon`, ``config`` None the default :class:`TrainingConfig` with
    thresholds chosen on :func:`comment_sources` of the table. The manifest records the sources' licenses and
    the test metrics (per corpus and label, clean rows flagged per corpus, DynaHate accuracy, and per identity
    when ``data/identity_templates.json`` is in the checkout). A label the data cannot train is a
    :class:`DataError`.
    """
    data = TrainingData.from_table(table)
    if config is None:
        config = TrainingConfig(comment_sources=comment_sources(table))
    try:
        model = fit(
            data.train,
            data.dev,
            default_lexicon() if lexicon is None else lexicon,
            config,
            corpora=corpora.corpus_cards(data.sources),
            progress=progress,
            targets=default_targets(),
            threat_targets=default_threat_targets(),
        )
    except ValueError as error:
        raise DataError(str(error)) from None
    if progress:
        progress("measuring on test", 0, 0)
    measured = evaluation.evaluate(model, data.test)
    metrics = {
        "split": "test",
        "base_rate": measured.base_rate,
        "corpora": measured.summary(),
        "false_alarms": measured.false_alarm_summary(),
    }
    if len(data.adversarial):
        metrics["dynahate_accuracy"] = round(
            evaluation.flag_accuracy(
                model,
                list(data.adversarial.texts),
                data.adversarial.truth[:, data.adversarial.label_names.index("hateful")] == 1,
            ),
            4,
        )
    identity_path = corpora.project_file(IDENTITY_TEMPLATES)
    if identity_path is not None:
        statements = evaluation.identity_statements(identity_path)
        metrics["identities"] = [
            {k: round(v, 4) if isinstance(v, float) else v for k, v in dataclasses.asdict(m).items()}
            for m in evaluation.identity_bias(model, statements)
        ]
    return TrainedModel(model.with_info(metrics=metrics), measured, len(data.train), len(data.dev))


@dataclass(frozen=True)
class Measurement:
    """An existing model measured on one split of a labelled set, and on the identity statements."""

    evaluation: evaluation.Evaluation
    identities: tuple[evaluation.IdentityMetrics, ...] | None
    """None when there was no identity test set."""

    def to_dict(self) -> dict:
        record = self.evaluation.to_dict()
        if self.identities is not None:
            record["identities"] = [dataclasses.asdict(m) for m in self.identities]
        return record


def measure_model(
    model: LinearModel,
    table: pd.DataFrame,
    *,
    split: str = "test",
    base_rate: float = 0.05,
    identities: Path | None = None,
) -> Measurement:
    """Precision, recall, F1, ROC-AUC and precision at ``base_rate`` per corpus (licensed or not) and label
    on ``split``, clean rows flagged per corpus, and the identity bias on ``identities`` (None:
    ``data/identity_templates.json`` when in the checkout; none when absent)."""
    measured = evaluation.evaluate(
        model, LabelledTexts.from_frame(table, split), split=split, base_rate=base_rate
    )
    identity_path = identities or corpora.project_file(IDENTITY_TEMPLATES)
    bias = None
    if identity_path is not None:
        bias = tuple(evaluation.identity_bias(model, evaluation.identity_statements(identity_path)))
    return Measurement(measured, bias)
