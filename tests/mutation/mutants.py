"""The single-point changes of the mutation check: one AWS rule each, with the tests that must notice it.

Each :class:`Mutant` replaces ``old`` (which must occur exactly once in ``path``) by ``new``. A mutant
that survives is either a rule no test pins (add the test) or code nothing reaches (delete it); a
mutant is never dropped from this list to raise the kill rate.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Mutant:
    """One single-point change of an AWS rule."""

    path: str
    """The file, relative to the checkout (``lambdachaos/...``)."""
    old: str
    new: str
    rule: str
    """The rule the change breaks, in a few words (docs/aws-behaviour.md section or decision)."""
    tests: tuple[str, ...]
    """Test files or folders, relative to the checkout, that must fail."""


SERVICE = ("tests/service",)
PUSH = ("tests/push/test_push_delivery.py", "tests/bridge/test_scheduler_bridge.py")
ESM = ("tests/esm",)
SQS = ("tests/resources/test_sqs.py", "tests/esm/test_sqs_mapping.py", "tests/esm/test_sqs_scale_down.py")

_ASYNC = "lambdachaos/service/invoke/_async.py"
_STREAM = "lambdachaos/service/mappings/_stream.py"
_SQS = "lambdachaos/resources/_sqs.py"
_CORE = "lambdachaos/resources/_sqs_core.py"
_SQS_CONFIG = "lambdachaos/resources/_sqs_config.py"
_CONFIG = "lambdachaos/service/invoke/_config.py"
_PUSH = "lambdachaos/service/push/_retry.py"

MUTANTS: tuple[Mutant, ...] = (
    # ---- asynchronous invocation (§4)
    Mutant(_ASYNC, "RETRY_DELAYS_S: Final = (60, 120)", "RETRY_DELAYS_S: Final = (60, 60)",
           "A2 function-error retries after 60 s then 120 s", SERVICE),
    Mutant(_ASYNC, "THROTTLE_BACKOFF_CAP_S: Final = 300", "THROTTLE_BACKOFF_CAP_S: Final = 600",
           "A4 throttle backoff capped at 300 s", SERVICE),
    Mutant(_ASYNC, "2 ** (item.backoffs - 1)", "2 ** item.backoffs",
           "A4 throttle backoff starts at 1 s", SERVICE),
    Mutant(_ASYNC, "if item.attempts >= cfg.maximum_retry_attempts + 1:",
           "if item.attempts > cfg.maximum_retry_attempts + 1:", "4.1 MaximumRetryAttempts bounds attempts", SERVICE),
    Mutant(_ASYNC, "if age_ns + delay_ns < cfg.maximum_event_age_in_seconds",
           "if age_ns < cfg.maximum_event_age_in_seconds", "A3 event-age look-ahead before a retry", SERVICE),
    Mutant(_ASYNC, "if service.reserved_in_force(fn) == 0:", "if service.reserved_in_force(fn) == -1:",
           "4.2 reserved concurrency 0 sends events straight to the DLQ", SERVICE),
    Mutant(_ASYNC, "        elif dead_lettered:\n            status = FateStatus.DEAD_LETTERED\n", "",
           "4.2 DLQ and on-failure both fire: fate dead_lettered", SERVICE),
    Mutant(_ASYNC, 'self._finish(item, _recursion.RECURSIVE_INVOCATION, "400", message)',
           'self._finish(item, _recursion.RECURSIVE_INVOCATION, "200", message)',
           "4.6 a stopped recursive event reaches the DLQ with ErrorCode 400", ESM + SERVICE),
    Mutant("lambdachaos/service/invoke/_destinations.py", "ERROR_MESSAGE_LIMIT: Final = 1024",
           "ERROR_MESSAGE_LIMIT: Final = 1000", "4.4 DLQ ErrorMessage cut to 1 KB", SERVICE),
    # ---- function configuration limits (§1)
    Mutant(_CONFIG, "ASYNC_RETRY_MAX: Final = 2", "ASYNC_RETRY_MAX: Final = 3",
           "1 MaximumRetryAttempts 0-2", SERVICE),
    Mutant(_CONFIG, "EVENT_AGE_MAX_S: Final = 21_600", "EVENT_AGE_MAX_S: Final = 21_601",
           "1 MaximumEventAgeInSeconds at most 21,600", SERVICE),
    Mutant(_CONFIG, "EVENT_AGE_MIN_S: Final = 60", "EVENT_AGE_MIN_S: Final = 59",
           "1 MaximumEventAgeInSeconds at least 60", SERVICE),
    Mutant(_CONFIG, "ASYNC_PAYLOAD_LIMIT: Final = 1_048_576", "ASYNC_PAYLOAD_LIMIT: Final = 1_048_577",
           "1 async payload limit 1 MB", SERVICE),
    Mutant(_CONFIG, "UNRESERVED_MINIMUM: Final = 100", "UNRESERVED_MINIMUM: Final = 99",
           "8 100 unreserved concurrency kept", SERVICE),
    # ---- concurrency (§8)
    Mutant("lambdachaos/service/invoke/_concurrency.py", "BURST_REFILL_PER_S: Final = 100.0",
           "BURST_REFILL_PER_S: Final = 50.0", "8 burst refill 100 environments per second", SERVICE),
    Mutant("lambdachaos/service/invoke/_concurrency.py", "if self.in_flight.get(fn.name, 0) >= reserved:",
           "if self.in_flight.get(fn.name, 0) > reserved:", "8 reserved concurrency caps in-flight", SERVICE),
    # ---- recursive loops (§4.6)
    Mutant("lambdachaos/service/invoke/_recursion.py", "RECURSION_LIMIT: Final = 16", "RECURSION_LIMIT: Final = 17",
           "4.6 a chain stops after 16 invocations", ESM + SERVICE),
    Mutant("lambdachaos/service/invoke/_recursion.py", "if depth <= self.limit or", "if depth < self.limit or",
           "4.6 depth limit + 1 is the first stopped", ESM + SERVICE),
    # ---- stream mappings (§6)
    Mutant(_STREAM, "half = (len(records) + 1) // 2", "half = len(records) // 2",
           "A7 bisect splits off the first ceil(n/2)", ESM),
    Mutant(_STREAM, "and len(records) >= 2:", "and len(records) > 2:", "6.5 a batch of two still bisects", ESM),
    Mutant(_STREAM, "if limit != -1 and sub.retries >= limit:", "if limit != -1 and sub.retries > limit:",
           "6.4 MaximumRetryAttempts bounds stream retries", ESM),
    Mutant(_STREAM, "while cut < len(sub.records) and now - sub.records[cut].arrival_ns >= limit:",
           "while cut < len(sub.records) and now - sub.records[cut].arrival_ns > limit:",
           "6.4 MaximumRecordAgeInSeconds discards old records", ESM),
    Mutant("lambdachaos/service/mappings/_stream_config.py", "RETRY_INTERVAL_CAP_S: Final = 12",
           "RETRY_INTERVAL_CAP_S: Final = 24", "A5 stream retry interval capped", ESM),
    Mutant("lambdachaos/service/mappings/_stream_config.py", "PARALLELIZATION_MAX: Final = 10",
           "PARALLELIZATION_MAX: Final = 11", "6.1 ParallelizationFactor 1-10", ESM),
    Mutant("lambdachaos/service/mappings/_stream_config.py", "RECORD_AGE_MAX: Final = 604_800",
           "RECORD_AGE_MAX: Final = 604_801", "6.1 MaximumRecordAgeInSeconds at most 604,800", ESM),
    # ---- SQS mapping (§5)
    Mutant("lambdachaos/service/mappings/_sqs.py", "delay = min(2 ** batch.throttles, 60)",
           "delay = min(2 ** batch.throttles, 120)", "8 throttled SQS batches back off up to 60 s", ESM),
    Mutant("lambdachaos/service/mappings/_sqs.py", "self._limit(now) // 2)", "self._limit(now) // 3)",
           "5.2 pollers scale down by half after function errors", ESM),
    Mutant("lambdachaos/service/mappings/_sqs_config.py", "BATCH_SIZE_MAX_FIFO: Final = 10",
           "BATCH_SIZE_MAX_FIFO: Final = 11", "5.1 FIFO BatchSize at most 10", ESM),
    Mutant("lambdachaos/service/mappings/_sqs_config.py", "MAXIMUM_CONCURRENCY_MIN: Final = 2",
           "MAXIMUM_CONCURRENCY_MIN: Final = 1", "5.1 MaximumConcurrency at least 2", ESM),
    Mutant("lambdachaos/service/mappings/_common.py", "BATCH_WINDOW_MAX_S: Final = 300",
           "BATCH_WINDOW_MAX_S: Final = 301", "5.1 MaximumBatchingWindowInSeconds at most 300", ESM),
    Mutant("lambdachaos/service/mappings/_common.py", "MAX_FILTERS: Final = 5", "MAX_FILTERS: Final = 6",
           "10 at most five filters", ESM),
    # ---- SQS queues (§5.3, §5.4, §11)
    Mutant(_SQS, "\n                    if msg._receive_count >= max_count:",
           "\n                    if msg._receive_count > max_count:", "5.3 FIFO redrive at receive", SQS),
    Mutant(_SQS, "\n                if msg._receive_count >= max_count:",
           "\n                if msg._receive_count > max_count:", "5.3 standard redrive at receive", SQS),
    Mutant(_CORE, "if group.ready or group.inflight:", "if group.ready:",
           "5.4 a FIFO group with a message in flight is held", SQS),
    Mutant(_CORE, "if policy is not None and msg._receive_count >= policy.max_receive_count:",
           "if policy is not None and msg._receive_count > policy.max_receive_count:",
           "5.3 redrive at visibility expiry", SQS),
    Mutant(_CORE, "MAX_RECEIVE_MESSAGES: Final = 10", "MAX_RECEIVE_MESSAGES: Final = 11",
           "5.1 MaxNumberOfMessages 1-10", SQS),
    Mutant(_CORE, "PURGE_INTERVAL_S: Final = 60", "PURGE_INTERVAL_S: Final = 30",
           "5.1 one PurgeQueue per 60 s", SQS),
    Mutant(_SQS_CONFIG, "MAX_RECEIVE_COUNT_MAX: Final = 1_000", "MAX_RECEIVE_COUNT_MAX: Final = 1_001",
           "5.3 maxReceiveCount 1-1,000", SQS),
    Mutant(_SQS_CONFIG, "VISIBILITY_TIMEOUT_MAX: Final = 43_200", "VISIBILITY_TIMEOUT_MAX: Final = 43_201",
           "5.1 VisibilityTimeout at most 12 h", SQS),
    Mutant(_SQS_CONFIG, "DELAY_SECONDS_MAX: Final = 900", "DELAY_SECONDS_MAX: Final = 901",
           "5.1 DelaySeconds at most 900", SQS),
    Mutant(_SQS_CONFIG, "FIFO_DEDUPLICATION_WINDOW_S: Final = 300", "FIFO_DEDUPLICATION_WINDOW_S: Final = 600",
           "5.4 FIFO deduplication window 5 minutes", SQS),
    # ---- push delivery before Lambda accepts an event (docs/aws-behaviour.md "Push delivery")
    Mutant(_PUSH, "SNS_IMMEDIATE: Final = 3", "SNS_IMMEDIATE: Final = 4", "SNS: 3 attempts without delay", PUSH),
    Mutant(_PUSH, "SNS_MAX_DELAY_S: Final = 20", "SNS_MAX_DELAY_S: Final = 30", "SNS: backoff up to 20 s", PUSH),
    Mutant(_PUSH, "SNS_POST_BACKOFF: Final = 100_000", "SNS_POST_BACKOFF: Final = 99_999",
           "SNS: 100,015 attempts in all", PUSH),
    Mutant(_PUSH, "RETRY_ATTEMPTS_MAX: Final = 185", "RETRY_ATTEMPTS_MAX: Final = 184",
           "EventBridge MaximumRetryAttempts 0-185, default 185", PUSH),
    Mutant(_PUSH, "EVENT_AGE_MIN_S: Final = 60", "EVENT_AGE_MIN_S: Final = 59",
           "EventBridge MaximumEventAgeInSeconds at least 60", PUSH),
    Mutant(_PUSH, "EVENTS_BACKOFF_CAP_S: Final = 300", "EVENTS_BACKOFF_CAP_S: Final = 600",
           "EventBridge backoff capped at 300 s (decision)", PUSH),
    Mutant(_PUSH, '"Rate Exceeded.", True, "THROTTLING")', '"Rate Exceeded.", False, "THROTTLING")',
           "a throttled push Invoke is retried", PUSH),
    Mutant(_PUSH, 'function.arn}", False,\n                           "NO_RESOURCE")',
           'function.arn}", True,\n                           "NO_RESOURCE")',
           "a missing function is not retried", PUSH),
    Mutant(_PUSH, "if now + delay - self.first_ns > self.policy", "if now - self.first_ns > self.policy",
           "EventBridge: no retry past MaximumEventAgeInSeconds", PUSH),
    Mutant(_PUSH, "if self.attempts > self.policy.maximum_retry_attempts:",
           "if self.attempts > self.policy.maximum_retry_attempts + 1:", "EventBridge: MaximumRetryAttempts", PUSH),
    Mutant("lambdachaos/service/push/_async.py", '"RETRY_ATTEMPTS": str(push.attempts - 1)}',
           '"RETRY_ATTEMPTS": str(push.attempts)}',
           "EventBridge DLQ RETRY_ATTEMPTS counts retries", PUSH),
    # ---- SDK retries inside handlers
    Mutant("lambdachaos/faults/_downstream.py", "            sleep(wait)\n", "            sleep(0.0)\n",
           "adaptive retry mode: token-bucket waits advance the clock", ("tests/faults/test_injectors.py",)),
)
