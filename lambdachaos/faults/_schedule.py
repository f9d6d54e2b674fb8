"""Throttling faults as a schedule the service's concurrency model reads at any virtual time."""

from __future__ import annotations

import dataclasses
from typing import final

from ._outcome import FaultFiring

__all__ = ["ThrottleSchedule", "ThrottleWindow"]


@final
@dataclasses.dataclass(frozen=True, kw_only=True)
class ThrottleWindow:
    """One throttling rule in force during ``[start, end)`` (``end=None``: to the end of the run).

    ``kind`` ``reserved-concurrency`` sets ``reserved`` (None removes the reservation);
    ``account-concurrency-exhausted`` leaves ``available`` unreserved executions; ``burst-limit`` sets
    ``burst``
    and ``refill_per_second``.
    """

    rule_id: str
    kind: str
    start: float
    end: float | None
    reserved: int | None = None
    available: int | None = None
    burst: int | None = None
    refill_per_second: float | None = None
    error: str | None = None
    """``push-invoke-failure``: the failure (``function-missing``, ``permission-denied``, ``throttled``)."""
    services: tuple[str, ...] = ()
    """``push-invoke-failure``: the pushing services it applies to (empty: all)."""

    def covers(self, time: float) -> bool:
        """Whether virtual ``time`` is inside the window."""
        return self.start <= time and (self.end is None or time < self.end)


@final
@dataclasses.dataclass(frozen=True, kw_only=True)
class ThrottleSchedule:
    """The throttling faults for one function. Query it at the virtual time of each invocation."""

    function_name: str
    windows: tuple[ThrottleWindow, ...] = ()

    def _latest(self, kind: str, time: float) -> ThrottleWindow | None:
        hits = [w for w in self.windows if w.kind == kind and w.covers(time)]
        return max(hits, key=lambda w: w.start) if hits else None

    def reserved_concurrency_at(self, time: float, configured: int | None) -> int | None:
        """The function's reserved concurrency at ``time``: the latest change in force, else
        ``configured``."""
        w = self._latest("reserved-concurrency", time)
        return configured if w is None else w.reserved

    def account_available_at(self, time: float) -> int | None:
        """Unreserved executions left to this function at ``time`` (None: no exhaustion fault in force)."""
        hits = [
            w.available
            for w in self.windows
            if w.kind == "account-concurrency-exhausted" and w.covers(time) and w.available is not None
        ]
        return min(hits) if hits else None

    def burst_at(self, time: float) -> tuple[int, float] | None:
        """``(burst, refill_per_second)`` in force at ``time`` (None: the normal scaling rate)."""
        w = self._latest("burst-limit", time)
        if w is None or w.burst is None or w.refill_per_second is None:
            return None
        return (w.burst, w.refill_per_second)

    def push_failure_at(self, time: float, service: str) -> ThrottleWindow | None:
        """The ``push-invoke-failure`` window in force at ``time`` for pushing ``service`` (None: none)."""
        hits = [w for w in self.windows if w.kind == "push-invoke-failure" and w.covers(time)
                and (not w.services or service in w.services)]
        return max(hits, key=lambda w: w.start) if hits else None

    def window_at(self, kind: str, time: float) -> ThrottleWindow | None:
        """The window of ``kind`` in force at ``time`` (to attribute a throttle to its rule)."""
        return self._latest(kind, time)

    def firing(
        self,
        window: ThrottleWindow,
        *,
        time: float,
        attempt: int | None = None,
        qualifier: str | None = None,
        event_source: str | None = None,
        records: tuple[str, ...] = (),
        reason: str = "",
    ) -> FaultFiring:
        """The ledger entry for a throttle this window caused (``reason``: the Lambda throttle reason)."""
        effect = f"throttled: TooManyRequestsException ({reason})" if reason else "throttled"
        return FaultFiring(
            rule_id=window.rule_id,
            kind=window.kind,
            function_name=self.function_name,
            qualifier=qualifier,
            event_source=event_source,
            attempt=attempt,
            time=time,
            records=records,
            effect=effect,
            detail=(("reason", reason),) if reason else (),
        )
