"""The coded-term lexicon: which spellings the featurizer marks, and how a bad lexicon file is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from moderation.errors import ModelError
from moderation.lexicon import OBFUSCATION, Lexicon, Term
from moderation.normalize import normalize

LEXICON_FILE = Path(__file__).resolve().parents[1] / "data" / "lexicon.json"


@pytest.fixture(scope="module")
def shipped() -> Lexicon:
    return Lexicon.load(LEXICON_FILE)


def test_the_project_lexicon_loads_with_sourced_terms(shipped: Lexicon) -> None:
    assert len(shipped.terms) >= 20
    assert all(term.sources for term in shipped.terms)


def test_the_project_lexicon_lists_the_coded_terms_of_the_issue(shipped: Lexicon) -> None:
    marked = shipped.features()
    for spelling in ("zog", "khazarian", "goyim", "shekels", "joo"):
        assert spelling in marked, spelling


@pytest.mark.parametrize("plain", ["jew", "jews", "jewish", "israel", "jewish people"])
def test_plain_words_for_jews_are_never_marked(shipped: Lexicon, plain: str) -> None:
    assert plain not in shipped.features()


def test_the_plain_word_an_obfuscation_spells_is_not_marked() -> None:
    lexicon = Lexicon((Term(term="joo", canonical="jew", category=OBFUSCATION, variants=("jooz", "j3w")),))
    assert lexicon.features() == {"joo": OBFUSCATION, "jooz": OBFUSCATION}  # "j3w" folds to the plain "jew"


def test_a_coded_term_marks_its_canonical_form_and_every_variant() -> None:
    lexicon = Lexicon(
        (Term(term="khazars", canonical="khazar", category="conspiracy", variants=("khazarz",)),)
    )
    assert lexicon.features() == {"khazars": "conspiracy", "khazar": "conspiracy", "khazarz": "conspiracy"}


def test_variants_are_marked_in_their_normalized_spelling() -> None:
    lexicon = Lexicon(
        (Term(term="khazars", canonical="khazars", category="conspiracy", variants=("KHAZ4RS",)),)
    )
    assert lexicon.features() == {"khazars": "conspiracy"}


def test_marked_spellings_are_in_normalized_form(shipped: Lexicon) -> None:
    assert all(normalize(spelling) == spelling for spelling in shipped.features())


def test_a_lexicon_survives_a_json_round_trip(shipped: Lexicon) -> None:
    assert Lexicon.from_json(shipped.to_json()) == shipped


@pytest.mark.parametrize(
    "text",
    ["{not json", "[]", '{"terms": [{"term": "zog"}]}', '{"terms": 3}', '{"version": 1}'],
)
def test_a_malformed_lexicon_is_a_model_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "lexicon.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ModelError, match="lexicon"):
        Lexicon.load(path)


def test_a_missing_lexicon_file_is_a_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="cannot read lexicon"):
        Lexicon.load(tmp_path / "absent.json")
