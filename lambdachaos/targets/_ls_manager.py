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
import glob
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Final

from lambdachaos._errors import LambdaChaosError

LOCALSTACK_VERSION: Final = "4.14.0"
"""The pinned LocalStack: the last version whose Docker image starts without an auth token."""
REQUIREMENTS: Final = (
    f"localstack-core[runtime]=={LOCALSTACK_VERSION}",
    # 4.14.0 predates these releases; newer ones break its startup on Python 3.13.
    "cbor2<6", "pyopenssl<24.3", "cryptography<44", "service_identity<24.3",
)
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
    "DNS_ADDRESS": "0",  # no DNS server: it would bind port 53 on every interface
    "DISABLE_EVENTS": "1",
    "SKIP_SSL_CERT_DOWNLOAD": "1",
    "SQS_ENDPOINT_STRATEGY": "path",  # queue URLs on 127.0.0.1, no *.localstack.cloud names
    "LOCALSTACK_CLI": "0",
}
_MIN_PYTHON: Final = (3, 12)


class LocalStackError(LambdaChaosError, RuntimeError):
    """LocalStack could not be installed, started or reached."""


def state_dir() -> Path:
    """``$LAMBDACHAOS_LOCALSTACK_HOME``, else ``$XDG_CACHE_HOME/lambdachaos/localstack`` (``~/.cache/...``)."""
    if home := os.environ.get("LAMBDACHAOS_LOCALSTACK_HOME"):
        return Path(home).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache")
    return Path(cache) / "lambdachaos" / "localstack"


@dataclass(frozen=True, kw_only=True)
class Connection:
    """Where a running LocalStack answers, in the forms boto3 and localstack-client take."""

    endpoint_url: str
    """For boto3: ``boto3.client("sqs", endpoint_url=...)``."""
    region: str = "us-east-1"
    mode: str = "host"
    pid: int | None = None
    container_id: str | None = None
    settings: dict[str, str] = field(default_factory=dict)

    @property
    def localstack_host(self) -> str:
        """``host:port`` as localstack-client's ``LOCALSTACK_HOST`` expects it."""
        return self.endpoint_url.split("://", 1)[-1]

    def environment(self) -> dict[str, str]:
        """Variables that point boto3 (``AWS_ENDPOINT_URL``) and localstack-client at this LocalStack."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint_url, "LOCALSTACK_HOST": self.localstack_host,
            "AWS_DEFAULT_REGION": self.region, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
        }

    def client(self, service: str) -> Any:
        """A boto3 client for ``service`` on this LocalStack (test credentials, its region)."""
        import boto3
        from botocore.config import Config

        make: Any = boto3.client
        return make(
            service, endpoint_url=self.endpoint_url, region_name=self.region, aws_access_key_id="test",
            aws_secret_access_key="test", config=Config(retries={"max_attempts": 2}, read_timeout=70),
        )


# ---- Python and the virtual environment --------------------------------------------------------
def _python_version(executable: str) -> tuple[int, int] | None:
    try:
        out = subprocess.run(
            [executable, "-c", "import sys; print(*sys.version_info[:2])"], capture_output=True, text=True,
            timeout=20, check=False,
        )
    except OSError:
        return None
    parts = out.stdout.split()
    return (int(parts[0]), int(parts[1])) if out.returncode == 0 and len(parts) == 2 else None


def python_candidates() -> list[str]:
    """Interpreters to try: ``$LAMBDACHAOS_LOCALSTACK_PYTHON``, this one, PATH and pyenv, 3.13 first."""
    found: list[str] = []
    if chosen := os.environ.get("LAMBDACHAOS_LOCALSTACK_PYTHON"):
        found.append(chosen)
    for minor in (13, 12):
        if sys.version_info[:2] == (3, minor):
            found.append(sys.executable)
        if path := shutil.which(f"python3.{minor}"):
            found.append(path)
        pyenv = os.environ.get("PYENV_ROOT") or os.path.join(Path.home(), ".pyenv")
        found += sorted(glob.glob(os.path.join(pyenv, "versions", f"3.{minor}*", "bin", "python3")), reverse=True)
    return list(dict.fromkeys(found))


def find_python() -> tuple[str, tuple[int, int]]:
    """The first candidate that really runs and is Python ≥ 3.12 (LocalStack host mode's minimum)."""
    tried: list[str] = []
    for candidate in python_candidates():
        version = _python_version(candidate)
        tried.append(f"{candidate} → {'does not run' if version is None else '.'.join(map(str, version))}")
        if version is not None and version >= _MIN_PYTHON:
            return candidate, version
    listing = "".join(f"\n  - {t}" for t in tried) or "\n  - (no python3.13/python3.12 on PATH or in pyenv)"
    raise LocalStackError(
        "LocalStack host mode needs Python 3.13 (3.12 at least) and none was found. Tried:" + listing
        + "\nInstall Python 3.13, or set LAMBDACHAOS_LOCALSTACK_PYTHON=/path/to/python3.13, or run "
        "'lambdachaos localstack up --docker' where a Docker engine is available."
    )


def _venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


def ensure_venv(log: Any = None) -> Path:
    """Create (once) the virtual environment with the pinned LocalStack; refresh the executor in it."""
    venv = state_dir() / "venv"
    marker = venv / "lambdachaos-install.json"
    wanted = {"requirements": list(REQUIREMENTS)}
    current = json.loads(marker.read_text()) if marker.exists() else None
    if current is None or current.get("requirements") != wanted["requirements"]:
        python, version = find_python()
        if venv.exists():
            shutil.rmtree(venv)
        venv.parent.mkdir(parents=True, exist_ok=True)
        _say(log, f"creating {venv} on Python {version[0]}.{version[1]} ({python})")
        _run([python, "-m", "venv", str(venv)], "create the virtual environment")
        _say(log, f"installing LocalStack {LOCALSTACK_VERSION} (once; about a minute)")
        _run([str(_venv_python(venv)), "-m", "pip", "install", "--quiet", *REQUIREMENTS], "install LocalStack")
        marker.write_text(json.dumps({**wanted, "python": python}))
    install_executor(venv)
    return venv


def _run(args: list[str], what: str) -> None:
    out = subprocess.run(args, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise LocalStackError(f"could not {what}: {' '.join(args[:4])} ... exited {out.returncode}:\n"
                              f"{(out.stderr or out.stdout)[-3000:]}")


_EXECUTOR_FILES: Final = ("_ls_executor.py", "_ls_bootstrap.py")
_DIST: Final = "lambdachaos_localstack_executor-0.1.0.dist-info"


def install_executor(venv: Path) -> None:
    """Copy the executor modules into the venv as a tiny distribution that declares the entry point.

    Only these two standard-library modules are needed inside LocalStack, so nothing is built or
    downloaded; the copy is refreshed whenever the installed lambdachaos changes them.
    """
    site = next(iter(sorted((venv / "lib").glob("python3.*/site-packages"))), None)
    if site is None:
        raise LocalStackError(f"{venv} has no site-packages: delete {state_dir()} and run 'up' again")
    here = Path(__file__).parent
    package = site / "lambdachaos"
    targets = package / "targets"
    targets.mkdir(parents=True, exist_ok=True)
    files = {
        package / "__init__.py": '"""lambdachaos: only the LocalStack process runtime executor is installed here."""\n',
        targets / "__init__.py": '"""LocalStack process runtime executor."""\n',
        **{targets / name: (here / name).read_text() for name in _EXECUTOR_FILES},
    }
    dist = site / _DIST
    dist.mkdir(exist_ok=True)
    files[dist / "METADATA"] = "Metadata-Version: 2.1\nName: lambdachaos-localstack-executor\nVersion: 0.1.0\n"
    files[dist / "entry_points.txt"] = (
        "[localstack.lambda.runtime_executor]\n"
        "lambdachaos = lambdachaos.targets._ls_executor:ProcessRuntimeExecutor\n"
    )
    record = "".join(f"{p.relative_to(site)},,\n" for p in files)
    files[dist / "RECORD"] = record + f"{_DIST}/RECORD,,\n"
    for path, text in files.items():
        if not path.exists() or path.read_text() != text:
            path.write_text(text)


# ---- the LocalStack process ----------------------------------------------------------------------
def _state_file() -> Path:
    return state_dir() / "localstack.json"


def log_path() -> Path:
    """LocalStack's own output (``lambdachaos localstack logs``)."""
    return state_dir() / "localstack.log"


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port(preferred: int = 4566) -> int:
    """``preferred`` when it is free on 127.0.0.1, else any free port."""
    if _port_free(preferred):
        return preferred
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
    if running is not None and (running.settings == wanted or running.mode != "host"):
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
    _say(log, f"starting LocalStack {LOCALSTACK_VERSION} on {endpoint} (log: {log_path()})")
    with open(log_path(), "ab") as out:
        process = subprocess.Popen(
            [str(_venv_python(venv)), "-m", "localstack.runtime.main", "--lambdachaos-home", str(home)],
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
            return conn
        time.sleep(0.25)
    down()
    raise LocalStackError(f"LocalStack did not answer {endpoint}/_localstack/health within {timeout:.0f} s:\n"
                          f"{tail(40)}")


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


def fingerprint() -> str:
    """A short hash of the pinned requirements (shown by ``status``)."""
    return hashlib.sha256("\n".join(REQUIREMENTS).encode()).hexdigest()[:12]


def _say(log: Any, message: str) -> None:
    if log is not None:
        log(message)
