from __future__ import annotations

import socket
import socketserver
import threading

import pytest


class FakeClock:
    """Virtual clock for the injectors: sleep() advances now() and records every sleep."""

    def __init__(self) -> None:
        self.t = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += seconds

    def now(self) -> float:
        return self.t


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


class _Echo(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        self.request.settimeout(2)
        data = self.request.recv(1024)
        self.request.sendall(data)


@pytest.fixture
def echo_servers():
    """Two loopback echo servers, shut down after the test."""
    servers = []
    for _ in range(2):
        srv = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Echo)
        srv.daemon_threads = True
        threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        servers.append(srv)
    yield [s.server_address[1] for s in servers]
    for s in servers:
        s.shutdown()
        s.server_close()


def echo(port: int, host: str = "127.0.0.1") -> bytes:
    with socket.create_connection((host, port), timeout=2) as conn:
        conn.sendall(b"ping")
        return conn.recv(1024)
