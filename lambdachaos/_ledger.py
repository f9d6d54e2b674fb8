"""The ledger: an append-only record of every attempt, delivery and fault, and each record's fate.

Every entry is a frozen dataclass. Virtual times are integer nanoseconds; JSON renders them as
seconds with nine decimals so the export is exact and byte-stable. The JSON schema is documented in
``docs/ledger.md`` and versioned by :data:`SCHEMA`.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
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


def _seconds(ns: int | None) -> str | None:
    if ns is None:
        return None
    sign = "-" if ns < 0 else ""
    ns = abs(ns)
    return f"{sign}{ns // 1_000_000_000}.{ns % 1_000_000_000:09d}"


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def _entry_dict(entry: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields(entry):
        value = getattr(entry, f.name)
        if f.name.endswith("_ns"):
            out[f.name[:-3] + "_s"] = _seconds(value)
        else:
            out[f.name] = _jsonable(value)
    return out


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


@final
class Ledger:
    """The flight recorder of one simulation. Read-only for users; the service appends."""

    __slots__ = ("_attempts", "_deliveries", "_fates", "_faults", "_pending", "_seq", "seed")

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self._attempts: list[Attempt] = []
        self._deliveries: list[Delivery] = []
        self._faults: list[FaultRecord] = []
        self._fates: dict[str, Fate] = {}
        self._pending: dict[str, int] = {}
        self._seq = 0

    # ---- appending (service side) --------------------------------------------------------------
    def next_seq(self) -> int:
        """The next sequence number (shared by all entry kinds so they interleave in order)."""
        self._seq += 1
        return self._seq

    def add_attempt(self, attempt: Attempt) -> None:
        """Record one attempt."""
        self._attempts.append(attempt)

    def add_delivery(self, delivery: Delivery) -> None:
        """Record one DLQ/destination/redrive delivery."""
        self._deliveries.append(delivery)

    def amend(self, request_id: str, **changes: Any) -> None:
        """Add to the latest attempt of ``request_id`` what was learned when it ended (batch item failures)."""
        attempts = self._attempts
        for i in range(len(attempts) - 1, -1, -1):
            if attempts[i].request_id == request_id:
                attempts[i] = replace(attempts[i], **changes)
                return
        raise LookupError(f"no attempt with request id {request_id!r}")

    def add_fault(self, record: FaultRecord) -> None:
        """Record one fault firing."""
        self._faults.append(record)

    def open(self, event_id: str, at_ns: int) -> None:
        """Register a record or event that entered the system (its fate is pending until settled)."""
        if event_id not in self._fates:
            self._fates[event_id] = Fate(event_id=event_id, status=FateStatus.PENDING, at_ns=at_ns)

    def settle(self, fate: Fate) -> None:
        """Give a record its final fate; settling twice is a bug in the simulator."""
        previous = self._fates.get(fate.event_id)
        if previous is not None and previous.status is not FateStatus.PENDING:
            raise RuntimeError(f"record {fate.event_id} already has fate {previous.status.value}")
        self._fates[fate.event_id] = fate

    def settle_copy_dead_lettered(self, fate: Fate) -> None:
        """Settle a record one of whose copies reached a DLQ (``fate.status`` is ``dead_lettered``).

        ``dead_lettered`` replaces whatever another copy left (``succeeded``, ``dropped``); a record already
        dead-lettered keeps its first such fate (docs/ledger.md, "Copies of a record").
        """
        if fate.status is not FateStatus.DEAD_LETTERED:
            raise ValueError(f"fate {fate.status.value} is not dead_lettered")
        previous = self._fates.get(fate.event_id)
        if previous is None or previous.status is not FateStatus.DEAD_LETTERED:
            self._fates[fate.event_id] = fate

    # ---- reading ------------------------------------------------------------------------------
    @property
    def attempts(self) -> tuple[Attempt, ...]:
        """Every attempt in the order it started."""
        return tuple(self._attempts)

    @property
    def deliveries(self) -> tuple[Delivery, ...]:
        """Every DLQ, destination and redrive delivery in time order."""
        return tuple(self._deliveries)

    @property
    def faults(self) -> tuple[FaultRecord, ...]:
        """Every fault firing."""
        return tuple(self._faults)

    @property
    def fates(self) -> dict[str, Fate]:
        """Fate per record/event id (a copy)."""
        return dict(self._fates)

    @property
    def last(self) -> Attempt:
        """The most recent attempt; raises ``LookupError`` when there is none."""
        if not self._attempts:
            raise LookupError("the ledger has no attempts yet: nothing was invoked")
        return self._attempts[-1]

    def filter(self, **criteria: Any) -> list[Attempt]:
        """Attempts whose fields equal every keyword given, e.g. ``filter(function="f", outcome="success")``."""
        valid = {f.name for f in fields(Attempt)}
        unknown = sorted(set(criteria) - valid)
        if unknown:
            close = [m for u in unknown for m in difflib.get_close_matches(u, valid, n=1)]
            hint = f"did you mean {', '.join(close)}? " if close else ""
            raise TypeError(f"unknown attempt field(s) {unknown}; {hint}valid fields: {sorted(valid)}")
        return [a for a in self._attempts if all(getattr(a, k) == v for k, v in criteria.items())]

    def attempts_for(self, event_id: str) -> list[Attempt]:
        """Attempts whose event is ``event_id`` or whose batch contained record ``event_id``."""
        return [a for a in self._attempts if a.event_id == event_id or event_id in a.records]

    def status(self, event_id: str) -> FateStatus | None:
        """The fate status of one record in O(1), or ``None`` when it never entered."""
        fate = self._fates.get(event_id)
        return None if fate is None else fate.status

    def get_fate(self, event_id: str) -> Fate | None:
        """The fate of one record, or ``None`` when it never entered (no copy, O(1))."""
        return self._fates.get(event_id)

    def fate(self, event_id: str) -> Fate:
        """The fate of one record/event; ``KeyError`` names a few known ids when it is unknown."""
        try:
            return self._fates[event_id]
        except KeyError:
            known = ", ".join(list(self._fates)[:5])
            close = difflib.get_close_matches(str(event_id), list(self._fates)[:5000], n=1, cutoff=0.8)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise KeyError(f"no record {event_id!r} entered this simulation; {hint}"
                           f"{len(self._fates)} known, e.g. {known}") from None

    def deliveries_to(self, target_arn: str) -> list[Delivery]:
        """Deliveries made to one ARN."""
        return [d for d in self._deliveries if d.target == target_arn]

    def __iter__(self) -> Iterator[Attempt]:
        return iter(self._attempts)

    def __len__(self) -> int:
        return len(self._attempts)

    def __repr__(self) -> str:
        pending = sum(1 for f in self._fates.values() if f.status is FateStatus.PENDING)
        return (
            f"<Ledger attempts={len(self._attempts)} deliveries={len(self._deliveries)} "
            f"records={len(self._fates)} pending={pending}>"
        )

    def concurrency(self, function: str | None = None) -> list[tuple[float, int]]:
        """Concurrent executions over virtual time: ``(seconds, count)`` at every change.

        Computed from the attempts that ran (throttled attempts hold no execution environment).
        """
        changes: list[tuple[int, int]] = []
        for a in self._attempts:
            if a.env_id is None or (function is not None and a.function != function):
                continue
            changes.append((a.start_ns, 1))
            changes.append((a.end_ns, -1))
        changes.sort(key=lambda c: (c[0], c[1]))  # an execution ending at t frees its slot before one starts
        series: list[tuple[float, int]] = []
        level = 0
        for at_ns, delta in changes:
            level += delta
            if series and series[-1][0] == at_ns / 1e9:
                series[-1] = (at_ns / 1e9, level)
            else:
                series.append((at_ns / 1e9, level))
        return series

    # ---- export -------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The ledger as plain JSON-ready data (schema :data:`SCHEMA`)."""
        return {
            "schema": SCHEMA,
            "seed": self.seed,
            "attempts": [_entry_dict(a) for a in self._attempts],
            "deliveries": [_entry_dict(d) for d in self._deliveries],
            "faults": [_entry_dict(f) for f in self._faults],
            "fates": [_entry_dict(self._fates[k]) for k in sorted(self._fates)],
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        """Stable JSON: same seed and scenario ⇒ identical bytes, across processes.

        ASCII only (other characters, lone surrogates included, are ``\\u`` escapes), so it can always be written.
        """
        return json.dumps(self.to_dict(), indent=indent, sort_keys=True)

    def timeline(self, events: Iterable[str] | None = None) -> list[str]:
        """Attempts and deliveries interleaved in time order as readable lines."""
        wanted = set(events) if events is not None else None
        rows: list[tuple[int, int, str]] = []
        for a in self._attempts:
            if wanted is None or a.event_id in wanted or wanted.intersection(a.records):
                rows.append((a.start_ns, a.seq, a.describe()))
        for d in self._deliveries:
            if wanted is None or d.event_id in wanted:
                rows.append((d.at_ns, d.seq, d.describe()))
        return [text for _, _, text in sorted(rows)]
