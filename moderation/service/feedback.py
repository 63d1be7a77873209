"""Moderators' verdicts from ``comments:suggestscore``, kept in SQLite and exported as labelled training data.

The store is one SQLite file (``moderate serve --feedback-db PATH``). Every worker process opens its own
connection; the database runs in WAL mode with a busy timeout, so concurrent appends from ``--workers N``
queue on SQLite's own lock instead of failing or corrupting the file. Rows are only ever appended.

:func:`export_jsonl` writes the rows as the labelled JSONL ``moderate train --file`` reads (``text`` plus one
0/1 column per label, see :func:`moderation.service.attributes.feedback_labels`); a label two verdicts on
the same row disagree about is left out (unknown) rather than guessed.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
import threading
import time
from pathlib import Path

from moderation.errors import ModerateError
from moderation.service.attributes import feedback_labels
from moderation.service.perspective import Suggestion

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    received TEXT NOT NULL,
    text TEXT NOT NULL,
    attribute_scores TEXT NOT NULL,
    languages TEXT NOT NULL,
    community_id TEXT,
    client_token TEXT,
    session_id TEXT,
    context TEXT NOT NULL
)
"""


class FeedbackStore:
    """An append-only SQLite table of suggestions; one per process, safe to call from any thread."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self._connection = sqlite3.connect(self.path, timeout=10.0, check_same_thread=False)
            self._connection.execute("PRAGMA journal_mode=WAL")
            self._connection.execute("PRAGMA synchronous=NORMAL")
            with self._connection:
                self._connection.execute(_SCHEMA)
        except sqlite3.Error as error:
            raise ModerateError(f"{self.path}: cannot open the feedback database ({error})") from None
        # One connection per process; sqlite3 connections must not run two statements at once.
        self._lock = threading.Lock()

    def append(self, suggestion: Suggestion) -> None:
        row = (
            time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            suggestion.text,
            json.dumps(suggestion.attribute_scores, ensure_ascii=False),
            json.dumps(suggestion.languages),
            suggestion.community_id,
            suggestion.client_token,
            suggestion.session_id,
            json.dumps(suggestion.context, ensure_ascii=False),
        )
        with self._lock, self._connection:
            self._connection.execute(
                "INSERT INTO feedback (received, text, attribute_scores, languages, community_id, "
                "client_token, session_id, context) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )

    def close(self) -> None:
        with self._lock:
            self._connection.close()


def labelled_rows(database: str | Path) -> list[dict]:
    """Every stored suggestion as ``{"text", <label>: 0|1, ..., "community_id", "client_token"}``."""
    path = Path(database)
    if not path.is_file():
        raise ModerateError(f"{path}: no such feedback database")
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10.0)
        try:
            rows = connection.execute(
                "SELECT text, attribute_scores, community_id, client_token FROM feedback ORDER BY id"
            ).fetchall()
        finally:
            connection.close()
    except sqlite3.Error as error:
        raise ModerateError(f"{path}: not a feedback database ({error})") from None
    records = []
    for text, attribute_scores, community_id, client_token in rows:
        votes: dict[str, set[int]] = {}
        for attribute, scores in json.loads(attribute_scores).items():
            summary = scores.get("summaryScore")
            if summary is None:
                continue  # spans only: no verdict on the comment as a whole
            for label, value in feedback_labels(attribute, summary["value"]).items():
                votes.setdefault(label, set()).add(value)
        labels = {label: next(iter(values)) for label, values in votes.items() if len(values) == 1}
        if not labels:
            continue
        records.append({"text": text, **labels, "community_id": community_id, "client_token": client_token})
    return records


def export_jsonl(database: str | Path, out: str | Path) -> int:
    """Write the labelled rows to ``out`` (JSONL, written to a temp file and renamed); the number written."""
    records = labelled_rows(database)
    target = Path(out)
    try:
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 (renamed into place once complete)
            "w", encoding="utf-8", dir=target.parent, prefix=f".{target.name}.", suffix=".tmp", delete=False
        )
    except OSError as error:
        raise ModerateError(f"{target}: cannot write ({error.strerror or error})") from None
    try:
        with handle:
            for record in records:
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        os.replace(handle.name, target)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    return len(records)
