"""The moderator's-eye checks of issue 9, printed for one model beside the targets.

    python benchmarks/judgement.py [--model DIR] [--data ../shared/datasets]

Prints: seed 001 (which comments are flagged), benign identity statements flagged (overall and worst
identity), common short replies flagged, plain short statements of hate flagged, hate that keeps its flag
under neutral padding, the hateful flag's precision and recall on the in-domain test split reweighted to a 5%
base rate, its clean comments flagged, DynaHate accuracy (evaluation only: never trained or tuned on), and
test-split F1 / ROC-AUC on the corpora the targets name. Asserts nothing; takes a few minutes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from moderation import corpora, evaluation  # noqa: E402
from moderation.metrics import flag_quality, precision_at_base_rate  # noqa: E402
from moderation.moderator import Moderator  # noqa: E402
from moderation.parsing import parse_file  # noqa: E402

sys.path.insert(0, str(ROOT / "tests"))
from test_judgement import (  # noqa: E402
    ANTISEMITIC_IN_SEED_001,
    PLAIN_HATE,
    SHORT_REPLIES,
    _neutral,
    _padded,
)

TARGETS = [
    ("isca_antisemitism_twitter", "antisemitic", 0.579),
    ("hatexplain_kaggle_derived", "hateful", 0.679),
    ("implicit_hate_elsherief2021", "hateful", 0.660),
    ("stormfront_degibert2018", "hateful", 0.488),
    ("davidson2017", "hateful", 0.392),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--data", type=Path, default=corpora.default_corpora_root())
    args = parser.parse_args()
    moderator = Moderator.load(args.model)
    labels = moderator.labels
    hateful, antisemitic = labels.index("hateful"), labels.index("antisemitic")

    def flags(texts):
        return moderator.flags(moderator.probabilities(texts))

    print(
        f"model: {moderator.path}  thresholds: "
        + ", ".join(f"{k} {v:.2f}" for k, v in moderator.thresholds.items())
    )

    seed = parse_file(ROOT / "seeds" / "001_46c9a693b51bb0d4.txt").comments
    seed_flags = flags([c.text for c in seed])
    is_antisemitic = np.array([any(p in c.text for p in ANTISEMITIC_IN_SEED_001) for c in seed])
    print(
        f"seed 001: antisemitic comments flagged antisemitic+hateful "
        f"{int((seed_flags[is_antisemitic][:, [hateful, antisemitic]].all(axis=1)).sum())}/{int(is_antisemitic.sum())}; "
        f"other comments flagged hateful or antisemitic "
        f"{int(seed_flags[~is_antisemitic][:, [hateful, antisemitic]].any(axis=1).sum())}/{int((~is_antisemitic).sum())}"
    )

    statements = evaluation.identity_statements(ROOT / "data" / "identity_templates.json")
    benign = [s for s in statements if not s.hateful]
    benign_flagged = flags([s.text for s in benign]).any(axis=1)
    bias = evaluation.identity_bias(moderator, statements)
    worst = max(bias, key=lambda m: m.false_flag_rate)
    print(
        f"benign identity statements flagged: {benign_flagged.mean():.3f} of {len(benign)} "
        f"(worst identity {worst.identity} {worst.false_flag_rate:.3f}; target <= 0.01 each); "
        f"hateful counterparts missed {np.mean([m.missed_rate for m in bias]):.3f}; "
        f"min subgroup / BPSN / BNSP AUC {min(m.subgroup_auc for m in bias):.3f} / "
        f"{min(m.bpsn_auc for m in bias):.3f} / {min(m.bnsp_auc for m in bias):.3f}"
    )
    short = flags(SHORT_REPLIES).any(axis=1)
    print(
        f"short replies flagged: {int(short.sum())}/{len(SHORT_REPLIES)} {[t for t, f in zip(SHORT_REPLIES, short, strict=True) if f]}"
    )

    plain = flags(PLAIN_HATE)[:, hateful]
    print(
        f"plain short statements of hate flagged hateful: {int(plain.sum())}/{len(PLAIN_HATE)}; missed "
        f"{[t for t, f in zip(PLAIN_HATE, plain, strict=True) if not f]}"
    )

    article = " ".join(" ".join(parse_file(p).body) for p in sorted((ROOT / "seeds").glob("*.txt")))
    frame = corpora.load_in_domain()
    hate = frame[frame["hateful"] == 1]["text"].tolist()
    alone = flags(hate)[:, hateful]
    kept_texts = [t for t, f in zip(hate, alone, strict=True) if f]
    kept = []
    for length in (300, 2_000, 20_000):
        padding = _neutral(article, 7 * length, length)
        for where in ("before", "after"):
            kept.append(flags([_padded(t, padding, where) for t in kept_texts])[:, hateful])
    print(
        f"padding: {np.concatenate(kept).mean():.3f} of {len(kept_texts)} flagged in-domain hateful comments keep the flag (300 B to 20 KB before/after; target >= 0.95)"
    )

    test = frame[frame["split"] == "test"]
    p = moderator.probabilities(test["text"].tolist())
    truth = test["hateful"].to_numpy() == 1
    flagged = moderator.flags(p)[:, hateful]
    recall = flagged[truth].mean()
    false_positive_rate = flagged[~truth].mean()
    print(
        f"in-domain test at a 5% hateful base rate: precision {precision_at_base_rate(recall, false_positive_rate, 0.05):.3f} "
        f"recall {recall:.3f} (target precision >= 0.8)"
    )

    # Issue 9: "the clearly hateful score above 0.8, the merely rude below it".
    rude = (test["offensive"].to_numpy() == 1) & ~truth
    print(
        f"in-domain test hateful probability: of hateful comments {(p[truth, hateful] >= 0.8).mean():.3f} score 0.8 or more; "
        f"of rude non-hateful comments {(p[rude, hateful] < 0.8).mean():.3f} score below 0.8 ({int(rude.sum())} comments)"
    )

    # Comments with no label at all (unknown counts as none): what a healthy comment section is made of.
    label_columns = [label for label in labels if label in test.columns]
    clean = (test[label_columns].to_numpy() != 1).all(axis=1)
    any_flag = moderator.flags(p).any(axis=1)
    long = test["text"].str.split().str.len().to_numpy() >= 60
    print(
        f"clean in-domain test comments with any flag: {int(any_flag[clean].sum())}/{int(clean.sum())}; "
        f"of 60+ words {int(any_flag[clean & long].sum())}/{int((clean & long).sum())} (healthy comments: target <= 2%)"
    )

    if args.data is None:
        print("corpora: ../shared/datasets not found; skipping DynaHate and corpus F1")
        return
    dyna = corpora.load_corpus("dynahate_devtest", args.data)
    dyna_flags = flags(dyna["text"].tolist())[:, hateful]
    print(
        f"DynaHate accuracy (dev+test, {len(dyna)} rows): {(dyna_flags == (dyna['hateful'] == 1)).mean():.3f} (target >= 0.65)"
    )
    for corpus, label, target in TARGETS:
        rows = corpora.load_corpus(corpus, args.data)
        rows = rows[(rows["split"] == "test") & (rows[label] >= 0)]
        column = labels.index(label)
        probabilities = moderator.probabilities(rows["text"].tolist())
        predicted = moderator.flags(probabilities)[:, column]
        truth = rows[label].to_numpy() == 1
        f1 = flag_quality(predicted, truth).f1
        print(
            f"{corpus:<30} {label:<12} F1 {f1:.3f} (was {target:.3f})  ROC-AUC {roc_auc_score(truth, probabilities[:, column]):.3f}"
        )


if __name__ == "__main__":
    main()
