"""Metrics per corpus and label: precision, recall and F1 at the model's thresholds, and ROC-AUC.

Every corpus is scored separately, because one pooled number hides exactly what matters here: a model can
look fine on a union of Twitter sets while missing the antisemitism that one corpus is about.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass

import numpy as np

from moderation.model import LinearModel
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


@dataclass(frozen=True)
class Evaluation:
    split: str
    metrics: tuple[LabelMetrics, ...]

    def get(self, corpus: str, label: str) -> LabelMetrics | None:
        return next((m for m in self.metrics if m.corpus == corpus and m.label == label), None)

    def to_dict(self) -> dict:
        return {"split": self.split, "metrics": [asdict(m) for m in self.metrics]}

    def summary(self) -> dict[str, dict[str, dict[str, float | None]]]:
        """``{corpus: {label: {f1, precision, recall, roc_auc, positives}}}``: what a model card records."""
        result: dict[str, dict[str, dict[str, float | None]]] = {}
        for m in self.metrics:
            result.setdefault(m.corpus, {})[m.label] = {
                "f1": round(m.f1, 4),
                "precision": round(m.precision, 4),
                "recall": round(m.recall, 4),
                "roc_auc": None if m.roc_auc is None else round(m.roc_auc, 4),
                "rows": m.rows,
                "positives": m.positives,
            }
        return result


def evaluate(
    model: LinearModel,
    data: LabelledTexts,
    *,
    split: str = "test",
    thresholds: Mapping[str, float] | None = None,
    batch_size: int = 4096,
) -> Evaluation:
    """Score ``data`` and measure each (corpus, label) with known labels and at least one positive."""
    from sklearn.metrics import roc_auc_score

    if len(data) == 0:
        return Evaluation(split, ())
    probabilities = np.vstack(
        [model.probabilities(data.texts[i : i + batch_size]) for i in range(0, len(data), batch_size)]
    )
    cut = np.array(
        [(thresholds or {}).get(label, t) for label, t in zip(model.labels, model.thresholds, strict=True)]
    )
    sources = np.array(data.sources)
    metrics = []
    for corpus in sorted(set(data.sources)):
        in_corpus = sources == corpus
        for k, label in enumerate(model.labels):
            if label not in data.label_names:
                continue
            column = data.labels[:, data.label_names.index(label)]
            known = in_corpus & (column >= 0)
            truth = column[known] == 1
            if not truth.any():
                continue
            predicted = probabilities[known, k] >= cut[k]
            tp = int(np.sum(predicted & truth))
            fp = int(np.sum(predicted & ~truth))
            fn = int(np.sum(~predicted & truth))
            precision = tp / (tp + fp) if tp + fp else 0.0
            recall = tp / (tp + fn) if tp + fn else 0.0
            f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
            auc = float(roc_auc_score(truth, probabilities[known, k])) if not truth.all() else None
            metrics.append(
                LabelMetrics(
                    corpus,
                    label,
                    int(known.sum()),
                    int(truth.sum()),
                    float(cut[k]),
                    precision,
                    recall,
                    f1,
                    auc,
                )
            )
    return Evaluation(split, tuple(metrics))
