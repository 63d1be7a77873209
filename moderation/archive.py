"""Score comment archives: tables of comments (JSONL, CSV, Parquet) in, one row of scores per comment out.

For pandas and Dask users, and for ``moderate batch``. Needs the ``batch`` extra (pandas, pyarrow, and
dask[distributed] for clusters): ``pip install 'moderate[batch]'``.

* :func:`score_frame` scores a pandas DataFrame; it is what ``ddf.map_partitions`` calls.
* :func:`score_files` streams files on this machine in batches of ``batch_rows`` rows: memory stays flat
  whatever the archive's size.
* :func:`score_on_dask` builds the same table as a Dask DataFrame; :class:`ModelPlugin` gives every worker
  one loaded model.

Output rows, in input order: ``source`` (the file) and ``row`` (1-based: the line for JSONL, the data row for
CSV and Parquet) when scoring files, ``id`` (as a string) when the table has an id column, then
``<label>_probability`` and ``<label>_flagged`` for every label, and ``error``: empty, or why the row has no
scores (not valid JSON, no text, text not a string). Both ways of running compute each row on its own with
the same model, so their numbers are identical.

Why a worker plugin: a Dask worker is a long-lived process, and a plugin registered with the client is
Dask's own place for per-worker state. :class:`ModelPlugin` carries the model directory's files (a few MB),
so the workers need no shared disk; each worker writes them to its local directory and loads the model once,
in ``setup``, before any task runs. No module-level cache is needed, and a second model is a second plugin.

(``moderate score --comments`` has its own JSONL reader: it keeps authors and texts for its output formats;
this one keeps only what scores need, in batches, and reports bad rows in the output instead of failing.)
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from moderation.errors import InputError
from moderation.moderator import Moderator, default_model_path

try:  # the batch extra: pandas and pyarrow (dask is imported only where a cluster is used)
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq
except ImportError as missing:  # pragma: no cover - exercised by the CLI's hint
    raise ImportError(
        f"moderation.archive needs the batch extra ({missing.name} is missing): pip install 'moderate[batch]'"
    ) from missing
try:  # without dask, everything but the cluster runs
    from distributed import WorkerPlugin as _WorkerPlugin
except ImportError:  # pragma: no cover
    _WorkerPlugin = object

TABLE_SUFFIXES = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
}
OUTPUT_SUFFIXES = {".jsonl": "jsonl", ".csv": "csv", ".parquet": "parquet"}
BATCH_ROWS = 10_000
PLUGIN_PREFIX = "moderate-model-"


# ---- scoring a frame --------------------------------------------------------------------------------------


def score_columns(labels: Sequence[str]) -> list[str]:
    """The score columns, in order: probability and flag per label, then ``error``."""
    columns = []
    for label in labels:
        columns += [f"{label}_probability", f"{label}_flagged"]
    return [*columns, "error"]


def _problem(value: object, text_column: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return f"no {text_column}"
    return f"{text_column} is not a string ({type(value).__name__})"


def score_frame(
    frame: pd.DataFrame,
    moderator: Moderator | None = None,
    *,
    text_column: str = "text",
    id_column: str | None = None,
) -> pd.DataFrame:
    """Score the ``text_column`` of every row; one output row per input row, same index.

    Columns: ``id`` (``id_column`` as strings) when given, the probability and flag of every label, and
    ``error`` (empty when scored; otherwise why not: the row keeps its place, with no scores). With no
    ``moderator``, the model that :class:`ModelPlugin` loaded on this Dask worker is used, else the default
    model is loaded (once per call: pass one when calling repeatedly outside Dask).
    """
    if text_column not in frame.columns:
        raise InputError(f'no "{text_column}" column (columns: {", ".join(map(str, frame.columns))})')
    if id_column is not None and id_column not in frame.columns:
        raise InputError(f'no "{id_column}" column (columns: {", ".join(map(str, frame.columns))})')
    moderator = moderator or _worker_moderator() or Moderator.load()
    values = frame[text_column].tolist()
    good = [i for i, value in enumerate(values) if isinstance(value, str)]
    probabilities = np.full((len(values), len(moderator.labels)), np.nan)
    if good:
        probabilities[good] = moderator.probabilities([values[i] for i in good])
    errors = [""] * len(values)
    for i, value in enumerate(values):
        if not isinstance(value, str):
            errors[i] = _problem(value, text_column)
    scored = np.zeros(len(values), dtype=bool)
    scored[good] = True
    columns: dict[str, object] = {}
    if id_column is not None:
        columns["id"] = pd.array([None if _missing(v) else str(v) for v in frame[id_column]], dtype="string")
    flags = moderator.flags(probabilities)  # an unscored row's NaN flags nothing; it becomes NA below
    for k, label in enumerate(moderator.labels):
        columns[f"{label}_probability"] = probabilities[:, k]
        flagged = pd.array(flags[:, k], dtype="boolean")
        flagged[~scored] = pd.NA
        columns[f"{label}_flagged"] = flagged
    columns["error"] = pd.array(errors, dtype="string")
    return pd.DataFrame(columns, index=frame.index)


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def _worker_moderator() -> Moderator | None:
    try:
        from distributed import get_worker
    except ImportError:
        return None
    try:
        worker = get_worker()
    except ValueError:  # not running inside a Dask task
        return None
    plugins = [p for name, p in worker.plugins.items() if str(name).startswith(PLUGIN_PREFIX)]
    if len(plugins) > 1:
        raise InputError("this Dask worker holds several models: pass the moderator to score_frame")
    return plugins[0].moderator if plugins else None


# ---- reading tables ---------------------------------------------------------------------------------------


def table_files(inputs: Iterable[str]) -> list[Path]:
    """Expand files, folders (searched recursively for .jsonl, .ndjson, .csv, .parquet, .pq) and globs."""
    import glob

    found: list[Path] = []
    for argument in inputs:
        path = Path(argument)
        if path.is_dir():
            inside = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix.lower() in TABLE_SUFFIXES
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            if not inside:
                raise InputError(f"{argument}: no .jsonl, .csv or .parquet file in this folder")
            found += inside
        elif path.is_file():
            found.append(path)
        elif glob.has_magic(argument):
            matches = sorted(Path(m) for m in glob.glob(argument, recursive=True) if Path(m).is_file())
            if not matches:
                raise InputError(f"{argument}: no file matches this pattern")
            found += matches
        else:
            raise InputError(f"{argument}: no such file or directory")
    unique: dict[str, Path] = {}
    for file in found:
        if file.suffix.lower() not in TABLE_SUFFIXES:
            raise InputError(
                f"{file}: unknown table format {file.suffix or '(no extension)'}; use .jsonl, .csv or .parquet"
            )
        unique.setdefault(os.path.realpath(file), file)
    return list(unique.values())


def table_columns(path: Path) -> list[str]:
    """The column names of a table (for JSONL: the keys of its first object)."""
    kind = TABLE_SUFFIXES[path.suffix.lower()]
    try:
        if kind == "parquet":
            return list(pq.ParquetFile(path).schema_arrow.names)
        if kind == "csv":
            with open(path, encoding="utf-8", newline="") as stream:
                return next(csv.reader(stream), [])
        with open(path, encoding="utf-8", errors="replace") as stream:
            for line in stream:
                if line.strip():
                    record = json.loads(line)
                    return list(record) if isinstance(record, dict) else []
        return []
    except (OSError, ValueError, pa.ArrowException) as error:
        raise InputError(f"{path}: cannot read the table ({error})") from None


def _jsonl_batches(path: Path, text_column: str, id_column: str | None, rows: int) -> Iterator[pd.DataFrame]:
    texts: list[object] = []
    ids: list[object] = []
    numbers: list[int] = []
    problems: list[str] = []
    with open(path, encoding="utf-8", errors="replace") as stream:
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            text: object = None
            ident: object = None
            problem = ""
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                problem = f"not valid JSON ({error.msg})"
            else:
                if isinstance(record, dict):
                    text = record.get(text_column)
                    ident = record.get(id_column) if id_column else None
                else:
                    problem = "not a JSON object"
            texts.append(text)
            ids.append(ident)
            numbers.append(number)
            problems.append(problem)
            if len(texts) >= rows:
                yield _frame(path, numbers, texts, ids, id_column, problems)
                texts, ids, numbers, problems = [], [], [], []
    if texts:
        yield _frame(path, numbers, texts, ids, id_column, problems)


def _frame(path, numbers, texts, ids, id_column, problems) -> pd.DataFrame:
    columns = {"source": str(path), "row": numbers, "_text": texts, "_problem": problems}
    if id_column:
        columns["_id"] = pd.Series(ids, dtype=object)  # not float64, which would turn 7 into "7.0"
    return pd.DataFrame(columns)


def _csv_batches(path: Path, text_column: str, id_column: str | None, rows: int) -> Iterator[pd.DataFrame]:
    columns_read = [text_column, *([id_column] if id_column else [])]
    first = 1
    try:
        reader = pd.read_csv(
            path, dtype=str, keep_default_na=False, usecols=columns_read, chunksize=rows, encoding="utf-8"
        )
        for chunk in reader:
            count = len(chunk)
            columns = {
                "source": str(path),
                "row": np.arange(first, first + count),
                "_text": chunk[text_column].tolist(),
                "_problem": [""] * count,
            }
            if id_column:
                columns["_id"] = pd.Series(chunk[id_column].tolist(), dtype=object)
            first += count
            yield pd.DataFrame(columns)
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as error:
        raise InputError(f"{path}: not a readable CSV table ({str(error).splitlines()[0]})") from None


def _parquet_batches(
    path: Path, text_column: str, id_column: str | None, rows: int, row_group: int | None = None
) -> Iterator[pd.DataFrame]:
    file = pq.ParquetFile(path)
    columns_read = [text_column, *([id_column] if id_column else [])]
    groups = range(file.num_row_groups) if row_group is None else [row_group]
    first = 1 + sum(file.metadata.row_group(g).num_rows for g in range(groups[0])) if len(groups) else 1
    for batch in file.iter_batches(batch_size=rows, row_groups=list(groups), columns=columns_read):
        count = batch.num_rows
        columns = {
            "source": str(path),
            "row": np.arange(first, first + count),
            "_text": batch.column(text_column).to_pylist(),
            "_problem": [""] * count,
        }
        if id_column:
            columns["_id"] = pd.Series(batch.column(id_column).to_pylist(), dtype=object)
        first += count
        yield pd.DataFrame(columns)


def read_batches(
    path: Path, *, text_column: str = "text", id_column: str | None = None, rows: int = BATCH_ROWS
) -> Iterator[pd.DataFrame]:
    """A table in frames of at most ``rows`` rows: ``source``, ``row``, ``_text``, ``_problem`` [, ``_id``].

    A table without ``text_column`` (or ``id_column``) is an InputError; a row without a usable text is
    kept, and scoring says why it has no scores.
    """
    columns = table_columns(path)
    kind = TABLE_SUFFIXES[path.suffix.lower()]
    for name in (text_column, id_column):
        if name is not None and kind != "jsonl" and name not in columns:
            raise InputError(f'{path}: no "{name}" column (columns: {", ".join(columns) or "none"})')
    if kind == "jsonl":
        return _jsonl_batches(path, text_column, id_column, rows)
    if kind == "csv":
        return _csv_batches(path, text_column, id_column, rows)
    return _parquet_batches(path, text_column, id_column, rows)


def score_batch(
    batch: pd.DataFrame, moderator: Moderator | None, *, text_column: str, id_column: str | None
) -> pd.DataFrame:
    """Score a frame from :func:`read_batches`: ``source``, ``row`` [, ``id``] and the score columns."""
    scored = score_frame(batch, moderator, text_column="_text", id_column="_id" if id_column else None)
    problems = batch["_problem"].tolist()
    errors = scored["error"].tolist()
    scored["error"] = pd.array(
        [
            problem or (error.replace("_text", text_column, 1) if error else "")
            for problem, error in zip(problems, errors, strict=True)
        ],
        dtype="string",
    )
    where = pd.DataFrame(
        {
            "source": pd.array(batch["source"].tolist(), dtype="string"),
            "row": batch["row"].to_numpy(dtype="int64"),
        }
    )
    return pd.concat([where, scored.reset_index(drop=True)], axis=1)


# ---- writing ----------------------------------------------------------------------------------------------


class TableWriter:
    """Append scored frames to one JSONL, CSV or Parquet file (by extension), atomically: a temporary file
    beside the target, renamed when the block ends without an exception, removed otherwise."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        suffix = self.path.suffix.lower()
        if suffix not in OUTPUT_SUFFIXES:
            raise InputError(
                f"{path}: unknown output format {suffix or '(no extension)'}; use .parquet, .jsonl or .csv"
            )
        self.kind = OUTPUT_SUFFIXES[suffix]
        directory = self.path.parent if str(self.path.parent) else Path(".")
        if not directory.is_dir():
            raise InputError(f"{path}: directory {directory} does not exist")
        self.rows = 0
        self._temporary: Path | None = None
        self._parquet: pq.ParquetWriter | None = None
        self._stream = None
        self._header = True

    def __enter__(self) -> TableWriter:
        directory = self.path.parent if str(self.path.parent) else Path(".")
        handle, name = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=directory)
        self._temporary = Path(name)
        if self.kind == "parquet":
            os.close(handle)
        else:
            self._stream = os.fdopen(handle, "w", encoding="utf-8", newline="")
        return self

    def write(self, frame: pd.DataFrame) -> None:
        self.rows += len(frame)
        if self.kind == "parquet":
            table = pa.Table.from_pandas(frame, preserve_index=False)
            if self._parquet is None:
                self._parquet = pq.ParquetWriter(self._temporary, table.schema)
            self._parquet.write_table(table.cast(self._parquet.schema))
        elif self.kind == "csv":
            frame.to_csv(self._stream, index=False, header=self._header, lineterminator="\n")
            self._header = False
        else:  # json, not pandas' to_json: that rounds floats to 15 digits
            plain = frame.astype(object).where(frame.notna(), None)
            columns = list(plain.columns)
            self._stream.writelines(
                json.dumps(dict(zip(columns, row, strict=True)), ensure_ascii=False, default=_plain) + "\n"
                for row in plain.itertuples(index=False, name=None)
            )

    def __exit__(self, kind, error, traceback) -> None:
        assert self._temporary is not None
        try:
            if self._parquet is not None:
                self._parquet.close()
            if self._stream is not None:
                self._stream.close()
            if kind is None:
                os.chmod(self._temporary, 0o644)
                os.replace(self._temporary, self.path)
        finally:
            self._temporary.unlink(missing_ok=True)


def _plain(value: object) -> object:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


# ---- on this machine --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BatchSummary:
    """What a batch run wrote: rows, rows without scores (see their ``error``), flags per label."""

    rows: int
    unscored: int
    flagged: dict[str, int]


def _summarise(summary: dict, frame: pd.DataFrame, labels: Sequence[str]) -> None:
    summary["rows"] += len(frame)
    summary["unscored"] += int((frame["error"] != "").sum())
    for label in labels:
        summary["flagged"][label] += int(frame[f"{label}_flagged"].fillna(False).sum())


def score_files(
    files: Sequence[Path],
    out: str | Path,
    moderator: Moderator,
    *,
    text_column: str = "text",
    id_column: str | None = None,
    rows: int = BATCH_ROWS,
) -> BatchSummary:
    """Score every row of ``files`` into ``out``, ``rows`` rows at a time, on this machine."""
    summary = {"rows": 0, "unscored": 0, "flagged": dict.fromkeys(moderator.labels, 0)}
    with TableWriter(out) as writer:
        for file in files:
            for batch in read_batches(file, text_column=text_column, id_column=id_column, rows=rows):
                scored = score_batch(batch, moderator, text_column=text_column, id_column=id_column)
                _summarise(summary, scored, moderator.labels)
                writer.write(scored)
    return BatchSummary(**summary)


# ---- on Dask ----------------------------------------------------------------------------------------------


class ModelPlugin(_WorkerPlugin):
    """A Dask worker plugin that ships a model directory to each worker and loads it there once.

    ``client.register_plugin(ModelPlugin(path))``; then :func:`score_frame` (with no moderator) and
    :func:`score_on_dask` use the worker's model. ``path`` None means ``$MODERATE_MODEL`` or the shipped
    model, as resolved on the client.
    """

    def __init__(self, path: str | Path | None = None):
        directory = Path(path) if path is not None else default_model_path()
        if not (directory / "manifest.json").is_file():
            raise InputError(f"{directory}: not a model directory (no manifest.json)")
        self.files = {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file()}
        digest = hashlib.sha256()
        for name, data in self.files.items():
            digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
        self.name = PLUGIN_PREFIX + digest.hexdigest()[:16]
        self.moderator: Moderator | None = None

    def __getstate__(self) -> dict:
        return {"files": self.files, "name": self.name}  # never the loaded model: each worker loads its own

    def __setstate__(self, state: dict) -> None:
        self.files, self.name, self.moderator = state["files"], state["name"], None

    def setup(self, worker) -> None:
        directory = Path(worker.local_directory) / self.name
        directory.mkdir(parents=True, exist_ok=True)
        for name, data in self.files.items():
            (directory / name).write_bytes(data)
        self.moderator = Moderator.load(directory)

    def teardown(self, worker) -> None:
        self.moderator = None


def _score_part(
    spec: tuple[str, int | None], text_column: str, id_column: str | None, plugin: str
) -> pd.DataFrame:
    from distributed import get_worker

    path, row_group = spec
    moderator = get_worker().plugins[plugin].moderator
    file = Path(path)
    if TABLE_SUFFIXES[file.suffix.lower()] == "parquet":
        batches = _parquet_batches(file, text_column, id_column, BATCH_ROWS, row_group)
    else:
        batches = read_batches(file, text_column=text_column, id_column=id_column)
    frames = [
        score_batch(batch, moderator, text_column=text_column, id_column=id_column) for batch in batches
    ]
    return pd.concat(frames, ignore_index=True) if frames else _empty(moderator.labels, id_column)


def _empty(labels: Sequence[str], id_column: str | None) -> pd.DataFrame:
    columns: dict[str, pd.Series] = {
        "source": pd.Series([], dtype="string"),
        "row": pd.Series([], dtype="int64"),
    }
    if id_column:
        columns["id"] = pd.Series([], dtype="string")
    for label in labels:
        columns[f"{label}_probability"] = pd.Series([], dtype="float64")
        columns[f"{label}_flagged"] = pd.Series([], dtype="boolean")
    columns["error"] = pd.Series([], dtype="string")
    return pd.DataFrame(columns)


def partitions(files: Sequence[Path]) -> list[tuple[str, int | None]]:
    """The work units of a Dask run: one per Parquet row group, one per JSONL or CSV file."""
    specs: list[tuple[str, int | None]] = []
    for file in files:
        if TABLE_SUFFIXES[file.suffix.lower()] == "parquet":
            groups = pq.ParquetFile(file).num_row_groups
            specs += [(str(file), group) for group in range(groups)] or [(str(file), None)]
        else:
            specs.append((str(file), None))
    return specs


def score_on_dask(
    client,
    files: Sequence[Path],
    *,
    model: str | Path | None = None,
    text_column: str = "text",
    id_column: str | None = None,
):
    """A Dask DataFrame of the scores of ``files`` (the rows :func:`score_files` writes), computed on
    ``client``'s workers, each with the model loaded once by a :class:`ModelPlugin`."""
    import dask.dataframe as dd

    plugin = ModelPlugin(model)
    client.register_plugin(plugin, name=plugin.name)
    labels = Moderator.load(model).labels
    for file in files:
        read_batches(
            file, text_column=text_column, id_column=id_column
        )  # check the columns here, not on a worker
    return dd.from_map(
        _score_part,
        partitions(files),
        text_column=text_column,
        id_column=id_column,
        plugin=plugin.name,
        meta=_empty(labels, id_column),
        enforce_metadata=False,
    )


def write_from_dask(client, frame, out: str | Path, labels: Sequence[str], *, ahead: int = 8) -> BatchSummary:
    """Compute ``frame``'s partitions on ``client``'s cluster, at most ``ahead`` at a time, and write them
    here in order: the output is one file, and only ``ahead`` partitions' scores are held at once."""
    summary = {"rows": 0, "unscored": 0, "flagged": dict.fromkeys(labels, 0)}
    parts = frame.to_delayed()
    with TableWriter(out) as writer:
        running = [client.compute(part) for part in parts[:ahead]]
        following = ahead
        while running:
            scored = running.pop(0).result()
            if following < len(parts):
                running.append(client.compute(parts[following]))
                following += 1
            _summarise(summary, scored, labels)
            writer.write(scored)
    return BatchSummary(**summary)
