"""The coded-term lexicon: antisemitic code words and their spellings, as features the model can weigh.

``data/lexicon.json`` lists terms such as "zog", "(((…)))", "khazarian" and "joo", each with spelling variants,
a category, a meaning and its sources (ADL Hate Symbols Database, AJC "Translate Hate"). It is not a
blocklist: every spelling it lists is marked by :class:`moderation.features.Featurizer` with a
``lexicon:<category>`` feature whose weight the model learns from labelled data, so "shekels" in a
currency story and "goyim" in a Jewish joke cost nothing unless the data says they should. A model keeps its
own copy, so a trained model never changes when ``data/`` does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from moderation.errors import ModelError
from moderation.normalize import normalize

OBFUSCATION = "obfuscation"


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

    def features(self) -> dict[str, str]:
        """Normalized spelling (one or two words) -> category: the phrases the featurizer marks.

        Every listed spelling of a term is marked ("khazar", "khazars", "khaz4rs"), so what the model learns
        about one carries over to the others. The plain word an obfuscation spells ("jew" for "joo") is never
        marked: that someone wrote "joo" is the signal, and marking "jew" would teach the model "jew" is hostile.
        Longer phrases are left to the word and character n-grams.
        """
        mapping: dict[str, str] = {}
        for term in self.terms:
            # Ambiguous terms ("shekels", "goyim", "oy vey") get a feature of their own: their innocent uses are
            # common, and sharing a weight with "happy merchant" would carry its hostility over to them.
            feature = f"{term.category} ambiguous" if term.ambiguous else term.category
            plain = normalize(term.canonical) if term.category == OBFUSCATION else None
            for spelling in (term.canonical, term.term, *term.variants):
                key = normalize(spelling)
                words = key.split()
                if key and key != plain and len(words) <= 2 and all(w.isalnum() for w in words):
                    mapping.setdefault(key, feature)
        return mapping
