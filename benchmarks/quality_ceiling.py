"""How far the issue's F1 targets are from what this model family can reach, corpus by corpus.

    python benchmarks/quality_ceiling.py [--data ROOT] [--model DIR]

For every (corpus, label) with a target it prints, on the test split:

* **shipped**: the F1 of the shipped model at its recorded threshold (what ``moderate evaluate`` prints);
* **shipped, dev threshold**: the F1 of the shipped model's ranking at the threshold best for that corpus's
  *dev* split (F1 there), applied to test: what an analyst gets who sets the threshold for their corpus's mix
  instead of a comment section's (``moderate score --threshold``);
* **shipped, best threshold**: the F1 of the shipped model at the threshold that is best *on test* itself.
  It is a diagnostic upper bound for any threshold rule, not a tuned number: no threshold can do better with
  this ranking;
* **specialist** and **specialist, best threshold**: a logistic regression with the project's own features
  (same normalizer, hashed word + char n-grams, lexicon), trained on that corpus's train split *alone*, with C
  and the threshold chosen on that corpus's dev split. It answers "what would a model that only has to
  please this one corpus reach?": the union model has to serve every corpus at one threshold, so it
  rarely beats its specialists.

When even a specialist's best-threshold F1 is below a target, reaching that target needs a better ranking
than word and character n-grams give, not better weighting or thresholds. Corpora with no license (Gab Hate
Corpus) are evaluation-only, so no specialist is trained on them. Prints numbers; asserts nothing. Takes
about two minutes on two cores.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import precision_recall_curve

from moderation import corpora
from moderation.features import Featurizer
from moderation.lexicon import Lexicon
from moderation.metrics import f1, flag_quality
from moderation.moderator import Moderator
from moderation.normalize import normalize_many
from moderation.training import featurize, fit_idf, sample_weights

ROOT = Path(__file__).resolve().parents[1]
# Issue 9's targets: the test F1 of the model shipped when it was filed. Gab has none (evaluation only).
TARGETS = {
    ("isca_antisemitism_twitter", "antisemitic"): 0.579,
    ("hatexplain_kaggle_derived", "hateful"): 0.679,
    ("implicit_hate_elsherief2021", "hateful"): 0.660,
    ("davidson2017", "hateful"): 0.392,
    ("gab_hate_corpus_kennedy", "hateful"): float("nan"),
    ("stormfront_degibert2018", "hateful"): 0.488,
}
C_GRID = (0.25, 1.0, 4.0, 16.0)


def best_f1(truth: np.ndarray, scores: np.ndarray) -> float:
    precision, recall, _ = precision_recall_curve(truth, scores)
    return float(np.max(f1(precision, recall)))


def f1_at_best_dev_threshold(dev_truth, dev_scores, test_truth, test_scores) -> tuple[float, float]:
    precision, recall, cuts = precision_recall_curve(dev_truth, dev_scores)
    dev_f1 = f1(precision[:-1], recall[:-1])
    cut = cuts[int(np.argmax(dev_f1))]
    return float(np.max(dev_f1)), flag_quality(test_scores >= cut, test_truth).f1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=None, help="corpora root (default: ../shared/datasets)")
    parser.add_argument("--model", type=Path, default=None, help="model directory (default: shipped model)")
    args = parser.parse_args()

    root = args.data or corpora.default_corpora_root()
    if root is None:
        raise SystemExit("no corpora root: pass --data or set $MODERATE_CORPORA")
    frame = corpora.load_labelled_set(root, in_domain=True)
    moderator = Moderator.load(args.model)

    normalized = normalize_many(frame["text"].tolist())
    split = frame["split"].to_numpy()
    source = frame["source"].to_numpy()
    in_train = (split == "train") & frame["source"].map(corpora.is_trainable).to_numpy(dtype=bool)
    featurizer = Featurizer(lexicon=Lexicon.load(ROOT / "data" / "lexicon.json").features())
    featurizer = fit_idf(featurizer, [normalized[i] for i in np.flatnonzero(in_train)])
    features = featurize(featurizer, normalized)
    shipped = moderator.probabilities(frame["text"].tolist())

    header = (
        f"{'corpus':30s} {'label':12s} {'target':>6s} {'shipped':>8s} {'dev-thr':>8s} {'best-thr':>8s}"
        f" {'special.':>8s} {'best-thr':>8s}"
    )
    print(header)
    print("-" * len(header))
    for (corpus, label), target in TARGETS.items():
        column = frame[label].to_numpy()
        known = (source == corpus) & (column >= 0)
        test = known & (split == "test")
        if not test.any():
            continue
        truth = column == 1
        k = moderator.labels.index(label)
        shipped_f1 = flag_quality(moderator.flags(shipped[test])[:, k], truth[test]).f1
        shipped_best = best_f1(truth[test], shipped[test, k])
        dev = known & (split == "dev")
        shipped_dev = float("nan")
        if truth[dev].any():
            shipped_dev = f1_at_best_dev_threshold(
                truth[dev], shipped[dev, k], truth[test], shipped[test, k]
            )[1]
        special, special_best = float("nan"), float("nan")
        if corpora.is_trainable(corpus):
            train = known & (split == "train")
            weights = sample_weights(train, truth, source, 1.0, {})
            chosen = (-1.0, 0.0, None)
            for c in C_GRID:
                classifier = LogisticRegression(C=c, solver="liblinear", max_iter=300, random_state=0)
                classifier.fit(features[train], truth[train], sample_weight=weights[train])
                scores = features @ classifier.coef_[0]
                dev_f1, test_f1 = f1_at_best_dev_threshold(truth[dev], scores[dev], truth[test], scores[test])
                if dev_f1 > chosen[0]:
                    chosen = (dev_f1, test_f1, scores)
            special, special_best = chosen[1], best_f1(truth[test], chosen[2][test])
        print(
            f"{corpus:30s} {label:12s} {target:6.3f} {shipped_f1:8.3f} {shipped_dev:8.3f} {shipped_best:8.3f}"
            f" {special:8.3f} {special_best:8.3f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
