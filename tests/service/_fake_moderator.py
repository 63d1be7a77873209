"""TEMPORARY stand-in until the real model lands; deleted before the report."""

from __future__ import annotations

from moderation.types import LABELS, LabelScore, Reason, Scores

WORDS = {"hateful": ("jews", "vermin"), "antisemitic": ("jews",), "offensive": ("idiot", "moron")}


class FakeModerator:
    labels = LABELS
    thresholds = {"hateful": 0.5, "antisemitic": 0.5, "offensive": 0.5}
    manifest = {"languages": ["en"]}

    def score(self, text, *, reasons=5):
        lower = text.lower()
        labels = {}
        for label in LABELS:
            hits = [w for w in WORDS[label] if w in lower]
            p = 0.95 if hits else 0.05
            labels[label] = LabelScore(p, p >= 0.5, 0.5, tuple(Reason(w, 1.0) for w in hits[:reasons]))
        return Scores(labels)

    def score_many(self, texts, *, batch_size=4096, reasons=5, explain="flagged"):
        return [self.score(t, reasons=0 if explain == "none" else reasons) for t in texts]
