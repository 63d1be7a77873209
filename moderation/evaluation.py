"""Metrics per corpus and label: precision, recall and F1 of a Moderator's flags (its thresholds and the label
hierarchy), and ROC-AUC; precision at a real comment section's base rate; per corpus, how many of its clean
rows get a flag at all; false flags and unintended-bias AUCs per identity. The measures themselves are defined
in :mod:`moderation.metrics`.

Every corpus is scored separately, because one pooled number hides exactly what matters here: a model can
look fine on a union of Twitter sets while missing the antisemitism that one corpus is about. Corpora are
20-40% hateful and a comment section is not, so each precision is also given with the corpus reweighted to a
base rate of a few percent (``base_rate``): what a moderator's queue would hold.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from moderation.errors import DataError
from moderation.metrics import flag_quality, precision_at_base_rate
from moderation.model import LinearModel
from moderation.moderator import Moderator
from moderation.training import LabelledTexts


@dataclass(frozen=True)
class LabelMetrics:
    corpus: str
    label: str
    rows: int
    positives: int
    threshold: float
    precision: float
    recall: float
    f1: float
    roc_auc: float | None  # None when the corpus has one class only for this label
    precision_at_base_rate: float | None = None
    """Precision with the rows reweighted so that positives are ``base_rate`` of them (None: no negatives)."""


@dataclass(frozen=True)
class FalseAlarms:
    """A corpus's clean rows (every label known for the row is 0) and how many of them get any flag on a label
    known to be 0: what a moderator sees as noise, whichever label raised it."""

    corpus: str
    clean: int
    flagged: int

    @property
    def rate(self) -> float:
        return self.flagged / self.clean if self.clean else 0.0


@dataclass(frozen=True)
class Evaluation:
    split: str
    metrics: tuple[LabelMetrics, ...]
    base_rate: float = 0.05
    false_alarms: tuple[FalseAlarms, ...] = ()

    def to_dict(self) -> dict:
        return {
            "split": self.split,
            "base_rate": self.base_rate,
            "metrics": [asdict(m) for m in self.metrics],
            "false_alarms": [asdict(a) for a in self.false_alarms],
        }

    def false_alarm_summary(self) -> dict[str, dict[str, int]]:
        """``{corpus: {clean, flagged}}``: the false alarms as a model card records them."""
        return {a.corpus: {"clean": a.clean, "flagged": a.flagged} for a in self.false_alarms}

    def summary(self) -> dict[str, dict[str, dict[str, float | None]]]:
        """``{corpus: {label: {f1, precision, recall, roc_auc, positives}}}``: what a model card records."""
        result: dict[str, dict[str, dict[str, float | None]]] = {}
        for m in self.metrics:
            result.setdefault(m.corpus, {})[m.label] = {
                "f1": round(m.f1, 4),
                "precision": round(m.precision, 4),
                "recall": round(m.recall, 4),
                "roc_auc": None if m.roc_auc is None else round(m.roc_auc, 4),
                "precision_at_base_rate": None
                if m.precision_at_base_rate is None
                else round(m.precision_at_base_rate, 4),
                "rows": m.rows,
                "positives": m.positives,
            }
        return result


def evaluate(
    moderator: Moderator | LinearModel,
    data: LabelledTexts,
    *,
    split: str = "test",
    batch_size: int = 4096,
    base_rate: float = 0.05,
) -> Evaluation:
    """Score ``data`` and measure each (corpus, label) with known labels and at least one positive, flagging
    as ``moderator`` does (its thresholds and the label hierarchy); a LinearModel at its own thresholds."""
    from sklearn.metrics import roc_auc_score

    moderator = _as_moderator(moderator)
    if len(data) == 0:
        return Evaluation(split, ())
    probabilities = moderator.probabilities(data.texts, batch_size=batch_size)
    flags = moderator.flags(probabilities)
    thresholds = moderator.thresholds
    sources = np.array(data.sources)
    metrics = []
    false_alarms = []
    # Clean on every label the data knows, the model's or not; a false alarm is a flag on one of the model's
    # labels that the row's truth says is 0.
    clean = (data.truth <= 0).all(axis=1) & (data.truth == 0).any(axis=1)
    scored = [k for k, label in enumerate(moderator.labels) if label in data.label_names]
    known_negative = data.truth[:, [data.label_names.index(moderator.labels[k]) for k in scored]] == 0
    falsely_flagged = (flags[:, scored] & known_negative).any(axis=1)
    for corpus in sorted(set(data.sources)):
        in_corpus = sources == corpus
        if (clean & in_corpus).any():
            false_alarms.append(
                FalseAlarms(
                    corpus, int((clean & in_corpus).sum()), int((clean & in_corpus & falsely_flagged).sum())
                )
            )
        for k, label in enumerate(moderator.labels):
            if label not in data.label_names:
                continue
            column = data.truth[:, data.label_names.index(label)]
            known = in_corpus & (column >= 0)
            truth = column[known] == 1
            if not truth.any():
                continue
            quality = flag_quality(flags[known, k], truth)
            auc = float(roc_auc_score(truth, probabilities[known, k])) if not truth.all() else None
            at_base_rate = (
                precision_at_base_rate(quality.recall, quality.false_positive_rate, base_rate)
                if not truth.all()
                else None
            )
            metrics.append(
                LabelMetrics(
                    corpus,
                    label,
                    int(known.sum()),
                    int(truth.sum()),
                    thresholds[label],
                    quality.precision,
                    quality.recall,
                    quality.f1,
                    auc,
                    at_base_rate,
                )
            )
    return Evaluation(split, tuple(metrics), base_rate, tuple(false_alarms))


def flag_accuracy(
    moderator: Moderator | LinearModel, texts: Sequence[str], truth: np.ndarray, label: str = "hateful"
) -> float:
    """Share of ``texts`` whose ``label`` flag (as ``moderator`` flags, hierarchy included) equals ``truth``."""
    moderator = _as_moderator(moderator)
    flagged = moderator.flags(moderator.probabilities(texts))[:, moderator.labels.index(label)]
    return float(np.mean(flagged == np.asarray(truth, dtype=bool))) if len(texts) else 0.0


def _as_moderator(scorer: Moderator | LinearModel) -> Moderator:
    return scorer if isinstance(scorer, Moderator) else Moderator(scorer)


# ---------------------------------------------------------------------------------------------------------
# Identity statements: unintended bias (Borkan et al. 2019)


@dataclass(frozen=True)
class IdentityStatement:
    text: str
    identity: str
    template: str
    hateful: bool


@dataclass(frozen=True)
class IdentityMetrics:
    """How a model treats statements by or about one identity.

    ``false_flag_rate`` is the share of benign statements flagged with any label. The AUCs rank the hateful
    probability (Borkan et al. 2019): ``subgroup_auc`` within this identity's statements; ``bpsn_auc``
    (background positive, subgroup negative) this identity's benign statements against other identities'
    hateful ones, low when merely naming the identity looks hateful; ``bnsp_auc`` this identity's hateful
    statements against other identities' benign ones, low when hate against it is missed.
    """

    identity: str
    benign: int
    hateful: int
    false_flag_rate: float
    missed_rate: float
    subgroup_auc: float
    bpsn_auc: float
    bnsp_auc: float


def identity_statements(path: str | Path) -> list[IdentityStatement]:
    """The identity test set: every template of ``path`` (JSON: identities with their word forms, benign and
    hateful templates with ``{adjective}``-style placeholders) filled with every identity."""
    try:
        spec = json.loads(Path(path).read_text(encoding="utf-8"))
        statements = []
        for identity in spec["identities"]:
            forms = {key: value for key, value in identity.items() if isinstance(value, str)}
            for kind in ("benign", "hateful"):
                for template in spec[kind]:
                    statements.append(
                        IdentityStatement(
                            template["template"].format(**forms),
                            identity["identity"],
                            template["id"],
                            kind == "hateful",
                        )
                    )
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError) as error:
        raise DataError(f"{path}: not an identity template file ({error!r})") from None
    return statements


def identity_bias(
    moderator: Moderator | LinearModel, statements: Sequence[IdentityStatement]
) -> tuple[IdentityMetrics, ...]:
    """:class:`IdentityMetrics` for each identity of ``statements``, in order of first appearance, flagged as
    ``moderator`` flags (a LinearModel: at its own thresholds)."""
    from sklearn.metrics import roc_auc_score

    moderator = _as_moderator(moderator)
    probabilities = moderator.probabilities([s.text for s in statements])
    flagged = moderator.flags(probabilities).any(axis=1)
    hate_score = probabilities[:, moderator.labels.index("hateful")]
    hateful = np.array([s.hateful for s in statements])
    identities = np.array([s.identity for s in statements])

    def auc(mask: np.ndarray) -> float:
        truth = hateful[mask]
        return float(roc_auc_score(truth, hate_score[mask])) if 0 < truth.sum() < len(truth) else float("nan")

    results = []
    for identity in dict.fromkeys(identities.tolist()):
        ours = identities == identity
        results.append(
            IdentityMetrics(
                identity,
                int((ours & ~hateful).sum()),
                int((ours & hateful).sum()),
                float(flagged[ours & ~hateful].mean()) if (ours & ~hateful).any() else 0.0,
                float((~flagged[ours & hateful]).mean()) if (ours & hateful).any() else 0.0,
                auc(ours),
                auc((ours & ~hateful) | (~ours & hateful)),
                auc((ours & hateful) | (~ours & ~hateful)),
            )
        )
    return tuple(results)
