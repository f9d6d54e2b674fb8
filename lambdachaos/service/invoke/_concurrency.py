"""Concurrency: the account pool, reserved and provisioned concurrency, burst scaling (AWS developer guide:
"Lambda function scaling"; docs/aws-behaviour.md).

Rules modelled:
- the account limit (default 1,000) is shared by all functions; reserved concurrency carves a
  guaranteed, capped share out of it and the unreserved pool must keep at least 100;
- reserved concurrency 0 throttles every invocation;
- a new execution environment spends one token of a per-function bucket of 1,000 refilled at 100
  per second (1,000 per 10 s, decision A15); reusing a warm environment spends nothing;
- one environment serves one request at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, final

from lambdachaos._errors import ConfigError
from lambdachaos.service.invoke._config import ACCOUNT_CONCURRENCY_DEFAULT, UNRESERVED_MINIMUM

if TYPE_CHECKING:
    from lambdachaos.service.invoke._function import Function

BURST_CAPACITY: Final = 1_000
BURST_REFILL_PER_S: Final = 100.0

RESERVED_CONCURRENT: Final = "ReservedFunctionConcurrentInvocationLimitExceeded"
ACCOUNT_CONCURRENT: Final = "ConcurrentInvocationLimitExceeded"
FUNCTION_RATE: Final = "FunctionInvocationRateLimitExceeded"
RESERVED_RATE: Final = "ReservedFunctionInvocationRateLimitExceeded"
CALLER_RATE: Final = "CallerRateLimitExceeded"


@final
@dataclass(slots=True)
class _Bucket:
    tokens: float
    at_ns: int


@final
class Concurrency:
    """Account-level bookkeeping of concurrent executions, observed over virtual time."""

    def __init__(self, account_limit: int = ACCOUNT_CONCURRENCY_DEFAULT) -> None:
        if isinstance(account_limit, bool) or not isinstance(account_limit, int) or account_limit < 1:
            raise ConfigError(f"account_concurrency={account_limit!r} must be a positive integer (default 1000)")
        self.account_limit = account_limit
        self.in_flight: dict[str, int] = {}
        self.peak: dict[str, int] = {}
        self.unreserved_in_flight = 0
        self.total_in_flight = 0
        """Executions of every function in flight now."""
        self.account_peak = 0
        self.total_reserved = 0
        self.reserved: dict[str, int] = {}
        self._buckets: dict[str, _Bucket] = {}

    def set_reserved(self, fn: Function, value: int | None) -> None:
        """PutFunctionConcurrency / DeleteFunctionConcurrency with AWS's validation."""
        current = self.reserved.get(fn.name, 0)
        if value is None:
            self.total_reserved -= current
            self.reserved.pop(fn.name, None)
            fn.reserved_concurrency = None
            return
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ConfigError(
                f"reserved_concurrency={value!r} must be an integer from 0 "
                f"(ReservedConcurrentExecutions; 0 throttles every invocation)"
            )
        others = self.total_reserved - current
        if self.account_limit - others - value < UNRESERVED_MINIMUM:
            raise ConfigError(
                f"reserved_concurrency={value} for {fn.name}: Specified ReservedConcurrentExecutions for function "
                f"decreases account's UnreservedConcurrentExecution below its minimum value of "
                f"[{UNRESERVED_MINIMUM}]. With account_concurrency={self.account_limit} and {others} reserved "
                f"elsewhere, reserve at most {self.account_limit - others - UNRESERVED_MINIMUM}."
            )
        self.reserved[fn.name] = value
        self.total_reserved = others + value
        fn.reserved_concurrency = value

    def check(self, fn: Function, *, reserved: int | None, account_available: int | None = None) -> str | None:
        """The throttle ``Reason`` if one more concurrent execution of ``fn`` is not allowed now.

        ``reserved`` is the function's reserved concurrency in force (it may differ from the configured
        one during a scheduled change); ``account_available`` caps the unreserved executions left to
        ``fn`` (the pool exhausted by other functions).
        """
        if reserved is not None:
            if self.in_flight.get(fn.name, 0) >= reserved:
                return RESERVED_CONCURRENT
            return None
        if self.unreserved_in_flight >= self.account_limit - self.total_reserved:
            return ACCOUNT_CONCURRENT
        if account_available is not None and self.in_flight.get(fn.name, 0) >= account_available:
            return ACCOUNT_CONCURRENT
        return None

    def take_burst_token(
        self, fn: Function, now_ns: int, *, capacity: int = BURST_CAPACITY, refill_per_s: float = BURST_REFILL_PER_S
    ) -> str | None:
        """Spend one scaling token for a new environment; the throttle ``Reason`` if none is left."""
        bucket = self._buckets.get(fn.name)
        if bucket is None:
            bucket = self._buckets[fn.name] = _Bucket(float(capacity), now_ns)
        elif now_ns > bucket.at_ns:
            bucket.tokens = min(float(capacity), bucket.tokens + (now_ns - bucket.at_ns) * refill_per_s / 1e9)
            bucket.at_ns = now_ns
        bucket.tokens = min(bucket.tokens, float(capacity))
        if bucket.tokens < 1.0:
            return RESERVED_RATE if fn.reserved_concurrency is not None else FUNCTION_RATE
        bucket.tokens -= 1.0
        return None

    def acquire(self, fn: Function) -> None:
        """Count one more execution of ``fn`` in flight."""
        n = self.in_flight.get(fn.name, 0) + 1
        self.in_flight[fn.name] = n
        if n > self.peak.get(fn.name, 0):
            self.peak[fn.name] = n
        if fn.reserved_concurrency is None:
            self.unreserved_in_flight += 1
        total = self.total_in_flight = self.total_in_flight + 1
        if total > self.account_peak:
            self.account_peak = total

    def release(self, fn: Function, *, reserved_at_start: bool) -> None:
        """Count one execution of ``fn`` as finished."""
        self.in_flight[fn.name] -= 1
        self.total_in_flight -= 1
        if not reserved_at_start:
            self.unreserved_in_flight -= 1
