"""What the corpus tests share: the fixture folders, the split rule written out again, rows by text."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

from moderation.types import CORE_LABELS, LABELS

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "corpora"


def expected_split(text: str) -> str:
    bucket = int(hashlib.sha1(text.strip().encode("utf-8")).hexdigest()[:8], 16) % 100
    return "test" if bucket < 20 else "dev" if bucket < 30 else "train"


def rows_of(table: pd.DataFrame) -> list[dict]:
    return table.to_dict("records")


def labels_by_text(table: pd.DataFrame) -> dict[str, tuple[int, int, int]]:
    """text -> (hateful, antisemitic, offensive)."""
    return {row["text"]: tuple(row[label] for label in CORE_LABELS) for row in rows_of(table)}


def targets_by_text(table: pd.DataFrame) -> dict[str, str]:
    return {row["text"]: row["target"] for row in rows_of(table)}


def attributes_by_text(table: pd.DataFrame) -> dict[str, dict[str, int]]:
    return {row["text"]: {label: row[label] for label in LABELS} for row in rows_of(table)}


def value_counts(table: pd.DataFrame, label: str) -> str:
    """How many rows have the label 1, 0 and unknown (-1), as "1/0/?"."""
    values = list(table[label])
    return "/".join(str(values.count(value)) for value in (1, 0, -1))
