"""A model's manifest -> its model card (``README.md`` in the model directory), in Markdown.

The card is generated, never hand-edited, so its numbers are always the ones measured when the model was
trained: data and licenses, thresholds, metrics per corpus, intended use and known limits.
"""

from __future__ import annotations

from collections.abc import Mapping

_INTENDED_USE = """\
## Intended use
Triage of reader comments on news sites: put likely hateful, antisemitic or abusive comments in front of a
human moderator (or hold them for review) and show which words drove the score. English only.

Not for: automatic bans or removal without review, judging people, text other than short comments, or
languages other than English. Scores are probabilities calibrated on the dev split of the corpora below,
whose base rates are far higher than a typical comment section's: expect more false positives per flag on
a quiet site, and tune thresholds (`--threshold LABEL=VALUE`) on your own labelled sample.
"""

_LIMITS = """\
## Known limits
- A linear model over word and character n-grams: it sees words, not meaning. Sarcasm, quotation and
  counter-speech ("someone wrote 'the joos run the banks' — reported") can be flagged; coded hate with no
  tell-tale words ("you know who runs the banks") is often missed.
- The corpora disagree on what counts as hate (Davidson's and HateXplain's annotators, ISCA's IHRA-based
  guideline); the model learns a compromise, and each corpus's F1 below is measured at one shared threshold.
  `python benchmarks/quality_ceiling.py` prints, per corpus, this model's F1 next to the best F1 any
  threshold could give it and next to a same-features model trained on that corpus alone: on most corpora
  even that specialist stays below the project's F1 targets, so closing the gap needs a better ranking
  than n-grams give, not other weights or thresholds.
- Mentions of Jews, Israel and Zionism are frequent in the antisemitic training data; neutral mentions can
  score higher than they should. The in-domain set (`data/comments.jsonl`) pushes back with non-hateful
  mentions, but the bias is measurable: check the in-domain test numbers.
- Most training text is Twitter and Gab-style social media from 2015–2023; news comments are longer, and a
  long comment dilutes a single coded word. In the project's sample article (`seeds/001_…`) the four
  antisemitic comments are flagged and no other comment is, but "oh yes, the joo banksters have been plotting
  against nobles, whites, christians, …" clears the antisemitic threshold only just, far below the three
  shorter ones: a few more neutral words and it would be missed.
- "the holocaust killed six million jews and we must never forget" is flagged antisemitic: in the corpora,
  "holocaust", "six million" and "jews" together are mostly denial or mockery. Likewise ambiguous coded
  words in their innocent sense: "the shekel fell against the dollar" is flagged antisemitic, and a
  Jewish family's affectionate "goyim" can be flagged hateful.
- Thresholds are chosen on labelled sets where 20–40% of rows are hateful; on a comment section with far
  less hate, expect neutral political comments near the hateful threshold (0.2–0.4) to be flagged. Raise
  the hateful threshold for a quieter queue.
"""


def render(manifest: Mapping) -> str:
    training = manifest.get("training", {})
    metrics = manifest.get("metrics", {})
    lines = [
        f"# Model card: moderate default model (moderate {manifest.get('moderate_version', '?')})",
        "",
        f"Created {manifest.get('created', '?')}; model format `{manifest['format']}` version "
        f"{manifest['format_version']}. Generated from `manifest.json` by `moderate train`.",
        "",
        "## What it is",
        "One logistic regression per label over hashed word (1–2) and character "
        f"({manifest['features']['char_ngrams'][0]}–{manifest['features']['char_ngrams'][1]}) n-grams of "
        "normalized text (obfuscations folded), plus coded-term lexicon features; Platt-calibrated on the dev "
        f"split. {manifest['features']['n_features']:,} hashed columns; weights in `weights.npz` (no pickle).",
        "",
        "| label | meaning | threshold |",
        "|---|---|---|",
    ]
    meanings = {
        "hateful": "attacks or demeans people for a protected characteristic",
        "antisemitic": "antisemitic under the IHRA working definition (implies hateful)",
        "offensive": "abusive or profane, but not identity hate",
    }
    for label in manifest["labels"]:
        lines.append(f"| `{label}` | {meanings.get(label, '')} | {manifest['thresholds'][label]:.2f} |")
    lines += [
        "",
        "Thresholds maximise the mean F1 over the corpora with enough positives in their dev split.",
        "",
        "## Training data",
        "Split rule: SHA-1 of the stripped text, first 8 hex digits mod 100: below 20 test, 20–29 dev, rest "
        "train. Trained on train, calibrated and thresholded on dev; test is only measured.",
        "",
        "| corpus | license | used for | train rows | dev rows |",
        "|---|---|---|---|---|",
    ]
    rows = training.get("rows_by_corpus", {})
    for name, meta in training.get("corpora", {}).items():
        used = "training + evaluation" if meta.get("trainable") else "evaluation only (no license stated)"
        lines.append(
            f"| {meta.get('title', name)} (`{name}`) | {meta.get('license', '?')} | {used} | "
            f"{rows.get('train', {}).get(name, 0):,} | {rows.get('dev', {}).get(name, 0):,} |"
        )
    citations = [(name, meta.get("citation")) for name, meta in training.get("corpora", {}).items()]
    if any(c for _, c in citations):
        lines += ["", "Citations:", ""]
        lines += [f"- `{name}`: {citation}" for name, citation in citations if citation]
    config = training.get("config", {})
    if config:
        lines += [
            "",
            f"Settings: C per label {config.get('C')}, corpus size power {config.get('corpus_size_power')}, "
            f"corpus factors {config.get('corpus_factors')}, seed {config.get('seed')}.",
        ]
    if metrics:
        lines += [
            "",
            f"## Metrics ({metrics.get('split', 'test')} split, measured at training; `moderate evaluate` reproduces them)",
            "",
            "| corpus | label | rows | positives | precision | recall | F1 | ROC-AUC |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for corpus, by_label in metrics.get("corpora", {}).items():
            for label, m in by_label.items():
                auc = "–" if m.get("roc_auc") is None else f"{m['roc_auc']:.3f}"
                lines.append(
                    f"| {corpus} | {label} | {m['rows']:,} | {m['positives']:,} | {m['precision']:.3f} | "
                    f"{m['recall']:.3f} | {m['f1']:.3f} | {auc} |"
                )
    lines += ["", _INTENDED_USE, _LIMITS]
    return "\n".join(lines).rstrip() + "\n"
