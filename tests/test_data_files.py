"""Checks the project's own labelled comments (data/comments.jsonl) and coded-term lexicon
(data/lexicon.json).

These files are written by hand, so the tests guard what a reviewer would otherwise have to re-check
on every edit: schema, label logic, category coverage, held-out texts kept out, and the datasheet's
counts matching the data.
"""

from __future__ import annotations

import collections
import hashlib
import json
import re
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
COMMENTS = DATA / "comments.jsonl"
LEXICON = DATA / "lexicon.json"
IDENTITY_TEMPLATES = DATA / "identity_templates.json"
DATASHEET = DATA / "README.md"
SEED_WITH_COMMENTS = ROOT / "seeds" / "001_46c9a693b51bb0d4.txt"

LABELS = ("hateful", "antisemitic", "offensive")
# Rows from the fourth batch on also carry these (see the datasheet); earlier rows do not.
FINE_LABELS = ("toxicity", "insult", "threat", "profanity")
FIELDS = {"text", *LABELS, "category", "rationale"}
ANTISEMITIC_CATEGORIES = ("antisemitic_explicit", "antisemitic_coded", "antisemitic_obfuscated")
# Hate aimed at any group, Jews included: hateful always, antisemitic only when Jews are the target.
MIXED_TARGET_HATE_CATEGORIES = (
    "short_hate",
    "hate_obfuscated",
    "hate_threat",
    "hate_implicit_question_opinion",
    "long_comment_one_hateful_sentence",
)
HATE_CATEGORIES = (*ANTISEMITIC_CATEGORIES, "other_group_hate", *MIXED_TARGET_HATE_CATEGORIES)
NOT_HATE_CATEGORIES = (
    "jewish_identity_neutral",
    "israel_policy_criticism",
    "counter_speech",
    "negation",
    "insult_non_identity",
    "neutral_political",
    "short_reply_benign",
    "identity_benign_statement",
    "reclaimed_or_homonym_slur",
    "profanity_not_hate",
    "long_comment_benign",
    "repetitive_or_odd_benign",
    "violent_idiom_benign",
)
CATEGORIES = (*HATE_CATEGORIES, *NOT_HATE_CATEGORIES)
# Categories introduced with the fine-grained labels: every row in them carries FINE_LABELS.
FINE_LABELLED_CATEGORIES = (
    *MIXED_TARGET_HATE_CATEGORIES,
    "short_reply_benign",
    "identity_benign_statement",
    "reclaimed_or_homonym_slur",
    "profanity_not_hate",
    "long_comment_benign",
    "repetitive_or_odd_benign",
    "violent_idiom_benign",
)
# Long comments, for the length property tests: 80 to 250 words each.
LONG_CATEGORIES = ("long_comment_benign", "long_comment_one_hateful_sentence")
# Comments in these categories are never abusive; the others may carry profanity or abuse (see the datasheet).
NEVER_OFFENSIVE = (
    "jewish_identity_neutral",
    "negation",
    "neutral_political",
    "short_reply_benign",
    "identity_benign_statement",
    "reclaimed_or_homonym_slur",
    "repetitive_or_odd_benign",
    "violent_idiom_benign",
)
HELD_OUT_SENTENCES = (
    "I am a proud gay Jewish man",
    "my Jewish neighbours invited us for Shabbat",
    "the holocaust killed six million jews and we must never forget",
    # issue 9's examples
    "I am Jewish",
    "I am a Jewish man",
    "I am a Muslim woman",
    "I am a gay man",
    "jews are not parasites",
    "the khazarian mafia runs the fed",
)
# Issue 9's one-word held-out replies: no row may be just one of these.
HELD_OUT_REPLIES = ("them", "they")
LEXICON_CATEGORIES = {"conspiracy", "slur", "echo", "numeric", "mocking", "dog_whistle", "obfuscation"}
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"


def split_of(text: str) -> str:
    """The project-wide split rule: SHA-1 of the stripped UTF-8 text, first 8 hex digits mod 100."""
    bucket = int(hashlib.sha1(text.strip().encode("utf-8")).hexdigest()[:8], 16) % 100
    if bucket < 20:
        return "test"
    return "dev" if bucket < 30 else "train"


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    raw = COMMENTS.read_bytes().decode("utf-8")  # fails loudly on invalid UTF-8
    lines = raw.splitlines()
    assert all(line.strip() for line in lines), "blank line in comments.jsonl"
    return [json.loads(line) for line in lines]


@pytest.fixture(scope="module")
def lexicon() -> dict:
    return json.loads(LEXICON.read_text(encoding="utf-8"))


# --- comments.jsonl -------------------------------------------------------------------------------------


def test_every_row_has_exactly_the_schema_fields(rows):
    for row in rows:
        assert set(row) in (FIELDS, FIELDS | set(FINE_LABELS)), row
        if row["category"] in FINE_LABELLED_CATEGORIES:
            assert set(row) == FIELDS | set(FINE_LABELS), row
        assert isinstance(row["text"], str) and row["text"].strip(), row
        assert isinstance(row["rationale"], str) and row["rationale"].strip(), row
        assert "\n" not in row["rationale"], row
        assert row["category"] in CATEGORIES, row
        for label in (*LABELS, *FINE_LABELS):
            if label in row:
                assert type(row[label]) is int and row[label] in (0, 1), (label, row)


def test_there_are_at_least_700_rows_and_every_category_is_well_populated(rows):
    counts = collections.Counter(row["category"] for row in rows)
    assert len(rows) >= 700
    assert set(counts) == set(CATEGORIES)
    assert min(counts.values()) >= 35, counts


def test_antisemitic_implies_hateful(rows):
    assert all(row["hateful"] for row in rows if row["antisemitic"])


def test_labels_agree_with_category(rows):
    for row in rows:
        category = row["category"]
        if category in ANTISEMITIC_CATEGORIES:
            assert (row["hateful"], row["antisemitic"]) == (1, 1), row
        elif category in MIXED_TARGET_HATE_CATEGORIES:
            assert row["hateful"] == 1, row
        elif category == "other_group_hate":
            assert (row["hateful"], row["antisemitic"]) == (1, 0), row
        else:
            assert (row["hateful"], row["antisemitic"]) == (0, 0), row
        if category == "insult_non_identity":
            assert row["offensive"] == 1, row
        if category == "profanity_not_hate":
            assert (row["offensive"], row["profanity"]) == (1, 1), row
        if category == "hate_threat":
            assert row["threat"] == 1, row
        if category in NEVER_OFFENSIVE:
            assert row["offensive"] == 0, row


def test_hateful_and_offensive_co_occur_only_rarely_and_only_on_hate_rows(rows):
    # Documented rule: identity abuse is `hateful`; `offensive` is added only for separate profanity
    # or abuse aimed at a person, which should stay the exception.
    hateful = [row for row in rows if row["hateful"]]
    both = [row for row in hateful if row["offensive"]]
    assert all(row["category"] in HATE_CATEGORIES for row in both)
    assert 0 < len(both) <= 0.05 * len(hateful), len(both)
    assert "hateful and offensive together" in DATASHEET.read_text(encoding="utf-8").lower()


def test_fine_labels_agree_with_the_coarse_ones(rows):
    fine = [row for row in rows if "toxicity" in row]
    assert len(fine) >= 150
    for row in fine:
        assert row["toxicity"] >= row["hateful"], row  # hate is always toxic
        assert row["profanity"] <= row["offensive"] or row["hateful"], row  # profanity is offensive
    # Each fine label has both values, or a model could not learn it.
    for label in FINE_LABELS:
        assert {row[label] for row in fine} == {0, 1}, label


def test_long_and_short_categories_have_the_lengths_their_names_promise(rows):
    for row in rows:
        words = len(row["text"].split())
        if row["category"] in LONG_CATEGORIES:
            assert 80 <= words <= 250, (words, row["text"][:60])
        if row["category"] in ("short_reply_benign", "short_hate"):
            assert words <= 6, row


def test_held_out_one_word_replies_are_not_rows(rows):
    for row in rows:
        assert row["text"].strip(" .!?").casefold() not in HELD_OUT_REPLIES, row


def test_no_duplicate_texts(rows):
    texts = [row["text"].strip() for row in rows]
    duplicates = [text for text, n in collections.Counter(texts).items() if n > 1]
    assert not duplicates
    folded = [" ".join(text.casefold().split()) for text in texts]
    assert len(set(folded)) == len(folded), "texts differing only in case or spacing"


def test_held_out_sentences_are_not_in_the_data(rows):
    texts = [row["text"].casefold() for row in rows]
    for sentence in HELD_OUT_SENTENCES:
        assert not any(sentence.casefold() in text for text in texts), sentence


def test_reader_comments_of_the_held_out_seed_are_not_copied(rows):
    seed_lines = {
        " ".join(line.casefold().split())
        for line in SEED_WITH_COMMENTS.read_text(encoding="utf-8").splitlines()
        if len(line.strip()) > 15
    }
    for row in rows:
        assert " ".join(row["text"].casefold().split()) not in seed_lines, row["text"]


def test_obfuscated_rows_include_real_homoglyphs_and_zero_width_characters(rows):
    obfuscated = [row["text"] for row in rows if row["category"] == "antisemitic_obfuscated"]
    cyrillic = [t for t in obfuscated if any("CYRILLIC" in unicodedata.name(ch, "") for ch in t)]
    zero_width = [t for t in obfuscated if any(ch in ZERO_WIDTH for ch in t)]
    assert len(cyrillic) >= 3
    assert len(zero_width) >= 3


def test_hard_negatives_use_the_trigger_words_without_hate(rows):
    benign = [row["text"].casefold() for row in rows if not row["hateful"]]
    for word in ("jew", "israel", "shekel", "rothschild", "globalis", "goy", "oy vey", "bankster", "tribe"):
        assert any(word in text for text in benign), word


def test_every_split_has_positives_and_negatives_for_every_label(rows):
    by_split = collections.defaultdict(list)
    for row in rows:
        by_split[split_of(row["text"])].append(row)
    assert set(by_split) == {"train", "dev", "test"}
    for split, members in by_split.items():
        for label in LABELS:
            values = {row[label] for row in members}
            assert values == {0, 1}, (split, label)


def _table_rows(markdown: str, first_cell: str) -> dict[str, list[int]]:
    """Rows of markdown tables whose first cell matches `first_cell` (a regex), as name -> integers."""
    found = {}
    for line in markdown.splitlines():
        cells = [cell.strip().strip("`") for cell in line.strip().strip("|").split("|")]
        if len(cells) > 1 and re.fullmatch(first_cell, cells[0]) and all(c.isdigit() for c in cells[1:]):
            found[cells[0]] = [int(c) for c in cells[1:]]
    return found


def test_datasheet_counts_match_the_data(rows):
    sheet = DATASHEET.read_text(encoding="utf-8")
    per_category = _table_rows(sheet, "|".join(CATEGORIES))
    assert set(per_category) == set(CATEGORIES)
    for category in CATEGORIES:
        members = [row for row in rows if row["category"] == category]
        splits = collections.Counter(split_of(row["text"]) for row in members)
        expected = [len(members), splits["train"], splits["dev"], splits["test"]]
        assert per_category[category] == expected, category

    per_split = _table_rows(sheet, "train|dev|test|all")
    assert set(per_split) == {"train", "dev", "test", "all"}
    for split, numbers in per_split.items():
        members = [row for row in rows if split in ("all", split_of(row["text"]))]
        neither = sum(1 for row in members if not row["hateful"] and not row["offensive"])
        expected = [len(members), *(sum(row[label] for row in members) for label in LABELS), neither]
        assert numbers == expected, split


def test_datasheet_fine_label_counts_match_the_data(rows):
    fine = [row for row in rows if "toxicity" in row]
    table = _table_rows(DATASHEET.read_text(encoding="utf-8"), r"fine/\w+")
    columns = ("hateful", "antisemitic", "offensive", *FINE_LABELS)
    categories = {row["category"] for row in fine}
    assert set(table) == {f"fine/{category}" for category in categories} | {"fine/all"}
    for name, numbers in table.items():
        category = name.removeprefix("fine/")
        members = [row for row in fine if category in ("all", row["category"])]
        assert numbers == [len(members), *(sum(row[label] for row in members) for label in columns)], name


# --- identity_templates.json (evaluation only) --------------------------------------------------------------

IDENTITY_FORMS = ("adjective", "plural", "singular", "self")
PLACEHOLDER = re.compile(r"\{(\w+)\}")


@pytest.fixture(scope="module")
def identity_templates() -> dict:
    return json.loads(IDENTITY_TEMPLATES.read_text(encoding="utf-8"))


def _expansions(templates: dict, kind: str) -> list[str]:
    return [
        entry["template"].format(**{form: identity[form] for form in IDENTITY_FORMS})
        for entry in templates[kind]
        for identity in templates["identities"]
    ]


def test_identity_templates_schema_and_counts(identity_templates):
    assert {"identities", "benign", "hateful"} <= set(identity_templates)
    identities = identity_templates["identities"]
    assert len(identities) >= 24
    assert len({identity["identity"] for identity in identities}) == len(identities)
    for identity in identities:
        assert set(identity) == {"identity", *IDENTITY_FORMS, "target_antisemitic"}, identity
        assert all(isinstance(identity[form], str) and identity[form].strip() for form in IDENTITY_FORMS)
        assert isinstance(identity["target_antisemitic"], bool)
        # "a"/"an" must agree with the word that follows it, whatever the template is.
        for form in ("singular", "self"):
            article, _, rest = identity[form].partition(" ")
            if article in ("a", "an"):
                assert (article == "an") == (rest[0].lower() in "aeiou"), identity[form]
    assert [i["identity"] for i in identities if i["target_antisemitic"]] == ["jewish"]
    required = {"jewish", "muslim", "christian", "hindu", "sikh", "buddhist", "atheist", "black", "asian"}
    required |= {"latino", "arab", "mexican", "chinese", "indian", "roma", "irish", "polish", "israeli"}
    required |= {"palestinian", "gay", "lesbian", "bisexual", "trans", "women", "disabled", "immigrant"}
    assert required <= {identity["identity"] for identity in identities}
    assert len(identity_templates["benign"]) >= 20 and len(identity_templates["hateful"]) >= 20
    ids = [entry["id"] for kind in ("benign", "hateful") for entry in identity_templates[kind]]
    assert len(set(ids)) == len(ids)
    for kind in ("benign", "hateful"):
        for entry in identity_templates[kind]:
            assert {"id", "template"} <= set(entry), entry
            used = set(PLACEHOLDER.findall(entry["template"]))
            assert used and used <= set(IDENTITY_FORMS), entry
            assert not entry["template"].startswith("{"), entry  # sentence-initial forms would be lower case


def test_identity_templates_expand_cleanly_for_every_identity(identity_templates):
    for kind in ("benign", "hateful"):
        expanded = _expansions(identity_templates, kind)
        assert len(expanded) == len(identity_templates[kind]) * len(identity_templates["identities"])
        assert not [text for text in expanded if "{" in text or "}" in text]
        assert not [text for text in expanded if re.search(r"\b(a [aeiou]|an [^aeiou\W])", text, re.I)]
        assert len(set(expanded)) == len(expanded)


def test_identity_templates_never_enter_the_training_data(identity_templates, rows):
    # The set is evaluation-only: no expansion, and no template frame, may appear in comments.jsonl.
    texts = {" ".join(row["text"].casefold().split()) for row in rows}
    for kind in ("benign", "hateful"):
        for text in _expansions(identity_templates, kind):
            assert " ".join(text.casefold().split()) not in texts, text
    frames = [
        max(PLACEHOLDER.split(entry["template"])[::2], key=len).strip(" ,.").casefold()
        for kind in ("benign", "hateful")
        for entry in identity_templates[kind]
    ]
    joined = "\n".join(texts)
    assert not [frame for frame in frames if len(frame) > 25 and frame in joined]


# --- lexicon.json ---------------------------------------------------------------------------------------


def test_lexicon_has_version_and_enough_terms(lexicon):
    assert lexicon["version"] == 1
    assert len(lexicon["terms"]) >= 40
    assert set(lexicon["categories"]) == LEXICON_CATEGORIES


def test_lexicon_entries_are_well_formed(lexicon):
    source_names = set(lexicon["sources"])
    seen_terms = set()
    for entry in lexicon["terms"]:
        assert set(entry) == {"term", "canonical", "variants", "category", "meaning", "ambiguous", "sources"}
        assert entry["term"] and entry["term"] not in seen_terms, entry
        seen_terms.add(entry["term"])
        assert isinstance(entry["canonical"], str) and entry["canonical"].strip()
        assert entry["category"] in LEXICON_CATEGORIES, entry
        assert isinstance(entry["ambiguous"], bool)
        assert len(entry["meaning"]) > 10
        assert entry["variants"] and all(isinstance(v, str) and v.strip() for v in entry["variants"])
        assert all(v == v.casefold() for v in entry["variants"]), entry["term"]
        assert entry["sources"], entry["term"]
        for source in entry["sources"]:
            assert any(source.startswith(name) for name in source_names), (entry["term"], source)


def test_each_lexicon_variant_maps_to_a_single_canonical_form(lexicon):
    canonical_of = {}
    for entry in lexicon["terms"]:
        for variant in entry["variants"]:
            previous = canonical_of.setdefault(variant, entry["canonical"])
            assert previous == entry["canonical"], (variant, previous, entry["canonical"])


def test_replacing_a_variant_never_rewrites_part_of_a_canonical_term(lexicon):
    # Normalization substitutes variants inside comment text; a variant that is a word-run of some
    # canonical form would be substituted again inside it ("gorillion" -> "6 6 gorillion").
    canonicals = {entry["canonical"].casefold() for entry in lexicon["terms"]}
    for entry in lexicon["terms"]:
        for variant in (entry["term"], *entry["variants"]):
            if variant.casefold() == entry["canonical"].casefold():
                continue  # maps to itself: nothing is substituted
            pattern = re.compile(rf"(?<!\w){re.escape(variant.casefold())}(?!\w)")
            for canonical in canonicals - {variant.casefold(), entry["canonical"].casefold()}:
                assert not pattern.search(canonical), (variant, canonical)
            assert not pattern.search(entry["canonical"].casefold()), (variant, entry["canonical"])


def test_lexicon_covers_the_core_coded_terms(lexicon):
    variants = {v for entry in lexicon["terms"] for v in entry["variants"]} | {
        entry["term"] for entry in lexicon["terms"]
    }
    core = ("(((echo)))", "zog", "khazarian", "goyim", "shekels", "joo", "j3w", "j e w s", "kike")
    for needed in core:
        assert needed in variants, needed


def test_words_with_everyday_meanings_are_marked_ambiguous(lexicon):
    ambiguous = {entry["term"] for entry in lexicon["terms"] if entry["ambiguous"]}
    for term in ("goyim", "shekels", "oy vey", "globalist", "rothschilds", "soros", "88", "yid", "the tribe"):
        assert term in ambiguous, term
    assert "zog" not in ambiguous and "kike" not in ambiguous


def test_lexicon_variants_appear_in_the_labelled_comments_they_describe(rows, lexicon):
    # Keeps the two files in step: nearly every obfuscation should be exercised by a hateful row.
    hateful_text = " ".join(row["text"].casefold() for row in rows if row["hateful"])
    obfuscations = [entry for entry in lexicon["terms"] if entry["category"] == "obfuscation"]
    used = [entry for entry in obfuscations if any(v in hateful_text for v in entry["variants"])]
    assert len(used) >= len(obfuscations) - 1


def test_every_target_word_is_a_normalized_word_with_a_kind_of_group():
    # The near block pairs these words (a model's manifest stores them, and loading refuses any other shape).
    terms = json.loads((DATA / "targets.json").read_text())["terms"]
    assert len(terms) > 100
    for word, kind in terms.items():
        assert re.fullmatch(r"[a-z0-9]{1,40}", word), word
        assert re.fullmatch(r"[a-z0-9_]{1,40}", kind), (word, kind)


def test_context_words_are_target_words_that_name_no_people_a_threat_could_be_aimed_at():
    # A threat whose deciding window names a target word that is not a context word is hate (moderation.model).
    document = json.loads((DATA / "targets.json").read_text())
    context = set(document["context"])
    assert context <= set(document["terms"])
    assert {"israel", "nazi", "nazis", "hitler", "woman", "girl", "zionism", "hanukkah", "retard"} <= context
    assert not context & {
        "jews",
        "jew",
        "muslims",
        "migrants",
        "women",
        "gays",
        "blacks",
        "mosque",
        "synagogue",
    }
