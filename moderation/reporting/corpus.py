"""Read, parse and score a corpus of pages for a report: articles out in input order, a bounded number in flight.

Two things make a corpus of thousands of pages fast. Pages are parsed in worker processes (parsing is pure
Python, one page at a time, and the other cores are idle otherwise) while this process scores. And comments
are scored in batches of about a thousand across articles, not fifty at a time per article: the vectorised
scoring and explanation passes cost the same per call whatever the batch, so small batches waste most of it.
A page's scores do not depend on the batch it was scored in (each row is computed on its own).
"""

from __future__ import annotations

import os
import signal
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor

from moderation.errors import ModerateError
from moderation.moderator import Moderator
from moderation.parsing import parse_file
from moderation.types import Article, ModeratedArticle, ModeratedComment

SCORING_BATCH = 1024


def _parse(path: str, max_bytes: int) -> Article | ModerateError:
    try:
        return parse_file(path, max_bytes=max_bytes)
    except ModerateError as error:  # sent back as a value: the corpus goes on
        return error


def _worker_signals() -> None:
    # Ctrl-C reaches the whole process group: only the parent handles it (and stops the pool), so a
    # worker dying mid-task cannot turn an interrupt into a broken-pool traceback. SIGTERM kills a worker
    # outright, whatever handler it inherited from the parent.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _parsed_in_order(
    files: list[str], max_bytes: int, jobs: int
) -> Iterator[tuple[str, Article | ModerateError]]:
    if jobs <= 1 or len(files) < 2 or "-" in files:  # stdin can only be read by this process
        for file in files:
            yield file, _parse(file, max_bytes)
        return
    window = 8 * jobs  # pages parsed ahead of scoring: enough to keep the workers busy, never the corpus
    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_worker_signals)
    try:
        pending: deque[tuple[str, Future]] = deque()
        queued = iter(files)
        for file in queued:
            pending.append((file, pool.submit(_parse, file, max_bytes)))
            if len(pending) >= window:
                break
        while pending:
            file, future = pending.popleft()
            yield file, future.result()
            following = next(queued, None)
            if following is not None:
                pending.append((following, pool.submit(_parse, following, max_bytes)))
    finally:
        # Stopped early (an error, Ctrl-C, SIGTERM, the caller closing this generator): the pages still queued
        # are not wanted, so they are cancelled rather than parsed and awaited.
        pool.shutdown(wait=True, cancel_futures=True)


def moderate_corpus(
    files: Iterable[str],
    moderator: Moderator,
    *,
    max_bytes: int,
    jobs: int | None = None,
    explain: str = "flagged",
) -> Iterator[tuple[str, ModeratedArticle | ModerateError]]:
    """Each file with its scored article, or with the error that stopped it being read, in input order.

    ``jobs`` parser processes (default: one per CPU, at most 8); 1 parses in this process. ``explain`` is
    passed to :meth:`Moderator.score_many`.
    """
    files = list(files)
    jobs = min(8, os.cpu_count() or 1) if jobs is None else jobs
    batch: list[tuple[str, Article | ModerateError]] = []
    comments = 0
    for file, parsed in _parsed_in_order(files, max_bytes, jobs):
        batch.append((file, parsed))
        comments += len(parsed.comments) if isinstance(parsed, Article) else 0
        if comments >= SCORING_BATCH:
            yield from _score(batch, moderator, explain)
            batch, comments = [], 0
    yield from _score(batch, moderator, explain)


def _score(
    batch: list[tuple[str, Article | ModerateError]], moderator: Moderator, explain: str
) -> Iterator[tuple[str, ModeratedArticle | ModerateError]]:
    texts = [c.text for _, parsed in batch if isinstance(parsed, Article) for c in parsed.comments]
    scores = iter(moderator.score_many(texts, explain=explain))
    for file, parsed in batch:
        if isinstance(parsed, Article):
            comments = tuple(ModeratedComment(c, next(scores)) for c in parsed.comments)
            yield file, ModeratedArticle(parsed, comments)
        else:
            yield file, parsed
