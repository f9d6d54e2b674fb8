"""The ledger's entries: attempts, deliveries, fault firings and fates, and the enums they use.

Every entry is a frozen dataclass. Virtual times are integer nanoseconds; JSON renders them as
seconds with nine decimals so the export is exact and byte-stable.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from enum import StrEnum
from operator import attrgetter
from typing import Any, Final, final

SCHEMA: Final = "lambdachaos.ledger/1"


class Path(StrEnum):
    """The invocation path an attempt came through."""

    SYNC = "sync"
    ASYNC = "async"
    ESM = "esm"


class Outcome(StrEnum):
    """How one attempt ended."""

    SUCCESS = "success"
    FUNCTION_ERROR = "function_error"
    TIMEOUT = "timeout"
    THROTTLED = "throttled"
    SYSTEM_ERROR = "system_error"
    REJECTED = "rejected"
    GUARD_STOPPED = "guard_stopped"
    """Stopped by lambdachaos's real-time guard: not an AWS outcome, and it depends on the machine."""
    PARTIAL_FAILURE = "partial_failure"


RECORD_OUTCOMES: Final = ("success", "failed", "not_checkpointed")
"""Per-record outcomes of a partially failed batch (:attr:`Attempt.record_outcomes`)."""


class FateStatus(StrEnum):
    """Where a record or event ended up."""

    SUCCEEDED = "succeeded"
    FILTERED = "filtered"
    DEAD_LETTERED = "dead_lettered"
    ON_FAILURE = "on_failure"
    DROPPED = "dropped"
    PENDING = "pending"
    EXPIRED = "expired"
    """Left the source's retention before it was processed (a Kafka partition blocked past retention)."""


@final
@dataclass(frozen=True, slots=True, kw_only=True)
class Attempt:
    """One invocation attempt (or a throttled/rejected attempt that never ran the handler)."""

    seq: int
    path: Path
    function: str
    qualifier: str | None
    executed_version: str | None
    request_id: str
    event_id: str
    attempt: int
    outcome: Outcome
    start_ns: int
    end_ns: int
    env_id: str | None = None
    cold: bool = False
    error_type: str | None = None
    error_message: str | None = None
    records: tuple[str, ...] = ()
    source: str | None = None
    batch_id: str | None = None
    bisect_depth: int = 0
    reason: str | None = None
    faults: tuple[str, ...] = ()
    failed_items: tuple[str, ...] = ()
    checkpoint: str | None = None
    record_outcomes: tuple[str, ...] = ()

    def outcome_of(self, record_id: str) -> str:
        """What this attempt meant for one record of its batch.

        ``success``, ``failed`` (reported in ``batchItemFailures``) or ``not_checkpointed`` (a stream
        record after the checkpoint, delivered again) for a partially failed batch; otherwise the
        attempt's own outcome. ``KeyError`` when the record was not in the batch.
        """
        if record_id not in self.records:
            raise KeyError(f"record {record_id!r} was not in attempt {self.seq}'s batch ({len(self.records)} records)")
        if self.record_outcomes:
            return self.record_outcomes[self.records.index(record_id)]
        return self.outcome.value

    @property
    def start(self) -> float:
        """Virtual start time in seconds."""
        return self.start_ns / 1e9

    @property
    def end(self) -> float:
        """Virtual end time in seconds."""
        return self.end_ns / 1e9

    @property
    def duration_ms(self) -> float:
        """Virtual duration in milliseconds."""
        return (self.end_ns - self.start_ns) / 1e6

    def describe(self) -> str:
        """A one-line human summary used by reports and assertion messages."""
        what = self.outcome.value
        if self.error_type:
            what += f" {self.error_type}: {self.error_message}"
        if self.reason:
            what += f" ({self.reason})"
        env = f" env={self.env_id}{' cold' if self.cold else ''}" if self.env_id else ""
        recs = f" records={len(self.records)}" if self.records else ""
        if self.failed_items:
            recs += f" reported failed: {', '.join(self.failed_items)}"
        if self.checkpoint is not None:
            recs += f" checkpoint {self.checkpoint}"
        return f"t={self.start:.3f}s {self.path.value} {self.function} attempt {self.attempt}{env}{recs} → {what}"


_ATTEMPT_FIELDS: Final = tuple(f.name for f in fields(Attempt))
_attempt_values: Final = attrgetter(*_ATTEMPT_FIELDS)
_new: Final = object.__new__
_put: Final = object.__setattr__


def amended(attempt: Attempt, changes: dict[str, Any]) -> Attempt:
    """``dataclasses.replace(attempt, **changes)`` at half the cost (an attempt's ``__init__`` only sets its
    fields). A name that is not a field raises ``TypeError``, as ``replace`` does."""
    if not changes.keys() <= _ATTEMPT_FIELD_SET:
        raise TypeError(f"Attempt has no field {sorted(changes.keys() - _ATTEMPT_FIELD_SET)[0]!r}")
    new = _new(Attempt)
    get = changes.get
    for name, value in zip(_ATTEMPT_FIELDS, _attempt_values(attempt), strict=True):
        _put(new, name, get(name, value))
    return new


_ATTEMPT_FIELD_SET: Final = frozenset(_ATTEMPT_FIELDS)


@final
@dataclass(frozen=True, slots=True, kw_only=True)
class Delivery:
    """A message Lambda sent on a record's behalf: DLQ, destination, queue redrive."""

    seq: int
    kind: str
    target: str
    event_id: str
    at_ns: int
    condition: str | None = None
    message_id: str | None = None
    ok: bool = True
    detail: str | None = None

    @property
    def at(self) -> float:
        """Virtual time of the delivery in seconds."""
        return self.at_ns / 1e9

    def describe(self) -> str:
        """A one-line human summary."""
        cond = f" ({self.condition})" if self.condition else ""
        status = "" if self.ok else f" FAILED: {self.detail}"
        return f"t={self.at_ns / 1e9:.3f}s {self.kind} → {self.target}{cond}{status}"


@final
@dataclass(frozen=True, slots=True, kw_only=True)
class FaultRecord:
    """One firing of an injected fault."""

    seq: int
    fault: str
    at_ns: int
    function: str | None
    event_id: str | None
    attempt: int | None
    effect: str
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def at(self) -> float:
        """Virtual time of the firing in seconds."""
        return self.at_ns / 1e9


@final
@dataclass(frozen=True, slots=True, kw_only=True)
class Fate:
    """The single final fate of a record or event."""

    event_id: str
    status: FateStatus
    at_ns: int | None
    condition: str | None = None
    destinations: tuple[str, ...] = ()
    attempts: int = 0

    @property
    def at(self) -> float | None:
        """Virtual time in seconds at which the fate was settled (entered, while ``pending``)."""
        return None if self.at_ns is None else self.at_ns / 1e9

    @property
    def destination(self) -> str | None:
        """The ARN of the first place the failed record was sent (DLQ before destination)."""
        return self.destinations[0] if self.destinations else None

    def sent_to(self, resource: object) -> bool:
        """True when the record reached ``resource`` (anything with an ``arn``) or an ARN string."""
        arn = resource if isinstance(resource, str) else getattr(resource, "arn", None)
        return arn in self.destinations
