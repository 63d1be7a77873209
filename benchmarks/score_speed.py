"""Scoring speed of moderate next to its peers, measured in one run on the same ~100-character comments.

    python benchmarks/score_speed.py [--comments 20000] [--cli-comments 200000]
                                     [--memory-comments 20000,200000,1000000] [--repeats 3] [--quick]

Every figure is printed beside alt-profanity-check's from the same run, with the ratio (moderate's speed /
the peer's; memory: the peer's / moderate's, so above 1 is better for moderate too), each the median of
``--repeats`` runs in fresh processes:

* ``score_many`` throughput, ``explain="none"`` and the default ``explain="flagged"``, against
  ``predict_prob`` on the same list; for ``explain="none"`` also per CPU second (``time.process_time``),
  which a busy machine disturbs less than the wall clock;
* the command line end to end on ``--cli-comments`` comments: ``moderate score --comments X.jsonl --format
  jsonl`` (read, score, explain, write), and the same with ``--explain none --no-text``, against a script
  that reads the same JSONL, calls ``predict_prob`` and writes one JSON line per comment;
* peak resident memory of those two commands at each of ``--memory-comments`` (``wait4``'s rusage of the
  command: only that process and what it waited for);
* one ``score`` call, median and p99, against one ``predict_prob([text])``.

Also printed: a plain word (1-2) + char_wb (2-5) TF-IDF + logistic regression scikit-learn pipeline fitted on
``data/comments.jsonl`` (throughput only), model load time and the share of comments flagged.
alt-profanity-check is installed on first use into its own virtualenv under ``~/.cache`` (it pins its own
scikit-learn, which must not replace ours); without it the peer's cells say why. ``--quick`` runs small
sizes (a minute or two) to check that everything works; the full sizes take a quiet machine several
minutes. Comments are built deterministically from ``data/comments.jsonl`` and the seed pages. It asserts
nothing.
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
    import json, statistics, sys, time, warnings
    warnings.filterwarnings("ignore")
    from profanity_check import predict_prob
    comments = json.load(open(sys.argv[1]))
    repeats = int(sys.argv[2])
    predict_prob(comments[:200])
    times, cpu_times = [], []
    for _ in range(repeats):
        start, cpu_start = time.perf_counter(), time.process_time()
        predict_prob(comments)
        times.append(time.perf_counter() - start)
        cpu_times.append(time.process_time() - cpu_start)
    latencies = []
    for text in comments[:2000]:
        start = time.perf_counter_ns()
        predict_prob([text])
        latencies.append((time.perf_counter_ns() - start) / 1e6)
    latencies.sort()
    print(json.dumps({
        "rate": len(comments) / statistics.median(times), "n": len(comments),
        "cpu_rate": len(comments) / statistics.median(cpu_times),
        "median_ms": statistics.median(latencies),
        "p99_ms": latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))],
    }))
    """
)

# What a user of alt-profanity-check writes to do what `moderate score --comments X.jsonl --format jsonl` does.
_ALT_PROFANITY_CLI = textwrap.dedent(
    """
    import json, sys, warnings
    warnings.filterwarnings("ignore")
    from profanity_check import predict_prob
    with open(sys.argv[1], encoding="utf-8") as stream:
        texts = [json.loads(line)["text"] for line in stream if line.strip()]
    probabilities = predict_prob(texts)
    with open(sys.argv[2], "w", encoding="utf-8") as out:
        for index, (text, probability) in enumerate(zip(texts, probabilities)):
            out.write(json.dumps({"index": index, "text": text, "profanity": float(probability)}) + "\\n")
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


def alt_profanity_check(python: str, comments: list[str], *, repeats: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(comments, handle)
    try:
        result = subprocess.run(
            [python, "-c", _ALT_PROFANITY_TIMER, handle.name, str(repeats)],
            capture_output=True,
            text=True,
            timeout=1200,
        )
    finally:
        os.unlink(handle.name)
    if result.returncode != 0:
        return {"skipped": f"failed to run: {(result.stderr.strip().splitlines() or ['?'])[-1]}"}
    return json.loads(result.stdout.strip().splitlines()[-1])


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
        times, cpu_times = [], []
        for _ in range(repeats):
            start, cpu_start = time.perf_counter(), time.process_time()
            moderator.score_many(comments, explain=explain)
            times.append(time.perf_counter() - start)
            cpu_times.append(time.process_time() - cpu_start)
        figures[f"rate_{explain}"] = len(comments) / statistics.median(times)
        figures[f"cpu_rate_{explain}"] = len(comments) / statistics.median(cpu_times)
    # score_many builds each result's labels when first read: a caller that reads them all pays that too.
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for scores in moderator.score_many(comments, explain="none"):
            scores.labels
        times.append(time.perf_counter() - start)
    figures["rate_none_read"] = len(comments) / statistics.median(times)
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
    """score_many rates (median of ``repeats`` passes), flagged share and single-call latency."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(comments, handle)
    try:
        return _run_python(_SCORING_TIMER, handle.name, str(repeats))
    finally:
        os.unlink(handle.name)


def moderate_load_and_memory(comments: list[str], *, load_runs: int) -> dict:
    """Model load time over fresh processes, and the peak memory of loading and scoring a batch."""
    figures = {}
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


def _medians(rounds: list[dict]) -> dict:
    """Each numeric figure's median over the rounds."""
    if not rounds:
        return {}
    return {
        key: statistics.median(r[key] for r in rounds)
        for key in rounds[0]
        if isinstance(rounds[0][key], (int, float))
    }


# ---- the command line, end to end -----------------------------------------------------------------------


def _moderate_command() -> list[str]:
    script = Path(sys.executable).parent / "moderate"
    return (
        [str(script)]
        if script.exists()
        else [sys.executable, "-c", "from moderation.cli import main; main()"]
    )


def _peak_kb(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return None


def _timed(argv: list[str], stdout_path: str) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one command; its stdout goes to ``stdout_path``.

    The peak is the command's own VmHWM, read while it runs (it only grows, so the last reading is the
    peak up to a few milliseconds before exit): ``wait4``'s ``ru_maxrss`` would not do, because Linux
    carries it across fork and exec, so a child of this large process would report this one's peak.
    """
    with open(stdout_path, "wb") as stdout, tempfile.TemporaryFile() as stderr:
        start = time.perf_counter()
        process = subprocess.Popen(argv, stdout=stdout, stderr=stderr, cwd=ROOT)
        peak_kb = 0
        while process.poll() is None:
            peak_kb = max(peak_kb, _peak_kb(process.pid) or 0)
            time.sleep(0.02)
        elapsed = time.perf_counter() - start
        stderr.seek(0)
        error = stderr.read().decode("utf-8", "replace")
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[:3])} ... failed: {(error.strip().splitlines() or ['?'])[-1]}")
    return elapsed, peak_kb / 1024


def write_jsonl(comments: list[str], path: str) -> None:
    with open(path, "w", encoding="utf-8") as out:
        for index, text in enumerate(comments):
            out.write(json.dumps({"id": f"c{index}", "text": text}) + "\n")


def cli_figures(comments: list[str], peer_python: str | None, *, repeats: int, fastest: bool = False) -> dict:
    """End-to-end seconds (median of ``repeats``) and peak RSS of moderate's CLI and the peer's script; with
    ``fastest``, also the CLI with ``--explain none --no-text`` (``fastest_s``, ``fastest_mb``)."""
    figures: dict = {"n": len(comments)}
    with tempfile.TemporaryDirectory(prefix="score-speed-") as scratch:
        source, out = os.path.join(scratch, "comments.jsonl"), os.path.join(scratch, "out.jsonl")
        write_jsonl(comments, source)
        ours = [
            *_moderate_command(),
            "score",
            "--comments",
            source,
            "--format",
            "jsonl",
            "--max-bytes",  # the whole file: the page-size default would refuse a large comment file
            str(os.path.getsize(source) + 1),
        ]
        peer = [peer_python, "-c", _ALT_PROFANITY_CLI, source, out] if peer_python else None
        runs: dict[str, list[tuple[float, float]]] = {"moderate": [], "peer": [], "fastest": []}
        for _ in range(repeats):  # alternate, so a busy machine slows both alike
            runs["moderate"].append(_timed(ours, out))
            if peer:
                runs["peer"].append(_timed(peer, os.devnull))
            if fastest:
                runs["fastest"].append(_timed([*ours, "--explain", "none", "--no-text"], out))
        for name, timings in runs.items():
            if timings:
                figures[f"{name}_s"] = statistics.median(t for t, _ in timings)
                figures[f"{name}_mb"] = statistics.median(m for _, m in timings)
    return figures


# ---- the table ------------------------------------------------------------------------------------------


def _ratio(ours: float | None, theirs: float | None) -> str:
    return f"{ours / theirs:.2f}x" if ours and theirs else "-"


def _print_table(rows: list[tuple[str, str, str, str]]) -> None:
    headers = ("measure", "moderate", "alt-profanity-check", "ratio")
    widths = [max(len(row[i]) for row in [headers, *rows]) for i in range(4)]
    print(
        "  ".join(
            h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(headers, widths, strict=True))
        )
    )
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print(
            "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--comments", type=int, default=20_000, help="comments for score_many (20,000)")
    parser.add_argument(
        "--cli-comments", type=int, default=200_000, help="comments for the CLI end to end (200,000)"
    )
    parser.add_argument(
        "--memory-comments",
        default="20000,200000,1000000",
        help="comma-separated sizes for the CLI's peak memory (20000,200000,1000000)",
    )
    parser.add_argument("--load-runs", type=int, default=5, help="fresh processes timing the model load (5)")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each timing; the median counts (3)")
    parser.add_argument(
        "--quick", action="store_true", help="small sizes to check it works: 5,000 / 20,000 / 20,000,50,000"
    )
    parser.add_argument(
        "--no-peer-install", action="store_true", help="do not pip-install alt-profanity-check"
    )
    options = parser.parse_args()
    if options.quick:
        options.comments, options.cli_comments, options.memory_comments = 5_000, 20_000, "20000,50000"
        options.load_runs = 2
    memory_sizes = sorted({int(size) for size in options.memory_comments.split(",") if size.strip()})

    largest = max([options.comments, options.cli_comments, *memory_sizes])
    every = benchmark_comments(largest)
    comments = every[: options.comments]
    lengths = [len(c) for c in comments]
    print(
        f"{len(comments):,} comments ({len(set(comments)):,} distinct), "
        f"{statistics.mean(lengths):.0f} characters on average; "
        f"python {sys.version.split()[0]} on {os.cpu_count()} cores; median of {options.repeats} runs\n",
        flush=True,
    )

    peer_python, how = _alt_profanity_python(not options.no_peer_install)
    baseline = tfidf_baseline(comments[:5000])
    # Rounds alternate between the peer and moderate, one timed pass each in a fresh process, so a busy
    # machine slows both alike; each figure is the median over the rounds.
    peer_rounds, our_rounds = [], []
    for _ in range(options.repeats):
        if peer_python:
            peer_rounds.append(alt_profanity_check(peer_python, comments, repeats=1))
        our_rounds.append(moderate_figures(comments, load_runs=0, repeats=1))
    peer = _medians(peer_rounds)
    ours = {**_medians(our_rounds), **moderate_load_and_memory(comments, load_runs=options.load_runs)}
    cli = cli_figures(every[: options.cli_comments], peer_python, repeats=options.repeats, fastest=True)
    memory = {size: cli_figures(every[:size], peer_python, repeats=1) for size in memory_sizes}

    peer_rate = peer.get("rate")
    rows = [
        (
            'score_many, explain="none" (comments/s)',
            f"{ours['rate_none']:,.0f}",
            f"{peer_rate:,.0f}" if peer_rate else "-",
            _ratio(ours["rate_none"], peer_rate),
        ),
        (
            'score_many, explain="none", per CPU second (comments/s)',
            f"{ours['cpu_rate_none']:,.0f}",
            f"{peer['cpu_rate']:,.0f}" if "cpu_rate" in peer else "-",
            _ratio(ours["cpu_rate_none"], peer.get("cpu_rate")),
        ),
        (
            'score_many, explain="none", every result\'s labels read',
            f"{ours['rate_none_read']:,.0f}",
            f"{peer_rate:,.0f}" if peer_rate else "-",
            _ratio(ours["rate_none_read"], peer_rate),
        ),
        (
            f'score_many, explain="flagged" ({ours["flagged_share"]:.0%} flagged)',
            f"{ours['rate_flagged']:,.0f}",
            f"{peer_rate:,.0f}" if peer_rate else "-",
            _ratio(ours["rate_flagged"], peer_rate),
        ),
        (
            "one score() call, median ms (ratio: peer/ours)",
            f"{ours['median_ms']:.3f}",
            f"{peer['median_ms']:.3f}" if "median_ms" in peer else "-",
            _ratio(peer.get("median_ms"), ours["median_ms"]),
        ),
        (
            "one score() call, p99 ms",
            f"{ours['p99_ms']:.3f}",
            f"{peer['p99_ms']:.3f}" if "p99_ms" in peer else "-",
            _ratio(peer.get("p99_ms"), ours["p99_ms"]),
        ),
        (
            f"CLI end to end, {cli['n']:,} comments (comments/s)",
            f"{cli['n'] / cli['moderate_s']:,.0f}",
            f"{cli['n'] / cli['peer_s']:,.0f}" if "peer_s" in cli else "-",
            _ratio(cli.get("peer_s"), cli["moderate_s"]),
        ),
        (
            "the same, --explain none --no-text (comments/s)",
            f"{cli['n'] / cli['fastest_s']:,.0f}",
            f"{cli['n'] / cli['peer_s']:,.0f}" if "peer_s" in cli else "-",
            _ratio(cli.get("peer_s"), cli["fastest_s"]),
        ),
    ]
    for size, figure in memory.items():
        rows.append(
            (
                f"CLI peak memory, {size:,} comments (MB; ratio: peer/ours)",
                f"{figure['moderate_mb']:,.0f}",
                f"{figure['peer_mb']:,.0f}" if "peer_mb" in figure else "-",
                _ratio(figure.get("peer_mb"), figure["moderate_mb"]),
            )
        )
    _print_table(rows)
    print()
    if baseline.get("rate"):
        print(
            f"TF-IDF word+char + LogReg (scikit-learn, 3 labels, fitted on {baseline['trained_on']} labelled "
            f"comments): {baseline['rate']:,.0f}/s on {baseline['n']:,}; moderate explain=none / it: "
            f"{ours['rate_none'] / baseline['rate']:.2f}x"
        )
    else:
        print(f"TF-IDF baseline: skipped ({baseline.get('skipped')})")
    print(
        f"Moderator.load(): median {ours['load_s']:.3f} s over {options.load_runs} fresh processes "
        f"(slowest {ours['load_max_s']:.3f} s; `import moderation` {ours['import_s']:.3f} s); peak RSS "
        f"loading and scoring {ours['memory_batch']:,} comments in one process: {ours['memory_mb']:.0f} MB"
    )
    print(f"alt-profanity-check: {how}." if peer_python else f"alt-profanity-check: skipped ({how}).")
    print(
        "ratio: moderate's speed over the peer's (above 1: moderate is faster); for times and memory the "
        "peer's figure over moderate's (above 1: moderate is smaller or quicker)."
    )


if __name__ == "__main__":
    main()
