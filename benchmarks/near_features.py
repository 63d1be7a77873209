"""What the near block buys the hateful label: the same regression with and without it, side by side.

    python benchmarks/near_features.py [--data ROOT] [--variants none,near,negated,framed]

For each variant of the features (``none``: word and character n-grams and the lexicon only; ``near``: plus
the near block, pairs of a group word from ``data/targets.json`` and the words up to ``near_words`` away in
its sentence; ``negated``: the near block with negated pairs apart; ``framed``: pairs after a frame word such
as "claiming" hashed as negated too, the shipped setting) it fits the hateful
regression exactly as training does (same corpora, weights, C, IDF on the train split) and prints:

* **out of fold**, on the in-domain train comments, split in 5 folds by their text as training's threshold
  folds are, each fold scored by the regression fitted without it: ROC-AUC, and the recall at the best
  threshold whose precision, with the comments reweighted to a 5% hateful base rate, reaches 0.8 (what the
  shipped threshold rule asks, before calibration and windows);
* **dev ROC-AUC per corpus**, and the in-domain dev recall at that precision, of the regression fitted on the
  whole train split.

Whole texts only (no windows), uncalibrated logits: a comparison of features, not of shipped models. Test is
never read. Takes about three minutes per variant on two cores; prints numbers and asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from moderation import corpora, pipeline, training  # noqa: E402
from moderation.features import Featurizer  # noqa: E402
from moderation.normalize import normalize_many  # noqa: E402

VARIANTS = ("none", "near", "negated", "framed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=corpora.default_corpora_root())
    parser.add_argument("--variants", default=",".join(VARIANTS), help=f"comma-separated, of {VARIANTS}")
    args = parser.parse_args()
    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    if not set(variants) <= set(VARIANTS):
        parser.error(f"--variants: choose among {', '.join(VARIANTS)}")

    config = training.TrainingConfig()
    split = HatefulSplit.read(args.data)

    rows = []
    for variant in variants:
        _, x_train, x_dev = split.featurize(featurizer_of(config, variant))
        row, _ = split.measure(x_train, x_dev, config)
        rows.append({"variant": variant, **row})
        print(f"{variant}: done", file=sys.stderr)
    print_table(rows, "variant")


def featurizer_of(config: training.TrainingConfig, variant: str = "framed") -> Featurizer:
    """Training's featurizer (before IDF), with the near block as ``variant`` (one of VARIANTS) says."""
    return Featurizer(
        n_features=config.n_features,
        char_ngrams=tuple(config.char_ngrams),
        word_ngrams=tuple(config.word_ngrams),
        lexicon=pipeline.default_lexicon().features(),
        norm_smoothing=tuple(config.norm_smoothing),
        group_words=pipeline.default_targets() if variant != "none" else {},
        near_words=config.near_words if variant != "none" else 0,
        near_smoothing=config.near_smoothing,
        negation_words=frozenset(config.negation_words) if variant in ("negated", "framed") else frozenset(),
        frame_words=frozenset(config.frame_words) if variant == "framed" else frozenset(),
    )


@dataclass(frozen=True)
class HatefulSplit:
    """The hateful label of the train and dev splits, their normalized texts, and the 5 folds of the in-domain
    train comments."""

    truth: np.ndarray
    dev_truth: np.ndarray
    sources: np.ndarray
    dev_sources: np.ndarray
    folds: np.ndarray  # 0-4 per in-domain train row, by its text as training's threshold folds; -1 elsewhere
    train_texts: list[str]
    dev_texts: list[str]

    @classmethod
    def read(cls, root: Path) -> HatefulSplit:
        """The split of the labelled set under ``root`` (the corpora, with the in-domain comments)."""
        data = pipeline.TrainingData.from_table(corpora.load_labelled_set(root))
        column = data.train.label_names.index("hateful")
        sources = np.array(data.train.sources)
        folds = np.full(len(sources), -1)
        for i in np.flatnonzero(sources == "in_domain"):
            folds[i] = zlib.crc32(data.train.texts[i].encode("utf-8")) % 5
        return cls(
            data.train.truth[:, column],
            data.dev.truth[:, column],
            sources,
            np.array(data.dev.sources),
            folds,
            normalize_many(data.train.texts),
            normalize_many(data.dev.texts),
        )

    def featurize(self, featurizer: Featurizer):
        """``featurizer`` with its IDF fitted on train, and the train and dev matrices it makes."""
        featurizer = training.fit_idf(featurizer, self.train_texts)
        return (
            featurizer,
            training.featurize(featurizer, self.train_texts),
            training.featurize(featurizer, self.dev_texts),
        )

    def measure(self, x_train, x_dev, config: training.TrainingConfig) -> tuple[dict, training._FittedLabel]:
        """Out-of-fold ROC-AUC and recall at P 0.8 (5% base rate) on the in-domain train comments, dev ROC-AUC
        per corpus and in-domain dev recall at that precision, of the hateful regression fitted as training
        fits it; and that regression, fitted on the whole train split."""
        held_out = np.zeros(len(self.truth))
        for fold in range(5):
            in_fold = self.folds == fold
            fitted = _fit(x_train, np.where(in_fold, -1, self.truth), self.sources, config)
            held_out[in_fold] = x_train[in_fold] @ fitted.weights + fitted.intercept
        fitted = _fit(x_train, self.truth, self.sources, config)
        dev_logits = x_dev @ fitted.weights + fitted.intercept
        scored = (self.folds >= 0) & (self.truth >= 0)
        positive = self.truth[scored] == 1
        row = {
            "oof ROC-AUC": roc_auc_score(positive, held_out[scored]),
            "oof recall @ P0.8/5%": _recall_at_precision(held_out[scored], positive, 0.05, 0.8),
        }
        for source in sorted(set(self.dev_sources)):
            known = (self.dev_sources == source) & (self.dev_truth >= 0)
            if 0 < (self.dev_truth[known] == 1).sum() < known.sum():
                row[f"dev {source}"] = roc_auc_score(self.dev_truth[known] == 1, dev_logits[known])
        in_domain = (self.dev_sources == "in_domain") & (self.dev_truth >= 0)
        row["dev in_domain recall @ P0.8/5%"] = _recall_at_precision(
            dev_logits[in_domain], self.dev_truth[in_domain] == 1, 0.05, 0.8
        )
        return row, fitted


def numbers_between(low: float, high: float) -> Callable[[str], list[float]]:
    """An argparse type: comma-separated numbers, each from ``low`` to ``high``."""

    def parse(text: str) -> list[float]:
        try:
            values = [float(v) for v in text.split(",") if v.strip()]
        except ValueError:
            raise argparse.ArgumentTypeError("numbers separated by commas") from None
        if not values or not all(low <= v <= high for v in values):
            raise argparse.ArgumentTypeError(f"numbers from {low:g} to {high:g}")
        return values

    return parse


def print_table(rows: list[dict], key: str) -> None:
    """One column per row (headed by its ``key``), one line per measure."""
    names = list(dict.fromkeys(name for row in rows for name in row if name != key))
    print(f"{'hateful, 5-fold out of fold / dev':40s}" + "".join(f"{row[key]:>10s}" for row in rows))
    for name in names:
        print(f"{name[:40]:40s}" + "".join(f"{row.get(name, float('nan')):10.4f}" for row in rows))


def _fit(x_train, column: np.ndarray, sources: np.ndarray, config: training.TrainingConfig):
    """The hateful regression as training fits it: known rows, corpora weighted, classes balanced, columns
    scaled as ``config.log_ratio_power`` says."""
    return training._fit_label("hateful", x_train, column, sources, config)


def _recall_at_precision(scores: np.ndarray, positive: np.ndarray, base_rate: float, target: float) -> float:
    """The highest recall over thresholds whose precision, positives reweighted to ``base_rate``, reaches
    ``target``."""
    order = np.argsort(-scores, kind="stable")
    hits = np.cumsum(positive[order]) / max(positive.sum(), 1)
    false = np.cumsum(~positive[order]) / max((~positive).sum(), 1)
    # Only the last of tied scores is a threshold.
    last = np.r_[scores[order][1:] != scores[order][:-1], True]
    precision = base_rate * hits / np.maximum(base_rate * hits + (1 - base_rate) * false, 1e-12)
    reached = last & (precision >= target)
    return float(hits[reached].max()) if reached.any() else 0.0


if __name__ == "__main__":
    main()
