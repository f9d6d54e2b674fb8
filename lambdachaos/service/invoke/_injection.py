"""What the invocation core asks of a fault injector (:class:`lambdachaos.service.chaos.FaultInjector`
implements it). The core only calls it, so it never imports the fault layer above it."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from lambdachaos import faults as _faults
    from lambdachaos.service.invoke._function import Function
    from lambdachaos.service.invoke._handler_time import HandlerClock


class Injector(Protocol):
    """A fault plan applied to one simulated service."""

    plan: _faults.FaultPlan
    runner: Any
    has_delivery_rules: bool

    def watch(self, source: object) -> None:
        """Apply the plan's delivery faults to a queue or stream created after the plan."""

    def schedule(self, fn: Function) -> _faults.ThrottleSchedule:
        """The throttling schedule of ``fn``."""

    def reserved_at(self, fn: Function, now_s: float) -> int | None:
        """Reserved concurrency in force at ``now_s``."""

    def record_throttle(self, fn: Function, reason: str, *, now_ns: int, event_id: str, attempt: int,
                        qualifier: str | None) -> None:
        """Attribute a throttle to the schedule window that caused it, if any."""

    def push_failure(self, fn: Function, service: str, *, now_ns: int, event_id: str) -> str | None:
        """The push-invoke failure in force for ``service`` invoking ``fn`` now, or None."""

    def decide(
        self, fn: Function, qualifier: str | None, *, event_id: str, attempt: int, now_ns: int, cold: bool,
        event: Any, source: str | None,
    ) -> _faults.InvocationFaults:
        """The faults of one attempt."""

    def around(self, decided: _faults.InvocationFaults, clock: HandlerClock,
               event_id: str) -> AbstractContextManager[None]:
        """What is patched while the handler of a faulted attempt runs."""

    def write(self, firing: _faults.FaultFiring, event_id: str | None) -> None:
        """Append one firing to the ledger."""
