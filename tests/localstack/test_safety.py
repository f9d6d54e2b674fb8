"""LocalStack is safe by default: loopback-only listeners, no orphans after ``kill -9``, a stable port."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from lambdachaos.targets import _ls_manager as manager
from lambdachaos.targets._ls_procs import listeners, process_tree

pytestmark = pytest.mark.localstack

_SPAWNING = '''
import json, os, subprocess, sys, time
def handler(event, context):
    child = subprocess.Popen([sys.executable, "-c", "import subprocess, sys, time\\n"
                              "p = subprocess.Popen(['sleep', '300'])\\nprint(p.pid, flush=True)\\ntime.sleep(300)"],
                             stdout=subprocess.PIPE, text=True)
    grandchild = int(child.stdout.readline())
    with open(event["pids"] + ".tmp", "w") as fh:
        json.dump({"runtime": os.getpid(), "child": child.pid, "grandchild": grandchild}, fh)
    os.replace(event["pids"] + ".tmp", event["pids"])
    time.sleep(event.get("sleep", 0))
    return {"runtime": os.getpid()}
'''


def _deploy(conn: manager.Connection, name: str, code: str, timeout: int = 3) -> None:
    lam = conn.client("lambda")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("app.py", code)
    lam.create_function(FunctionName=name, Runtime="python3.13", Handler="app.handler",
                        Role="arn:aws:iam::000000000000:role/r", Code={"ZipFile": buf.getvalue()}, Timeout=timeout)
    lam.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})


def _gone(pid: int) -> bool:
    """True when ``pid`` has exited (a zombie waiting for a reaper counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state in ("Z", "X")


def _wait_gone(pids: list[int], seconds: float = 15.0) -> list[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        alive = [p for p in pids if not _gone(p)]
        if not alive:
            return []
        time.sleep(0.1)
    return alive


@pytest.fixture
def own_home(localstack, tmp_path, monkeypatch):
    """A second state directory sharing the session's installed LocalStack (no second install)."""
    (tmp_path / "venv").symlink_to(manager.state_dir() / "venv")
    monkeypatch.setenv("LAMBDACHAOS_LOCALSTACK_HOME", str(tmp_path))
    yield tmp_path
    manager.down(grace=1)


def test_every_listener_of_localstack_its_kinesis_and_its_function_processes_is_on_loopback(localstack, ls, tmp_path):
    name = ls.prefix + "listen"
    _deploy(localstack, name, _SPAWNING)
    pids = tmp_path / "pids.json"
    out = localstack.client("lambda").invoke(FunctionName=name, Payload=json.dumps({"pids": str(pids)}))
    runtime = json.loads(out["Payload"].read())["runtime"]
    ls.kinesis_stream("listen")  # Kinesis runs as a Node.js process that names no host: it must be loopback too
    try:
        assert runtime in process_tree(localstack.pid)  # the function process is part of the tree checked
        found = listeners(localstack.pid)
        assert found is not None
        port = int(localstack.endpoint_url.rsplit(":", 1)[1])
        assert any(item.port == port and item.pid == localstack.pid for item in found)
        assert any(item.pid == runtime for item in found)  # the function's own invocation socket
        assert [str(item) for item in found if not item.loopback] == []
    finally:
        localstack.client("lambda").delete_function(FunctionName=name)


def test_up_stops_and_refuses_a_localstack_that_listens_beyond_loopback(own_home):
    with pytest.raises(manager.LocalStackRefused, match=r"^LocalStack listened beyond loopback, so it was "
                       r"stopped: tcp 0\.0\.0\.0:\d+ \(pid \d+\)"):
        manager.up(settings={"GATEWAY_SERVER": "twisted"}, timeout=120)
    assert manager.status() is None
    assert not [line for line in subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
                .splitlines() if str(own_home) in line]


def test_kill_9_of_localstack_takes_its_function_processes_and_their_children_and_the_port_is_reused(own_home):
    conn = manager.up(settings=dict(manager.FAST_SETTINGS), timeout=120)
    port = conn.endpoint_url.rsplit(":", 1)[1]
    _deploy(conn, "orphans", _SPAWNING, timeout=120)
    pids_file = own_home / "pids.json"
    conn.client("lambda").invoke(FunctionName="orphans", InvocationType="Event",
                                 Payload=json.dumps({"pids": str(pids_file), "sleep": 100}))
    deadline = time.monotonic() + 60
    while not pids_file.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    pids = json.loads(pids_file.read_text())
    assert conn.pid is not None
    watchdogs = [p for p in process_tree(conn.pid)
                 if b"--watchdog" in Path(f"/proc/{p}/cmdline").read_bytes()]
    assert len(watchdogs) == 1
    os.kill(conn.pid, signal.SIGKILL)  # mid-invocation: the handler sleeps for 100 s
    assert _wait_gone([conn.pid, *pids.values(), *watchdogs]) == []
    assert manager.status() is None

    again = manager.up(settings=dict(manager.FAST_SETTINGS), timeout=120)
    assert again.endpoint_url == f"http://127.0.0.1:{port}"
    status = subprocess.run([sys.executable, "-P", "-m", "lambdachaos", "localstack", "status"], cwd=own_home,
                            capture_output=True, text=True, check=False)
    assert status.returncode == 0
    assert f"export AWS_ENDPOINT_URL=http://127.0.0.1:{port}\n" in status.stdout
    assert manager.down(grace=2)
    stopped = subprocess.run([sys.executable, "-P", "-m", "lambdachaos", "localstack", "status"], cwd=own_home,
                             capture_output=True, text=True, check=False)
    assert (stopped.returncode, stopped.stdout) == (
        1, f"LocalStack is not running (state: {own_home}); start it with: lambdachaos localstack up --fast\n")
