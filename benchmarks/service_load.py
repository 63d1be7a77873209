"""Load test of `moderate serve` on loopback: a fixed request rate for a fixed time, bounded, self-stopping.

Open loop: request i is due at ``start + i / rate`` whether or not earlier ones have answered, so a slow
server shows up as latency instead of quietly lowering the load. Latency is measured from the moment a request
was due (not from when a free connection picked it up), so queueing inside the client counts too. At most
``--clients`` connections are open at once, at most ``rate * duration`` requests are sent, and the run ends
``--timeout`` seconds after the last one is due even if answers are missing (those count as lost).

The load generator is a pool of keep-alive connections spoken to over raw asyncio sockets (no HTTP client
library): at 200 requests/s it uses a small share of one core, reported with the results, so the server is
what is measured. ``--workers 2`` is as fast per request as one worker: the service sets TCP_NODELAY on every
accepted socket (see :mod:`moderation.service.protocol`).

Target (issue 10, 2-core machine): p99 under 20 ms at 200 requests/s on comments:analyze with 1 and with 2
workers, no errors, none lost.

    python benchmarks/service_load.py                      # starts `moderate serve` itself on a free port
    python benchmarks/service_load.py --rate 400 --duration 20 --workers 2
    python benchmarks/service_load.py --url http://127.0.0.1:8080   # an already running server
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import httpx

#: Comments of the lengths and kinds a news site sees; all are scored, clean and not.
COMMENTS = (
    "Great reporting, thank you for covering this.",
    "My neighbours invited us for dinner last night and we had a lovely time.",
    "I disagree with the council's decision, the new bus lanes will make traffic worse for everyone.",
    "You are an idiot and nobody cares what you think.",
    "The Jews control the banks and the media and they are behind every war.",
    "Does anyone know when the road works on the high street are supposed to finish? It has been months.",
    "This article is biased. The author clearly did not talk to anyone who lives in the area, and the "
    "numbers in the third paragraph do not add up. Please correct it.",
    "Shut up, moron.",
    "The match on Saturday was the best I've seen in years, what a goal in the last minute!",
    "People like that should go back where they came from.",
    "I've lived here for forty years and I have never seen the river this high. Stay safe, everyone, and "
    "check on your elderly neighbours tonight. The flood warnings are there for a reason and the council "
    "has opened the school hall as a shelter.",
    "Thanks for the recipe, I made it with less sugar and it was still delicious.",
)


def analyze_request(text: str, key: str | None) -> tuple[str, dict, bytes]:
    body = {
        "comment": {"text": text},
        "doNotStore": True,
        "requestedAttributes": {"TOXICITY": {}},
        "languages": ["en"],
    }
    params = {"key": key} if key else {}
    return "/v1alpha1/comments:analyze", params, json.dumps(body).encode()


def score_request(text: str, key: str | None) -> tuple[str, dict, bytes]:
    params = {"key": key} if key else {}
    return "/v1/score", params, json.dumps({"texts": [text]}).encode()


ENDPOINTS = {"analyze": analyze_request, "score": score_request}


@contextmanager
def started_server(workers: int, model: str | None, key: str | None):
    """`moderate serve --port 0` in a subprocess; yields its URL, stops it (SIGINT, then kill) afterwards."""
    command = [
        str(Path(sys.executable).with_name("moderate")),
        "serve",
        "--port",
        "0",
        "--workers",
        str(workers),
    ]
    if model:
        command += ["--model", model]
    if key:
        command += ["--api-key", key]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url: list[str] = []
    ready = threading.Event()
    lines: list[str] = []

    def watch() -> None:
        for line in process.stderr:
            lines.append(line)
            match = re.search(r"running on (http://\S+:\d+)", line)
            if match:
                url.append(match.group(1))
                ready.set()

    threading.Thread(target=watch, daemon=True).start()
    try:
        if not ready.wait(120):
            raise SystemExit("server did not start:\n" + "".join(lines))
        # Several workers each load the model; the URL is printed before they are all ready.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url[0]}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        yield url[0]
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class _Connection:
    """One keep-alive HTTP/1.1 connection spoken over raw asyncio streams: no client library in the way."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    async def exchange(self, request: bytes) -> int:
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        if length:
            await self.reader.readexactly(length)
        return status


def _raw_request(host: str, path: str, params: dict, body: bytes) -> bytes:
    query = "&".join(f"{name}={value}" for name, value in params.items())
    target = f"{path}?{query}" if query else path
    head = (
        f"POST {target} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def run_load(url: str, endpoint: str, rate: float, duration: float, clients: int, timeout: float, key):
    """Open loop over a pool of ``clients`` keep-alive connections; the client's own CPU time is reported."""
    split = urlsplit(url)
    host, port = split.hostname, split.port or 80
    total = int(rate * duration)
    make = ENDPOINTS[endpoint]
    prepared = [_raw_request(f"{host}:{port}", *make(COMMENTS[i % len(COMMENTS)], key)) for i in range(total)]
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    sent = 0
    answered = 0
    pool: asyncio.Queue[_Connection] = asyncio.Queue()
    for _ in range(clients):
        connection = _Connection(*await asyncio.open_connection(host, port))
        # Warm up each connection and the server's first-request paths outside the measurement.
        await connection.exchange(f"GET /healthz HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode())
        pool.put_nowait(connection)

    async def one(due: float, request: bytes) -> None:
        nonlocal answered
        connection = await pool.get()
        try:
            status = await asyncio.wait_for(connection.exchange(request), timeout)
            answered += 1
            latencies.append(time.perf_counter() - due)
            statuses[str(status)] = statuses.get(str(status), 0) + 1
            pool.put_nowait(connection)
        except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError, ValueError) as error:
            name = "timeout" if isinstance(error, asyncio.TimeoutError) else type(error).__name__
            statuses[name] = statuses.get(name, 0) + 1
            connection.writer.close()  # its stream state is unknown: replace it
            pool.put_nowait(_Connection(*await asyncio.open_connection(host, port)))

    cpu_started = time.process_time()
    tasks = []
    start = time.perf_counter() + 0.05
    for index, request in enumerate(prepared):
        due = start + index / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(due, request)))
        sent += 1
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - start
    client_cpu = time.process_time() - cpu_started
    while not pool.empty():
        pool.get_nowait().writer.close()
    return {
        "sent": sent,
        "answered": answered,
        "lost": sent - answered,
        "statuses": statuses,
        "elapsed_s": elapsed,
        "latencies": latencies,
        "client_cpu_share": client_cpu / elapsed,
    }


def sequential_probe(url: str, endpoint: str, key: str | None, count: int = 100) -> list[float]:
    """Latencies (s) of ``count`` back-to-back requests on one keep-alive connection, sent as http.client
    sends them (head and body in separate writes): where Nagle's algorithm and delayed ACKs show up."""
    import http.client

    split = urlsplit(url)
    connection = http.client.HTTPConnection(split.hostname, split.port or 80, timeout=10)
    path, params, body = ENDPOINTS[endpoint](COMMENTS[3], key)
    target = path + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")
    latencies = []
    for _ in range(count + 5):
        started = time.perf_counter()
        connection.request("POST", target, body=body, headers={"Content-Type": "application/json"})
        connection.getresponse().read()
        latencies.append(time.perf_counter() - started)
    connection.close()
    return latencies[5:]  # the first few warm the connection up


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def report(result: dict, args) -> bool:
    latencies = result["latencies"]
    ok = result["statuses"].get("200", 0)
    errors = result["sent"] - ok
    print(
        f"endpoint        {args.endpoint}  "
        f"(rate {args.rate:g}/s for {args.duration:g} s, {args.clients} clients)"
    )
    print(f"sent/answered   {result['sent']} / {result['answered']}  (lost {result['lost']})")
    print(f"statuses        {dict(sorted(result['statuses'].items()))}")
    print(f"throughput      {result['answered'] / result['elapsed_s']:.1f} answered/s")
    print(f"load generator  {result['client_cpu_share']:.0%} of one core (raw asyncio keep-alive sockets)")
    if latencies:
        ms = [value * 1000 for value in latencies]
        print(
            f"latency ms      p50 {percentile(ms, 0.50):.2f}  p90 {percentile(ms, 0.90):.2f}  "
            f"p99 {percentile(ms, 0.99):.2f}  max {max(ms):.2f}  mean {statistics.fmean(ms):.2f}"
        )
    p99_ms = percentile(latencies, 0.99) * 1000 if latencies else float("inf")
    met = p99_ms < args.target_p99_ms and errors == 0 and result["lost"] == 0
    print(f"target          p99 < {args.target_p99_ms:g} ms, 0 errors, 0 lost: {'MET' if met else 'MISSED'}")
    return met


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="An already running server; default: start `moderate serve` here.")
    parser.add_argument("--endpoint", choices=sorted(ENDPOINTS), default="analyze")
    parser.add_argument("--rate", type=float, default=200.0, help="Requests per second (default 200).")
    parser.add_argument("--duration", type=float, default=10.0, help="Seconds of load (default 10).")
    parser.add_argument("--clients", type=int, default=16, help="Keep-alive connections (default 16).")
    parser.add_argument(
        "--timeout", type=float, default=5.0, help="Seconds before an unanswered request counts as lost."
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="Server workers when starting one (default 1)."
    )
    parser.add_argument("--model", help="Model directory for the started server.")
    parser.add_argument("--key", default="bench-key", help="API key to configure and send.")
    parser.add_argument("--target-p99-ms", type=float, default=20.0)
    parser.add_argument("--check", action="store_true", help="Exit 1 when the target is missed.")
    args = parser.parse_args()
    if args.rate <= 0 or args.duration <= 0 or args.rate * args.duration > 1_000_000:
        parser.error("rate and duration must be positive, and rate * duration at most 1,000,000")

    def load(url: str) -> dict:
        return asyncio.run(
            run_load(url, args.endpoint, args.rate, args.duration, args.clients, args.timeout, args.key)
        )

    if args.url:
        result = load(args.url)
        sequential = sequential_probe(args.url, args.endpoint, args.key)
    else:
        with started_server(args.workers, args.model, args.key) as url:
            print(f"server          moderate serve --workers {args.workers} at {url}")
            result = load(url)
            sequential = sequential_probe(url, args.endpoint, args.key)
    met = report(result, args)
    print(
        f"one connection  {len(sequential)} back-to-back keep-alive requests: median "
        f"{statistics.median(sequential) * 1000:.2f} ms, max {max(sequential) * 1000:.2f} ms"
    )
    if args.check and not met:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
