"""Deployable wrapper: runs a real handler inside a deployed function (LocalStack or AWS) under a fault plan.

Standard library only, relative imports only: the ``faults`` folder can be copied alone into a function zip
or layer under any package name. Set the function's handler to ``<package>.wrapper.handler`` and:

- ``LAMBDACHAOS_ENABLED=true``: without it the wrapper calls the real handler untouched (inert).
- ``LAMBDACHAOS_HANDLER=module.function``: the real handler.
- plan from ``LAMBDACHAOS_PLAN`` (JSON text), ``LAMBDACHAOS_PLAN_FILE`` (path) or
``LAMBDACHAOS_PLAN_PARAMETER``
  (SSM parameter name, read with boto3 once per environment).
- kill switch: ``LAMBDACHAOS_KILL_SWITCH=true``, or ``LAMBDACHAOS_KILL_SWITCH_PARAMETER`` naming an SSM
parameter
  whose value ``true``/``on`` stops all injection (read on every invocation).
- ``LAMBDACHAOS_SEED`` seeds the draws (per request id and attempt); ``LAMBDACHAOS_EPOCH`` (epoch seconds) is
  time 0 of the plan's time windows (default: when the environment started).

The wrapper fails open: when the plan cannot be loaded (invalid, file missing or unreadable, parameter
unreachable), the kill-switch parameter cannot be read (no route to SSM, an egress outage: short timeouts, no
retries) or the wrapper itself fails before the handler, the invocation runs the real handler without faults and
writes one line ``{"lambdachaos": "skipped", "requestId", "reason", "detail", "action"}`` saying why. A plan that
cannot be loaded is not read again in that environment.

Each invocation writes one JSON line to stdout (``{"lambdachaos": "invocation", ...}``);
:func:`parse_log_lines`
turns those lines (also with CloudWatch prefixes) back into ledger-like attempt dicts.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import signal
import sys
import time
from collections.abc import Callable, Iterable
from typing import Any

from ._decide import InvocationPoint, PlanRunner
from ._errors import FaultPlanError
from ._inject import injected
from ._outcome import ErrorSpec, InvocationFaults
from ._plan import FaultPlan
from ._responses import malform_batch_response
from ._target import record_id, records_of

__all__ = ["handler", "parse_log_lines", "wrap"]

_TRUE = ("1", "true", "on", "yes")
Handler = Callable[[Any, Any], Any]


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in _TRUE


def _ssm_value(name: str) -> str:
    """One SSM parameter value, with short timeouts and no retries (``LAMBDACHAOS_SSM_TIMEOUT``, default 2 s
    to connect and 2 s to read): an outage costs the invocation seconds, not the SDK's minutes of retries."""
    import boto3  # only when a plan or kill switch lives in SSM
    from botocore.config import Config

    timeout = float(os.environ.get("LAMBDACHAOS_SSM_TIMEOUT") or 2.0)
    config = Config(connect_timeout=timeout, read_timeout=timeout, retries={"total_max_attempts": 1})
    client = boto3.client("ssm", config=config)
    return str(client.get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"])


class _Skip(Exception):
    """Why this invocation runs the real handler without faults (the wrapper fails open)."""

    def __init__(self, reason: str, exc: BaseException) -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = f"{type(exc).__name__}: {exc}"


def _plan_failure(exc: BaseException) -> str:
    if os.environ.get("LAMBDACHAOS_PLAN"):
        return "plan-invalid"
    if os.environ.get("LAMBDACHAOS_PLAN_FILE"):
        if isinstance(exc, FileNotFoundError):
            return "plan-file-missing"
        return "plan-file-unreadable" if isinstance(exc, OSError | UnicodeError) else "plan-invalid"
    return "plan-parameter-unreachable" if not isinstance(exc, FaultPlanError) else "plan-invalid"


def _load_plan() -> FaultPlan:
    if text := os.environ.get("LAMBDACHAOS_PLAN"):
        return FaultPlan.from_json(text)
    if path := os.environ.get("LAMBDACHAOS_PLAN_FILE"):
        with open(path, encoding="utf-8") as fh:
            content = fh.read()
        return (
            FaultPlan.from_yaml(content) if path.endswith((".yaml", ".yml")) else FaultPlan.from_json(content)
        )
    if name := os.environ.get("LAMBDACHAOS_PLAN_PARAMETER"):
        return FaultPlan.from_json(_ssm_value(name))
    return FaultPlan()


class _Environment:
    """Per-process (per execution environment) state: the plan runner, cold flag, request ids seen."""

    def __init__(self) -> None:
        self.started = time.time()
        self.runner: PlanRunner | None = None
        self.plan_failure: _Skip | None = None
        self.cold = True
        self.seen: dict[str, int] = {}

    def killed(self) -> bool:
        """Whether the kill switch is on; raises :class:`_Skip` when its parameter cannot be read."""
        if _flag(os.environ.get("LAMBDACHAOS_KILL_SWITCH")):
            return True
        name = os.environ.get("LAMBDACHAOS_KILL_SWITCH_PARAMETER")
        if not name:
            return False
        try:
            return _flag(_ssm_value(str(name)))
        except Exception as exc:
            raise _Skip("kill-switch-unreachable", exc) from None

    def plan_runner(self) -> PlanRunner:
        """The environment's plan runner, loaded once; a plan that cannot be loaded raises :class:`_Skip` on
        every invocation of this environment (the plan is not read again)."""
        if self.plan_failure is not None:
            raise self.plan_failure
        if self.runner is None:
            try:
                self.runner = _load_plan().runner()
            except Exception as exc:
                self.plan_failure = _Skip(_plan_failure(exc), exc)
                raise self.plan_failure from None
        return self.runner

    def attempt(self, request_id: str, records: list[Any]) -> int:
        counts = [
            int(r["attributes"]["ApproximateReceiveCount"])
            for r in records
            if isinstance(r, dict)
            and isinstance(r.get("attributes"), dict)
            and str(r["attributes"].get("ApproximateReceiveCount", "")).isdigit()
        ]
        self.seen[request_id] = self.seen.get(request_id, 0) + 1
        return max(counts) if counts else self.seen[request_id]


_ENV = _Environment()


def _real_handler() -> Handler:
    spec = os.environ.get("LAMBDACHAOS_HANDLER", "")
    module, _, func = spec.replace("/", ".").rpartition(".")
    if not module:
        raise RuntimeError(f"LAMBDACHAOS_HANDLER={spec!r} must name the real handler as module.function")
    fn: Handler = getattr(importlib.import_module(module), func)
    return fn


def _emit(line: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(line, default=str) + "\n")
    sys.stdout.flush()


def _remaining_seconds(context: Any) -> float:
    getter = getattr(context, "get_remaining_time_in_millis", None)
    return max(0.0, getter() / 1000.0) if callable(getter) else 0.0


def _run(fn: Handler, event: Any, context: Any) -> Any:
    env = _ENV
    try:
        runner = env.plan_runner()
        faults, line = _decide(runner, event, context)
    except _Skip as skip:
        return _skipped(fn, event, context, skip)
    except Exception as exc:  # a bug or an unexpected event shape in the wrapper: never the handler's problem
        return _skipped(fn, event, context, _Skip("wrapper-error", exc))
    try:
        return _apply(fn, event, context, faults, line)
    except BaseException as exc:
        line["outcome"], line["errorType"] = "error", type(exc).__name__
        raise
    finally:
        _emit(line)


def _skipped(fn: Handler, event: Any, context: Any, skip: _Skip) -> Any:
    """Log one line saying why no fault applies to this invocation, then run the real handler."""
    _emit({"lambdachaos": "skipped", "requestId": str(getattr(context, "aws_request_id", "") or ""),
           "reason": skip.reason, "detail": skip.detail, "action": "ran the real handler without faults"})
    return fn(event, context)


def _decide(runner: PlanRunner, event: Any, context: Any) -> tuple[InvocationFaults, dict[str, Any]]:
    env = _ENV
    request_id = str(getattr(context, "aws_request_id", "") or "")
    arn = str(getattr(context, "invoked_function_arn", "") or "")
    parts = arn.split(":")
    records = records_of(event)
    sources = [
        r.get("eventSourceARN") or r.get("EventSubscriptionArn") for r in records if isinstance(r, dict)
    ]
    epoch = float(os.environ.get("LAMBDACHAOS_EPOCH") or env.started)
    seed = os.environ.get("LAMBDACHAOS_SEED", "0")
    point = InvocationPoint(
        function_name=str(getattr(context, "function_name", "") or (parts[6] if len(parts) > 6 else "")),
        qualifier=parts[7] if len(parts) > 7 else None,
        event_source=next((s for s in sources if s), None),
        attempt=env.attempt(request_id, records),
        time=time.time() - epoch,
        cold_start=env.cold,
        event=event,
    )
    env.cold = False

    def draw(key: str) -> float:
        digest = hashlib.sha256(f"{seed}/{request_id}/{point.attempt}/{key}".encode()).digest()
        return int.from_bytes(digest[:8], "big") / 2.0**64

    faults = runner.decide(point, draw)
    line: dict[str, Any] = {
        "lambdachaos": "invocation",
        "requestId": request_id,
        "functionName": point.function_name,
        "qualifier": point.qualifier,
        "eventSource": point.event_source,
        "attempt": point.attempt,
        "coldStart": faults.cold_start,
        "time": round(point.time, 3),
        "records": [i for i in (record_id(r) for r in records) if i is not None],
        "faults": [f.to_dict() for f in faults.firings],
        "outcome": "success",
    }
    return faults, line


def _die(line: dict[str, Any], spec: ErrorSpec) -> None:
    line["outcome"], line["errorType"] = "killed", spec.error_type
    _emit(line)
    os.kill(os.getpid(), signal.SIGKILL)  # what Lambda reports as "Runtime exited with error: signal: killed"


def _time_out(context: Any, line: dict[str, Any]) -> None:
    time.sleep(_remaining_seconds(context))
    line["outcome"] = "timeout"
    raise TimeoutError("Task timed out")  # the platform normally ends the invocation before this line


def _apply(fn: Handler, event: Any, context: Any, faults: InvocationFaults, line: dict[str, Any]) -> Any:
    if faults.cold_start:
        time.sleep(faults.init_delay_ms / 1000.0)
        if faults.init_error is not None:
            raise faults.init_error.exception()
    time.sleep(faults.startup_delay_ms / 1000.0)
    if faults.prevent_execution is not None:
        raise faults.prevent_execution.exception()
    if faults.oom_before_handler and faults.out_of_memory is not None:
        _die(line, faults.out_of_memory)
    if faults.timeout_before_handler:
        _time_out(context, line)
    if faults.http_response is not None and faults.http_prevent_execution:
        return faults.http_response
    with injected(faults, sleep=time.sleep) as log:
        try:
            result = fn(event, context)
        finally:
            line["faults"].extend(f.to_dict() for f in log.firings)
    time.sleep(faults.handler_latency_ms / 1000.0)
    if faults.force_timeout:
        _time_out(context, line)
    if faults.out_of_memory is not None:
        _die(line, faults.out_of_memory)
    if faults.error_after_handler is not None:
        raise faults.error_after_handler.exception()
    if faults.http_response is not None:
        return faults.http_response
    if faults.malformed_batch_response is not None:
        return malform_batch_response(faults.malformed_batch_response, result, line["records"])
    return result


def wrap(fn: Handler) -> Handler:
    """Decorate a handler with the wrapper (inert unless ``LAMBDACHAOS_ENABLED=true`` and no kill switch)."""

    def wrapped(event: Any, context: Any) -> Any:
        if not _flag(os.environ.get("LAMBDACHAOS_ENABLED")):
            return fn(event, context)
        try:
            killed = _ENV.killed()
        except _Skip as skip:
            return _skipped(fn, event, context, skip)
        return fn(event, context) if killed else _run(fn, event, context)

    wrapped.__name__ = getattr(fn, "__name__", "handler")
    wrapped.__doc__ = fn.__doc__
    return wrapped


def handler(event: Any, context: Any) -> Any:
    """The function's entry point: runs ``LAMBDACHAOS_HANDLER`` under the plan."""
    return wrap(_real_handler())(event, context)


def parse_log_lines(lines: Iterable[str]) -> list[dict[str, Any]]:
    """Rebuild ledger-like attempt dicts from function log lines (other lines are skipped)."""
    attempts: list[dict[str, Any]] = []
    for raw in lines:
        start = raw.find("{")
        if start < 0:
            continue
        try:
            data = json.loads(raw[start:])
        except ValueError:
            continue
        if isinstance(data, dict) and data.get("lambdachaos") == "invocation":
            attempts.append(
                {
                    "request_id": data.get("requestId"),
                    "function_name": data.get("functionName"),
                    "qualifier": data.get("qualifier"),
                    "event_source": data.get("eventSource"),
                    "attempt": data.get("attempt"),
                    "cold_start": data.get("coldStart"),
                    "time": data.get("time"),
                    "records": data.get("records", []),
                    "faults": data.get("faults", []),
                    "outcome": data.get("outcome"),
                    "error_type": data.get("errorType"),
                }
            )
    return attempts
