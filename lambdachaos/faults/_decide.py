"""The decision API the simulated service calls: pure and deterministic given the call order and ``draw``."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, final

from ._catalogue import (
    ColdStart,
    FaultCategory,
    HandlerLatency,
    HttpIntegrationResponse,
    InitError,
    InitLatency,
    InvocationDelay,
    InvocationError,
    InvocationTimeout,
    MalformedBatchResponse,
    OutOfMemory,
    TmpFull,
)
from ._flow_faults import (
    AccountConcurrencyExhausted,
    BurstLimit,
    DuplicateDelivery,
    PoisonInjection,
    PushInvokeFailure,
    Reorder,
    ReservedConcurrencyChange,
)
from ._net_faults import DownstreamError, EgressLoss
from ._outcome import DeliveryFaults, DownstreamRule, EgressPolicy, ErrorSpec, FaultFiring, InvocationFaults
from ._schedule import ThrottleSchedule, ThrottleWindow
from ._target import record_id

if TYPE_CHECKING:
    from ._plan import FaultPlan, FaultRule

__all__ = ["DeliveryPoint", "Draw", "InvocationPoint", "PlanRunner"]

#: ``draw(key) -> float in [0, 1)``: the service's seeded source, already split per record and attempt.
Draw = Callable[[str], float]


@final
@dataclasses.dataclass(frozen=True, kw_only=True)
class InvocationPoint:
    """One invocation attempt as the service is about to run it.

    ``attempt`` is 1-based (async retries 2 and 3; SQS: the receive count; streams: the batch's attempt);
    ``time`` is virtual seconds; ``cold_start`` whether no warm environment is available; ``event`` the
    payload.
    """

    function_name: str
    qualifier: str | None = None
    event_source: str | None = None
    attempt: int = 1
    time: float = 0.0
    cold_start: bool = False
    event: Any = None


@final
@dataclasses.dataclass(frozen=True, kw_only=True)
class DeliveryPoint:
    """One source message about to be made available (SQS send, stream put, async accept)."""

    event_source: str
    message_id: str
    message: Any = None
    time: float = 0.0
    function_name: str | None = None
    qualifier: str | None = None
    attempt: int = 1


_INIT_KINDS = (InitError.kind, InitLatency.kind)


class PlanRunner:
    """Applies a :class:`FaultPlan` over a run. Holds only per-rule counters (``every_nth``, ``first``), so
    a run
    replays exactly when the service calls it in the same order with the same ``draw``.

    ``draw`` is only ever called with the rule id (and ``<rule id>:delay`` for reorder delays).
    """

    def __init__(self, plan: FaultPlan) -> None:
        """Start counting from zero for every rule of ``plan``."""
        self.plan = plan
        self._opportunities: dict[str, int] = {}
        self._fired: dict[str, int] = {}

    def fired_count(self, rule_id: str) -> int:
        """How many times rule ``rule_id`` fired so far (a teardown check can flag rules that never fired)."""
        return self._fired.get(rule_id, 0)

    def _gate(self, rule: FaultRule, draw: Draw) -> bool:
        rid = str(rule.id)
        n = self._opportunities.get(rid, 0) + 1
        self._opportunities[rid] = n
        when = rule.when
        if when.every_nth is not None and n % when.every_nth:
            return False
        if when.first is not None and self._fired.get(rid, 0) >= when.first:
            return False
        if when.invocation_percentage is not None and draw(rid) * 100.0 >= when.invocation_percentage:
            return False
        self._fired[rid] = self._fired.get(rid, 0) + 1
        return True

    def _eligible(self, rule: FaultRule, point: InvocationPoint, cold: bool) -> list[Any] | None:
        t, w = rule.target, rule.when
        if rule.fault.kind in _INIT_KINDS and not cold:
            return None
        if not (
            t.matches_function(point.function_name, point.qualifier) and t.matches_source(point.event_source)
        ):
            return None
        if not (w.allows_attempt(point.attempt) and w.in_window(point.time)):
            return None
        return t.matching_records(point.event)

    def decide(self, point: InvocationPoint, draw: Draw) -> InvocationFaults:
        """The faults for one invocation attempt (see :class:`InvocationFaults` for how to apply them)."""
        cats = (FaultCategory.INVOCATION, FaultCategory.OUTBOUND)
        rules = [r for r in self.plan.rules if r.fault.category in cats]
        cold = point.cold_start
        out: dict[str, Any] = {}
        firings: list[FaultFiring] = []

        def fire(rule: FaultRule, records: list[Any], effect: str, **detail: Any) -> None:
            ids = tuple(i for i in (record_id(r) for r in records) if i is not None)
            firings.append(
                FaultFiring(
                    rule_id=str(rule.id),
                    kind=rule.fault.kind,
                    function_name=point.function_name,
                    qualifier=point.qualifier,
                    event_source=point.event_source,
                    attempt=point.attempt,
                    time=point.time,
                    records=ids,
                    effect=effect,
                    detail=tuple(detail.items()),
                )
            )

        # Cold-start rules first: they decide whether the init-phase rules apply.
        for rule in sorted(rules, key=lambda r: not isinstance(r.fault, ColdStart)):
            records = self._eligible(rule, point, cold)
            if records is None or not self._gate(rule, draw):
                continue
            f = rule.fault
            if isinstance(f, ColdStart):
                if not cold:
                    cold = True
                    out["force_cold_start"] = True
                fire(rule, records, "warm environment discarded: cold start")
            elif isinstance(f, InitLatency):
                out["init_delay_ms"] = out.get("init_delay_ms", 0) + f.milliseconds
                fire(rule, records, f"init phase +{f.milliseconds} ms", milliseconds=f.milliseconds)
            elif isinstance(f, InitError):
                out.setdefault(
                    "init_error", ErrorSpec(error_type=f.error_type, error_message=f.error_message)
                )
                fire(
                    rule, records, f"init failed: {f.error_type}: {f.error_message}", error_type=f.error_type
                )
            elif isinstance(f, InvocationDelay):
                ms = f.startup_delay_milliseconds
                out["startup_delay_ms"] = out.get("startup_delay_ms", 0) + ms
                fire(rule, records, f"handler start delayed {ms} ms", startupDelayMilliseconds=ms)
            elif isinstance(f, InvocationError):
                spec = ErrorSpec(error_type=f.error_type, error_message=f.error_message)
                key = "prevent_execution" if f.prevent_execution else "error_after_handler"
                out.setdefault(key, spec)
                where = "before the handler (handler not run)" if f.prevent_execution else "after the handler"
                fire(
                    rule,
                    records,
                    f"{f.error_type} raised {where}",
                    preventExecution=f.prevent_execution,
                    error_type=f.error_type,
                )
            elif isinstance(f, HandlerLatency):
                out["handler_latency_ms"] = out.get("handler_latency_ms", 0) + f.milliseconds
                fire(rule, records, f"handler latency +{f.milliseconds} ms", milliseconds=f.milliseconds)
            elif isinstance(f, InvocationTimeout):
                out["timeout_before_handler" if f.prevent_execution else "force_timeout"] = True
                fire(
                    rule,
                    records,
                    "invocation runs to its timeout: Sandbox.Timedout",
                    preventExecution=f.prevent_execution,
                )
            elif isinstance(f, OutOfMemory):
                spec = ErrorSpec(
                    error_type=f.error_type,
                    error_message="Runtime exited with error: signal: killed",
                    platform=True,
                )
                out.setdefault("out_of_memory", spec)
                if f.prevent_execution:
                    out["oom_before_handler"] = True
                fire(
                    rule,
                    records,
                    f"runtime killed for memory: {f.error_type}",
                    preventExecution=f.prevent_execution,
                )
            elif isinstance(f, HttpIntegrationResponse):
                out.setdefault(
                    "http_response",
                    {
                        "statusCode": f.status_code,
                        "headers": {"Content-Type": f.content_type_header},
                        "body": "",
                    },
                )
                out.setdefault("http_prevent_execution", f.prevent_execution)
                fire(rule, records, f"HTTP integration answered {f.status_code}", statusCode=f.status_code)
            elif isinstance(f, TmpFull):
                prev = out.get("tmp_full_free_bytes")
                out["tmp_full_free_bytes"] = f.free_bytes if prev is None else min(prev, f.free_bytes)
                fire(rule, records, f"/tmp full ({f.free_bytes} bytes free)", free_bytes=f.free_bytes)
            elif isinstance(f, MalformedBatchResponse):
                out.setdefault("malformed_batch_response", f.shape)
                fire(rule, records, f"partial batch response replaced: {f.shape}", shape=f.shape)
            elif isinstance(f, EgressLoss):
                out.setdefault("egress", []).append(
                    EgressPolicy(
                        rule_id=str(rule.id),
                        mode=f.mode,
                        nat_gateway=f.nat_gateway,
                        gateway_endpoints=f.gateway_endpoints,
                        interface_endpoints=f.interface_endpoints,
                        allowed_hosts=f.allowed_hosts,
                        blocked_hosts=f.blocked_hosts,
                        connect_timeout_seconds=f.connect_timeout_seconds,
                        target=rule.target,
                    )
                )
                fire(
                    rule,
                    records,
                    f"armed: egress loss ({f.mode.value}, NAT gateway "
                    f"{'present' if f.nat_gateway else 'absent'})",
                    mode=f.mode.value,
                )
            elif isinstance(f, DownstreamError):
                out.setdefault("downstream", []).append(
                    DownstreamRule(
                        rule_id=str(rule.id),
                        error_code=f.error_code,
                        error_message=f.error_message,
                        http_status=f.http_status,
                        failures=f.failures,
                        target=rule.target,
                    )
                )
                fire(rule, records, f"armed: downstream {f.error_code}", error_code=f.error_code)
        for key in ("egress", "downstream"):
            if key in out:
                out[key] = tuple(out[key])
        return InvocationFaults(
            function_name=point.function_name,
            qualifier=point.qualifier,
            event_source=point.event_source,
            attempt=point.attempt,
            time=point.time,
            cold_start=cold,
            firings=tuple(firings),
            **out,
        )

    def decide_delivery(self, point: DeliveryPoint, draw: Draw) -> DeliveryFaults:
        """Delivery faults for one source message: duplicates, reorder delay, poison records to inject
        after it."""
        duplicates, dup_delay, delay = 0, 0.0, 0.0
        detail: dict[str, Any]
        poison: list[tuple[str, int]] = []
        firings: list[FaultFiring] = []
        for rule in self.plan.rules:
            f, t, w = rule.fault, rule.target, rule.when
            if f.category is not FaultCategory.DELIVERY:
                continue
            if point.function_name is not None and not t.matches_function(
                point.function_name, point.qualifier
            ):
                continue
            if not t.matches_source(point.event_source) or not w.allows_attempt(point.attempt):
                continue
            if not w.in_window(point.time) or not t.matching_records(point.message):
                continue
            if not self._gate(rule, draw):
                continue
            if isinstance(f, DuplicateDelivery):
                duplicates += f.copies
                dup_delay = max(dup_delay, f.delay_seconds)
                effect, detail = f"delivered {f.copies} extra time(s)", {"copies": f.copies}
            elif isinstance(f, Reorder):
                d = draw(f"{rule.id}:delay") * f.max_delay_seconds
                delay = max(delay, d)
                effect, detail = f"held back {d:.3f} s (reordered)", {"delay_seconds": d}
            elif isinstance(f, PoisonInjection):
                poison.append((f.poison, f.count))
                effect, detail = (
                    f"{f.count} poison record(s) {f.poison!r} injected after it",
                    {"poison": f.poison},
                )
            else:  # pragma: no cover - every delivery kind is handled above
                continue
            firings.append(
                FaultFiring(
                    rule_id=str(rule.id),
                    kind=f.kind,
                    function_name=point.function_name,
                    qualifier=point.qualifier,
                    event_source=point.event_source,
                    attempt=point.attempt,
                    time=point.time,
                    records=(point.message_id,),
                    effect=effect,
                    detail=tuple(detail.items()),
                )
            )
        return DeliveryFaults(
            duplicates=duplicates,
            duplicate_delay_seconds=dup_delay,
            delay_seconds=delay,
            poison=tuple(poison),
            firings=tuple(firings),
        )

    def throttle_schedule(self, function_name: str, qualifier: str | None = None) -> ThrottleSchedule:
        """The throttling faults that apply to ``function_name`` as a time schedule (no draws, no
        counters)."""
        windows: list[ThrottleWindow] = []
        for rule in self.plan.rules:
            f, t = rule.fault, rule.target
            if f.category is not FaultCategory.THROTTLE or not t.matches_function(function_name, qualifier):
                continue
            window = _throttle_window(f)
            if window is not None:
                start, end, extra = window
                windows.append(ThrottleWindow(rule_id=str(rule.id), kind=f.kind, start=start, end=end, **extra))
        return ThrottleSchedule(function_name=function_name, windows=tuple(windows))


def _throttle_window(f: Any) -> tuple[float, float | None, dict[str, Any]] | None:
    """``(start, end, settings)`` of a throttling fault's window, or None for other faults."""
    if isinstance(f, ReservedConcurrencyChange):
        return f.at_seconds, f.until_seconds, {"reserved": f.reserved_concurrent_executions}
    if isinstance(f, AccountConcurrencyExhausted):
        return f.start_seconds, f.end_seconds, {"available": f.available_concurrency}
    if isinstance(f, BurstLimit):
        return f.start_seconds, f.end_seconds, {"burst": f.burst, "refill_per_second": f.refill_per_second}
    if isinstance(f, PushInvokeFailure):
        return f.start_seconds, f.end_seconds, {"error": f.error, "services": f.services}
    return None
