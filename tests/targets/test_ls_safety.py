"""LocalStack safety checks that need no LocalStack: listener parsing, ports, status, Docker mode refusals."""

from __future__ import annotations

import io
import ipaddress
import os
import socket
from contextlib import redirect_stderr, redirect_stdout

import pytest

from lambdachaos.targets import _ls_manager as manager
from lambdachaos.targets._ls_cli import localstack_main
from lambdachaos.targets._ls_procs import Listener, decode_address, parse_table

_TCP = """  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:11D6 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 111 1 0 100 0 0 10 0
   1: 00000000:E2A9 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 222 1 0 100 0 0 10 0
   2: 0100007F:11D6 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 333 1 0 100 0 0 10 0
"""


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("LAMBDACHAOS_LOCALSTACK_HOME", str(tmp_path))
    return tmp_path


def _cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = localstack_main(list(argv))
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(("hex_address", "address"), [
    ("0100007F", "127.0.0.1"), ("00000000", "0.0.0.0"),
    ("00000000000000000000000001000000", "::1"), ("00000000000000000000000000000000", "::"),
    ("0000000000000000FFFF00000100007F", "::ffff:127.0.0.1"),
])
def test_proc_net_addresses_are_decoded_from_host_order_words(hex_address, address):
    assert ipaddress.ip_address(decode_address(hex_address)) == ipaddress.ip_address(address)


def test_only_listening_rows_are_read_with_their_socket_inode():
    assert parse_table(_TCP, "tcp", "0A") == {111: ("127.0.0.1", 4566), 222: ("0.0.0.0", 58025)}


@pytest.mark.parametrize(("address", "loopback"), [
    ("127.0.0.1", True), ("127.0.0.53", True), ("::1", True), ("::ffff:127.0.0.1", True),
    ("0.0.0.0", False), ("::", False), ("10.0.0.5", False), ("::ffff:10.0.0.5", False),
])
def test_a_listener_is_loopback_only_on_loopback_addresses(address, loopback):
    assert Listener("tcp", address, 4566, 1).loopback is loopback


def test_listeners_read_the_processes_own_sockets():
    from lambdachaos.targets._ls_procs import listeners

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        found = listeners(os.getpid())
    assert found is not None
    assert [str(item) for item in found if item.port == port] == [f"tcp 127.0.0.1:{port} (pid {os.getpid()})"]


def test_up_takes_the_previous_port_when_it_is_free_and_another_when_it_is_busy(home):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        previous = sock.getsockname()[1]
        (home / "last-port").write_text(f"{previous}\n")
        assert manager.previous_port() == previous
        sock.listen()
        assert manager.free_port() != previous
    assert manager.free_port() == previous


def test_status_says_how_to_start_when_nothing_runs_and_exits_1(home):
    assert _cli("status") == (
        1, f"LocalStack is not running (state: {home}); start it with: lambdachaos localstack up --fast\n", "")


def test_docker_mode_without_an_engine_fails_in_one_line_with_exit_2(home, monkeypatch):
    socket_path = home / "docker.sock"
    monkeypatch.setenv("DOCKER_HOST", f"unix://{socket_path}")
    code, out, err = _cli("up", "--docker")
    assert (code, out) == (2, "")
    assert err == (f"lambdachaos localstack: no Docker engine (unix://{socket_path}: No such file or directory); "
                   "start Docker, or run host mode: 'lambdachaos localstack up'\n")
    assert not (home / "localstack.json").exists()


def test_docker_mode_refuses_to_start_while_a_host_mode_localstack_runs(home, monkeypatch):
    running = manager.Connection(endpoint_url="http://127.0.0.1:4566", pid=4242)
    monkeypatch.setattr(manager, "status", lambda: running)
    code, out, err = _cli("up", "--docker")
    assert (code, out) == (2, "")
    assert err == ("lambdachaos localstack: a host-mode LocalStack is already running at http://127.0.0.1:4566 "
                   "(pid 4242); stop it with 'lambdachaos localstack down' before starting one in docker mode\n")


def test_host_mode_refuses_to_start_while_a_docker_mode_localstack_runs(home, monkeypatch):
    running = manager.Connection(endpoint_url="http://127.0.0.1:4566", mode="docker", container_id="c0ffee")
    monkeypatch.setattr(manager, "status", lambda: running)
    code, out, err = _cli("up")
    assert (code, out) == (2, "")
    assert err == ("lambdachaos localstack: a docker-mode LocalStack is already running at http://127.0.0.1:4566; "
                   "stop it with 'lambdachaos localstack down' before starting one in host mode\n")


def test_the_watchdog_kills_every_group_it_still_holds_when_its_input_ends(monkeypatch):
    from lambdachaos.targets import _ls_bootstrap

    killed: list[tuple[int, int]] = []
    monkeypatch.setattr(_ls_bootstrap.os, "killpg", lambda group, sig: killed.append((group, sig)))
    _ls_bootstrap.watchdog(["+10\n", "+20\n", "-10\n", "+30\n", "junk\n"])
    assert killed == [(20, 9), (30, 9)]
