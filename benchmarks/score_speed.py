"""Scoring speed of moderate next to its peers, measured in one run on the same ~100-character comments.

    python benchmarks/score_speed.py [--comments 20000] [--no-peer-install]

Measures, side by side:

* a plain word (1-2) + char_wb (2-5) TF-IDF + logistic regression scikit-learn pipeline, fitted on the
  labelled comments in ``data/comments.jsonl``, scoring the same comments for the same three labels;
* alt-profanity-check, installed on first use into its own virtualenv under ``~/.cache`` (it pins its own
  scikit-learn, which must not replace ours); skipped with the reason when it cannot be installed;
* moderate: ``score_many`` throughput (all labels, ``explain="none"`` and ``"flagged"``), single-comment
  ``score`` latency (median and p99 over 2,000 calls), model load time (fresh subprocess, several runs) and
  peak resident memory of a process that loads the model and scores a batch.

It prints numbers against the targets (>= 50,000 comments/s, < 1 ms median, < 1 s load, < 300 MB); it
asserts nothing. Comments are built deterministically from ``data/comments.jsonl`` and the seed pages.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LABELS = ("hateful", "antisemitic", "offensive")
TARGET_RATE = 50_000
TARGET_MEDIAN_MS = 1.0
TARGET_LOAD_S = 1.0
TARGET_MEMORY_MB = 300
COMMENT_CHARS = 100


# ---- the comments ---------------------------------------------------------------------------------------


def labelled_comments() -> list[dict]:
    path = ROOT / "data" / "comments.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def _pieces() -> list[str]:
    """Sentences to build comments from: the labelled comments, then the seed pages' lines."""
    pieces = [" ".join(row["text"].split()) for row in labelled_comments()]
    for seed in sorted((ROOT / "seeds").glob("*.txt")):
        for line in seed.read_text("utf-8", errors="replace").splitlines():
            words = line.split()
            while words:  # long paragraphs give several pieces
                pieces.append(" ".join(words[:18]))
                words = words[18:]
    return [piece for piece in pieces if len(piece) >= 12]


def benchmark_comments(count: int) -> list[str]:
    """``count`` comments of about 100 characters, the same on every run.

    Comment i joins pieces i, i+k, i+2k... (k grows each time i wraps round the pieces) until it is long
    enough, then is cut at a word boundary: many distinct comments, and no randomness.
    """
    pieces = _pieces()
    if not pieces:
        raise SystemExit("no text to build comments from: data/comments.jsonl and seeds/ are both missing")
    comments = []
    for index in range(count):
        stride = 1 + 6 * (index // len(pieces))
        parts, position = [], index
        while sum(len(p) + 1 for p in parts) < COMMENT_CHARS - 10:
            parts.append(pieces[position % len(pieces)])
            position += stride
        text = " ".join(parts)
        if len(text) > COMMENT_CHARS:
            text = text[: text.rfind(" ", 0, COMMENT_CHARS + 1)] or text[:COMMENT_CHARS]
        comments.append(text)
    return comments


# ---- peers ----------------------------------------------------------------------------------------------


def tfidf_baseline(comments: list[str]) -> dict:
    """Fit the plain TF-IDF pipeline on the labelled comments and time predict_proba on ``comments``."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import make_pipeline, make_union

    rows = labelled_comments()
    if len(rows) < 20:
        return {"skipped": "data/comments.jsonl is missing or too small to fit the baseline"}
    targets = np.array([[int(row.get(label, 0) or 0) for label in LABELS] for row in rows])
    pipeline = make_pipeline(
        make_union(
            TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, min_df=1),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=1),
        ),
        OneVsRestClassifier(LogisticRegression(max_iter=2000, class_weight="balanced")),
    )
    pipeline.fit([row["text"] for row in rows], targets)
    pipeline.predict_proba(comments[:200])
    start = time.perf_counter()
    pipeline.predict_proba(comments)
    elapsed = time.perf_counter() - start
    return {"rate": len(comments) / elapsed, "n": len(comments), "trained_on": len(rows)}


_ALT_PROFANITY_TIMER = textwrap.dedent(
    """
    import json, sys, time, warnings
    warnings.filterwarnings("ignore")
    from profanity_check import predict_prob
    comments = json.load(open(sys.argv[1]))
    predict_prob(comments[:200])
    start = time.perf_counter()
    predict_prob(comments)
    print(json.dumps({"rate": len(comments) / (time.perf_counter() - start), "n": len(comments)}))
    """
)


def _alt_profanity_python(install: bool) -> tuple[str | None, str]:
    """A python that can import profanity_check, installing it into a cached virtualenv when allowed."""
    try:
        import profanity_check  # noqa: F401

        return sys.executable, "imported in this environment"
    except ImportError:
        pass
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "moderate-benchmarks"
    venv = cache / "alt-profanity-check"
    python = venv / "bin" / "python"
    check = [str(python), "-c", "import profanity_check"]
    if python.exists() and subprocess.run(check, capture_output=True).returncode == 0:
        return str(python), f"cached virtualenv {venv}"
    if not install:
        return None, "not installed (--no-peer-install)"
    print(f"installing alt-profanity-check into {venv} (first run only) ...", file=sys.stderr)
    try:
        subprocess.run(
            [sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True, timeout=300
        )
        pip = [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "alt-profanity-check",
        ]
        result = subprocess.run(pip, capture_output=True, text=True, timeout=900)
    except (subprocess.SubprocessError, OSError) as error:
        return None, f"could not install: {error}"
    if result.returncode != 0 or subprocess.run(check, capture_output=True).returncode != 0:
        last = (result.stderr.strip().splitlines() or ["pip failed"])[-1]
        return None, f"could not install: {last}"
    return str(python), f"installed into {venv}"


def alt_profanity_check(comments: list[str], *, install: bool) -> dict:
    python, how = _alt_profanity_python(install)
    if python is None:
        return {"skipped": how}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(comments, handle)
    try:
        result = subprocess.run(
            [python, "-c", _ALT_PROFANITY_TIMER, handle.name], capture_output=True, text=True, timeout=600
        )
    finally:
        os.unlink(handle.name)
    if result.returncode != 0:
        return {"skipped": f"failed to run: {(result.stderr.strip().splitlines() or ['?'])[-1]}"}
    return {**json.loads(result.stdout.strip().splitlines()[-1]), "how": how}


# ---- moderate -------------------------------------------------------------------------------------------

_LOAD_TIMER = textwrap.dedent(
    """
    import json, time
    start = time.perf_counter()
    from moderation import Moderator
    imported = time.perf_counter()
    Moderator.load()
    loaded = time.perf_counter()
    print(json.dumps({"import": imported - start, "load": loaded - imported}))
    """
)

_MEMORY_PROBE = textwrap.dedent(
    """
    import json, sys
    from moderation import Moderator
    comments = json.load(open(sys.argv[1]))
    moderator = Moderator.load()
    moderator.score_many(comments, explain="flagged")
    moderator.score(comments[0])
    # VmHWM, not getrusage's ru_maxrss: Linux carries ru_maxrss across exec, so a child started from this
    # (large) benchmark process would report the parent's peak instead of its own.
    with open("/proc/self/status") as status:
        peak_kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    print(json.dumps({"max_rss_kb": peak_kb, "n": len(comments)}))
    """
)


def _run_python(code: str, *arguments: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", code, *arguments], capture_output=True, text=True, timeout=600, cwd=ROOT
    )
    if result.returncode != 0:
        raise RuntimeError((result.stderr.strip().splitlines() or ["?"])[-1])
    return json.loads(result.stdout.strip().splitlines()[-1])


# Throughput and latency are timed in a fresh process, as alt-profanity-check is: the benchmark process itself
# holds scikit-learn, the fitted TF-IDF pipeline and its garbage, and Python's cyclic garbage collector would
# bill scans of that heap to whatever runs next.
_SCORING_TIMER = textwrap.dedent(
    """
    import json, statistics, sys, time
    from moderation import Moderator
    comments = json.load(open(sys.argv[1]))
    repeats = int(sys.argv[2])
    moderator = Moderator.load()
    figures = {}
    for explain in ("none", "flagged"):
        moderator.score_many(comments[:2000], explain=explain)
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            moderator.score_many(comments, explain=explain)
            times.append(time.perf_counter() - start)
        figures[f"rate_{explain}"] = len(comments) / statistics.median(times)
    flagged = sum(scores.flagged for scores in moderator.score_many(comments, explain="none"))
    figures["flagged_share"] = flagged / len(comments)
    singles = comments[:2000]
    for text in singles[:100]:
        moderator.score(text)
    latencies = []
    for text in singles:
        start = time.perf_counter_ns()
        moderator.score(text)
        latencies.append((time.perf_counter_ns() - start) / 1e6)
    latencies.sort()
    figures["median_ms"] = statistics.median(latencies)
    figures["p99_ms"] = latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))]
    print(json.dumps(figures))
    """
)


def moderate_figures(comments: list[str], *, load_runs: int, repeats: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(comments, handle)
    try:
        figures = _run_python(_SCORING_TIMER, handle.name, str(repeats))
    finally:
        os.unlink(handle.name)

    loads = [_run_python(_LOAD_TIMER) for _ in range(load_runs)]
    figures["load_s"] = statistics.median(run["load"] for run in loads)
    figures["load_max_s"] = max(run["load"] for run in loads)
    figures["import_s"] = statistics.median(run["import"] for run in loads)

    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(comments[:10_000], handle)
    try:
        memory = _run_python(_MEMORY_PROBE, handle.name)
    finally:
        os.unlink(handle.name)
    figures["memory_mb"] = memory["max_rss_kb"] / 1024
    figures["memory_batch"] = memory["n"]
    return figures


# ---- the table ------------------------------------------------------------------------------------------


def _rate(figure: dict) -> str:
    return f"{figure['rate']:>12,.0f}/s" if "rate" in figure else f"{'skipped':>14}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--comments", type=int, default=20_000, help="how many comments to score (20,000)")
    parser.add_argument("--load-runs", type=int, default=5, help="fresh processes timing the model load (5)")
    parser.add_argument(
        "--repeats", type=int, default=3, help="timed score_many passes; the median counts (3)"
    )
    parser.add_argument(
        "--no-peer-install", action="store_true", help="do not pip-install alt-profanity-check"
    )
    options = parser.parse_args()

    comments = benchmark_comments(options.comments)
    lengths = [len(c) for c in comments]
    print(
        f"{len(comments):,} comments ({len(set(comments)):,} distinct), "
        f"{statistics.mean(lengths):.0f} characters on average; "
        f"python {sys.version.split()[0]} on {os.cpu_count()} cores\n"
    )

    baseline = tfidf_baseline(comments[:5000])
    peer = alt_profanity_check(comments, install=not options.no_peer_install)
    ours = moderate_figures(comments, load_runs=options.load_runs, repeats=options.repeats)

    def ok(passed: bool) -> str:
        return "ok" if passed else "MISSED"

    rows = [
        ("TF-IDF word+char + LogReg (sklearn), 3 labels", _rate(baseline), "", ""),
        ("alt-profanity-check (profanity only)", _rate(peer), "", ""),
        (
            'moderate score_many, explain="none"',
            f"{ours['rate_none']:>12,.0f}/s",
            f">= {TARGET_RATE:,}/s",
            ok(ours["rate_none"] >= TARGET_RATE),
        ),
        (
            'moderate score_many, explain="flagged"',
            f"{ours['rate_flagged']:>12,.0f}/s",
            f">= {TARGET_RATE:,}/s",
            ok(ours["rate_flagged"] >= TARGET_RATE),
        ),
        (
            "moderate score, one comment: median",
            f"{ours['median_ms']:>11.3f} ms",
            f"< {TARGET_MEDIAN_MS:g} ms",
            ok(ours["median_ms"] < TARGET_MEDIAN_MS),
        ),
        ("moderate score, one comment: p99", f"{ours['p99_ms']:>11.3f} ms", "", ""),
        (
            f"Moderator.load(), median of {options.load_runs} fresh processes",
            f"{ours['load_s']:>12.3f} s",
            f"< {TARGET_LOAD_S:g} s",
            ok(ours["load_s"] < TARGET_LOAD_S),
        ),
        (
            "  slowest load / `import moderation`",
            f"{ours['load_max_s']:.3f} / {ours['import_s']:.3f} s",
            "",
            "",
        ),
        (
            f"peak RSS: load + score {ours['memory_batch']:,} comments",
            f"{ours['memory_mb']:>11.0f} MB",
            f"< {TARGET_MEMORY_MB} MB",
            ok(ours["memory_mb"] < TARGET_MEMORY_MB),
        ),
    ]
    width = max(len(row[0]) for row in rows)
    print(f"{'measure':<{width}}  {'value':>14}  {'target':>14}  ")
    print("-" * (width + 36))
    for name, value, target, verdict in rows:
        print(f"{name:<{width}}  {value:>14}  {target:>14}  {verdict}")
    print()
    for name, figure in (("TF-IDF baseline", baseline), ("alt-profanity-check", peer)):
        if "rate" in figure:
            print(
                f"moderate (explain=none) / {name}: {ours['rate_none'] / figure['rate']:.1f}x; "
                f'(explain="flagged"): {ours["rate_flagged"] / figure["rate"]:.1f}x'
            )
        else:
            print(f"{name}: skipped ({figure['skipped']})")
    if "trained_on" in baseline:
        print(
            f"TF-IDF baseline fitted on {baseline['trained_on']} labelled comments (data/comments.jsonl), "
            f"timed on {baseline['n']:,}."
        )
    if "how" in peer:
        print(f"alt-profanity-check: {peer['how']}.")
    print(f"share of comments flagged by moderate: {ours['flagged_share']:.1%}")


if __name__ == "__main__":
    main()
