"""A plain `pip install moderate` (no `train` extra) scores, parses, reports and serves.

Each check runs in a fresh interpreter whose import system refuses the training stack, as on a machine where
it is not installed; outputs must equal those of an interpreter where it is installed.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from moderation.cli.train import TRAINING_PACKAGES
from moderation.moderator import Moderator

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "001_46c9a693b51bb0d4.txt"
TRAINING_STACK = (*TRAINING_PACKAGES, "pyarrow")

# Installed first in the child: a finder that answers every import of the training stack with ImportError, and
# at exit a line naming any of it that got imported anyway (when nothing is blocked).
PRELUDE = f"""
import atexit, os, sys
STACK = {TRAINING_STACK!r}

class RefuseTrainingStack:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in STACK:
            raise ImportError(f"No module named {{name!r}} (blocked)", name=name)
        return None

if os.environ.get("BLOCK_TRAINING_STACK") == "1":
    sys.meta_path.insert(0, RefuseTrainingStack())

def report_imported():
    imported = sorted({{m.partition(".")[0] for m in sys.modules}} & set(STACK))
    sys.stderr.write("IMPORTED " + ",".join(imported) + "\\n")
    sys.stderr.flush()

atexit.register(report_imported)
"""

CLI = PRELUDE + "from moderation.cli import main\nsys.argv = ['moderate', *sys.argv[1:]]\nmain()\n"

API = (
    PRELUDE
    + """
import json
from moderation import Moderator
moderator = Moderator.load()
scores = moderator.score(sys.argv[1])
print(json.dumps(scores.to_dict()))
"""
)


def _run(program: str, *args: str, blocked: bool) -> subprocess.CompletedProcess:
    env = {**os.environ, "BLOCK_TRAINING_STACK": "1" if blocked else "0"}
    return subprocess.run(
        [sys.executable, "-c", program, *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120
    )


def _imported(stderr: str) -> list[str]:
    found = re.findall(r"^IMPORTED (.*)$", stderr, flags=re.MULTILINE)
    assert found, stderr
    return [name for name in found[-1].split(",") if name]


def test_the_blocker_refuses_the_training_stack():
    # Without this, the tests below would pass on a blocker that blocks nothing.
    result = _run(PRELUDE + "import sklearn\n", blocked=True)
    assert result.returncode != 0
    assert "No module named 'sklearn' (blocked)" in result.stderr
    assert "pandas" in _imported(_run(PRELUDE + "import pandas\n", blocked=False).stderr)


@pytest.mark.parametrize(
    "command",
    [
        ["score", str(SEED)],
        ["score", "--format", "json", str(SEED)],
        ["parse", str(SEED)],
        ["serve", "--help"],
        ["export-feedback", "--help"],
    ],
    ids=lambda command: " ".join(command[:3]).replace(str(SEED), "seed"),
)
def test_commands_run_without_the_training_stack_and_print_the_same(command):
    blocked = _run(CLI, *command, blocked=True)
    assert blocked.returncode == 0, blocked.stderr
    assert "blocked" not in blocked.stderr
    installed = _run(CLI, *command, blocked=False)
    assert installed.returncode == 0, installed.stderr
    assert blocked.stdout == installed.stdout
    assert blocked.stdout.strip()
    assert _imported(installed.stderr) == [], "a scoring command imported the training stack"


def test_report_writes_the_same_html_without_the_training_stack(tmp_path):
    pages = []
    for blocked in (True, False):
        out = tmp_path / f"report-{blocked}.html"
        result = _run(CLI, "report", str(SEED), "--out", str(out), blocked=blocked)
        assert result.returncode == 0, result.stderr
        assert _imported(result.stderr) == []
        pages.append(re.sub(r"\d{4}-\d\d-\d\dT[\d:.]+\S*", "<time>", out.read_text(encoding="utf-8")))
    assert pages[0] == pages[1]
    assert "<html" in pages[0]


def test_export_feedback_runs_without_the_training_stack(tmp_path):
    from moderation.service.feedback import FeedbackStore
    from moderation.service.perspective import Suggestion

    database = tmp_path / "feedback.db"
    store = FeedbackStore(database)
    verdict = {"TOXICITY": {"summaryScore": {"value": 1}}}
    store.append(Suggestion("you idiot", verdict, ["en"], "comment:1", None, None, []))
    store.close()
    out = tmp_path / "feedback.jsonl"
    result = _run(CLI, "export-feedback", str(database), "--out", str(out), blocked=True)
    assert result.returncode == 0, result.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["toxicity"] == 1


def test_python_api_scores_without_the_training_stack():
    text = "The Jews control the banks and the media and they are behind every war."
    blocked = _run(API, text, blocked=True)
    assert blocked.returncode == 0, blocked.stderr
    assert json.loads(blocked.stdout) == json.loads(json.dumps(Moderator.load().score(text).to_dict()))
    assert _imported(_run(API, text, blocked=False).stderr) == []


def test_serve_answers_without_the_training_stack():
    env = {**os.environ, "BLOCK_TRAINING_STACK": "1", "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-c", CLI, "serve", "--host", "127.0.0.1", "--port", "0", "--api-key", "k"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )
    lines: list[str] = []
    try:
        url = None
        deadline = time.monotonic() + 60
        while url is None and time.monotonic() < deadline:
            line = process.stderr.readline()
            if not line:
                break
            lines.append(line)
            match = re.search(r"running on (http://127\.0\.0\.1:\d+)", line)
            url = match.group(1) if match else None
        assert url, "".join(lines)
        response = httpx.post(
            f"{url}/v1/score", params={"key": "k"}, json={"texts": ["a lovely dinner"]}, timeout=10
        )
        assert response.status_code == 200, response.text
        assert response.json()["results"][0]["flagged"] is False
    finally:
        process.send_signal(signal.SIGINT)
        try:
            _, rest = process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            _, rest = process.communicate()
    assert "blocked" not in "".join(lines) + rest


@pytest.mark.parametrize("command", ["train", "evaluate"])
def test_training_commands_without_the_stack_print_one_line_and_exit_2(command, tmp_path):
    args = [command, "--out", str(tmp_path / "model")] if command == "train" else [command]
    result = _run(CLI, *args, blocked=True)
    assert result.returncode == 2, result.stderr
    message = [line for line in result.stderr.splitlines() if not line.startswith("IMPORTED")]
    assert message == [
        f"moderate: error: `moderate {command}` needs scikit-learn, which is not installed: "
        "pip install 'moderate[train]'"
    ]
    assert not (tmp_path / "model").exists()
