"""`moderate serve` as a real server on 127.0.0.1, spoken to over real HTTP and raw sockets."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from service_helpers import (
    ANTISEMITIC,
    API_KEY,
    CLEAN,
    CORAL_SECRET,
    coral_body,
    coral_signature,
    perspective_body,
)

MODERATE = str(Path(sys.executable).with_name("moderate"))
STARTUP_S = 60


class RunningServer:
    def __init__(self, process: subprocess.Popen, url: str, stdout_lines: list[str], stderr_lines: list[str]):
        self.process = process
        self.url = url
        self.port = int(url.rsplit(":", 1)[1])
        self.stdout_lines = stdout_lines
        """The request log so far, one JSON line per request (drained as it comes so the pipe never fills)."""
        self.stderr_lines = stderr_lines

    def request_log(self) -> list[dict]:
        return [json.loads(line) for line in list(self.stdout_lines) if line.strip()]


@contextmanager
def moderate_serve(*options: str) -> Iterator[RunningServer]:
    """Start `moderate serve --port 0 ...`, wait until it says where it listens, stop it afterwards."""
    process = subprocess.Popen(
        [MODERATE, "serve", "--host", "127.0.0.1", "--port", "0", *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    stdout_lines: list[str] = []
    stderr_lines: list[str] = []
    found = threading.Event()
    url: list[str] = []

    def read_stderr() -> None:
        for line in process.stderr:
            stderr_lines.append(line)
            match = re.search(r"running on (http://127\.0\.0\.1:\d+)", line)
            if match:
                url.append(match.group(1))
                found.set()

    def read_stdout() -> None:
        for line in process.stdout:
            stdout_lines.append(line)

    threading.Thread(target=read_stderr, daemon=True).start()
    stdout_reader = threading.Thread(target=read_stdout, daemon=True)
    stdout_reader.start()
    try:
        if not found.wait(STARTUP_S):
            raise AssertionError("server did not start:\n" + "".join(stderr_lines))
        wait_until_ready(url[0])
        yield RunningServer(process, url[0], stdout_lines, stderr_lines)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_until_ready(url: str) -> None:
    # With --workers the parent prints the address before its workers listen on the shared socket.
    deadline = time.monotonic() + STARTUP_S
    while True:
        try:
            status = httpx.get(f"{url}/readyz", timeout=2).status_code
            if status == 200:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"{url}/readyz still answers {status}")
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.1)


@pytest.fixture(scope="module")
def server() -> Iterator[RunningServer]:
    with moderate_serve("--api-key", API_KEY, "--coral-secret", CORAL_SECRET) as running:
        yield running


def test_perspective_exchange_exactly_as_coral_talk_makes_it(server):
    # Coral's client: POST {endpoint}/comments:analyze?key=KEY, JSON body, gives up after 500 ms.
    endpoint = f"{server.url}/v1alpha1"
    with httpx.Client(timeout=0.5) as coral:
        toxic = coral.post(
            f"{endpoint}/comments:analyze",
            params={"key": API_KEY},
            content=json.dumps(perspective_body(ANTISEMITIC)),
            headers={"Content-Type": "application/json"},
        )
        clean = coral.post(
            f"{endpoint}/comments:analyze", params={"key": API_KEY}, json=perspective_body(CLEAN)
        )
    assert toxic.status_code == clean.status_code == 200
    assert toxic.elapsed.total_seconds() < 0.5 and clean.elapsed.total_seconds() < 0.5
    threshold = 0.8  # Coral's default TOXICITY_THRESHOLD_DEFAULT is 80 (%)
    assert toxic.json()["attributeScores"]["TOXICITY"]["summaryScore"]["value"] > threshold
    assert clean.json()["attributeScores"]["TOXICITY"]["summaryScore"]["value"] < threshold


def test_coral_webhook_with_valid_and_invalid_signatures(server):
    url = f"{server.url}/coral/v1/moderate"
    flagged_body = coral_body(ANTISEMITIC)
    with httpx.Client(timeout=5) as coral:
        flagged = coral.post(
            url,
            content=flagged_body,
            headers={"X-Coral-Signature": coral_signature(flagged_body, CORAL_SECRET)},
        )
        clean_body = coral_body(CLEAN)
        clean = coral.post(
            url, content=clean_body, headers={"X-Coral-Signature": coral_signature(clean_body, CORAL_SECRET)}
        )
        forged = coral.post(
            url, content=flagged_body, headers={"X-Coral-Signature": coral_signature(flagged_body, "guess")}
        )
        unsigned = coral.post(url, content=flagged_body)
    assert flagged.status_code == 200
    assert flagged.json()["status"] == "SYSTEM_WITHHELD"
    assert flagged.json()["actions"][0] == {
        "actionType": "FLAG",
        "reason": "COMMENT_DETECTED_TOXIC",
        "additionalDetails": flagged.json()["actions"][0]["additionalDetails"],
    }
    assert clean.status_code == 204
    assert forged.status_code == 403
    assert unsigned.status_code == 401


def test_bad_inputs_are_4xx_and_the_server_keeps_serving(server):
    analyze = f"{server.url}/v1alpha1/comments:analyze?key={API_KEY}"
    with httpx.Client(timeout=5) as client:
        answers = [
            client.post(analyze, content=b"{not json"),
            client.post(
                analyze, json={"comment": {"text": ["a list"]}, "requestedAttributes": {"TOXICITY": {}}}
            ),
            client.post(analyze, json=perspective_body(CLEAN, attributes=("NOPE",))),
            client.post(analyze, json=perspective_body("")),
            client.post(analyze, content=b"x" * 100_000),
            client.post(f"{server.url}/v1/score?key={API_KEY}", json={"texts": ["ok"] * 1000}),
        ]
        assert [a.status_code for a in answers] == [400, 400, 400, 400, 413, 400]
        assert all(set(a.json()["error"]) == {"code", "message", "status"} for a in answers)
        assert client.get(f"{server.url}/readyz").status_code == 200


def raw_request(port: int, head: bytes, body_parts: list[bytes], pause: float = 0.0) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(head)
        for part in body_parts:
            time.sleep(pause)
            connection.sendall(part)
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_body_larger_than_its_content_length_claims_is_cut_off(server):
    # Chunked encoding, no Content-Length: the cap must hold on the bytes actually streamed.
    chunk = b"x" * 30_000
    framed = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(4)) + b"0\r\n\r\n"
    head = (
        f"POST /v1alpha1/comments:analyze?key={API_KEY} HTTP/1.1\r\nHost: x\r\n"
        "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    ).encode()
    answer = raw_request(server.port, head, [framed])
    assert answer.startswith(b"HTTP/1.1 413")


def test_a_client_that_hangs_up_mid_body_is_logged_as_499_not_an_error(server):
    head = (
        f"POST /v1alpha1/comments:analyze?key={API_KEY} HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as connection:
        connection.sendall(head + b'{"comment": ')
        time.sleep(0.2)
    time.sleep(0.3)
    statuses = [
        line["status"] for line in server.request_log() if line["path"] == "/v1alpha1/comments:analyze"
    ]
    assert 499 in statuses and 500 not in statuses
    assert not any("Traceback" in line for line in server.stderr_lines)
    assert httpx.get(f"{server.url}/healthz", timeout=2).status_code == 200


def test_a_client_that_stops_sending_its_body_gets_408():
    with moderate_serve("--timeout", "0.5") as running:
        head = (
            b"POST /v1alpha1/comments:analyze HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n"
            b"Connection: close\r\n\r\n"
        )
        started = time.monotonic()
        answer = raw_request(running.port, head, [b'{"comment": '])
        assert answer.startswith(b"HTTP/1.1 408"), answer
        assert time.monotonic() - started < 5
        assert httpx.get(f"{running.url}/healthz", timeout=2).status_code == 200


def analyze_in_background(running: RunningServer, text: str) -> tuple[threading.Thread, list[bytes]]:
    """Start a comments:analyze request whose body arrives in two parts a second apart: it stays in flight."""
    body = json.dumps(perspective_body(text)).encode()
    head = (
        "POST /v1alpha1/comments:analyze HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    answer: list[bytes] = []
    sender = threading.Thread(
        target=lambda: answer.append(raw_request(running.port, head, [body[:10], body[10:]], pause=1.0))
    )
    sender.start()
    return sender, answer


def test_past_the_concurrency_limit_a_request_gets_503_at_once_and_the_held_one_still_finishes():
    with moderate_serve("--limit-concurrency", "1") as running:
        sender, held = analyze_in_background(running, CLEAN)
        time.sleep(0.4)  # the first request holds the only slot while it waits for the rest of its body
        started = time.monotonic()
        refused = httpx.post(
            f"{running.url}/v1alpha1/comments:analyze", json=perspective_body(CLEAN), timeout=5
        )
        assert refused.status_code == 503
        assert time.monotonic() - started < 0.5
        sender.join(15)
        assert held and held[0].startswith(b"HTTP/1.1 200"), held
        assert httpx.get(f"{running.url}/healthz", timeout=2).status_code == 200


def test_request_log_is_json_lines_without_comment_text():
    with moderate_serve() as running:
        with httpx.Client(timeout=5) as client:
            client.post(f"{running.url}/v1alpha1/comments:analyze", json=perspective_body(ANTISEMITIC))
            client.get(f"{running.url}/healthz")
        running.process.send_signal(signal.SIGINT)
        running.process.wait(15)
        time.sleep(0.2)  # let the reader thread take the last lines
        stdout = "".join(running.stdout_lines)
    lines = [line for line in running.request_log() if line["path"] != "/readyz"]  # the startup probe's
    assert [(line["path"], line["status"]) for line in lines] == [
        ("/v1alpha1/comments:analyze", 200),
        ("/healthz", 200),
    ]
    assert "antisemitic" in lines[0]["flags"] and lines[0]["latency_ms"] > 0
    assert "Jews" not in stdout and "Jews" not in "".join(running.stderr_lines)


def test_graceful_shutdown_finishes_a_request_in_flight():
    with moderate_serve() as running:
        sender, answer = analyze_in_background(running, ANTISEMITIC)
        time.sleep(0.5)  # the request has started and waits for the rest of its body
        running.process.send_signal(signal.SIGTERM)
        sender.join(15)
        # uvicorn drains, then re-raises the signal it caught: the exit status says "stopped by SIGTERM".
        assert running.process.wait(15) in (0, -signal.SIGTERM)
        assert answer and answer[0].startswith(b"HTTP/1.1 200"), answer
        assert b'"TOXICITY"' in answer[0]
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{running.url}/healthz", timeout=1)


@pytest.mark.slow
def test_several_workers_serve_with_the_same_settings():
    with moderate_serve("--workers", "2", "--api-key", API_KEY) as running, httpx.Client(timeout=5) as client:
        url = f"{running.url}/v1alpha1/comments:analyze"
        for _ in range(10):
            assert client.post(url, params={"key": API_KEY}, json=perspective_body(CLEAN)).status_code == 200
        assert client.post(url, json=perspective_body(CLEAN)).status_code == 403


def requests_counted(metrics_text: str, path: str) -> float:
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in metrics_text.splitlines()
        if line.startswith("moderate_requests_total{") and f'path="{path}"' in line
    )


@pytest.mark.slow
def test_with_several_workers_every_scrape_counts_the_requests_of_all_workers():
    analyze = "/v1alpha1/comments:analyze"
    with moderate_serve("--workers", "2") as running:
        for _ in range(20):  # a new connection each time, so the workers share them
            assert httpx.post(f"{running.url}{analyze}", json=perspective_body(CLEAN)).status_code == 200
        counts = [requests_counted(httpx.get(f"{running.url}/metrics").text, analyze) for _ in range(10)]
    assert counts == [20.0] * 10


def test_a_missing_model_directory_is_one_line_and_exit_2(tmp_path):
    result = subprocess.run(
        [MODERATE, "serve", "--port", "0", "--model", str(tmp_path / "nowhere")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("moderate: error:") and len(result.stderr.strip().splitlines()) == 1
