"""Applies a fault plan (``lambdachaos.faults``) inside the simulated service and records every firing.

Probabilities are drawn per record (event id), attempt and rule from the simulation's seed, so a
failing run replays exactly. Throttling faults are read as a schedule at the virtual time of each
attempt; invocation faults are decided once the attempt's environment (cold or warm) is known;
delivery faults (duplicates, reordering, poison) are applied as messages are sent
(:mod:`lambdachaos.service.chaos._delivery`).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, final
from urllib.parse import urlsplit

from lambdachaos import faults as _faults
from lambdachaos._world import derive_seed
from lambdachaos.ledger._ledger import FaultRecord
from lambdachaos.service.bridge._bridge import set_outbound_guard
from lambdachaos.service.chaos import _delivery
from lambdachaos.service.invoke._handler_time import HandlerClock

_LEGACY_ATTEMPTS = 5  # botocore's legacy retry mode: 4 retries
_STANDARD_ATTEMPTS = 3
_BOTOCORE_CONNECT_TIMEOUT = 60.0


def _egress_guard(
    decided: _faults.InvocationFaults, sleep: Callable[[float], None], write: Callable[[_faults.FaultFiring], None]
) -> Callable[[Any, str], None]:
    """A bridge guard failing calls to simulated resources the function's network cannot reach,
    the way botocore fails them: every attempt of the client's retry mode (a blackhole waits the
    connect timeout each time), then the connection error."""

    def guard(client: Any, operation_name: str) -> None:
        from botocore import exceptions as bexc

        url = client.meta.endpoint_url
        parts = urlsplit(url)
        host = parts.hostname or ""
        service = client.meta.service_model.endpoint_prefix
        for policy in decided.egress:
            if not policy.blocks(host, parts.port, service, operation_name):
                continue
            config = client.meta.config
            retries = dict(getattr(config, "retries", None) or {})
            attempts = retries.get("total_max_attempts")
            if attempts is None:
                mode = retries.get("mode", "legacy")
                attempts = (retries["max_attempts"] + 1) if "max_attempts" in retries else (
                    _LEGACY_ATTEMPTS if mode == "legacy" else _STANDARD_ATTEMPTS)
            mode = policy.mode.value
            waited = 0.0
            if mode == "blackhole":
                timeout = policy.connect_timeout_seconds or float(
                    getattr(config, "connect_timeout", None) or _BOTOCORE_CONNECT_TIMEOUT)
                for _ in range(int(attempts)):
                    sleep(timeout)
                    waited += timeout
            write(_faults.FaultFiring(
                rule_id=policy.rule_id, kind="egress-loss", function_name=decided.function_name,
                qualifier=decided.qualifier, event_source=decided.event_source, attempt=decided.attempt,
                time=decided.time,
                effect=f"{host}: {service}.{operation_name} unreachable ({mode}, {attempts} attempts)",
                detail=(("host", host), ("mode", mode), ("attempts", attempts), ("waited_seconds", waited)),
            ))
            if mode == "blackhole":
                raise bexc.ConnectTimeoutError(endpoint_url=url, error=TimeoutError("timed out"))
            if mode == "connection-reset":
                raise bexc.ConnectionClosedError(endpoint_url=url)
            raise bexc.EndpointConnectionError(endpoint_url=url, error=ConnectionRefusedError())

    return guard


if TYPE_CHECKING:
    from lambdachaos._registry import Registry
    from lambdachaos.service.invoke._function import Function
    from lambdachaos.service.invoke._service import LambdaService


@final
class FaultInjector:
    """One fault plan applied to one simulation."""

    def __init__(self, service: LambdaService, plan: _faults.FaultPlan, registry: Registry | None = None) -> None:
        self.service = service
        self.plan = plan
        self.runner = plan.runner()
        self._schedules: dict[str, _faults.ThrottleSchedule] = {}
        self.has_delivery_rules = _delivery.has_delivery_rules(plan)
        """Whether the plan duplicates, reorders or poisons messages (only then are sources hooked)."""
        if self.has_delivery_rules:
            _delivery.check_poison_kinds(plan)
            for source in _delivery.sim_sources(registry):
                _delivery.watch(service, source)

    # ---- delivery faults ----------------------------------------------------------------------
    def watch(self, source: object) -> None:
        """Apply the plan's delivery faults to a sim queue or Kinesis stream created after the plan."""
        if self.has_delivery_rules:
            _delivery.watch(self.service, source)

    # ---- throttling ---------------------------------------------------------------------------
    def schedule(self, fn: Function) -> _faults.ThrottleSchedule:
        """The throttling schedule of ``fn`` (cached)."""
        sched = self._schedules.get(fn.name)
        if sched is None:
            sched = self._schedules[fn.name] = self.runner.throttle_schedule(fn.name)
        return sched

    def reserved_at(self, fn: Function, now_s: float) -> int | None:
        """Reserved concurrency in force at ``now_s`` (a scheduled change, else the configured value)."""
        sched = self.schedule(fn)
        return sched.reserved_concurrency_at(now_s, fn.reserved_concurrency) if sched.windows else (
            fn.reserved_concurrency
        )

    def record_throttle(self, fn: Function, reason: str, *, now_ns: int, event_id: str, attempt: int,
                        qualifier: str | None) -> None:
        """Attribute a throttle to the schedule window that caused it, if any."""
        sched = self.schedule(fn)
        if not sched.windows:
            return
        kind = {
            "ReservedFunctionConcurrentInvocationLimitExceeded": "reserved-concurrency",
            "ConcurrentInvocationLimitExceeded": "account-concurrency-exhausted",
            "FunctionInvocationRateLimitExceeded": "burst-limit",
            "ReservedFunctionInvocationRateLimitExceeded": "burst-limit",
        }.get(reason)
        window = sched.window_at(kind, now_ns / 1e9) if kind else None
        if window is not None:
            self.write(sched.firing(window, time=now_ns / 1e9, attempt=attempt, qualifier=qualifier,
                                    reason=reason), event_id)

    def push_failure(self, fn: Function, service: str, *, now_ns: int, event_id: str) -> str | None:
        """The ``push-invoke-failure`` error in force for ``service`` invoking ``fn`` now (written to the
        ledger), or None."""
        sched = self.schedule(fn)
        window = sched.push_failure_at(now_ns / 1e9, service) if sched.windows else None
        if window is None or window.error is None:
            return None
        self.write(_faults.FaultFiring(
            rule_id=window.rule_id, kind=window.kind, function_name=fn.name, qualifier=None, event_source=service,
            attempt=None, time=now_ns / 1e9, records=(event_id,), effect=f"{service} Invoke failed: {window.error}",
            detail=(("error", window.error),),
        ), event_id)
        return window.error

    # ---- invocation faults --------------------------------------------------------------------
    def decide(
        self, fn: Function, qualifier: str | None, *, event_id: str, attempt: int, now_ns: int, cold: bool,
        event: Any, source: str | None,
    ) -> _faults.InvocationFaults:
        """Decide the faults of one attempt with draws seeded by (seed, event id, attempt, rule)."""
        seed = self.service.world.seed

        def draw(key: str) -> float:
            return random.Random(derive_seed(seed, "fault", event_id, attempt, key)).random()

        point = _faults.InvocationPoint(
            function_name=fn.name, qualifier=qualifier, event_source=source, attempt=attempt,
            time=now_ns / 1e9, cold_start=cold, event=event,
        )
        decided = self.runner.decide(point, draw)
        for firing in decided.firings:
            self.write(firing, event_id)
        return decided

    @contextmanager
    def around(self, decided: _faults.InvocationFaults, clock: HandlerClock, event_id: str) -> Iterator[None]:
        """Patch sockets/botocore//tmp for one handler call; blocked calls spend virtual time."""
        seed = derive_seed(self.service.world.seed, "retry-jitter", event_id, decided.attempt)

        def sleep(seconds: float) -> None:
            clock.advance(round(seconds * 1e9))

        def now() -> float:
            return clock.monotonic_ns() / 1e9

        guard = _egress_guard(decided, sleep, lambda f: self.write(f, event_id)) if decided.egress else None
        with _faults.injected(decided, sleep=sleep, now=now, random_seed=seed) as log:
            previous = set_outbound_guard(guard) if guard is not None else None
            try:
                yield
            finally:
                if guard is not None:
                    set_outbound_guard(previous)
                for firing in log.firings:
                    self.write(firing, event_id)

    def write(self, firing: _faults.FaultFiring, event_id: str | None) -> None:
        """Append one firing to the ledger."""
        ledger = self.service.ledger
        data = firing.to_dict()
        ledger.add_fault(FaultRecord(
            seq=ledger.next_seq(), fault=f"{firing.kind}:{firing.rule_id}",
            at_ns=round(firing.time * 1e9), function=firing.function_name, event_id=event_id,
            attempt=firing.attempt, effect=firing.effect,
            detail={k: v for k, v in data.items() if k in ("detail", "records", "qualifier", "event_source")},
        ))
