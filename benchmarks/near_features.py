"""What the near block buys the hateful label: the same regression with and without it, side by side.

    python benchmarks/near_features.py [--data ROOT] [--variants none,near,negated]

For each variant of the features (``none``: word and character n-grams and the lexicon only; ``near``: plus
the near block, pairs of a group word from ``data/targets.json`` and the words up to ``near_words`` away in
its sentence; ``negated``: the near block with negated pairs apart, the shipped setting) it fits the hateful
regression exactly as training does (same corpora, weights, C, IDF on the train split) and prints:

* **out of fold**, on the in-domain train comments, split in 5 folds by their text as training's threshold
  folds are, each fold scored by the regression fitted without it: ROC-AUC, and the recall at the best
  threshold whose precision, with the comments reweighted to a 5% hateful base rate, reaches 0.8 (what the
  shipped threshold rule asks, before calibration and windows);
* **dev ROC-AUC per corpus**, of the regression fitted on the whole train split.

Whole texts only (no windows), uncalibrated logits: a comparison of features, not of shipped models. Test is
never read. Takes about ten minutes on two cores; prints numbers and asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import zlib
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from moderation import corpora, pipeline, training  # noqa: E402
from moderation.features import Featurizer  # noqa: E402
from moderation.normalize import normalize_many  # noqa: E402

VARIANTS = ("none", "near", "negated")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=corpora.default_corpora_root())
    parser.add_argument("--variants", default=",".join(VARIANTS), help=f"comma-separated, of {VARIANTS}")
    args = parser.parse_args()
    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    if not set(variants) <= set(VARIANTS):
        parser.error(f"--variants: choose among {', '.join(VARIANTS)}")

    data = pipeline.TrainingData.from_table(corpora.load_labelled_set(args.data))
    config = training.TrainingConfig()
    column = data.train.label_names.index("hateful")
    truth, dev_truth = data.train.truth[:, column], data.dev.truth[:, column]
    sources, dev_sources = np.array(data.train.sources), np.array(data.dev.sources)
    folds = np.full(len(truth), -1)
    for i in np.flatnonzero(sources == "in_domain"):
        folds[i] = zlib.crc32(data.train.texts[i].encode("utf-8")) % 5
    train_texts, dev_texts = normalize_many(data.train.texts), normalize_many(data.dev.texts)

    rows = []
    for variant in variants:
        featurizer = Featurizer(
            n_features=config.n_features,
            char_ngrams=tuple(config.char_ngrams),
            word_ngrams=tuple(config.word_ngrams),
            lexicon=pipeline.default_lexicon().features(),
            norm_smoothing=tuple(config.norm_smoothing),
            group_words=pipeline.default_targets() if variant != "none" else {},
            near_words=config.near_words if variant != "none" else 0,
            near_smoothing=config.near_smoothing,
            negation_words=frozenset(config.negation_words) if variant == "negated" else frozenset(),
        )
        featurizer = training.fit_idf(featurizer, train_texts)
        x_train, x_dev = (
            training.featurize(featurizer, train_texts),
            training.featurize(featurizer, dev_texts),
        )
        held_out = np.zeros(len(truth))
        for fold in range(5):
            rows_in_fold = folds == fold
            weights, intercept = _fit(x_train, np.where(rows_in_fold, -1, truth), sources, config)
            held_out[rows_in_fold] = x_train[rows_in_fold] @ weights + intercept
        weights, intercept = _fit(x_train, truth, sources, config)
        dev_logits = x_dev @ weights + intercept
        scored = (folds >= 0) & (truth >= 0)
        positive = truth[scored] == 1
        row = {
            "variant": variant,
            "oof ROC-AUC": roc_auc_score(positive, held_out[scored]),
            "oof recall @ P0.8/5%": _recall_at_precision(held_out[scored], positive, 0.05, 0.8),
        }
        for source in sorted(set(dev_sources)):
            known = (dev_sources == source) & (dev_truth >= 0)
            if 0 < (dev_truth[known] == 1).sum() < known.sum():
                row[f"dev {source}"] = roc_auc_score(dev_truth[known] == 1, dev_logits[known])
        rows.append(row)
        print(f"{variant}: done", file=sys.stderr)

    names = list(dict.fromkeys(name for row in rows for name in row if name != "variant"))
    print(f"{'hateful, 5-fold out of fold / dev':40s}" + "".join(f"{row['variant']:>10s}" for row in rows))
    for name in names:
        print(f"{name[:40]:40s}" + "".join(f"{row.get(name, float('nan')):10.4f}" for row in rows))


def _fit(x_train, column: np.ndarray, sources: np.ndarray, config: training.TrainingConfig):
    """The hateful regression as training fits it: known rows, corpora weighted, classes balanced."""
    known, positive = column >= 0, column == 1
    factors = dict(config.corpus_factors.get("hateful", {}))
    row_weights = training.sample_weights(known, positive, sources, config.corpus_size_power, factors)
    classifier = LogisticRegression(
        C=config.C.get("hateful", 1.0), solver="liblinear", max_iter=config.max_iter, random_state=config.seed
    )
    classifier.fit(x_train[known], positive[known].astype(np.int8), sample_weight=row_weights[known])
    return classifier.coef_[0], float(classifier.intercept_[0])


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
