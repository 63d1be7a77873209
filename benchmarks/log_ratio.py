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
import dataclasses
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from near_features import HatefulSplit, featurizer_of, numbers_between, print_table  # noqa: E402

from moderation import corpora, training  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=corpora.default_corpora_root())
    parser.add_argument(
        "--powers",
        type=numbers_between(0, 1),
        default="0,0.25,0.5,1",
        help="comma-separated powers in [0, 1]",
    )
    args = parser.parse_args()

    config = training.TrainingConfig()
    split = HatefulSplit.read(args.data)
    _, x_train, x_dev = split.featurize(featurizer_of(config))

    rows = []
    for power in args.powers:
        at_power = dataclasses.replace(config, log_ratio_power={"hateful": power})
        row, _ = split.measure(x_train, x_dev, at_power)
        rows.append({"power": f"{power:g}", **row})
        print(f"power {power:g}: done", file=sys.stderr)
    print_table(rows, "power")


if __name__ == "__main__":
    main()
