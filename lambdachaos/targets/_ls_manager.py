"""Install, start, stop and inspect a LocalStack for the ``localstack`` target.

Host mode (the default): an isolated virtual environment on Python 3.13 (3.12 as a fallback) holds
the pinned LocalStack and lambdachaos's process runtime executor; LocalStack runs as a process
bound to 127.0.0.1 with ``LAMBDA_RUNTIME_EXECUTOR=lambdachaos``, so Python functions run as local
processes and no Docker engine is needed. State (venv, pid, settings, log) lives in
:func:`state_dir`. ``down`` stops only the process it started, by pid.

Docker mode (:mod:`lambdachaos.targets._ls_docker`) runs the image of the same version instead.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any, Final

from lambdachaos.targets._ls_connection import Connection
from lambdachaos.targets._ls_install import (
    LOCALSTACK_VERSION,
    REQUIREMENTS,
    LocalStackError,
    LocalStackRefused,
    ensure_venv,
    fingerprint,
    state_dir,
    venv_python,
)

__all__ = ["FAST_SETTINGS", "LOCALSTACK_VERSION", "REQUIREMENTS", "Connection", "LocalStackError", "LocalStackRefused",
           "down",
           "ensure_venv", "fingerprint", "free_port", "health", "log_path", "previous_port", "save_state",
           "state_dir", "status", "tail", "up"]

FAST_SETTINGS: Final[Mapping[str, str]] = {
    "LAMBDA_RETRY_BASE_DELAY": "1",  # async retry delays: base × attempt seconds (AWS: about 60 and 120)
    "LAMBDA_EVENT_SOURCE_MAPPING_POLL_INTERVAL_SEC": "0.2",
    "LAMBDA_EVENT_SOURCE_MAPPING_MAX_BACKOFF_ON_EMPTY_POLL_SEC": "0.5",
    "LAMBDA_EVENT_SOURCE_MAPPING_MAX_BACKOFF_ON_ERROR_SEC": "1",
    "LAMBDA_KEEPALIVE_MS": "60000",
}
"""Settings that shorten LocalStack's wall-clock waits (used by the test suite and ``up --fast``)."""
_BASE_SETTINGS: Final[Mapping[str, str]] = {
    "LAMBDA_RUNTIME_EXECUTOR": "lambdachaos",
    "GATEWAY_SERVER": "hypercorn",  # the default (twisted) listens on 0.0.0.0 whatever GATEWAY_LISTEN says
    "DNS_ADDRESS": "0",  # no DNS server: it would bind port 53 on every interface
    "DISABLE_EVENTS": "1",
    "SKIP_SSL_CERT_DOWNLOAD": "1",
    "SQS_ENDPOINT_STRATEGY": "path",  # queue URLs on 127.0.0.1, no *.localstack.cloud names
    "LOCALSTACK_CLI": "0",
}


_NODE_LOOPBACK: Final = """\
// Loaded into every Node.js process LocalStack starts (NODE_OPTIONS=--require): Kinesis (kinesis-local) has no
// host setting and listens on every interface; a server that names no host, or a wildcard, gets 127.0.0.1.
const net = require("net");
const listen = net.Server.prototype.listen;
const wild = (host) => host === undefined || host === null || host === "" || host === "0.0.0.0" || host === "::";
net.Server.prototype.listen = function (...args) {
  const first = args[0];
  if (first !== null && typeof first === "object" && first.path === undefined && wild(first.host)) {
    args[0] = Object.assign({}, first, { host: "127.0.0.1" });
  } else if (typeof first === "number" || (typeof first === "string" && /^\\d+$/.test(first))) {
    if (typeof args[1] === "string") {
      if (wild(args[1])) args[1] = "127.0.0.1";
    } else {
      args.splice(1, 0, "127.0.0.1");
    }
  }
  return listen.apply(this, args);
};
"""


# ---- the LocalStack process ----------------------------------------------------------------------
def _state_file() -> Path:
    return state_dir() / "localstack.json"


def log_path() -> Path:
    """LocalStack's own output (``lambdachaos localstack logs``)."""
    return state_dir() / "localstack.log"


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # as the gateway binds: connections of a stopped LocalStack in TIME_WAIT do not make the port busy
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _port_file() -> Path:
    return state_dir() / "last-port"


def previous_port() -> int | None:
    """The port the last LocalStack started by ``up`` listened on (kept after ``down``)."""
    try:
        return int(_port_file().read_text().strip())
    except (OSError, ValueError):
        return None


def free_port(preferred: int = 4566) -> int:
    """The previous port when it is free, else ``preferred`` when it is free on 127.0.0.1, else any free port."""
    for candidate in (previous_port(), preferred):
        if candidate is not None and _port_free(candidate):
            return candidate
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def health(endpoint_url: str, timeout: float = 2.0) -> dict[str, Any] | None:
    """LocalStack's ``/_localstack/health`` document, or ``None`` when it does not answer."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(f"{endpoint_url}/_localstack/health", timeout=timeout) as response:
            data: dict[str, Any] = json.loads(response.read())
            return data
    except (OSError, ValueError):
        return None


def _ours(pid: int) -> bool:
    """True when ``pid`` is still the LocalStack this module started (not a recycled pid)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        with contextlib.suppress(OSError):
            os.kill(pid, 0)
            return True  # no /proc (macOS): trust the pid file
        return False
    return b"localstack.runtime.main" in cmdline and str(state_dir()).encode() in cmdline


def status() -> Connection | None:
    """The running LocalStack started by ``up`` (host or Docker mode), or ``None``."""
    try:
        data = json.loads(_state_file().read_text())
    except (OSError, ValueError):
        return None
    conn = Connection(**data)
    if conn.mode == "host" and (conn.pid is None or not _ours(conn.pid)):
        return None
    return conn if health(conn.endpoint_url) is not None else None


def save_state(conn: Connection) -> None:
    """Record a LocalStack started elsewhere (``up --docker``) so ``status`` and ``down`` find it."""
    state_dir().mkdir(parents=True, exist_ok=True)
    _state_file().write_text(json.dumps(asdict(conn)))


def up(*, port: int | None = None, settings: Mapping[str, str] | None = None, timeout: float = 120.0,
       log: Any = None) -> Connection:
    """Start LocalStack in host mode on 127.0.0.1 (installing it first if needed) and wait for health.

    ``settings`` are LocalStack environment variables (for example :data:`FAST_SETTINGS`). A
    LocalStack already started by ``up`` is reused when its settings match.
    """
    wanted = dict(settings or {})
    running = status()
    if running is not None and running.mode != "host":
        raise LocalStackRefused(
            f"a {running.mode}-mode LocalStack is already running at {running.endpoint_url}; stop it with "
            "'lambdachaos localstack down' before starting one in host mode")
    if running is not None and running.settings == wanted:
        return running
    down()  # a recorded LocalStack with other settings, or one that stopped answering: never leave it orphaned
    venv = ensure_venv(log)
    port = port or free_port()
    if not _port_free(port):
        raise LocalStackError(f"port={port} is in use on 127.0.0.1: pick another with --port, or omit it")
    endpoint = f"http://127.0.0.1:{port}"
    home = state_dir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "LOCALSTACK_"))}
    env.update(_BASE_SETTINGS)
    env.update(wanted)
    env.update({
        "GATEWAY_LISTEN": f"127.0.0.1:{port}", "LOCALSTACK_HOST": f"127.0.0.1:{port}",
        "FILESYSTEM_ROOT": str(home / "filesystem"), "TMPDIR": str(home / "tmp"),
    })
    (home / "tmp").mkdir(parents=True, exist_ok=True)
    shim = home / "loopback.js"
    shim.write_text(_NODE_LOOPBACK)
    env["NODE_OPTIONS"] = f'{env.get("NODE_OPTIONS", "")} --require "{shim}"'.strip()
    _say(log, f"starting LocalStack {LOCALSTACK_VERSION} on {endpoint} (log: {log_path()})")
    with open(log_path(), "ab") as out:
        process = subprocess.Popen(
            [str(venv_python(venv)), "-m", "localstack.runtime.main", "--lambdachaos-home", str(home)],
            env=env, cwd=str(home), stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    conn = Connection(endpoint_url=endpoint, pid=process.pid, settings=wanted)
    save_state(conn)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            _state_file().unlink(missing_ok=True)
            raise LocalStackError(f"LocalStack exited with {process.returncode} while starting:\n{tail(40)}")
        if health(endpoint, timeout=1.0) is not None:
            _refuse_exposed(process.pid)
            _port_file().write_text(f"{port}\n")
            return conn
        time.sleep(0.25)
    down()
    raise LocalStackError(f"LocalStack did not answer {endpoint}/_localstack/health within {timeout:.0f} s:\n"
                          f"{tail(40)}")


def _refuse_exposed(pid: int) -> None:
    """Stop LocalStack and raise when its process tree listens on anything but loopback."""
    from lambdachaos.targets._ls_procs import exposed

    bad = exposed(pid)
    if bad:
        down()
        raise LocalStackRefused(
            "LocalStack listened beyond loopback, so it was stopped: " + ", ".join(map(str, bad))
            + "; an emulator that runs code must only be reachable from this machine (check GATEWAY_SERVER "
            "and GATEWAY_LISTEN in --set)")


def down(*, grace: float = 5.0) -> bool:
    """Stop the LocalStack started by ``up``: SIGTERM, ``grace`` seconds, then SIGKILL. Returns whether one ran."""
    try:
        data = json.loads(_state_file().read_text())
    except (OSError, ValueError):
        return False
    conn = Connection(**data)
    if conn.mode == "docker":
        from lambdachaos.targets._ls_docker import stop_container

        stop_container(conn)
        _state_file().unlink(missing_ok=True)
        return True
    pid = conn.pid
    stopped = False
    if pid is not None and _ours(pid):
        stopped = True
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and _alive(pid):
            time.sleep(0.1)
        if _alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)  # its own session, started by up(): only its children
    _state_file().unlink(missing_ok=True)
    return stopped


def _alive(pid: int) -> bool:
    with contextlib.suppress(ChildProcessError):
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(") ", 1)[-1].startswith("Z"))


def tail(lines: int = 50) -> str:
    """The last ``lines`` lines of LocalStack's log."""
    try:
        text = log_path().read_text(errors="replace")
    except OSError:
        return "(no log yet)"
    return "\n".join(text.splitlines()[-lines:])




def _say(log: Any, message: str) -> None:
    if log is not None:
        log(message)
