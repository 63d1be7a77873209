"""What the character block's norm smoothing costs short hate, and buys short replies: the same regression at
several smoothings, side by side.

    python benchmarks/smoothing.py [--data ROOT] [--char 1500,250]

Each block of a text's features is L2-normalised with a smoothing term added to its sum of squares
(``TrainingConfig.norm_smoothing``), so a one-word reply is not a whole argument; the same term leaves a short
statement of hate little weight. For each smoothing of the character block (the word block's kept as shipped)
this fits the hateful regression as training does and prints, as ``benchmarks/near_features.py`` does, the
out-of-fold and dev measures, and then:

* **short replies' margin**: the highest logit among ``tests/test_judgement.py``'s 40 common one-line replies
  ("them", "lol", "a", ...), less the 99th percentile of the in-domain dev comments that are not hateful. Below
  0, no reply scores like the top 1% of clean comments.

Whole texts only, uncalibrated logits, the hateful label only: the other labels share the featurizer, so a
smoothing is chosen only after the full model passes ``tests/test_judgement.py``. Test is never read. About
three minutes per smoothing on two cores; prints numbers and asserts nothing.
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import re
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from near_features import HatefulSplit, featurizer_of, numbers_between, print_table  # noqa: E402

from moderation import corpora, training  # noqa: E402
from moderation.normalize import normalize_many  # noqa: E402


def short_replies() -> list[str]:
    """``SHORT_REPLIES`` of tests/test_judgement.py, read without importing the test module."""
    source = (ROOT / "tests" / "test_judgement.py").read_text(encoding="utf-8")
    found = re.search(r"^SHORT_REPLIES = (\[.*?\])", source, re.MULTILINE | re.DOTALL)
    if not found:
        raise SystemExit("tests/test_judgement.py has no SHORT_REPLIES list")
    return ast.literal_eval(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=corpora.default_corpora_root())
    parser.add_argument(
        "--char",
        type=numbers_between(0, 1e6),
        default="1500,250",
        help="comma-separated smoothings of the character block",
    )
    args = parser.parse_args()

    config = training.TrainingConfig()
    split = HatefulSplit.read(args.data)
    replies = normalize_many(short_replies())
    clean_dev = (split.dev_sources == "in_domain") & (split.dev_truth == 0)

    rows = []
    for smoothing in args.char:
        featurizer, x_train, x_dev = split.featurize(
            dataclasses.replace(featurizer_of(config), norm_smoothing=(smoothing, config.norm_smoothing[1]))
        )
        row, fitted = split.measure(x_train, x_dev, config)
        dev_logits = x_dev @ fitted.weights + fitted.intercept
        reply_logits = training.featurize(featurizer, replies) @ fitted.weights + fitted.intercept
        row["short replies' margin"] = float(reply_logits.max() - np.quantile(dev_logits[clean_dev], 0.99))
        rows.append({"char": f"{smoothing:g}", **row})
        print(f"char smoothing {smoothing:g}: done", file=sys.stderr)
    print_table(rows, "char")


if __name__ == "__main__":
    main()
