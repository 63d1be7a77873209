"""What every corpus shares: the labelled-set schema, the split rule, file reading, implications and dedupe.

A loader (one module per corpus) maps its files to rows with :func:`mapped_rows`; :func:`labelled_frame`
turns those into labelled-set rows: stripped, the implied labels filled, duplicates merged, split assigned.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from moderation.errors import DataError
from moderation.types import LABELS

UNKNOWN = -1
SPLITS: tuple[str, ...] = ("train", "dev", "test")
COLUMNS: tuple[str, ...] = ("text", *LABELS, "source", "split", "target")

#: Words that show a text is about Jews or Israel. Used only to avoid asserting "not antisemitic" on a hateful
#: row whose corpus target column may have missed the Jewish target (the keyword list of the datasets README).
JEWISH_KEYWORDS = re.compile(
    r"\b(?:jew|juda|zion|israel|semit|antisemit|anti-semit|kike|holocaust|zog\b|yid|heeb|shekel|goy|hebrew)",
    re.IGNORECASE,
)
#: A target description naming Jews (implicit-hate stage 3 targets are free text).
JEWISH_TARGET = re.compile(r"jew|juda|zion|israel|semit|hebrew", re.IGNORECASE)


def split_of(text: str) -> str:
    """The project's split for a text: SHA-1 of the stripped UTF-8 text, first 8 hex digits as int, mod 100.

    Below 20 is "test", 20 to 29 "dev", the rest "train". Identical texts land in the same split everywhere.
    """
    bucket = int(hashlib.sha1(text.strip().encode("utf-8")).hexdigest()[:8], 16) % 100
    if bucket < 20:
        return "test"
    if bucket < 30:
        return "dev"
    return "train"


# ---------------------------------------------------------------------------------------------------------
# Reading files


def require_file(folder: Path, filename: str) -> Path:
    path = folder / filename
    if not path.is_file():
        raise DataError(f"corpus {folder.name}: missing file {filename} in {folder}")
    return path


def read_table(path: Path, *, sep: str = ",", columns: Iterable[str] = (), **options) -> pd.DataFrame:
    """A delimited file read with a real CSV parser (quoted fields may span lines), checked for columns."""
    try:
        frame = pd.read_csv(path, sep=sep, encoding="utf-8", **options)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError) as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise DataError(f"{path}: cannot be read as a table ({first_line})") from None
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise DataError(f"{path}: missing column(s) {', '.join(missing)}")
    return frame


def mapped_rows(text, hateful, antisemitic, offensive, target="", **attributes) -> pd.DataFrame:
    """Assemble mapped rows; scalars broadcast over the text column. Attribute labels (toxicity, insult,
    threat, profanity) not given are unknown here and filled by implication in :func:`apply_implications`."""
    text = pd.Series(text, dtype=object).reset_index(drop=True)
    frame = pd.DataFrame({"text": text})
    given = {"hateful": hateful, "antisemitic": antisemitic, "offensive": offensive}
    for name in LABELS:
        values = attributes.get(name, given.get(name, UNKNOWN))
        frame[name] = np.asarray(values, dtype=np.int8) if not np.isscalar(values) else np.int8(values)
    frame["target"] = np.asarray(target, dtype=object) if not isinstance(target, str) else target
    return frame


def as_strings(values: pd.Series) -> pd.Series:
    """A column as str, with missing values as ""."""
    return values.astype(object).where(values.notna(), "").astype(str)


def where(condition, yes, no) -> np.ndarray:
    return np.where(np.asarray(condition, dtype=bool), yes, no).astype(np.int8)


# ---------------------------------------------------------------------------------------------------------
# From mapped rows to the labelled set


def apply_implications(frame: pd.DataFrame, *, hate_is_not_offensive: bool) -> pd.DataFrame:
    """Fill what the labels imply. Antisemitic implies hateful; hate, abuse, insults and threats are toxic; a
    row its corpus calls neither hateful nor offensive is not toxic, insulting, threatening or profane (the
    corpora's "neither" classes cover all abuse). Only unknown attribute labels are filled."""
    frame.loc[frame["antisemitic"] == 1, "hateful"] = 1
    frame.loc[frame["hateful"] == 0, "antisemitic"] = 0
    if hate_is_not_offensive:
        frame.loc[frame["hateful"] == 1, "offensive"] = 0
    unknown_toxicity = frame["toxicity"] == UNKNOWN
    toxic = (frame[["hateful", "offensive", "insult", "threat"]] == 1).any(axis=1)
    frame.loc[unknown_toxicity & toxic, "toxicity"] = 1
    civil = (frame["hateful"] == 0) & (frame["offensive"] == 0)
    for label in ("toxicity", "insult", "threat", "profanity"):
        frame.loc[civil & (frame[label] == UNKNOWN), label] = 0
    frame.loc[frame["toxicity"] == 0, ["insult", "threat"]] = 0
    return frame


def _join_targets(values: Iterable[str]) -> str:
    seen: list[str] = []
    for value in values:
        for part in str(value).split("; "):
            if part and part not in seen:
                seen.append(part)
    return "; ".join(seen)


def labelled_frame(rows: pd.DataFrame, source: str, *, hate_is_not_offensive: bool = True) -> pd.DataFrame:
    """Strip, drop empty texts, merge duplicates, assign splits: mapped rows become labelled-set rows
    (:data:`COLUMNS`, labels int8, a fresh 0-based index)."""
    frame = rows.loc[:, ["text", *LABELS, "target"]].copy()
    frame = frame[frame["text"].notna()]
    frame["text"] = frame["text"].astype(str).str.strip()
    frame = frame[frame["text"] != ""]
    frame["target"] = as_strings(frame["target"])
    frame[list(LABELS)] = frame[list(LABELS)].astype(np.int8)
    frame = apply_implications(frame, hate_is_not_offensive=hate_is_not_offensive)

    repeated = frame["text"].duplicated(keep=False)
    if repeated.any():
        copies = frame[repeated].assign(
            # A copy overruled to hateful 1 no longer vouches for "not antisemitic": that 0 only followed from
            # its own hateful 0.
            antisemitic_of_hate=frame["antisemitic"].where(frame["hateful"] != 0, UNKNOWN)
        )
        groups = copies.groupby("text", sort=False)
        merged = groups[list(LABELS)].max()
        of_hate = groups["antisemitic_of_hate"].max()
        merged["antisemitic"] = merged["antisemitic"].where(merged["hateful"] != 1, of_hate).astype(np.int8)
        merged["target"] = groups["target"].agg(_join_targets)
        merged = merged.reset_index()
        unique = frame[~repeated]
        # Keep first-appearance order so the set reads like the corpus.
        first_seen = frame[repeated].drop_duplicates("text")[["text"]].reset_index()
        merged = first_seen.merge(merged, on="text").set_index("index")
        frame = pd.concat([unique, merged]).sort_index()
        frame = apply_implications(frame, hate_is_not_offensive=hate_is_not_offensive)

    frame["source"] = source
    frame["split"] = [split_of(text) for text in frame["text"]]
    return _schema(frame.loc[:, list(COLUMNS)])


def _schema(frame: pd.DataFrame) -> pd.DataFrame:
    """The labelled-set column types: str columns as object, labels int8; index 0..n-1."""
    frame = frame.astype({**{label: np.int8 for label in LABELS}, "text": object, "source": object,
                          "split": object, "target": object})  # fmt: skip
    return frame.reset_index(drop=True)


def concat_frames(parts: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Labelled-set frames one after another (none: an empty labelled set)."""
    parts = list(parts)
    if not parts:
        return _schema(pd.DataFrame({column: [] for column in COLUMNS}))
    return _schema(pd.concat(parts, ignore_index=True))
