"""A model's manifest -> its model card (``README.md`` in the model directory), in Markdown.

The card is generated, never hand-edited, so its numbers are always the ones measured when the model was
trained: data and licenses, thresholds, metrics per corpus, intended use and known limits.
"""

from __future__ import annotations

from collections.abc import Mapping

from moderation.types import REFINES

_INTENDED_USE = """\
## Intended use
Triage of reader comments on news sites: put likely hateful, antisemitic or abusive comments in front of a
human moderator (or hold them for review) and show which words drove the score; answer Perspective API
clients (TOXICITY, INSULT, THREAT, ...) from the attribute labels. English only.

Not for: automatic bans or removal without review, judging people, or languages other than English.
Probabilities are calibrated on the dev split of the corpora below (about one row in four positive). The
thresholds are set for a comment section where about 5% of comments are hateful: check the precision they
give on your own labelled sample (`moderate evaluate --file yours.jsonl`) and move them with
`--threshold LABEL=VALUE` if your site differs.
"""

_LIMITS = """\
## Known limits
- A linear model over word and character n-grams and pairs of a group word with the words near it in its
  sentence ("jews" ... "parasites", negated pairs apart): it sees words and their neighbours, not meaning.
  Sarcasm, quotation and counter-speech ("someone wrote 'the joos run the banks' — reported", "If you say Jews
  are vermin you are a bigot.") can still be flagged; coded hate with no tell-tale words ("you know who runs
  the banks", "not to mention who controls western banks. oy vey.") is often missed. Adversarial statements
  written to fool models (DynaHate) are where it is weakest: see its accuracy above. The cases the project
  tracks as known misses are the strict expected failures in `tests/test_judgement.py`.
- The corpora disagree on what counts as hate (Davidson's and HateXplain's annotators, ISCA's IHRA-based
  guideline); the model learns a compromise, and each corpus's F1 above is measured at one shared threshold
  set for a comment section, not for that corpus: F1 on a corpus that is 30% hateful is lower than a
  threshold tuned for it would give. ROC-AUC does not depend on the threshold.
  `python benchmarks/quality_ceiling.py` prints, per corpus, how far any threshold or a single-corpus model
  could go with these features.
- Mentions of Jews, Israel and Zionism are frequent in the antisemitic training data; neutral mentions can
  score higher than they should. The identity table above measures it per identity.
- A text of more than the window size (`scoring.window_words` in the manifest) is also scored sentence run by
  sentence run and keeps each label's highest score, so neutral padding cannot hide one hateful sentence; a
  long, many-sentence comment therefore has more chances to trip a threshold than a short one. Any window may
  decide hateful or antisemitic, whether or not it names a group, since coded antisemitism that names no one
  ("they control the money") must still count when pasted into other text. Any window short of the whole
  text needs `scoring.window_margin` more to decide offensive or an attribute: one sentence out of its
  paragraph ("They're not stupid.") is not the comment's tone, so a rude sentence inside a long, civil
  comment counts for less than the same sentence alone.
- The attribute labels (toxicity, insult, threat, profanity) learn mostly from ToxicSpans, whose posts had
  all been rated toxic before span annotation: few calm comments, and few threats.{threat}
- The thresholds serve a comment section, chosen for precision on the in-domain comments, so recall is traded
  for quiet{operating_point}. Many in-domain clean comments are deliberate look-alikes of hate (counter-speech,
  negations, homonyms), far more than a real comment section holds, so the thresholds are likely higher than a
  site needs: measure on your own labelled sample (`moderate evaluate --file`) and lower them with
  `--threshold`. Recall on corpora that are 20–40% hateful, and on DynaHate, is low; the F1 table above shows it.
"""


def _limits(manifest: Mapping) -> str:
    """The known limits, with this model's own thresholds and in-domain test numbers where the manifest has
    them (a model trained on other data gets its own, or none)."""
    thresholds = manifest.get("thresholds", {})
    metrics = manifest.get("metrics", {})
    in_domain = metrics.get("corpora", {}).get("in_domain", {})
    threat = ""
    if "threat" in thresholds:
        threat = f" The threat flag is set at {thresholds['threat']:.2f}"
        if "threat" in in_domain:
            threat += (
                f"; it catches {in_domain['threat']['recall']:.0%} of the in-domain test split's threats"
            )
        threat += "."
    operating_point = ""
    hateful = in_domain.get("hateful", {})
    if "hateful" in thresholds and hateful.get("precision_at_base_rate") is not None:
        operating_point = (
            f": on the in-domain test split reweighted to a {metrics.get('base_rate', 0.05):.0%} base rate, the "
            f"hateful flag (at {thresholds['hateful']:.2f}) has precision "
            f"{hateful['precision_at_base_rate']:.2f} at recall {hateful['recall']:.2f}"
        )
        alarms = metrics.get("false_alarms", {}).get("in_domain")
        if alarms:
            operating_point += (
                f", and {alarms['flagged']} of its {alarms['clean']:,} clean comments get any flag"
            )
    return _LIMITS.format(threat=threat, operating_point=operating_point)


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
        "normalized text (obfuscations folded, repeated phrases squeezed), plus coded-term lexicon features"
        f"{_near_block(manifest['features'])}; "
        f"Platt-calibrated on the dev split. {manifest['features']['n_features']:,} hashed columns; weights in "
        "`weights.npz` (no pickle). Each block of features is L2-normalised with a smoothing term "
        f"({manifest['features'].get('norm_smoothing')}) so that a one-word reply carries little weight; texts of "
        f"more than {manifest.get('scoring', {}).get('window_words', '?')} words are also scored in windows of "
        "whole sentences (each label keeps its highest). An antisemitic score lifts the hateful score to it, "
        + _threat_rule(manifest.get("scoring", {}).get("threat_targets") or [])
        + "hate, insults and threats lift toxicity, and only a comment flagged hateful can be flagged antisemitic: "
        "the labels never contradict each other. "
        + _fitted_on(training.get("config", {}).get("fitted_on") or {})
        + _log_ratio(training.get("config", {}).get("log_ratio_power") or {}),
        "",
        "| label | meaning | threshold |",
        "|---|---|---|",
    ]
    meanings = {
        "hateful": "attacks or demeans people for a protected characteristic",
        "antisemitic": "antisemitic under the IHRA working definition (implies hateful)",
        "offensive": "abusive or profane, but not identity hate",
        "toxicity": "rude, disrespectful or unreasonable: likely to make someone leave the discussion",
        "insult": "insulting, inflammatory or negative towards a person or group",
        "threat": "intends or wishes harm or violence",
        "profanity": "swear words, curse words, obscene language",
    }
    for label in manifest["labels"]:
        lines.append(f"| `{label}` | {meanings.get(label, '')} | {manifest['thresholds'][label]:.2f} |")
    lines += [
        "",
        "Each threshold is the lowest at which the flag's precision on the in-domain comments"
        + (
            f" (the dev split, and the train split scored out of fold: each of {folds} folds by a model fitted "
            "without it)"
            if (folds := training.get("config", {}).get("threshold_folds", 0)) > 1
            else " of the dev split"
        )
        + ", reweighted so that the label's positives are its base rate in a comment section "
        f"({training.get('config', {}).get('base_rates')}), reaches its target "
        f"({training.get('config', {}).get('target_precision', '?')})"
        + (
            f", and no lower than {lowest} (a flag says the label is more likely than not)"
            + "".join(f", but for `{label}`" for label in REFINES if label in manifest["labels"])
            + "."
            if (lowest := training.get("config", {}).get("min_threshold"))
            else "."
        )
        + "".join(
            f" The `{label}` threshold is chosen among the comments the `{base}` flag takes, at its share of them "
            f"({label} base rate / {base} base rate), and a comment is flagged `{label}` only when it is also "
            f'flagged `{base}`: the threshold answers "which of the {base} comments are {label}", and may '
            f"lie below the `{base}` one (the two labels are calibrated apart)."
            for label, base in REFINES.items()
            if label in manifest["labels"] and base in manifest["labels"]
        ),
        "",
        "## Training data",
        "Split rule: SHA-1 of the stripped text, first 8 hex digits mod 100: below 20 test, 20–29 dev, rest "
        "train. Trained on train, calibrated on dev, thresholded on dev and out-of-fold train; test is only "
        "measured.",
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
            f"P@base: precision with the corpus reweighted to {metrics.get('base_rate', 0.05):g} positives, what a "
            "moderation queue on a real site would see. DynaHate is adversarial and evaluation only: its "
            "hateful row's recall and precision give its accuracy below.",
            "",
            "| corpus | label | rows | positives | precision | recall | F1 | ROC-AUC | P@base |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for corpus, by_label in metrics.get("corpora", {}).items():
            for label, m in by_label.items():
                auc = "–" if m.get("roc_auc") is None else f"{m['roc_auc']:.3f}"
                at_base = m.get("precision_at_base_rate")
                at_base = "–" if at_base is None else f"{at_base:.3f}"
                lines.append(
                    f"| {corpus} | {label} | {m['rows']:,} | {m['positives']:,} | {m['precision']:.3f} | "
                    f"{m['recall']:.3f} | {m['f1']:.3f} | {auc} | {at_base} |"
                )
        if metrics.get("dynahate_accuracy") is not None:
            lines += [
                "",
                f"DynaHate accuracy (hateful flag, dev + test): {metrics['dynahate_accuracy']:.3f}.",
            ]
        identities = metrics.get("identities")
        if identities:
            lines += [
                "",
                "### Identity statements (`data/identity_templates.json`, evaluation only)",
                "",
                "False flags: benign statements by or about the identity flagged with any label. AUCs rank the "
                "hateful probability (Borkan et al. 2019): subgroup within the identity, BPSN its benign "
                "statements against other identities' hateful ones, BNSP its hateful ones against others' benign.",
                "",
                "| identity | benign | hateful | false flags | missed hate | subgroup AUC | BPSN AUC | BNSP AUC |",
                "|---|---|---|---|---|---|---|---|",
            ]
            for m in identities:
                lines.append(
                    f"| {m['identity']} | {m['benign']} | {m['hateful']} | {m['false_flag_rate']:.3f} | "
                    f"{m['missed_rate']:.3f} | {m['subgroup_auc']:.3f} | {m['bpsn_auc']:.3f} | {m['bnsp_auc']:.3f} |"
                )
        false_alarms = metrics.get("false_alarms")
        if false_alarms:
            lines += [
                "",
                "### False alarms",
                "",
                f"Clean {metrics.get('split', 'test')} rows (every label known for the row is 0) given any flag "
                "on a label known to be 0: "
                "the noise a moderator would see, whichever label raised it.",
                "",
                "| corpus | clean rows | flagged | share |",
                "|---|---|---|---|",
            ]
            for corpus, counts in false_alarms.items():
                share = counts["flagged"] / counts["clean"] if counts["clean"] else 0.0
                lines.append(f"| {corpus} | {counts['clean']:,} | {counts['flagged']:,} | {share:.3f} |")
            if "civil_comments_toxic_spans" in false_alarms:
                lines += [
                    "",
                    "ToxicSpans' clean rows are not healthy comments: every post had been rated toxic in Civil "
                    "Comments before a majority of its span raters judged it not toxic, so they are borderline.",
                ]
    lines += ["", _INTENDED_USE, _limits(manifest)]
    return "\n".join(lines).rstrip() + "\n"


def _threat_rule(threat_targets: list) -> str:
    if not threat_targets:
        return ""
    return (
        f"so does a threat whose deciding window names one of {len(threat_targets)} words for groups of people "
        "(`scoring.threat_targets`), since a threat at a group is hate; "
    )


def _near_block(features: Mapping) -> str:
    """The near block in a clause, or nothing for a model without one."""
    near_words = features.get("near_words") or 0
    if not near_words:
        return ""
    causes = ["a negation between the two words"] if features.get("negation_words") else []
    if features.get("frame_words"):
        causes.append(
            f"one of {len(features['frame_words'])} words that report a claim (`features.frame_words`) "
            "shortly before them"
        )
    negated = f", {', or '.join(causes)} making another pair" if causes else ""
    return (
        f", plus a near block: each of {len(features.get('group_words') or {}):,} words naming a group "
        f"(`features.group_words`) paired with every word up to {near_words} away in its sentence{negated}"
    )


def _fitted_on(fitted_on: dict) -> str:
    return "".join(
        f"The `{label}` regression is fitted with the `{base}` logit as one more feature (its scale learnt) and "
        f"folded back into one weight column, so it adds only what sets {label} hate apart from other hate. "
        for label, base in fitted_on.items()
    ).rstrip()


def _log_ratio(powers: dict) -> str:
    listed = ", ".join(f"`{label}` {power:g}" for label, power in powers.items() if power)
    if not listed:
        return ""
    return (
        " Before each regression, every column was scaled by its log-count ratio between the label's positive and "
        f"negative train rows to a power ({listed}; NBSVM's scaling, softened), and the scale folded back into "
        "the weights."
    )
