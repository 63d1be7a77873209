"""Users' labelled files and the project's own in-domain comments, in the labelled-set schema.

A labelled file (CSV, TSV or JSONL, optionally gzip-compressed) needs a ``text`` column; labels are
optional. Every error names the file and the line (JSONL) or data row (CSV/TSV) it is about. A Hugging Face
dataset is read through the ``datasets`` library: a folder written by ``Dataset.save_to_disk`` (Arrow, memory
mapped), or ``hf:owner/name`` (``hf:owner/name@split``, default ``train``) from the Hub when online, cached by
``datasets`` like any Hub download.
"""

from __future__ import annotations

import gzip
import json
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from moderation.corpora._base import UNKNOWN, as_strings, labelled_frame, mapped_rows, read_table
from moderation.corpora._paths import default_in_domain_path
from moderation.corpora._registry import IN_DOMAIN
from moderation.errors import DataError
from moderation.types import LABELS

_TRUE = {"1", "true", "yes"}
_FALSE = {"0", "false", "no"}
_BLANK = {"", "-1", "none", "null", "nan", "unknown"}


def _label_value(value, *, where: str, column: str) -> int:
    """0/1/true/false (any case) or blank/null/-1 for unknown; anything else is an error."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return UNKNOWN
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float) and value in (0, 1, -1):
        return int(value)
    text = str(value).strip().lower()
    if text in _TRUE:
        return 1
    if text in _FALSE:
        return 0
    if text in _BLANK:
        return UNKNOWN
    raise DataError(f"{where}: {column} must be 0, 1, true, false or blank, got {str(value)[:40]!r}")


def _read_jsonl(path: Path, opener: Callable) -> pd.DataFrame:
    records = []
    with opener(path, "rt", encoding="utf-8") as lines:
        try:
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as error:
                    raise DataError(f"{path}: line {number}: not valid JSON ({error.msg})") from None
                if not isinstance(record, dict):
                    raise DataError(f"{path}: line {number}: expected a JSON object")
                if "text" not in record:
                    raise DataError(f"{path}: line {number}: no 'text' field")
                if not isinstance(record["text"], str):
                    raise DataError(f"{path}: line {number}: 'text' must be a string")
                records.append({**record, "_where": f"{path}: line {number}"})
        except UnicodeDecodeError:
            raise DataError(f"{path}: not UTF-8 text") from None
    return pd.DataFrame.from_records(records, columns=["text", *LABELS, "target", "_where"])


def _read_delimited(path: Path, sep: str) -> pd.DataFrame:
    frame = read_table(path, sep=sep, dtype=str, keep_default_na=False)
    if "text" not in frame.columns:
        raise DataError(f"{path}: no 'text' column (columns: {', '.join(map(str, frame.columns))})")
    frame = frame.reindex(columns=["text", *LABELS, "target"])
    # Data row n of a file with a header; quoted fields spanning lines make this a row, not a line, number.
    frame["_where"] = [f"{path}: row {number}" for number in range(1, len(frame) + 1)]
    return frame


HUB_PREFIX = "hf:"


def _read_hugging_face(reference: str, path: Path) -> pd.DataFrame:
    """A ``datasets`` dataset (a saved folder or a Hub id) as raw rows, each row named for error messages."""
    try:
        import datasets
    except ImportError:
        raise DataError(
            f"{reference}: reading a Hugging Face dataset needs the datasets package: "
            "pip install 'moderate[train]'"
        ) from None
    try:
        if reference.startswith(HUB_PREFIX):
            name, _, split = reference[len(HUB_PREFIX) :].partition("@")
            dataset = datasets.load_dataset(name, split=split or "train")
        else:
            dataset = datasets.load_from_disk(str(path))
    except Exception as error:  # the library raises many types (network, file, schema): one line each
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise DataError(f"{reference}: cannot load the dataset ({message[:200]})") from None
    if isinstance(dataset, datasets.DatasetDict):
        raise DataError(f"{reference}: holds several splits ({', '.join(dataset)}); save or name one")
    if "text" not in dataset.column_names:
        raise DataError(f"{reference}: no 'text' column (columns: {', '.join(dataset.column_names)})")
    frame = dataset.select_columns(
        [c for c in ("text", *LABELS, "target") if c in dataset.column_names]
    ).to_pandas()
    if not frame["text"].map(lambda value: isinstance(value, str)).all():
        raise DataError(f"{reference}: 'text' must be a string in every row")
    frame = frame.reindex(columns=["text", *LABELS, "target"]).astype(object)
    frame["_where"] = [f"{reference}: row {number}" for number in range(1, len(frame) + 1)]
    return frame


def _is_saved_dataset(path: Path) -> bool:
    return path.is_dir() and (path / "dataset_info.json").is_file() and (path / "state.json").is_file()


def load_labelled_file(path: str | Path, *, source: str | None = None) -> pd.DataFrame:
    """A user's labelled file (CSV, TSV or JSONL, optionally .gz) in the labelled-set schema.

    It needs a ``text`` column; ``hateful``, ``antisemitic``, ``offensive`` and ``target`` are optional. A
    missing column or blank cell is unknown (-1); values may be 0, 1, true or false. The labels are kept as
    given except that unknowns are filled by implication (antisemitic 1 makes hateful 1, hateful 0 makes
    antisemitic 0); antisemitic 1 with hateful 0 is an error. ``source`` defaults to the file stem.
    """
    reference = str(path)
    path = Path(path)
    if reference.startswith(HUB_PREFIX) or _is_saved_dataset(path):
        raw = _read_hugging_face(reference, path)
        if source is None:
            source = (
                reference[len(HUB_PREFIX) :].replace("/", "_")
                if reference.startswith(HUB_PREFIX)
                else path.name
            )
        return _labelled(raw, source)
    if not path.exists():
        raise DataError(f"{path}: no such file")
    if not path.is_file():
        raise DataError(f"{path}: not a file (a folder must be one written by datasets' save_to_disk)")
    suffixes = [suffix.lower() for suffix in path.suffixes]
    compressed = bool(suffixes) and suffixes[-1] == ".gz"
    kind = suffixes[-2] if compressed and len(suffixes) > 1 else (suffixes[-1] if suffixes else "")
    opener = gzip.open if compressed else open
    if kind in (".jsonl", ".ndjson"):
        raw = _read_jsonl(path, opener)
    elif kind in (".csv", ".tsv", ".tab"):
        raw = _read_delimited(path, "," if kind == ".csv" else "\t")
    else:
        raise DataError(f"{path}: unsupported file type; use .csv, .tsv or .jsonl (optionally .gz)")
    if source is None:
        source = path.name[: -len("".join(path.suffixes))] if path.suffixes else path.name
    return _labelled(raw, source)


def _labelled(raw: pd.DataFrame, source: str) -> pd.DataFrame:
    """Raw rows (text, label columns as given, target, _where) checked and mapped to the schema."""
    labels = {
        label: np.fromiter(
            (_label_value(v, where=w, column=label) for v, w in zip(raw[label], raw["_where"], strict=True)),
            dtype=np.int8,
            count=len(raw),
        )
        for label in LABELS
    }
    conflict = (labels["antisemitic"] == 1) & (labels["hateful"] == 0)
    if conflict.any():
        where = raw["_where"].iloc[int(np.argmax(conflict))]
        raise DataError(f"{where}: antisemitic is 1 but hateful is 0 (antisemitic implies hateful)")
    rows = mapped_rows(
        raw["text"].astype(str),
        target=as_strings(raw["target"]).str.strip().str.lower().to_numpy(dtype=object),
        **labels,
    )
    return labelled_frame(rows, source, hate_is_not_offensive=False)


def load_in_domain(path: str | Path | None = None) -> pd.DataFrame:
    """The project's own news-site comments (``data/comments.jsonl``), source "in_domain", same split rule."""
    if path is None:
        path = default_in_domain_path()
        if path is None:
            raise DataError("data/comments.jsonl not found in the project root")
    return load_labelled_file(path, source=IN_DOMAIN)
