"""The data contracts every step shares: what a parsed article is and what a score is.

Everything here is immutable (frozen dataclasses, and named tuples for the two small records built per
comment): results are values, safe to share across threads; each top-level class has a JSON-ready ``to_dict``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import FrozenInstanceError, asdict, dataclass, field
from typing import NamedTuple

#: The labels moderate predicts, in the order every model stores them.
#: ``antisemitic`` (IHRA working definition) implies ``hateful``; ``offensive`` is abuse that is not identity hate.
#: ``toxicity``, ``insult``, ``threat`` and ``profanity`` are the attributes Perspective clients ask for:
#: ``toxicity`` is a rude, disrespectful or unreasonable comment likely to make someone leave the discussion
#: (hate is toxic); the other three are kinds of it, except that profanity can be friendly.
LABELS: tuple[str, ...] = (
    "hateful", "antisemitic", "offensive", "toxicity", "insult", "threat", "profanity",
)  # fmt: skip
#: The labels every model has; the attribute labels are optional (a model trained without them lacks them).
CORE_LABELS: tuple[str, ...] = ("hateful", "antisemitic", "offensive")
#: Identity hate: one hateful sentence must decide these labels even inside a long comment, so a window short of
#: the whole text pays ``LinearModel.window_margin`` only for the other labels (see :mod:`moderation.windows`).
TARGETED_LABELS: tuple[str, ...] = ("hateful", "antisemitic")
#: Each label's probability is never below any of these labels' (``antisemitic`` implies ``hateful``, hate and
#: abuse are toxic): applied to probabilities and flags after scoring.
# Threat does not imply hateful here: a threat at a person is not hate. A threat at a group is, and
# LinearModel.threat_targets lifts hateful to threat only where the window that decided the threat names people
# (not "nazis" or "woman", context words in data/targets.json): "punch every nazi" read hateful 0.99 when any
# group word counted.
IMPLIED_BY: dict[str, tuple[str, ...]] = {
    "hateful": ("antisemitic",),
    "toxicity": ("hateful", "antisemitic", "insult", "threat"),
}
#: A label flagged only among the comments its base label flags: "which of the hateful comments are
#: antisemitic". The two are calibrated apart (antisemitism is 2% of comments, hate 5%), so the same comment can
#: read hateful 0.90 and antisemitic 0.68; this way the antisemitic threshold is chosen for that question alone,
#: below the hateful one where it should be, and an antisemitic flag still always comes with a hateful one.
REFINES: dict[str, str] = {"antisemitic": "hateful"}


@dataclass(frozen=True)
class Comment:
    """One reader comment as it stood on the page."""

    index: int
    """Position among the article's comments, from 0, in page order (``to_dict`` and every output of the
    command line number comments from 1, as a reader counts them)."""
    text: str
    author: str | None = None
    posted: str | None = None
    """The date or relative time the page shows, verbatim ("2 hours ago", "June 18, 2024 at 9:14 am")."""
    parent: int | None = None
    """``index`` of the comment this one replies to, when the page says."""
    span: tuple[int, int] | None = None
    """Start and end character offsets of the comment text in the decoded source, when known."""

    def to_dict(self) -> dict:
        """The JSON form: ``number`` (``index + 1``) instead of ``index``; ``parent`` is a number too."""
        return {
            "number": self.index + 1,
            "text": self.text,
            "author": self.author,
            "posted": self.posted,
            "parent": None if self.parent is None else self.parent + 1,
            "span": None if self.span is None else list(self.span),
        }


@dataclass(frozen=True)
class Article:
    """A scraped page split into its article and its reader comments."""

    title: str | None = None
    byline: str | None = None
    published: str | None = None
    body: tuple[str, ...] = ()
    """The article's paragraphs, boilerplate removed."""
    comments: tuple[Comment, ...] = ()
    dropped: tuple[str, ...] = ()
    """Site boilerplate removed from body and comments (ads, share bars, "Leave a Reply", ...)."""
    source: str | None = None
    """Where it was read from: a path, ``-`` for stdin, or None for text passed in directly."""

    def to_dict(self) -> dict:
        return {**asdict(self), "comments": [comment.to_dict() for comment in self.comments]}


# Reason and LabelScore are typed named tuples rather than dataclasses: three of them are built per comment
# on the scoring path, and a tuple is several times cheaper to build than a frozen dataclass. Both are just
# as immutable, typed and field-named.
class Reason(NamedTuple):
    """One n-gram and how much it pushed a label's score (its share of the calibrated logit)."""

    ngram: str
    """The word or word pair in normalized form ("the j3ws" reads "the jews"), placeholders shown as written."""
    weight: float
    spans: tuple[tuple[int, int], ...] = ()
    """Where its occurrences in the deciding window stand in the comment as written: ``(start, end)`` offsets
    into the scored text (Python string offsets), in order."""


class LabelScore(NamedTuple):
    """One label's score for one comment."""

    probability: float
    """Calibrated probability that the label applies."""
    flagged: bool
    """``probability >= threshold``, or implied by another flag (hate is toxic); an antisemitic flag also needs
    a hateful one (``REFINES``)."""
    threshold: float
    reasons: tuple[Reason, ...] = ()
    """The n-grams that pushed this label's score most, strongest first (empty when not asked for)."""


@dataclass(frozen=True, slots=True)
class Scores:
    """A comment's score for every label."""

    labels: dict[str, LabelScore] = field(default_factory=dict)

    def __getitem__(self, label: str) -> LabelScore:
        return self.labels[label]

    @property
    def flags(self) -> tuple[str, ...]:
        """The labels this comment is flagged with, in model order."""
        return tuple(name for name, score in self.labels.items() if score.flagged)

    @property
    def flagged(self) -> bool:
        return any(score.flagged for score in self.labels.values())

    @property
    def driving_ngrams(self) -> tuple[str, ...]:
        """The n-grams that pushed a flagged label up, strongest first within each label, without repeats."""
        ngrams: dict[str, None] = {}
        for score in self.labels.values():
            if score.flagged:
                for reason in score.reasons:
                    if reason.weight > 0:
                        ngrams.setdefault(reason.ngram)
        return tuple(ngrams)

    def to_dict(self) -> dict:
        return {
            name: {
                "probability": round(score.probability, 6),
                "flagged": score.flagged,
                "threshold": score.threshold,
                "reasons": [
                    {
                        "ngram": r.ngram,
                        "weight": round(r.weight, 6),
                        "spans": [list(span) for span in r.spans],
                    }
                    for r in score.reasons
                ],
            }
            for name, score in self.labels.items()
        }


_LABELS_SLOT = Scores.__dict__["labels"]  # the slot's descriptor, which the class below shadows


class _DeferredScores(Scores):
    """A :class:`Scores` whose ``labels`` are built from its batch's arrays (``_rows``, a
    :class:`moderation._kernel.ScoreRows`) the first time they are read: a batch of comments whose scores are
    dropped unread, or read only for ``flagged`` and ``flags``, never builds them. It is a Scores in every
    other way: equal to one with the same labels, copied and pickled as one."""

    __slots__ = ("_rows", "_row")

    @property
    def labels(self) -> dict[str, LabelScore]:
        try:
            return _LABELS_SLOT.__get__(self)
        except AttributeError:
            labels = self._rows.row(self._row)
            # Two threads may both build it: the same values, and the last one set stays.
            _LABELS_SLOT.__set__(self, labels)
            return labels

    @property
    def flags(self) -> tuple[str, ...]:
        return self._rows.flag_names(self._row)

    @property
    def flagged(self) -> bool:
        return self._rows.flagged(self._row)

    def __new__(cls, labels: dict[str, LabelScore] | None = None) -> Scores:  # dataclasses.replace, say
        return Scores({} if labels is None else labels)

    def __setattr__(self, name, value):
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name):
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __eq__(self, other):
        return self.labels == other.labels if isinstance(other, Scores) else NotImplemented

    __hash__ = Scores.__hash__

    def __repr__(self) -> str:
        return f"Scores(labels={self.labels!r})"

    def __reduce__(self):
        return Scores, (self.labels,)


def json_members(scores: Sequence[Scores]) -> list[str]:
    """For each of ``scores``, the JSON text of the members ``"scores": {...}, "flags": [...]`` that end a
    comment's record: exactly what ``json.dumps({"scores": s.to_dict(), "flags": list(s.flags)},
    ensure_ascii=False)`` writes between its braces, written in C (building the dicts and encoding them cost
    more than scoring). Scores not made of the types moderate builds are written by json itself."""
    from moderation import _kernel

    return _kernel.json_members(scores, _json_members)


def json_records(records: Sequence[dict], members: Sequence[str]) -> list[str]:
    """Each record's JSON text with ``members[i]`` (members' JSON text, such as :func:`json_members`') added
    at its end: ``json.dumps(record, ensure_ascii=False)`` but for that, written in C for records of str
    keys and str, int or None values (a comment's fields), by json itself for any other."""
    from moderation import _kernel

    return _kernel.json_objects(list(records), _ENCODE, list(members))


_ENCODE = json.JSONEncoder(ensure_ascii=False).encode  # what json.dumps(..., ensure_ascii=False) writes


def _json_members(scores: Scores) -> str:
    return json.dumps({"scores": scores.to_dict(), "flags": list(scores.flags)}, ensure_ascii=False)[1:-1]


@dataclass(frozen=True)
class ModeratedComment:
    comment: Comment
    scores: Scores

    def to_dict(self) -> dict:
        return {**self.comment.to_dict(), "scores": self.scores.to_dict()}


@dataclass(frozen=True)
class ModeratedArticle:
    """An article with every reader comment scored, in page order."""

    article: Article
    comments: tuple[ModeratedComment, ...]

    def flagged(self, label: str | None = None) -> tuple[ModeratedComment, ...]:
        """Comments flagged with ``label``, or with any label when None."""
        if label is None:
            return tuple(c for c in self.comments if c.scores.flagged)
        return tuple(c for c in self.comments if c.scores[label].flagged)

    def to_dict(self) -> dict:
        article = self.article.to_dict()
        article["comments"] = [c.to_dict() for c in self.comments]
        return article
