"""What the log-count-ratio scaling buys the hateful label: the same regression at several powers, side by side.

    python benchmarks/log_ratio.py [--data ROOT] [--powers 0,0.25,0.5,1]

Training scales each column by ``|r| ** log_ratio_power`` before a label's regression (``r``: the column's
log-count ratio between the label's positive and negative train rows; ``TrainingConfig.log_ratio_power``). For
each power this fits the hateful regression as training does (same corpora, features, weights, C, IDF on the
train split) and prints, as ``benchmarks/near_features.py`` does:

* **out of fold**, on the in-domain train comments in 5 folds by their text, each scored by the regression
  fitted without it (the scaling counted without it too): ROC-AUC, and the recall at the best threshold whose
  precision, with the comments reweighted to a 5% hateful base rate, reaches 0.8;
* **dev ROC-AUC per corpus**, and the in-domain dev recall at that precision, of the regression fitted on the
  whole train split.

Whole texts only (no windows), uncalibrated logits: a comparison of fits, not of shipped models. Test is never
read. Takes about three minutes per power on two cores; prints numbers and asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import zlib
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from near_features import _recall_at_precision  # noqa: E402

from moderation import corpora, pipeline, training  # noqa: E402
from moderation.features import Featurizer  # noqa: E402
from moderation.normalize import normalize_many  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=corpora.default_corpora_root())
    parser.add_argument("--powers", default="0,0.25,0.5,1", help="comma-separated powers in [0, 1]")
    args = parser.parse_args()
    try:
        powers = [float(p) for p in args.powers.split(",") if p.strip()]
    except ValueError:
        parser.error("--powers: numbers separated by commas")
    if not powers or not all(0 <= p <= 1 for p in powers):
        parser.error("--powers: numbers in [0, 1]")

    data = pipeline.TrainingData.from_table(corpora.load_labelled_set(args.data))
    config = training.TrainingConfig()
    column = data.train.label_names.index("hateful")
    truth, dev_truth = data.train.truth[:, column], data.dev.truth[:, column]
    sources, dev_sources = np.array(data.train.sources), np.array(data.dev.sources)
    folds = np.full(len(truth), -1)
    for i in np.flatnonzero(sources == "in_domain"):
        folds[i] = zlib.crc32(data.train.texts[i].encode("utf-8")) % 5
    train_texts, dev_texts = normalize_many(data.train.texts), normalize_many(data.dev.texts)
    featurizer = Featurizer(
        n_features=config.n_features,
        char_ngrams=tuple(config.char_ngrams),
        word_ngrams=tuple(config.word_ngrams),
        lexicon=pipeline.default_lexicon().features(),
        norm_smoothing=tuple(config.norm_smoothing),
        group_words=pipeline.default_targets(),
        near_words=config.near_words,
        near_smoothing=config.near_smoothing,
        negation_words=frozenset(config.negation_words),
    )
    featurizer = training.fit_idf(featurizer, train_texts)
    x_train, x_dev = training.featurize(featurizer, train_texts), training.featurize(featurizer, dev_texts)

    rows = []
    for power in powers:
        held_out = np.zeros(len(truth))
        for fold in range(5):
            in_fold = folds == fold
            weights, intercept = _fit(x_train, np.where(in_fold, -1, truth), sources, config, power)
            held_out[in_fold] = x_train[in_fold] @ weights + intercept
        weights, intercept = _fit(x_train, truth, sources, config, power)
        dev_logits = x_dev @ weights + intercept
        scored = (folds >= 0) & (truth >= 0)
        positive = truth[scored] == 1
        row = {
            "power": f"{power:g}",
            "oof ROC-AUC": roc_auc_score(positive, held_out[scored]),
            "oof recall @ P0.8/5%": _recall_at_precision(held_out[scored], positive, 0.05, 0.8),
        }
        in_domain = (dev_sources == "in_domain") & (dev_truth >= 0)
        row["dev in_domain recall @ P0.8/5%"] = _recall_at_precision(
            dev_logits[in_domain], dev_truth[in_domain] == 1, 0.05, 0.8
        )
        for source in sorted(set(dev_sources)):
            known = (dev_sources == source) & (dev_truth >= 0)
            if 0 < (dev_truth[known] == 1).sum() < known.sum():
                row[f"dev {source}"] = roc_auc_score(dev_truth[known] == 1, dev_logits[known])
        rows.append(row)
        print(f"power {power:g}: done", file=sys.stderr)

    names = list(dict.fromkeys(name for row in rows for name in row if name != "power"))
    print(f"{'hateful, 5-fold out of fold / dev':40s}" + "".join(f"{row['power']:>10s}" for row in rows))
    for name in names:
        print(f"{name[:40]:40s}" + "".join(f"{row.get(name, float('nan')):10.4f}" for row in rows))


def _fit(x_train, column: np.ndarray, sources: np.ndarray, config: training.TrainingConfig, power: float):
    """The hateful regression as training fits it, its columns scaled by their log-count ratio ** power."""
    known, positive = column >= 0, column == 1
    factors = dict(config.corpus_factors.get("hateful", {}))
    row_weights = training.sample_weights(known, positive, sources, config.corpus_size_power, factors)
    x_known = x_train[known]
    scale = training.log_ratio_scale(
        x_known, positive[known], row_weights[known], power, config.log_ratio_smoothing
    )
    classifier = LogisticRegression(
        C=config.C.get("hateful", 1.0), solver="liblinear", max_iter=config.max_iter, random_state=config.seed
    )
    classifier.fit(
        x_known @ sparse.diags(scale), positive[known].astype(np.int8), sample_weight=row_weights[known]
    )
    return classifier.coef_[0] * scale, float(classifier.intercept_[0])


if __name__ == "__main__":
    main()
