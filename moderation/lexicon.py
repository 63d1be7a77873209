"""The coded-term lexicon: antisemitic code words and their spellings, as normalization and features use them.

``data/lexicon.json`` lists terms such as "zog", "(((…)))", "khazarian" and "joo", each with spelling variants,
a category, a meaning and its sources (ADL Hate Symbols Database, AJC "Translate Hate"). It is not a
blocklist: variants are folded to their canonical term by :class:`moderation.normalize.Normalizer`, and each
term adds a ``lexicon:<category>`` feature whose weight the model learns from labelled data, so "shekels" in a
currency story and "goyim" in a Jewish joke cost nothing unless the data says they should. A model keeps its
own copy, so a trained model never changes when ``data/`` does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from moderation.errors import ModelError
from moderation.normalize import normalize_one


@dataclass(frozen=True)
class Term:
    term: str
    canonical: str
    category: str
    variants: tuple[str, ...] = ()
    meaning: str = ""
    ambiguous: bool = False
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Lexicon:
    terms: tuple[Term, ...] = ()
    version: int = 1

    @classmethod
    def load(cls, path: str | Path) -> Lexicon:
        """Read a lexicon file; a malformed one is a one-line :class:`ModelError`."""
        try:
            return cls.from_json(Path(path).read_text(encoding="utf-8"))
        except OSError as error:
            raise ModelError(f"{path}: cannot read lexicon ({error.strerror or error})") from None
        except ModelError as error:
            raise ModelError(f"{path}: {error}") from None

    @classmethod
    def from_json(cls, text: str) -> Lexicon:
        try:
            document = json.loads(text)
            terms = tuple(
                Term(
                    term=str(entry["term"]),
                    canonical=str(entry.get("canonical") or entry["term"]),
                    category=str(entry["category"]),
                    variants=tuple(str(v) for v in entry.get("variants", ())),
                    meaning=str(entry.get("meaning", "")),
                    ambiguous=bool(entry.get("ambiguous", False)),
                    sources=tuple(str(s) for s in entry.get("sources", ())),
                )
                for entry in document["terms"]
            )
            return cls(terms, int(document.get("version", 1)))
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise ModelError(f"malformed lexicon ({error!r})") from None

    def to_json(self) -> str:
        document = {
            "version": self.version,
            "terms": [
                {
                    "term": t.term,
                    "canonical": t.canonical,
                    "variants": list(t.variants),
                    "category": t.category,
                    "meaning": t.meaning,
                    "ambiguous": t.ambiguous,
                    "sources": list(t.sources),
                }
                for t in self.terms
            ],
        }
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"

    def variants(self) -> dict[str, str]:
        """Spelling variant -> canonical term, for the normalizer (multi-word variants included)."""
        mapping: dict[str, str] = {}
        for term in self.terms:
            for variant in (term.term, *term.variants):
                if normalize_one(variant) != normalize_one(term.canonical):
                    mapping[variant] = term.canonical
        return mapping

    def features(self) -> dict[str, str]:
        """Normalized canonical term -> category, for terms of one or two words (what the featurizer matches)."""
        mapping: dict[str, str] = {}
        for term in self.terms:
            key = normalize_one(term.canonical)
            if key and len(key.split()) <= 2 and all(w.replace("_", "").isalnum() for w in key.split()):
                mapping.setdefault(key, term.category)
        return mapping
