"""The Python runtime: the context object and running one invocation.

What a handler sees follows the AWS Lambda developer guide ("Using the Lambda context object to
retrieve Python function information", "Lambda function errors in Python"); the init phase is
:mod:`._loading`, the response payloads :mod:`._payloads`.
"""

from __future__ import annotations

import json
import os
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, final

from lambdachaos._errors import HandlerNotStoppable, MachineDependentOutcome
from lambdachaos.service.invoke import _contain, _guard
from lambdachaos.service.invoke._config import SYNC_RESPONSE_LIMIT
from lambdachaos.service.invoke._guard import _watchdog as _guard_state
from lambdachaos.service.invoke._handler_time import HandlerClock, InvocationDeadline, set_current
from lambdachaos.service.invoke._loading import SIGNAL_INTERRUPT, InitError
from lambdachaos.service.invoke._payloads import encode_result, error_payload, exit_payload, timeout_payload

_thread_time_ns = __import__("time").thread_time_ns


@final
class Context:
    """The context object a Python handler receives (every member AWS documents)."""

    __slots__ = (
        "_clock",
        "aws_request_id",
        "client_context",
        "function_name",
        "function_version",
        "identity",
        "invoked_function_arn",
        "log_group_name",
        "log_stream_name",
        "memory_limit_in_mb",
    )

    def __init__(
        self,
        *,
        function_name: str,
        function_version: str,
        invoked_function_arn: str,
        memory_limit_in_mb: int,
        aws_request_id: str,
        log_stream_name: str,
        clock: HandlerClock,
        client_context: Any = None,
        identity: Any = None,
    ) -> None:
        self.function_name = function_name
        self.function_version = function_version
        self.invoked_function_arn = invoked_function_arn
        self.memory_limit_in_mb = str(memory_limit_in_mb)  # a string in the Python runtime
        self.aws_request_id = aws_request_id
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = log_stream_name
        self.identity = identity
        self.client_context = client_context
        self._clock = clock

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the function times out, on the virtual clock (never negative)."""
        return self._clock.remaining_ms()

    def __repr__(self) -> str:
        return f"<Context {self.function_name}:{self.function_version} request={self.aws_request_id}>"


OUTCOME_SUCCESS: Final = "success"
OUTCOME_ERROR: Final = "function_error"
OUTCOME_TIMEOUT: Final = "timeout"
OUTCOME_GUARD: Final = "guard_stopped"
GUARD_ERROR_TYPE: Final = "LambdaChaos.RealTimeGuard"


@dataclass(slots=True)
class RunResult:
    """What one handler run produced."""

    outcome: str
    payload: bytes
    error: dict[str, Any] | None
    elapsed_ns: int
    env_broken: bool = False
    """The runtime process ended (timeout, exit, OOM): the environment is not reused."""
    guard_fired: bool = False


def run_handler(
    handler: Callable[[Any, Any], Any],
    event: Any,
    context: Context,
    clock: HandlerClock,
    *,
    timeout_s: float,
    guard_seconds: float,
    cpu_scale: float | None,
) -> RunResult:
    """Call the handler on the current thread with handler time installed.

    Never raises for what the handler does; raises ``KeyboardInterrupt`` for the user's Ctrl-C and
    :class:`~lambdachaos.HandlerNotStoppable` for what cannot be stopped in-process (see ``_contain``).
    """
    request_id = context.aws_request_id
    _contain.install()
    before = _contain.snapshot()
    previous = set_current(clock)
    entry = _guard.arm(guard_seconds)
    cpu_start = _thread_time_ns() if cpu_scale is not None else 0
    fired = None
    try:
        try:
            result = handler(event, context)
        finally:
            fired = _guard.disarm(entry)
            set_current(previous)
            _contain.restore(before)
    except BaseException as exc:
        return _ended(exc, handler, context, clock, timeout_s, guard_seconds, fired)
    if fired is not None or clock.threads or _guard_state.user_interrupted:
        early = _check_run(handler, context, clock, timeout_s, guard_seconds, fired)
        if early is not None:
            return early
    if clock.expired:
        # the handler swallowed the deadline signal; Lambda had already ended the invocation
        return timed_out(clock, request_id, timeout_s, guard_fired=False)
    if cpu_scale is not None:
        extra = round((_thread_time_ns() - cpu_start) * cpu_scale)
        if clock.elapsed_ns + extra >= clock.deadline_ns:
            clock.elapsed_ns = clock.deadline_ns
            return timed_out(clock, request_id, timeout_s, guard_fired=False)
        clock.elapsed_ns += extra
    return finish(result, clock, request_id)


def finish(result: Any, clock: HandlerClock, request_id: str) -> RunResult:
    """The response of a handler that returned ``result``: marshalled, size-checked."""
    try:
        payload = b"null" if result is None else encode_result(result).encode()
    except (TypeError, ValueError, RecursionError) as exc:
        return _failed(
            clock,
            {
                "errorMessage": f"Unable to marshal response: {_contain.safe_str(exc)}",
                "errorType": "Runtime.MarshalError",
                "requestId": request_id,
                "stackTrace": [],
            },
        )
    if len(payload) > SYNC_RESPONSE_LIMIT:
        return _failed(
            clock,
            {
                "errorMessage": "Response payload size exceeded maximum allowed payload size "
                f"({SYNC_RESPONSE_LIMIT} bytes).",
                "errorType": "Function.ResponseSizeTooLarge",
            },
        )
    return RunResult(OUTCOME_SUCCESS, payload, None, clock.elapsed_ns)


def _check_run(
    handler: Any, context: Context, clock: HandlerClock, timeout_s: float, guard_seconds: float, fired: str | None
) -> RunResult | None:
    """What ends an invocation whatever the handler returned: Ctrl-C, the guard, stray threads."""
    if _guard.user_interrupted():
        raise KeyboardInterrupt
    if fired == _guard.FIRED_WALL:
        raise HandlerNotStoppable(
            f"{_describe(handler, context)} was still running after {guard_seconds * _guard.BACKSTOP_FACTOR:g} s "
            "of real time without using its CPU budget: it is blocked (a lock, select, a join, a real sleep) "
            "and cannot be stopped in-process. Run it with isolation=\"process\" (sim.function(..., "
            "isolation=\"process\") or Sim(isolation=\"process\")), where a blocked handler ends its invocation only."
        )
    stray = _contain.stray_threads(clock.threads)
    if stray:
        names = ", ".join(repr(t.name) for t in stray)
        raise HandlerNotStoppable(
            f"{_describe(handler, context)} left non-daemon thread(s) {names} running after the invocation "
            "ended; in-process they would run on outside the simulation. Join them in the handler, or run it "
            "with isolation=\"process\", where the worker process and its threads end with the environment."
        )
    if fired == _guard.FIRED_CPU:
        return guard_stopped(clock, context.aws_request_id, guard_seconds)
    return None


def _ended(
    exc: BaseException, handler: Any, context: Context, clock: HandlerClock, timeout_s: float,
    guard_seconds: float, fired: str | None,
) -> RunResult:
    request_id = context.aws_request_id
    if isinstance(exc, HandlerNotStoppable | _guard.HandlerBlocked) and fired is None:
        raise exc  # from an invocation this one called: the test ends
    early = _check_run(handler, context, clock, timeout_s, guard_seconds, fired)
    if early is not None:
        return early
    if isinstance(exc, _guard.RunawayHandler | _guard.HandlerBlocked):
        # delivered for the invocation that called this one: this one ends with it
        return guard_stopped(clock, request_id, guard_seconds)
    if isinstance(exc, InvocationDeadline) or clock.expired:
        return timed_out(clock, request_id, timeout_s, guard_fired=False)
    if isinstance(exc, _contain.RuntimeExit | SystemExit):
        return _failed(clock, exit_payload(request_id, exc.code), broken=True)
    if isinstance(exc, Exception):
        return _failed(clock, error_payload(exc, request_id))
    if isinstance(exc, KeyboardInterrupt):  # raised by handler code: Python re-raises SIGINT on its way out
        message = f"RequestId: {request_id} Error: Runtime exited with error: {SIGNAL_INTERRUPT}"
        return _failed(clock, {"errorType": "Runtime.ExitError", "errorMessage": message}, broken=True)
    # GeneratorExit, custom BaseException: the runtime exits with status 1
    return _failed(clock, exit_payload(request_id, 1), broken=True)


def _describe(handler: Any, context: Context) -> str:
    name = getattr(handler, "__qualname__", None) or type(handler).__name__
    return f"handler {name!r} of function {context.function_name!r}"


def guarded_init(init: Callable[[], None], env: Any, function: str, guard_seconds: float) -> None:
    """Run an init phase under the real-time guard: module-level code that spins becomes an init error."""
    _contain.install()
    before = _contain.snapshot()
    entry = _guard.arm(guard_seconds)
    try:
        try:
            init()
        finally:
            fired = _guard.disarm(entry)
            _contain.restore(before)
    except (_guard.RunawayHandler, _guard.HandlerBlocked):
        fired = fired or _guard.FIRED_CPU
    if fired is not None:
        env.init_error = InitError(
            GUARD_ERROR_TYPE, f"the real-time guard stopped the init phase after {guard_seconds:.2f} seconds of CPU "
            "time (this outcome depends on the machine, not on the simulation)", [],
        )
        warn_guard_stopped(function, "init phase", guard_seconds)


def warn_guard_stopped(function: str, request_id: str, guard_seconds: float) -> None:
    """Warn that an attempt's outcome came from the real-time guard, so it depends on the machine."""
    warnings.warn(
        f"the real-time guard stopped function {function!r} (request {request_id}) after {guard_seconds:g} s "
        "of CPU time: the ledger records outcome 'guard_stopped', which depends on this machine's speed and "
        "load, not on the seed. Make the handler finish, raise guard_seconds, or give it a virtual-time sleep.",
        MachineDependentOutcome,
        stacklevel=_caller_level(),
    )


def _caller_level() -> int:
    """``stacklevel`` pointing at the first frame outside lambdachaos (the test's call)."""
    package = os.path.dirname(os.path.dirname(__file__))
    frame = sys._getframe(2)
    level = 2
    while frame is not None and frame.f_code.co_filename.startswith(package):
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    return level


def guard_stopped(clock: HandlerClock, request_id: str, guard_seconds: float) -> RunResult:
    """An invocation the real-time guard stopped: not an AWS outcome, and it depends on the machine."""
    clock.elapsed_ns = clock.deadline_ns
    clock.expired = True
    error = {
        "errorType": GUARD_ERROR_TYPE,
        "errorMessage": f"RequestId: {request_id} Error: stopped by the real-time guard after "
        f"{guard_seconds:.2f} seconds of CPU time (this outcome depends on the machine, not on the simulation)",
    }
    payload = json.dumps(error, separators=(",", ":")).encode()
    return RunResult(OUTCOME_GUARD, payload, error, clock.elapsed_ns, env_broken=True, guard_fired=True)


def _failed(clock: HandlerClock, error: dict[str, Any], *, broken: bool = False) -> RunResult:
    payload = json.dumps(error, separators=(",", ":")).encode()
    return RunResult(OUTCOME_ERROR, payload, error, clock.elapsed_ns, env_broken=broken)


def timed_out(clock: HandlerClock, request_id: str, timeout_s: float, *, guard_fired: bool) -> RunResult:
    """The result of an invocation that reached its timeout (the environment is reset)."""
    clock.elapsed_ns = clock.deadline_ns
    clock.expired = True
    error = timeout_payload(request_id, timeout_s)
    payload = json.dumps(error, separators=(",", ":")).encode()
    return RunResult(OUTCOME_TIMEOUT, payload, error, clock.elapsed_ns, env_broken=True, guard_fired=guard_fired)
