"""Invocation faults applied around one handler run: what ends an attempt before the handler runs
(FIS ``preventExecution``, timeouts, OOM, replaced HTTP responses) and what changes it afterwards
(latency, forced timeout, OOM, an error after the handler, malformed partial batch responses).

The faults were decided by the fault injector (:mod:`lambdachaos.service.chaos`); this module only
applies a decision to one run, so the invocation core needs nothing from the layers above it."""

from __future__ import annotations

import json
from typing import Any

from lambdachaos.service.invoke._handler_time import HandlerClock
from lambdachaos.service.invoke._payloads import dumps, oom_payload
from lambdachaos.service.invoke._runtime import RunResult, timed_out


def before_handler(decided: Any, hc: HandlerClock, request_id: str, timeout_s: float) -> RunResult | None:
    """Faults that end the attempt before the handler runs (FIS preventExecution and friends)."""
    if decided.prevent_execution is not None:
        error = decided.prevent_execution.error_payload(request_id)
        return RunResult("function_error", dumps(error), error, hc.elapsed_ns)
    if decided.timeout_before_handler:
        return timed_out(hc, request_id, timeout_s, guard_fired=False)
    if decided.oom_before_handler:
        error = oom_payload(request_id)
        return RunResult("function_error", dumps(error), error, hc.elapsed_ns, env_broken=True)
    if decided.http_response is not None and decided.http_prevent_execution:
        return RunResult("success", dumps(decided.http_response), None, hc.elapsed_ns)
    return None


def after_handler(
    decided: Any, result: RunResult, hc: HandlerClock, request_id: str, timeout_s: float, records: tuple[str, ...]
) -> RunResult:
    """Faults applied once the handler returned: latency, forced timeout, OOM, error after, replaced results."""
    if result.outcome in ("timeout", "guard_stopped"):
        return result
    if decided.handler_latency_ms:
        if hc.elapsed_ns + decided.handler_latency_ms * 1_000_000 >= hc.deadline_ns:
            return timed_out(hc, request_id, timeout_s, guard_fired=False)
        hc.elapsed_ns += decided.handler_latency_ms * 1_000_000
        result.elapsed_ns = hc.elapsed_ns
    if decided.force_timeout:
        return timed_out(hc, request_id, timeout_s, guard_fired=False)
    if decided.out_of_memory is not None:
        error = decided.out_of_memory.error_payload(request_id)
        return RunResult("function_error", dumps(error), error, hc.elapsed_ns, env_broken=True)
    if result.outcome != "success":
        return result
    if decided.error_after_handler is not None:
        error = decided.error_after_handler.error_payload(request_id)
        return RunResult("function_error", dumps(error), error, hc.elapsed_ns)
    if decided.http_response is not None:
        return RunResult("success", dumps(decided.http_response), None, hc.elapsed_ns)
    if decided.malformed_batch_response is not None:
        from lambdachaos.faults import malform_batch_response

        shape = decided.malformed_batch_response
        body = malform_batch_response(shape, json.loads(result.payload), records)
        # "not-json": the runtime hands Lambda bytes that do not parse (only a custom runtime can), so
        # the text goes out as is instead of being encoded as a JSON string.
        raw = body.encode() if shape == "not-json" and isinstance(body, str) else dumps(body)
        return RunResult("success", raw, None, hc.elapsed_ns)
    return result
