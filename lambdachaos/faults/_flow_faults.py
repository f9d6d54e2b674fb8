"""Throttling and delivery fault catalogue entries (applied by the service's concurrency and delivery
models)."""

from __future__ import annotations

import dataclasses
from typing import ClassVar, final

from ._catalogue import Fault, FaultCategory, float_range, int_range, text, tupled
from ._errors import bad_value

__all__ = [
    "AccountConcurrencyExhausted",
    "BurstLimit",
    "DuplicateDelivery",
    "PoisonInjection",
    "PushInvokeFailure",
    "Reorder",
    "ReservedConcurrencyChange",
]


# ---- throttling faults ---------------------------------------------------------------------------------


@final
@dataclasses.dataclass(frozen=True, kw_only=True)
class ReservedConcurrencyChange(Fault):
    """At virtual time ``at_seconds`` the function's reserved concurrency becomes
    ``reserved_concurrent_executions``.

    ``0`` throttles every invocation (async events go straight to the DLQ / on-failure destination); ``None``
    removes the reservation. ``until_seconds`` restores the previous setting.
    """

    kind: ClassVar[str] = "reserved-concurrency"
    category: ClassVar[FaultCategory] = FaultCategory.THROTTLE
    at_seconds: float = 0.0
    reserved_concurrent_executions: int | None = 0
    until_seconds: float | None = None

    def __post_init__(self) -> None:
        float_range("at_seconds", self.at_seconds, 0, 1e12, "a virtual time")
        if self.until_seconds is not None:
            float_range("until_seconds", self.until_seconds, 0, 1e12, "a virtual time")
        if self.reserved_concurrent_executions is not None:
            int_range(
                "reserved_concurrent_executions",
                self.reserved_concurrent_executions,
                0,
                100_000,
                "ReservedConcurrentExecutions",
            )
        if self.until_seconds is not None and self.until_seconds <= self.at_seconds:
            raise bad_value(
                "until_seconds",
                self.until_seconds,
                f"it must be after at_seconds={self.at_seconds}",
                "Raise until_seconds or leave it out.",
            )


@final
@dataclasses.dataclass(frozen=True, kw_only=True)
class AccountConcurrencyExhausted(Fault):
    """Another function holds the unreserved account pool during ``[start_seconds, end_seconds)``.

    Only ``available_concurrency`` unreserved executions stay free; invocations beyond it are throttled with
    ``ConcurrentInvocationLimitExceeded``. Functions with reserved concurrency are unaffected.
    """

    kind: ClassVar[str] = "account-concurrency-exhausted"
    category: ClassVar[FaultCategory] = FaultCategory.THROTTLE
    start_seconds: float = 0.0
    end_seconds: float | None = None
    available_concurrency: int = 0

    def __post_init__(self) -> None:
        int_range("available_concurrency", self.available_concurrency, 0, 1_000_000, "account concurrency")
        _window("start_seconds", self.start_seconds, self.end_seconds)
        if self.end_seconds is not None and self.end_seconds <= self.start_seconds:
            raise bad_value(
                "end_seconds",
                self.end_seconds,
                f"it must be after start_seconds={self.start_seconds}",
                "Raise end_seconds.",
            )


@final
@dataclasses.dataclass(frozen=True, kw_only=True)
class BurstLimit(Fault):
    """Lower the function's scaling burst during ``[start_seconds, end_seconds)``: ``burst`` new environments,
    refilled at ``refill_per_second``; beyond it ``FunctionInvocationRateLimitExceeded``."""

    kind: ClassVar[str] = "burst-limit"
    category: ClassVar[FaultCategory] = FaultCategory.THROTTLE
    burst: int = 0
    refill_per_second: float = 0.0
    start_seconds: float = 0.0
    end_seconds: float | None = None

    def __post_init__(self) -> None:
        int_range("burst", self.burst, 0, 1_000_000, "a burst size")
        _window("start_seconds", self.start_seconds, self.end_seconds)
        float_range("refill_per_second", self.refill_per_second, 0, 1e9, "a refill rate")


#: ``PushInvokeFailure.error`` values and the Lambda ``Invoke`` error each stands for.
PUSH_INVOKE_ERRORS = {
    "function-missing": "ResourceNotFoundException",
    "permission-denied": "AccessDeniedException",
    "throttled": "TooManyRequestsException",
}
#: The pushing services a :class:`PushInvokeFailure` can be limited to.
PUSH_SERVICES = ("sns", "events", "scheduler")


@final
@dataclasses.dataclass(frozen=True, kw_only=True)
class PushInvokeFailure(Fault):
    """During ``[start_seconds, end_seconds)`` the ``Invoke`` call of a pushing service (SNS, EventBridge
    rules, EventBridge Scheduler) for the function fails before Lambda accepts the event.

    ``error`` is ``"function-missing"`` (ResourceNotFoundException), ``"permission-denied"``
    (AccessDeniedException): client errors, never retried; or ``"throttled"`` (TooManyRequestsException):
    retried by the service's own delivery policy. ``services`` limits the fault to some of ``"sns"``,
    ``"events"`` and ``"scheduler"`` (empty: all three). The event then ends in the subscription's or
    target's dead-letter queue, or is dropped.
    """

    kind: ClassVar[str] = "push-invoke-failure"
    category: ClassVar[FaultCategory] = FaultCategory.THROTTLE
    error: str = "throttled"
    services: tuple[str, ...] = ()
    start_seconds: float = 0.0
    end_seconds: float | None = None

    def __post_init__(self) -> None:
        if self.error not in PUSH_INVOKE_ERRORS:
            raise bad_value("error", self.error, f"it must be one of {', '.join(PUSH_INVOKE_ERRORS)}",
                            "Pick error='throttled' for a retried failure.")
        tupled(self, "services")
        for service in self.services:
            if service not in PUSH_SERVICES:
                raise bad_value("services", self.services, f"each entry is one of {', '.join(PUSH_SERVICES)}",
                                "Leave services empty to fail every pushing service.")
        float_range("start_seconds", self.start_seconds, 0, 1e12, "a virtual time")
        if self.end_seconds is not None and self.end_seconds <= self.start_seconds:
            raise bad_value(
                "end_seconds",
                self.end_seconds,
                f"it must be after start_seconds={self.start_seconds}",
                "Raise end_seconds or leave it out.",
            )


# ---- delivery faults -----------------------------------------------------------------------------------


@final
@dataclasses.dataclass(frozen=True, kw_only=True)
class DuplicateDelivery(Fault):
    """At-least-once delivery: the message is delivered ``copies`` extra times (same id and body), the copies
    ``delay_seconds`` later. Applies to SQS standard queues and asynchronous invocation."""

    kind: ClassVar[str] = "duplicate-delivery"
    category: ClassVar[FaultCategory] = FaultCategory.DELIVERY
    copies: int = 1
    delay_seconds: float = 0.0

    def __post_init__(self) -> None:
        int_range("copies", self.copies, 1, 100, "duplicate copies")
        float_range("delay_seconds", self.delay_seconds, 0, 43_200, "a delay (SQS visibility max 12 h)")


@final
@dataclasses.dataclass(frozen=True, kw_only=True)
class Reorder(Fault):
    """Best-effort ordering of standard queues: the message is held back by a seeded delay in
    ``[0, max_delay_seconds)`` so later messages may overtake it. Not applicable to FIFO queues or streams."""

    kind: ClassVar[str] = "reorder"
    category: ClassVar[FaultCategory] = FaultCategory.DELIVERY
    max_delay_seconds: float = 5.0

    def __post_init__(self) -> None:
        float_range(
            "max_delay_seconds", self.max_delay_seconds, 0, 900, "a reorder delay (SQS DelaySeconds max)"
        )


@final
@dataclasses.dataclass(frozen=True, kw_only=True)
class PoisonInjection(Fault):
    """Inject ``count`` poison records named ``poison`` (an entry of the generators' poison catalogue) into
    the
    queue or stream right after the matching message."""

    kind: ClassVar[str] = "poison-injection"
    category: ClassVar[FaultCategory] = FaultCategory.DELIVERY
    poison: str = "truncated_json"
    count: int = 1

    def __post_init__(self) -> None:
        text("poison", self.poison)
        int_range("count", self.count, 1, 10_000, "poison records per match")


def _window(name: str, start: float, end: float | None) -> None:
    """Refuse a window whose start or end is not a virtual time (negative, NaN or infinite)."""
    float_range(name, start, 0, 1e12, "a virtual time in seconds")
    if end is not None:
        float_range("end_seconds", end, 0, 1e12, "a virtual time in seconds")
