"""The process runtime: runs one Python function as a local process for LocalStack's Lambda service.

Started by :mod:`lambdachaos.targets._ls_executor` (standard library only: it runs inside the
function's process, on LocalStack's interpreter). It speaks LocalStack's runtime protocol:

- posts ``<LOCALSTACK_RUNTIME_ENDPOINT>/status/<LOCALSTACK_RUNTIME_ID>/ready`` once it listens;
- receives each invocation as ``POST /invoke`` with ``{"invoke-id", "invoked-function-arn", "payload",
  "trace-id"}`` on the loopback socket the executor hands over (``_LAMBDACHAOS_LISTEN_FD``);
- answers on ``<endpoint>/invocations/<id>/response`` or ``/error`` (``Content-Type: application/json``:
  with a form content type LocalStack reads an empty body).

Before each answer it writes an end marker line to stdout, so the executor knows that every byte the
invocation printed has been read. The function timeout is enforced by the executor, which kills
this process group; the process also ends itself when the executor's process goes away.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib
import json
import os
import signal
import socket
import sys
import threading
import time
import traceback
import urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

END_MARKER = "\x1e lambdachaos-invocation-end "
"""Prefix of the line written after each invocation's output (followed by the request id)."""

_PR_SET_PDEATHSIG = 1


def _die_with_parent(parent_pid: int) -> None:
    """Ask the kernel to kill this process with its parent, and watch the parent as a fallback."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)

    def watch() -> None:
        while True:
            if os.getppid() != parent_pid:
                os._exit(0)
            time.sleep(0.5)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _post(url: str, body: bytes) -> None:
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json"}
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: never a proxy
    with opener.open(request, timeout=30) as response:
        response.read()


class _Context:
    """The Python context object (docs/aws-behaviour.md §2.1)."""

    def __init__(self, request_id: str, arn: str, deadline: float) -> None:
        env = os.environ
        self.aws_request_id = request_id
        self.invoked_function_arn = arn
        self.function_name = env.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = env.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.memory_limit_in_mb = str(env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"))
        self.log_group_name = env.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = env.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self.identity = None
        self.client_context = None
        self._deadline = deadline

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.time()) * 1000))


class _Runtime:
    """Loads the handler (retrying a failed init on the next invocation, as Lambda does) and runs it."""

    def __init__(self) -> None:
        self.endpoint = os.environ["LOCALSTACK_RUNTIME_ENDPOINT"]
        self.runtime_id = os.environ["LOCALSTACK_RUNTIME_ID"]
        self.timeout = float(os.environ.get("AWS_LAMBDA_FUNCTION_TIMEOUT") or 3)
        self.handler: Any = None
        self.init_error: dict[str, Any] | None = None

    def load(self) -> None:
        spec = os.environ.get("_HANDLER", "")
        module_name, _, func = spec.rpartition(".")
        try:
            module = importlib.import_module(module_name.replace("/", "."))
        except Exception as exc:
            self.init_error = {
                "errorMessage": f"Unable to import module '{module_name}': {exc}",
                "errorType": "Runtime.ImportModuleError",
                "stackTrace": [],
            }
            print(f"[ERROR] Runtime.ImportModuleError: {self.init_error['errorMessage']}", flush=True)
            return
        handler = getattr(module, func, None)
        if not callable(handler):
            self.init_error = {
                "errorMessage": f"Handler '{func}' missing on module '{module_name}'",
                "errorType": "Runtime.HandlerNotFound",
                "stackTrace": [],
            }
            print(f"[ERROR] Runtime.HandlerNotFound: {self.init_error['errorMessage']}", flush=True)
            return
        self.handler, self.init_error = handler, None

    def run(self, invocation: dict[str, Any]) -> None:
        request_id = str(invocation.get("invoke-id", ""))
        os.environ["_X_AMZN_TRACE_ID"] = str(invocation.get("trace-id") or "")
        if self.handler is None:
            self.load()
        ok, body = False, b""
        try:
            if self.handler is None:
                body = json.dumps({**(self.init_error or {}), "requestId": request_id}).encode()
            else:
                context = _Context(request_id, str(invocation.get("invoked-function-arn", "")),
                                   time.time() + self.timeout)
                event = json.loads(invocation.get("payload") or "null")
                try:
                    body, ok = json.dumps(self.handler(event, context)).encode(), True
                except Exception as exc:
                    body = json.dumps(self._error(exc, request_id)).encode()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.write(1, f"{END_MARKER}{request_id}\n".encode())
            kind = "response" if ok else "error"
            _post(f"{self.endpoint}/invocations/{request_id}/{kind}", body)

    @staticmethod
    def _error(exc: BaseException, request_id: str) -> dict[str, Any]:
        frames = traceback.format_list(traceback.extract_tb(exc.__traceback__)[1:])
        name = type(exc).__name__
        print(f"[ERROR] {name}: {exc}\nTraceback (most recent call last):\n{''.join(frames)}", end="",
              file=sys.stderr, flush=True)
        return {"errorMessage": str(exc), "errorType": name, "requestId": request_id, "stackTrace": frames}


class _Server(HTTPServer):
    pending: dict[str, Any] | None = None


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        invocation = json.loads(self.rfile.read(length) or b"{}")
        self.send_response(202)
        self.send_header("Content-Length", "0")
        self.end_headers()
        self.wfile.flush()
        self.close_connection = True
        # The invocation runs on the main thread once this 202 is out (handlers may install signal
        # handlers); LocalStack waits for the callback, not for this reply.
        self.server.pending = invocation

    def log_message(self, format: str, *args: Any) -> None:
        return None


def watchdog(lines: Any = None) -> None:
    """``--watchdog``: read ``+pgid`` / ``-pgid`` lines until the pipe closes, then kill every group left.

    The pipe's write end is held by LocalStack alone, so end of input means LocalStack is gone.
    """
    groups: set[int] = set()
    for line in lines if lines is not None else sys.stdin:
        text = line.strip()
        if text[:1] in ("+", "-") and text[1:].isdigit():
            (groups.add if text[0] == "+" else groups.discard)(int(text[1:]))
    for group in sorted(groups):
        with contextlib.suppress(OSError):
            os.killpg(group, signal.SIGKILL)


def main() -> None:
    """Entry point of the function process."""
    _die_with_parent(int(os.environ.pop("_LAMBDACHAOS_PARENT_PID", "0") or os.getppid()))
    listen_fd = int(os.environ.pop("_LAMBDACHAOS_LISTEN_FD"))
    task_root = os.environ.get("LAMBDA_TASK_ROOT") or os.getcwd()
    sys.path[:0] = [task_root]
    runtime = _Runtime()
    runtime.load()
    server = _Server(("127.0.0.1", 0), _Handler, bind_and_activate=False)
    server.socket.close()
    server.socket = socket.socket(fileno=listen_fd)
    _post(f"{runtime.endpoint}/status/{runtime.runtime_id}/ready", b"{}")
    while True:
        server.pending = None
        server.handle_request()
        if server.pending is not None:
            runtime.run(server.pending)


if __name__ == "__main__":
    if sys.argv[1:] == ["--watchdog"]:
        watchdog()
    else:
        main()
