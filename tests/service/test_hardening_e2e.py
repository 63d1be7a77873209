"""Hostile and careless use of `moderate serve` (issue 13 items 10, 19, 20), against a real server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import threading
import time

import httpx
import pytest
from service_helpers import API_KEY, CLEAN, perspective_body
from test_serve_e2e import MODERATE, moderate_serve

from moderation.service.protocol import HEADER_TIMEOUT_S, GuardedH11Protocol


def test_a_port_in_use_is_one_line_and_exit_2():
    with moderate_serve("--api-key", API_KEY) as running:
        taken = subprocess.run(
            [MODERATE, "serve", "--host", "127.0.0.1", "--port", str(running.port)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert taken.returncode == 2
    lines = taken.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("moderate: error: cannot listen on 127.0.0.1:")
    assert "in use" in lines[0]


def test_serving_without_key_or_secret_warns_that_the_endpoints_are_open():
    with moderate_serve() as open_server:
        warning = "".join(open_server.stderr_lines)
    with moderate_serve("--api-key", API_KEY) as keyed:
        quiet = "".join(keyed.stderr_lines)
    assert "neither --api-key nor --coral-secret" in warning
    assert "neither --api-key" not in quiet


def trickle_headers(port: int, stop: threading.Event, closed_after: list[float]) -> None:
    """A slowloris client: a request line, then one header line a second, never the blank line."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        try:
            connection.sendall(b"POST /v1alpha1/comments:analyze HTTP/1.1\r\nHost: x\r\n")
            while not stop.is_set():
                time.sleep(1.0)
                connection.sendall(b"X-Slow: 1\r\n")
                connection.settimeout(0.01)
                try:
                    if connection.recv(1024) == b"":
                        break
                except TimeoutError:
                    pass
        except OSError:
            pass  # the server hung up on us
    closed_after.append(time.monotonic() - started)


def test_slow_header_clients_are_cut_off_and_do_not_starve_real_requests():
    with moderate_serve("--limit-concurrency", "10") as running:
        stop = threading.Event()
        closed_after: list[float] = []
        tricklers = [
            threading.Thread(target=trickle_headers, args=(running.port, stop, closed_after))
            for _ in range(12)
        ]
        for thread in tricklers:
            thread.start()
        time.sleep(1.5)  # every trickler is connected and part-way through its headers
        statuses = []
        with httpx.Client(timeout=5) as client:
            for _ in range(5):
                statuses.append(
                    client.post(
                        f"{running.url}/v1alpha1/comments:analyze", json=perspective_body(CLEAN)
                    ).status_code
                )
                time.sleep(0.2)
        for thread in tricklers:
            thread.join(HEADER_TIMEOUT_S + 10)
        stop.set()
    assert statuses == [200] * 5
    assert len(closed_after) == 12
    assert max(closed_after) < HEADER_TIMEOUT_S + 5  # cut off by the server, not by the test


def test_headers_of_a_normal_keep_alive_client_are_not_timed_between_requests():
    with moderate_serve() as running, httpx.Client(timeout=5) as client:
        assert client.get(f"{running.url}/healthz").status_code == 200
        time.sleep(2)  # idle, inside the keep-alive timeout
        assert client.get(f"{running.url}/healthz").status_code == 200


def test_accepted_sockets_get_tcp_nodelay_even_from_a_listener_bound_with_proto_0():
    # uvicorn's --workers path binds its listener with proto 0 (uvicorn issue #3149): asyncio then leaves
    # Nagle's algorithm on. The protocol must switch it off itself.
    import uvicorn
    from uvicorn.protocols.http.h11_impl import H11Protocol
    from uvicorn.server import ServerState

    async def nodelay_with(protocol_class) -> int:
        config = uvicorn.Config(app=lambda scope, receive, send: None, log_config=None)
        config.load()
        seen: list[int] = []

        class Probe(protocol_class):
            def connection_made(self, transport):
                super().connection_made(transport)
                sock = transport.get_extra_info("socket")
                seen.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))

        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # proto 0, as uvicorn binds it
        listener.bind(("127.0.0.1", 0))
        assert listener.proto == 0
        loop = asyncio.get_running_loop()
        server = await loop.create_server(
            lambda: Probe(config=config, server_state=ServerState(), app_state={}), sock=listener
        )
        _, writer = await asyncio.open_connection(*listener.getsockname())
        for _ in range(50):
            if seen:
                break
            await asyncio.sleep(0.02)
        writer.close()
        server.close()
        return seen[0]

    assert asyncio.run(nodelay_with(H11Protocol)) == 0  # the bug, as uvicorn has it
    assert asyncio.run(nodelay_with(GuardedH11Protocol)) != 0


@pytest.mark.parametrize(
    "head",
    [
        b"POST /v1alpha1/comments:analyze HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
        b"POST /v1alpha1/comments:analyze HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n",
        b"POST /v1alpha1/comments:analyze HTTP/1.1\r\nHost: x\r\n" + b"X-Flood: y\r\n" * 5000 + b"\r\n",
        b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 100,  # a TLS hello on the plain port
    ],
)
def test_malformed_or_oversized_request_heads_are_refused_and_the_server_keeps_serving(
    server_for_heads, head
):
    with socket.create_connection(("127.0.0.1", server_for_heads.port), timeout=10) as connection:
        connection.sendall(head)
        answer = connection.recv(4096)
    assert answer == b"" or answer.split(b" ")[1][:1] == b"4", answer[:100]
    assert httpx.get(f"{server_for_heads.url}/healthz", timeout=5).status_code == 200


@pytest.fixture(scope="module")
def server_for_heads():
    with moderate_serve() as running:
        yield running
