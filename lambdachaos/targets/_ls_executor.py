"""A LocalStack runtime executor that runs Python functions as local processes (no Docker).

Loaded by LocalStack (host mode) through the entry point ``localstack.lambda.runtime_executor`` /
``lambdachaos``, which only LocalStack's own environment declares (``_ls_install.install_executor`` copies
this module there), and selected with ``LAMBDA_RUNTIME_EXECUTOR=lambdachaos``. It imports only the
standard library and LocalStack: it runs inside LocalStack's interpreter, where the rest of
lambdachaos is not installed.

One execution environment is one process (:mod:`lambdachaos.targets._ls_bootstrap`) on LocalStack's
interpreter with the unzipped code and the layers on its path, the function's environment, and a
listening loopback socket handed over by file descriptor. Environments stay warm until LocalStack
retires them. The function timeout is enforced here and reported as Lambda reports it
(``Sandbox.Timedout``, ``Task timed out after N.NN seconds``); a process that dies mid-invocation is
reported as ``Runtime.ExitError``; after either, the next invocation starts a fresh process in the
same environment, as Lambda resets its runtime. Nothing is downloaded.
"""

from __future__ import annotations

import collections
import contextlib
import json
import logging
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import Future
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from localstack import config
from localstack.services.lambda_.invocation.executor_endpoint import (
    ExecutorEndpoint,
)
from localstack.services.lambda_.invocation.lambda_models import (
    FunctionVersion,
    InvocationResult,
)
from localstack.services.lambda_.invocation.plugins import (
    RuntimeExecutorPlugin,
)
from localstack.services.lambda_.invocation.runtime_executor import (
    LambdaRuntimeException,
    RuntimeExecutor,
)

LOG = logging.getLogger(__name__)

BOOTSTRAP: Final = Path(__file__).with_name("_ls_bootstrap.py")
END_MARKER: Final = b"\x1e lambdachaos-invocation-end "
_LOG_LINES: Final = 5_000  # kept per environment for get_logs()
_MARKER_WAIT: Final = 2.0  # seconds to wait for the output of an answered invocation


class _Spawner:
    """Starts every function process from one long-lived thread.

    ``PR_SET_PDEATHSIG`` fires when the *thread* that forked the child ends; LocalStack starts
    environments from short-lived worker threads, so forking from them would kill warm functions.
    """

    def __init__(self) -> None:
        self._jobs: queue.Queue[tuple[dict[str, Any], Future[subprocess.Popen[bytes]]]] = queue.Queue()
        threading.Thread(target=self._loop, name="lambdachaos-spawner", daemon=True).start()

    def _loop(self) -> None:
        while True:
            kwargs, future = self._jobs.get()
            try:
                future.set_result(subprocess.Popen(**kwargs))
            except BaseException as exc:
                future.set_exception(exc)

    def spawn(self, **kwargs: Any) -> subprocess.Popen[bytes]:
        future: Future[subprocess.Popen[bytes]] = Future()
        self._jobs.put((kwargs, future))
        return future.result()


class _Watchdog:
    """A process (in its own session) that kills every function process group when LocalStack ends.

    It reads ``+<pgid>`` / ``-<pgid>`` lines on a pipe whose only write end is held by LocalStack; when
    LocalStack ends, however it ends (``kill -9`` included), the pipe closes and the watchdog kills the
    groups it was told about: the function processes and everything their handlers started.
    """

    def __init__(self) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-P", str(BOOTSTRAP), "--watchdog"], stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        self._lock = threading.Lock()

    def tell(self, line: str) -> None:
        pipe = self._process.stdin
        assert pipe is not None
        with self._lock, contextlib.suppress(OSError):
            pipe.write(f"{line}\n".encode())
            pipe.flush()


_SPAWNER: _Spawner | None = None
_WATCHDOG: _Watchdog | None = None
_SPAWNER_LOCK = threading.Lock()


def _spawner() -> _Spawner:
    global _SPAWNER, _WATCHDOG
    with _SPAWNER_LOCK:
        if _SPAWNER is None:
            _SPAWNER = _Spawner()
        if _WATCHDOG is None:
            _WATCHDOG = _Watchdog()
        return _SPAWNER


def _watch(line: str) -> None:
    if _WATCHDOG is not None:
        _WATCHDOG.tell(line)


def _python_paths(function_version: Any) -> list[str]:
    """The code directory, then each layer's ``python`` and ``python/lib/pythonX.Y/site-packages``."""
    paths = [str(function_version.config.code.get_unzipped_code_location())]
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    for layer in function_version.config.layers or ():
        if layer.code is None:
            continue
        root = Path(layer.code.get_unzipped_code_location())
        paths += [str(root / "python"), str(root / "python" / "lib" / version / "site-packages")]
    return paths


class ProcessExecutor(RuntimeExecutor):  # type: ignore[misc]
    """One execution environment of a Python zip function, as a process bound to 127.0.0.1."""

    def __init__(self, id: str, function_version: Any) -> None:
        super().__init__(id=id, function_version=function_version)
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(16)
        self._port: int = self._socket.getsockname()[1]
        self._endpoint = ExecutorEndpoint(id, container_address="127.0.0.1", container_port=self._port)
        self._env: dict[str, str] = {}
        self._process: subprocess.Popen[bytes] | None = None
        self._lines: collections.deque[str] = collections.deque(maxlen=_LOG_LINES)
        self._written = 0  # lines read from the process so far
        self._ended: dict[str, threading.Event] = {}
        self._lock = threading.Lock()
        self._cold = True

    # ---- lifecycle ----------------------------------------------------------------------------
    def start(self, env_vars: dict[str, str]) -> None:
        """Start the environment's process with the function's environment and wait until it is ready."""
        cfg = self.function_version.config
        runtime = str(cfg.runtime or "")
        if not runtime.startswith("python"):
            raise LambdaRuntimeException(
                f"runtime={runtime or cfg.package_type!r}: the lambdachaos process executor runs Python zip "
                "functions only; use LocalStack's Docker executor for other runtimes and images"
            )
        code_paths = _python_paths(self.function_version)
        env = {k: str(v) for k, v in env_vars.items()}
        env.update({
            "LAMBDA_TASK_ROOT": code_paths[0],
            "PYTHONPATH": os.pathsep.join(code_paths),
            "PYTHONUNBUFFERED": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": env.get("LANG", "C.UTF-8"),
            "HOME": os.environ.get("HOME", "/tmp"),
        })
        self._env = env
        self._endpoint.start()
        self._spawn()

    def _spawn(self) -> None:
        env = dict(self._env, _LAMBDACHAOS_LISTEN_FD=str(self._socket.fileno()),
                   _LAMBDACHAOS_PARENT_PID=str(os.getpid()))
        if self._endpoint.startup_future is None or self._endpoint.startup_future.done():
            self._endpoint.startup_future = Future()
        process = _spawner().spawn(
            args=[sys.executable, "-P", str(BOOTSTRAP)], env=env, cwd=self._env["LAMBDA_TASK_ROOT"],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            pass_fds=(self._socket.fileno(),), start_new_session=True,
        )
        self._process = process
        _watch(f"+{process.pid}")  # start_new_session: its pid is its process group
        threading.Thread(target=self._read, args=(process,), name=f"lambdachaos-out-{self.id[:8]}",
                         daemon=True).start()
        while True:  # wait for the ready callback, but notice a process that died during init
            try:
                self._endpoint.startup_future.result(timeout=0.1)
                return
            except TimeoutError:
                if process.poll() is not None:
                    raise LambdaRuntimeException(
                        f"function process exited with {process.returncode} before it was ready:\n"
                        + self.get_logs()[-2000:]
                    ) from None

    def _read(self, process: subprocess.Popen[bytes]) -> None:
        assert process.stdout is not None
        for raw in iter(process.stdout.readline, b""):
            if raw.startswith(END_MARKER):
                request_id = raw[len(END_MARKER):].decode(errors="replace").strip()
                with self._lock:
                    event = self._ended.setdefault(request_id, threading.Event())
                event.set()
                continue
            with self._lock:
                self._lines.append(raw.decode(errors="replace").rstrip("\n"))
                self._written += 1

    def stop(self) -> None:
        """Kill the environment's process group (LocalStack retires idle or replaced environments)."""
        self._kill()
        try:
            self._endpoint.shutdown()
        except Exception as exc:  # already unregistered
            LOG.debug("executor %s endpoint shutdown: %s", self.id, exc)
        self._socket.close()

    def _kill(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)  # its own session: the handler's children go too
        process.wait(timeout=5)
        _watch(f"-{process.pid}")

    # ---- addresses ----------------------------------------------------------------------------
    def get_address(self) -> str:
        return "127.0.0.1"

    def get_endpoint_from_executor(self) -> str:
        return "127.0.0.1"

    def get_runtime_endpoint(self) -> str:
        port = config.GATEWAY_LISTEN[0].port
        return f"http://127.0.0.1:{port}{self._endpoint.get_endpoint_prefix()}"

    # ---- invocations --------------------------------------------------------------------------
    def invoke(self, payload: dict[str, str]) -> Any:
        """Send one invocation; enforce the function timeout; return LocalStack's ``InvocationResult``."""
        request_id = payload["invoke-id"]
        if self._process is None or self._process.poll() is not None:
            self._spawn()  # reset after a timeout or a runtime exit
        process = self._process
        assert process is not None
        timeout = float(self.function_version.config.timeout)
        with self._lock:
            first_line = self._written
            ended = self._ended.setdefault(request_id, threading.Event())
        future: Future[Any] = Future()
        self._endpoint.invocation_future, self._endpoint.logs = future, None
        started = time.monotonic()
        _post_json(f"http://127.0.0.1:{self._port}/invoke", payload)
        deadline = started + timeout
        result: Any = None
        extra = ""  # the platform's own log line for a timeout or a runtime exit
        while result is None:
            try:
                result = future.result(timeout=max(0.0, min(0.05, deadline - time.monotonic())))
            except TimeoutError:
                if process.poll() is not None:
                    result, extra = self._exited(request_id, process.returncode)
                elif time.monotonic() >= deadline:
                    result, extra = self._timed_out(request_id, timeout)
        if not result.is_error or process.poll() is None:
            ended.wait(_MARKER_WAIT)
        duration_ms = (time.monotonic() - started) * 1000
        with self._lock:
            self._ended.pop(request_id, None)
            fresh = self._written - first_line
            lines = list(self._lines)[-fresh:] if fresh else []
        result.logs = self._platform_log(request_id, lines, duration_ms, extra)
        self._cold = False
        return result

    def _timed_out(self, request_id: str, timeout: float) -> tuple[Any, str]:
        self._kill()
        message = f"RequestId: {request_id} Error: Task timed out after {timeout:.2f} seconds"
        body = {"errorType": "Sandbox.Timedout", "errorMessage": message}
        result = InvocationResult(request_id, json.dumps(body).encode(), is_error=True, logs=None)
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        return result, f"{stamp} {request_id} Task timed out after {timeout:.2f} seconds\n"

    def _exited(self, request_id: str, code: int | None) -> tuple[Any, str]:
        self._kill()  # what the handler started goes with the runtime, as a reset sandbox
        if code == -signal.SIGKILL:
            status = "signal: killed"  # how Lambda words an out-of-memory kill
        elif code is not None and code < 0:
            status = f"signal: {signal.Signals(-code).name[3:].lower()}"
        else:
            status = f"exit status {code}"
        message = f"RequestId: {request_id} Error: Runtime exited with error: {status}"
        body = {"errorType": "Runtime.ExitError", "errorMessage": message}
        result = InvocationResult(request_id, json.dumps(body).encode(), is_error=True, logs=None)
        return result, f"{message}\n"

    def _platform_log(self, request_id: str, lines: list[str], duration_ms: float, extra: str) -> str:
        version = self.function_version.id.qualifier
        memory = self.function_version.config.memory_size
        body = "".join(f"{line}\n" for line in lines)
        return (
            f"START RequestId: {request_id} Version: {version}\n{body}{extra}END RequestId: {request_id}\n"
            f"REPORT RequestId: {request_id}\tDuration: {duration_ms:.2f} ms\t"
            f"Billed Duration: {max(1, int(duration_ms + 0.999))} ms\tMemory Size: {memory} MB\t\n"
        )

    def get_logs(self) -> str:
        with self._lock:
            return "\n".join(self._lines)

    # ---- versions -----------------------------------------------------------------------------
    @classmethod
    def prepare_version(cls, function_version: Any) -> None:
        """Unzip the code and the layers (LocalStack keeps them unzipped per version)."""
        if function_version.config.code:
            function_version.config.code.prepare_for_execution()
        for layer in function_version.config.layers or ():
            if layer.code is not None:
                layer.code.prepare_for_execution()

    @classmethod
    def cleanup_version(cls, function_version: Any) -> None:
        """Nothing to clean: processes end with their environments, code stays in LocalStack's store."""

    @classmethod
    def validate_environment(cls) -> bool:
        return True


def _post_json(url: str, payload: dict[str, Any]) -> None:
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    for delay in (0.05, 0.1, 0.2, 0.4, 0.8, 0):
        try:
            with opener.open(request, timeout=10) as response:
                response.read()
            return
        except OSError:
            if not delay:
                raise
            time.sleep(delay)


class ProcessRuntimeExecutor(RuntimeExecutorPlugin):  # type: ignore[misc]
    """The plugin LocalStack's plugin manager finds under ``localstack.lambda.runtime_executor``/``lambdachaos``."""

    name = "lambdachaos"

    def load(self, *args: Any, **kwargs: Any) -> type[ProcessExecutor]:
        return ProcessExecutor


__all__ = ["FunctionVersion", "ProcessExecutor", "ProcessRuntimeExecutor"]
