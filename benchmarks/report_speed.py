"""Time `moderate report` on a generated corpus: N article pages built from the seed pages and their comments.

    python benchmarks/report_speed.py [--articles 2000] [--comments 50] [--runs 3] [--format html]
                                      [--keep DIR] [--moderate COMMAND] [--baseline COMMAND]

Each generated page is a seed page's title and body, a "N Comments" heading, then ``--comments`` reader
comments in the seeds' blank-line layout (an author line, a blank line, the text). Comment texts are the seeds'
own comments recombined sentence by sentence (comment i joins sentences i, i+k, i+2k ..., k growing each time i
wraps round), so there are many distinct comments, hateful ones among them, and no randomness: the same
arguments always write the same corpus.

It runs the command ``--runs`` times in fresh processes and prints the median and every run's wall time, the
peak resident memory of the report process (``/usr/bin/time``-free: read from ``wait4``'s rusage, which
counts only that child and the children it waited for) and the size of the report. ``--moderate`` names
the command to time; ``--baseline`` another one to compare with (for example an older checkout:
``--baseline "env PYTHONPATH=/tmp/old .venv/bin/moderate"``): their runs alternate, so a busy machine
slows both alike, and the ratio of the medians is printed. It asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AUTHORS = (
    "Mark Fisher",
    "Anna Lee",
    "Paul Citro",
    "Edgar Zetar",
    "Mr Fixer",
    "Ruth Cohen",
    "John Smith",
    "Maria Garcia",
    "Tom Baker",
    "Grace Kim",
)


def seed_pages() -> list[tuple[str, list[str], list[str]]]:
    """(title, body paragraphs, comment texts) of every seed page, as the parser reads them."""
    sys.path.insert(0, str(ROOT))
    from moderation.parsing import parse_file

    pages = []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        article = parse_file(path)
        pages.append((article.title or path.stem, list(article.body), [c.text for c in article.comments]))
    if not pages:
        raise SystemExit("no seed pages in seeds/")
    return pages


def _sentences(texts: list[str]) -> list[str]:
    sentences = []
    for text in texts:
        for sentence in re.split(r"(?<=[.!?…])\s+", " ".join(text.split())):
            if len(sentence) >= 8:
                sentences.append(sentence)
    return sentences


def comment_texts(count: int, sentences: list[str]) -> list[str]:
    """``count`` comments of one to three sentences, recombined deterministically."""
    texts = []
    for index in range(count):
        stride = 1 + 7 * (index // len(sentences))
        parts = [sentences[(index + j * stride) % len(sentences)] for j in range(1 + index % 3)]
        texts.append(" ".join(parts))
    return texts


def write_corpus(directory: Path, articles: int, comments_per_article: int) -> int:
    """Write ``articles`` pages into ``directory``; returns the number of comments written."""
    pages = seed_pages()
    sentences = _sentences([text for _, _, comments in pages for text in comments])
    texts = comment_texts(articles * comments_per_article, sentences)
    directory.mkdir(parents=True, exist_ok=True)
    for number in range(articles):
        title, body, _ = pages[number % len(pages)]
        lines = [f"{title} (part {number + 1})", "", *(f"{p}\n" for p in body), ""]
        lines += [f"{comments_per_article} Comments", ""]
        for j in range(comments_per_article):
            text = texts[number * comments_per_article + j]
            lines += [AUTHORS[(number + j) % len(AUTHORS)], "", text, "", ""]
        (directory / f"article_{number:05d}.txt").write_text("\n".join(lines), encoding="utf-8")
    return len(texts)


def time_report(command: list[str], corpus: Path, out: Path) -> tuple[float, float, int]:
    """Wall seconds, peak RSS in MB of the report process, and the exit code."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [*command, "report", str(corpus), "--out", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    stderr = process.stderr.read().decode("utf-8", "replace") if process.stderr else ""
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 2):
        raise SystemExit(f"report failed ({code}): {stderr.strip()[-500:]}")
    return elapsed, usage.ru_maxrss / 1024, code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=2000, help="article pages to generate (2,000)")
    parser.add_argument("--comments", type=int, default=50, help="comments per article (50)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs; the median counts (3)")
    parser.add_argument("--format", default="html", choices=("html", "csv", "jsonl"))
    parser.add_argument("--keep", type=Path, help="write the corpus here and keep it (default: temporary)")
    parser.add_argument(
        "--moderate",
        default=shlex.quote(str(Path(sys.executable).parent / "moderate")),
        help="the command to time (default: the moderate script beside this python)",
    )
    parser.add_argument("--baseline", help="a command to compare with, run alternately with --moderate")
    options = parser.parse_args()
    command = shlex.split(options.moderate)

    with tempfile.TemporaryDirectory(prefix="report-speed-") as scratch:
        corpus = options.keep or Path(scratch) / "corpus"
        if options.keep and any(options.keep.glob("article_*.txt")):
            written = len(list(options.keep.glob("article_*.txt")))
            print(f"reusing {written} pages in {corpus}")
        else:
            total = write_corpus(corpus, options.articles, options.comments)
            print(f"wrote {options.articles:,} pages, {total:,} comments into {corpus}")
        contenders = [("moderate", command)]
        if options.baseline:
            contenders.insert(0, ("baseline", shlex.split(options.baseline)))
        runs: dict[str, list[tuple[float, float, float]]] = {name: [] for name, _ in contenders}
        for run in range(options.runs):
            for name, argv in contenders:
                out = Path(scratch) / f"{name}.{options.format}"
                elapsed, peak_mb, code = time_report(argv, corpus, out)
                runs[name].append((elapsed, peak_mb, out.stat().st_size / 1e6))
                print(
                    f"{name} run {run + 1}: {elapsed:.1f} s, peak RSS {peak_mb:.0f} MB, exit {code}",
                    flush=True,
                )
    medians = {}
    for name, figures in runs.items():
        medians[name] = statistics.median(r[0] for r in figures)
        print(
            f"{name}: moderate report --out report.{options.format}: median {medians[name]:.1f} s over "
            f"{len(figures)} runs, peak RSS median {statistics.median(r[1] for r in figures):.0f} MB, "
            f"report {figures[-1][2]:.1f} MB"
        )
    if "baseline" in medians:
        print(
            f"speed-up (baseline median / moderate median): {medians['baseline'] / medians['moderate']:.2f}x"
        )


if __name__ == "__main__":
    main()
