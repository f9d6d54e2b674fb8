"""``isolation="process"``: each execution environment runs its handler code in a worker process.

The test process keeps the simulation; a worker (``_isolation_worker``) runs the init phase and the
invocations and talks to it over a pipe. Virtual time is exact: the worker runs on handler time like
the in-process mode and reports the virtual duration, and calls it makes back into the simulation
(boto3, ``Function.invoke``, ``Function.invoke_async``) carry the invocation's elapsed time both ways.

The test process guards the worker: it reads the worker's CPU time (the real-time guard's budget)
and its wall-clock backstop while it waits, and kills it when either is spent; the invocation ends
as ``guard_stopped``. A worker that dies (``os._exit`` from C, a signal, the memory limit) ends its
invocation with AWS's ``Runtime.ExitError``; the environment is discarded, the test goes on.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import warnings
from typing import TYPE_CHECKING, Any, Final

from lambdachaos._errors import ConfigError
from lambdachaos.service.invoke import _guard, _handler_time
from lambdachaos.service.invoke._handler_time import HandlerClock, InvocationDeadline
from lambdachaos.service.invoke._loading import InitError
from lambdachaos.service.invoke._payloads import exit_payload
from lambdachaos.service.invoke._runtime import OUTCOME_ERROR, Context, RunResult, guard_stopped

if TYPE_CHECKING:
    from lambdachaos.service.invoke._environments import Environment
    from lambdachaos.service.invoke._service import LambdaService

IN_PROCESS: Final = "in-process"
PROCESS: Final = "process"
MODES: Final = (IN_PROCESS, PROCESS)
POLL_SECONDS: Final = 0.05
_CLOCK_TICKS: Final = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
_SIGNAL_WORDS: Final = {signal.SIGKILL: "killed", signal.SIGABRT: "aborted", signal.SIGSEGV: "segmentation fault",
                        signal.SIGTERM: "terminated", signal.SIGBUS: "bus error"}


def check_mode(value: object, setting: str = "isolation") -> str:
    """Validate an isolation setting."""
    if value not in MODES:
        raise ConfigError(f"{setting}={value!r} is not an isolation mode; choose one of {list(MODES)}")
    return str(value)


class Worker:
    """One worker process serving one execution environment."""

    def __init__(self, service: LambdaService, handler: Any, code_dir: str | None, environment: dict[str, str],
                 memory_mb: int) -> None:
        from lambdachaos.service.invoke._isolation_worker import worker_main

        self.service = service
        ctx = multiprocessing.get_context("fork")
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=worker_main, args=(child, handler, code_dir, environment, memory_mb),
                                   name="lambdachaos-environment", daemon=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # fork with the guard's thread running
            self.process.start()
        child.close()
        self._clients: dict[tuple[str, str | None], Any] = {}

    # ---- the two requests -------------------------------------------------------------------------
    def init(self, hc: HandlerClock, guard_seconds: float) -> InitError | None:
        """Run the init phase in the worker; returns its error (AWS type and message) if it failed."""
        self.conn.send(("init", hc.start_wall_ns, hc.start_virtual_ns, hc.deadline_ns))
        reply = self._wait(hc, guard_seconds)
        if reply[0] == "init_done":
            hc.elapsed_ns = reply[1]
            return None if reply[2] is None else InitError(*reply[2])
        self.stop()
        if reply[0] == "guard":
            return InitError("Runtime.ExitError", "the real-time guard stopped the init phase (machine-dependent)", [])
        error = _death_payload(reply[1], "init")
        return InitError(error["errorType"], error["errorMessage"].partition(" Error: ")[2], [])

    def run_handler(
        self, handler: Any, event: Any, context: Context, clock: HandlerClock, *, timeout_s: float,
        guard_seconds: float, cpu_scale: float | None,
    ) -> RunResult:
        """Same contract as ``_runtime.run_handler``, with the handler running in the worker."""
        fields = {
            "function_name": context.function_name, "function_version": context.function_version,
            "invoked_function_arn": context.invoked_function_arn,
            "memory_limit_in_mb": int(context.memory_limit_in_mb), "aws_request_id": context.aws_request_id,
            "log_stream_name": context.log_stream_name, "client_context": context.client_context,
            "identity": context.identity,
        }
        clock_fields = (clock.start_wall_ns, clock.start_virtual_ns, clock.deadline_ns, clock.elapsed_ns)
        self.conn.send(("invoke", event, fields, clock_fields, timeout_s, cpu_scale))
        reply = self._wait(clock, guard_seconds)
        request_id = context.aws_request_id
        if reply[0] == "guard":
            return guard_stopped(clock, request_id, guard_seconds)
        if reply[0] == "died":
            error = _death_payload(reply[1], request_id)
            return RunResult(OUTCOME_ERROR, _dumps(error), error, clock.elapsed_ns, env_broken=True)
        _, outcome, payload, error, elapsed_ns, broken, expired = reply
        clock.elapsed_ns = elapsed_ns
        clock.expired = expired
        if broken:
            self.stop()
        if error is not None and not payload:
            payload = _dumps(error)
        return RunResult(outcome, payload, error, elapsed_ns, env_broken=broken)

    # ---- waiting, guarded -------------------------------------------------------------------------
    def _wait(self, hc: HandlerClock, guard_seconds: float) -> tuple[Any, ...]:
        cpu_start = self._cpu_seconds()
        wall_end = _handler_time.real_perf_counter() + guard_seconds * _guard.BACKSTOP_FACTOR
        conn = self.conn
        while True:
            if conn.poll(POLL_SECONDS):
                try:
                    message = conn.recv()
                except (EOFError, OSError):
                    return self._died(hc)
                if message[0] == "call":
                    self._serve(hc, *message[1:])
                    continue
                return tuple(message)
            if not self.process.is_alive():
                return self._died(hc)
            over_cpu = self._cpu_seconds() - cpu_start >= guard_seconds
            if over_cpu or _handler_time.real_perf_counter() >= wall_end:
                self.stop()
                return ("guard",)

    def _died(self, hc: HandlerClock) -> tuple[Any, ...]:
        self.process.join(5)
        code = self.process.exitcode
        self.stop()
        return ("died", code)

    def _cpu_seconds(self) -> float:
        try:
            with open(f"/proc/{self.process.pid}/stat") as f:
                fields = f.read().rpartition(")")[2].split()
            return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS
        except (OSError, ValueError, IndexError):
            return 0.0

    # ---- calls from handler code into the simulation ------------------------------------------------
    def _serve(self, hc: HandlerClock, kind: str, elapsed_ns: int, args: tuple[Any, ...]) -> None:
        hc.elapsed_ns = elapsed_ns
        clock = self.service.world.clock
        saved = clock.set_local_now(hc.start_virtual_ns + elapsed_ns)
        previous = _handler_time.set_current(hc)
        status, value = "ok", None
        try:
            value = self._call(kind, args)
        except InvocationDeadline:
            status = "deadline"
        except Exception as exc:
            status, value = _error_reply(exc)
        finally:
            _handler_time.set_current(previous)
            clock.set_local_now(saved)
        self.conn.send((status, hc.elapsed_ns, value))

    def _call(self, kind: str, args: tuple[Any, ...]) -> Any:
        if kind == "invoke":
            name, payload, qualifier, client_context = args
            service = self.service
            return service.invoke_sync(service.get(name), payload, qualifier=qualifier,
                                       client_context=client_context)
        if kind == "invoke_async":
            name, payload, qualifier, source = args
            fn = self.service.get(name)
            return fn.sim.async_invoker.accept(fn, payload, qualifier=qualifier, source=source)
        service_name, region, operation, params = args
        client = self._clients.get((service_name, region))
        if client is None:
            import boto3

            client = self._clients[(service_name, region)] = boto3.client(service_name, region_name=region)
        result = client._make_api_call(operation, params)
        return {k: _plain(v) for k, v in result.items()} if isinstance(result, dict) else result

    def stop(self) -> None:
        """End the worker process (idempotent)."""
        if self.process.is_alive():
            self.process.kill()
            self.process.join(5)
        self.conn.close()


def _plain(value: Any) -> Any:
    read = getattr(value, "read", None)
    if callable(read):
        return ("__body__", read())
    return value


def _error_reply(exc: Exception) -> tuple[str, Any]:
    response = getattr(exc, "response", None)
    operation = getattr(exc, "operation_name", None)
    if isinstance(response, dict) and isinstance(operation, str):
        return "client_error", (response, operation)
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return "error", RuntimeError(f"{type(exc).__name__}: {exc}")
    return "error", exc


def _death_payload(code: int | None, request_id: str) -> dict[str, Any]:
    if code is not None and code < 0:
        try:
            word = _SIGNAL_WORDS.get(signal.Signals(-code), signal.Signals(-code).name.lower())
        except ValueError:
            word = str(-code)
        message = f"RequestId: {request_id} Error: Runtime exited with error: signal: {word}"
        return {"errorType": "Runtime.ExitError", "errorMessage": message}
    return exit_payload(request_id, code)


def _dumps(error: Any) -> bytes:
    import json

    return json.dumps(error, separators=(",", ":")).encode()


# ---- hooks used by the service ---------------------------------------------------------------------
def init_env(service: LambdaService, env: Environment, handler: Any, code_dir: str | None,
             environment: dict[str, str], memory_mb: int, hc: HandlerClock) -> None:
    """Start ``env``'s worker and run its init phase there (on ``hc``)."""
    base = dict(os.environ)  # without what in-process functions of this simulation applied, if any
    saved: dict[str, str | None] = getattr(service, "_saved_env", {})
    for key, previous in saved.items():
        if previous is None:
            base.pop(key, None)
        else:
            base[key] = previous
    worker = Worker(service, handler, code_dir, {**base, **environment}, memory_mb)
    service.isolation_workers.append(worker)
    env.state["run"] = worker.run_handler
    env.state["worker"] = worker
    env.handler = handler if callable(handler) else _in_worker  # the handler itself runs there
    env.init_error = worker.init(hc, service.guard_seconds)


def _in_worker(event: Any, context: Any) -> Any:
    raise AssertionError("a string handler of isolation='process' runs in its worker")


def drop(env: Environment) -> None:
    """Stop the worker of a discarded environment."""
    worker = env.state.get("worker")
    if worker is not None:
        worker.stop()


def stop_all(service: LambdaService) -> None:
    """Stop every worker of the service (the simulation closes)."""
    for worker in service.isolation_workers:
        worker.stop()
    service.isolation_workers.clear()
