"""The worker process of ``isolation="process"``: one per execution environment.

It is forked from the test process, so it starts with everything the test defined (callable handlers,
closures). It applies the function's runtime contract (:func:`prepare_runtime`) and runs the init
phase and each invocation on handler time, exactly as the in-process mode does, and answers over a
pipe. What handler code does to this process (``os._exit``, a block in C, stray threads, tampering
with ``sys.modules``, exhausting memory) ends this process at worst, never the test process.

Handler code reaches the simulation through boto3, ``Function.invoke`` and ``Function.invoke_async``:
they are forwarded to the
test process over the same pipe, with the invocation's virtual time, so nested invocations and
sends land in the simulation and advance the caller's virtual time.
"""

from __future__ import annotations

import io
import os
import resource
import signal
import sys
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, Final, TypeVar

from lambdachaos.service.invoke import _contain, _guard, _handler_time
from lambdachaos.service.invoke._handler_time import HandlerClock, InvocationDeadline
from lambdachaos.service.invoke._loading import InitError, load_handler
from lambdachaos.service.invoke._payloads import oom_payload
from lambdachaos.service.invoke._runtime import Context, RunResult, run_handler

NO_GUARD_SECONDS: Final = 1e9
"""The worker does not guard itself: the test process watches its CPU time and kills it."""


def prepare_runtime(environment: dict[str, str], code_dir: str | None) -> None:
    """The runtime contract before the init phase: exactly the function's environment (``environment`` is
    the whole process environment it sees), then its code folder first on ``sys.path``."""
    os.environ.clear()
    os.environ.update(environment)
    if code_dir is not None:
        if code_dir in sys.path:
            sys.path.remove(code_dir)
        sys.path.insert(0, code_dir)


def limit_memory(memory_mb: int) -> None:
    """Let this process grow by ``memory_mb`` MiB at most (beyond what it inherited): MemorySize."""
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[0])
        current = pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = current + memory_mb * 1024 * 1024
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))

_T = TypeVar("_T")


class _Rpc:
    """Calls from handler code to the test process; the reply carries the new virtual elapsed time."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def call(self, kind: str, *args: Any) -> Any:
        clock = _handler_time.current()
        elapsed = clock.elapsed_ns if clock is not None else 0
        self.conn.send(("call", kind, elapsed, args))
        status, new_elapsed, value = self.conn.recv()
        if clock is not None:
            clock.elapsed_ns = new_elapsed
            if status == "deadline":
                clock.expired = True
                raise InvocationDeadline
        if status == "error":
            raise value
        if status == "client_error":
            from botocore.exceptions import ClientError

            response, operation = value
            raise ClientError(response, operation)
        return value


_FORWARDED: dict[str, type] = {}
"""Classes whose calls from handler code go to the test process, by role (``"sync"``, ``"async"``)."""


def forwarded(role: str) -> Callable[[type[_T]], type[_T]]:
    """Class decorator: in a worker process, ``invoke_sync`` (role ``"sync"``) or ``accept`` (``"async"``)
    of the class is answered by the test process (registered by the invocation paths themselves)."""

    def register(cls: type[_T]) -> type[_T]:
        _FORWARDED[role] = cls
        return cls

    return register


def _install_forwarding(rpc: _Rpc) -> None:
    def invoke_sync(self: Any, fn: Any, payload: bytes, **kwargs: Any) -> Any:
        return rpc.call("invoke", fn.name, payload, kwargs.get("qualifier"), kwargs.get("client_context"))

    def accept(self: Any, fn: Any, payload: bytes, *, qualifier: str | None = None, source: str | None = None,
               request_id: str | None = None) -> Any:
        return rpc.call("invoke_async", fn.name, payload, qualifier, source)

    if "sync" in _FORWARDED:
        setattr(_FORWARDED["sync"], "invoke_sync", invoke_sync)  # noqa: B010 - replaced in the worker only
    if "async" in _FORWARDED:
        setattr(_FORWARDED["async"], "accept", accept)  # noqa: B010 - replaced in the worker only
    if "botocore.client" not in sys.modules:
        return
    from botocore.client import BaseClient
    from botocore.response import StreamingBody

    def make_api_call(client: Any, operation_name: str, params: dict[str, Any]) -> Any:
        service = client.meta.service_model.service_name
        result = rpc.call("aws", service, client.meta.region_name, operation_name, params)
        for key, value in list(result.items()) if isinstance(result, dict) else ():
            if isinstance(value, tuple) and len(value) == 2 and value[0] == "__body__":
                result[key] = StreamingBody(io.BytesIO(value[1]), len(value[1]))
        return result

    setattr(BaseClient, "_make_api_call", make_api_call)  # noqa: B010 - a private botocore method


def worker_main(
    conn: Connection, handler: Callable[[Any, Any], Any] | str, code_dir: str | None,
    environment: dict[str, str], memory_mb: int,
) -> None:
    """The worker's loop: ``init`` once, then ``invoke`` until told to stop or the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C belongs to the test process
    _contain.CHECK_STRAY_THREADS = False  # a thread left running stays in this environment, as on Lambda
    _guard._watchdog.ensure_started()
    rpc = _Rpc(conn)
    _install_forwarding(rpc)
    prepare_runtime(environment, code_dir)
    func: Callable[[Any, Any], Any] | None = None
    limit_memory(memory_mb)
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        if message[0] == "init":
            func = _init(conn, handler, code_dir, *message[1:])
        elif message[0] == "invoke":
            if _invoke(conn, func, *message[1:]):
                return
        else:
            return


def _init(
    conn: Connection, handler: Callable[[Any, Any], Any] | str, code_dir: str | None,
    start_wall_ns: int, start_virtual_ns: int, deadline_ns: int,
) -> Callable[[Any, Any], Any] | None:
    hc = HandlerClock(start_wall_ns=start_wall_ns, start_virtual_ns=start_virtual_ns, deadline_ns=deadline_ns)
    before = _contain.snapshot()
    previous = _handler_time.set_current(hc)
    error: tuple[str, str, list[str]] | None = None
    func: Callable[[Any, Any], Any] | None = None
    try:
        if callable(handler):
            func = handler
            namespace = getattr(handler, "__globals__", None)
            if isinstance(namespace, dict):
                _handler_time.adopt(namespace)
        else:
            func, module = load_handler(handler, code_dir, isolated=True)
            _handler_time.adopt(vars(module))
    except InitError as exc:
        error = (exc.error_type, exc.message, exc.trace)
    except MemoryError:
        error = ("Runtime.ExitError", "Runtime exited with error: signal: killed", [])
    finally:
        _handler_time.set_current(previous)
        _contain.restore(before)
    conn.send(("init_done", hc.elapsed_ns, error))
    return func


def _invoke(
    conn: Connection, func: Callable[[Any, Any], Any] | None, event: Any, context_fields: dict[str, Any],
    clock_fields: tuple[int, int, int, int], timeout_s: float, cpu_scale: float | None,
) -> bool:
    """Run one invocation and answer; True when this process must end (its runtime exited)."""
    start_wall_ns, start_virtual_ns, deadline_ns, elapsed_ns = clock_fields
    hc = HandlerClock(start_wall_ns=start_wall_ns, start_virtual_ns=start_virtual_ns, deadline_ns=deadline_ns)
    hc.elapsed_ns = elapsed_ns
    context = Context(clock=hc, **context_fields)
    out_of_memory = []

    def handler(event: Any, context: Any) -> Any:
        assert func is not None
        try:
            return func(event, context)
        except MemoryError:
            out_of_memory.append(True)
            raise

    try:
        result = run_handler(handler, event, context, hc, timeout_s=timeout_s, guard_seconds=NO_GUARD_SECONDS,
                             cpu_scale=cpu_scale)
    except MemoryError:
        out_of_memory.append(True)
        result = RunResult("function_error", b"", None, hc.elapsed_ns)
    if out_of_memory:
        error = oom_payload(context.aws_request_id)
        result = RunResult("function_error", b"", error, hc.elapsed_ns, env_broken=True)
    conn.send(("done", result.outcome, result.payload, result.error, result.elapsed_ns, result.env_broken,
               hc.expired))
    return result.env_broken
