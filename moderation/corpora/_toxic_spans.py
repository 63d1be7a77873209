"""ToxicSpans: Civil Comments news-site comments with typed toxic spans."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from moderation.corpora._base import JEWISH_KEYWORDS, UNKNOWN, mapped_rows, read_table, require_file, where

_SPAN_TYPES = {
    "hateful": "Identity based Attack",
    "insult": "Insult",
    "threat": "Threat",
    "profanity": "Profane/Obscene",
}


def load_toxic_spans(folder: Path) -> pd.DataFrame:
    """ToxicSpans (Civil Comments posts from ~50 news sites, CC0): per-post labels from the span raters.

    Every post had been rated toxic in Civil Comments; 3 to 7 span raters then marked and typed what was
    toxic, or ticked "not toxic". Per post, with n raters and "majority" meaning more than n / 2:

    * toxicity: 0 when a majority ticked "not toxic", else 1 (these are the corpus's weak negatives).
    * hateful: 1 when a majority marked an "Identity based Attack" span, -1 when only a minority did (the
      raters disagree: neither taught nor counted), else 0. antisemitic: 0, except -1 for a hateful post that
      mentions Jews (no target labels: only reading it could tell).
    * insult, threat, profanity: 1 when a majority marked a span of that type, else 0.
    * offensive: toxic without identity attack (1), not toxic (0), and -1 where hateful is unknown.
    """
    comments = read_table(require_file(folder, "comments.csv"), columns=("comment_id", "comment_text"))
    raters = read_table(
        require_file(folder, "annotations.csv"), columns=("annotation", "comment_id", "not toxic")
    )
    spans = read_table(require_file(folder, "spans.csv"), columns=("annotation", "type"))
    raters["not toxic"] = raters["not toxic"].astype(str).str.lower() == "true"
    per_post = raters.groupby("comment_id").agg(raters=("annotation", "size"), not_toxic=("not toxic", "sum"))
    typed = spans.merge(raters[["annotation", "comment_id"]], on="annotation")
    frame = comments.join(per_post, on="comment_id", how="inner")
    majority = frame["raters"].to_numpy() / 2.0
    marked = {}
    for label, span_type in _SPAN_TYPES.items():
        # Raters (not spans) who marked at least one span of this type in the post.
        who = typed[typed["type"] == span_type].drop_duplicates("annotation").groupby("comment_id").size()
        marked[label] = frame["comment_id"].map(who).fillna(0).to_numpy()
    toxic = frame["not_toxic"].to_numpy() <= majority
    identity = marked["hateful"]
    hateful = np.select([identity > majority, identity > 0], [1, UNKNOWN], default=0).astype(np.int8)
    mentions_jews = frame["comment_text"].astype(str).str.contains(JEWISH_KEYWORDS).to_numpy()
    return mapped_rows(
        frame["comment_text"],
        hateful=hateful,
        antisemitic=where((hateful == 1) & mentions_jews, UNKNOWN, 0),
        offensive=np.select([hateful == UNKNOWN, toxic & (hateful == 0)], [UNKNOWN, 1], default=0),
        toxicity=where(toxic, 1, 0),
        **{label: where(marked[label] > majority, 1, 0) for label in ("insult", "threat", "profanity")},
    )
