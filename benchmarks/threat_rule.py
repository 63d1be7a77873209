"""What the threat-at-a-group rule adds to the hateful flag, and what it costs: a model scored with the rule as
shipped, without it, and with every group word as a target, on one split, side by side.

    python benchmarks/threat_rule.py [--model DIR] [--data ROOT] [--split dev] [--show]

A threat at people for who they are is hate, but the hateful regression learns it from few rows: "refugees
should be shot at the border" read hateful 0.51 and threat 0.89. So where the window that decided a comment's
threat names a group of people (``LinearModel.threat_targets``: ``data/targets.json``'s terms but its ``context``
words), hateful is read no lower than threat. For each variant this prints, per corpus, the hateful flags it
adds to the model without the rule: how many, how many of them are hateful, how many are labelled not hateful;
``--show`` prints those last. The variants:

* **people words** (shipped): the rule as the model has it.
* **people words, threat flagged**: the same, counting only comments whose threat is flagged too.
* **every group word**: the context words count as well ("nazis", "israel", "woman").

The model's thresholds are kept for every variant. Choose on ``dev`` (the default); ``test`` is for the release
note, after the choice. About two minutes on two cores; prints numbers and asserts nothing.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from moderation import corpora, pipeline  # noqa: E402
from moderation.model import LinearModel  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "default")
    parser.add_argument("--data", type=Path, default=None, help="corpora root (default: ../shared/datasets)")
    parser.add_argument("--split", choices=("dev", "test"), default="dev")
    parser.add_argument("--show", action="store_true", help="print the added flags labelled not hateful")
    args = parser.parse_args()

    model = LinearModel.load(args.model)
    if not model.threat_targets:
        raise SystemExit(f"{args.model}: this model has no threat targets (saved before the rule)")
    data = pipeline.TrainingData.from_table(
        corpora.load_labelled_set(args.data or corpora.default_corpora_root())
    )
    part = getattr(data, args.split)
    texts = list(part.texts)
    truth = part.truth[:, part.label_names.index("hateful")]
    sources = np.array(part.sources)
    hateful, threat = model.labels.index("hateful"), model.labels.index("threat")

    def flags(variant: LinearModel) -> tuple[np.ndarray, np.ndarray]:
        probabilities = variant.probabilities(texts)
        return probabilities[:, hateful] >= model.thresholds[hateful], probabilities

    without, _ = flags(dataclasses.replace(model, threat_targets=frozenset()))
    shipped, probabilities = flags(model)
    every_group_word, _ = flags(
        dataclasses.replace(model, threat_targets=frozenset(model.featurizer.group_words))
    )
    threat_flagged = probabilities[:, threat] >= model.thresholds[threat]
    variants = {
        "people words (shipped)": shipped,
        "people words, threat flagged": without | (shipped & threat_flagged),
        "every group word": every_group_word,
    }

    print(f"model: {args.model}  split: {args.split}  hateful flag {model.thresholds[hateful]:.2f}")
    print(f"{'variant':30s} {'corpus':30s} {'added':>6s} {'hateful':>8s} {'not':>5s} {'lost':>5s}")
    for name, flagged in variants.items():
        added, lost = flagged & ~without, without & ~flagged
        for corpus in [*sorted(set(sources[added | lost])), "all"]:
            rows = np.ones(len(texts), bool) if corpus == "all" else sources == corpus
            print(
                f"{name:30s} {corpus:30s} {(added & rows).sum():6d} {(added & rows & (truth == 1)).sum():8d} "
                f"{(added & rows & (truth == 0)).sum():5d} {(lost & rows).sum():5d}"
            )
        if args.show:
            for i in np.flatnonzero(added & (truth == 0)):
                print(f"    {sources[i]}: {' '.join(texts[i].split())[:200]}")


if __name__ == "__main__":
    main()
