"""The pieces of a Kafka mapping's delivery: batches in flight, pollers, and settling a batch's successes."""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any, final

from lambdachaos.ledger._ledger import Fate, FateStatus

if TYPE_CHECKING:
    from lambdachaos._clock import Timer
    from lambdachaos.resources._kafka import KafkaRecord
    from lambdachaos.service.mappings._kafka import KafkaEventSourceMapping


@final
class Batch:
    """Records being delivered together (a batch, or part of one after a split or a partial failure)."""

    __slots__ = ("depth", "event", "invokes", "prior", "records", "retries", "throttles")

    def __init__(self, records: list[KafkaRecord], *, retries: int = 0, prior: int = 0, depth: int = 0) -> None:
        self.records = records
        self.retries = retries
        self.prior = prior
        self.invokes = 0
        self.depth = depth
        self.throttles = 0
        self.event: dict[str, Any] | None = None

    def child(self, records: list[KafkaRecord], *, deeper: bool) -> Batch:
        """A run of this batch's records that inherits its retry counter (bisect halves, partial-failure rests)."""
        return Batch(records, retries=self.retries, prior=self.prior + self.invokes,
                     depth=self.depth + 1 if deeper else self.depth)


@final
class Poller:
    """One event poller: it delivers one batch at a time (``pending``: the batch and its split parts)."""

    __slots__ = ("busy", "held", "index", "pending", "timer", "window_end")

    def __init__(self, index: int) -> None:
        self.index = index
        self.busy = False
        self.held: tuple[int, ...] = ()
        self.pending: deque[Batch] = deque()
        self.timer: Timer | None = None
        self.window_end: int | None = None


def succeed(mapping: KafkaEventSourceMapping, batch: Batch, records: list[KafkaRecord]) -> None:
    """Settle ``records`` as succeeded and commit their partitions (a partition wholly done up to the read
    position, so filtered records are committed too; else just past the last success)."""
    attempts = batch.prior + batch.invokes
    ledger = mapping._ledger
    status_of, settle = ledger.status, ledger.settle
    now = mapping._clock.now_ns
    pending, succeeded = FateStatus.PENDING, FateStatus.SUCCEEDED
    last: dict[int, int] = {}
    for record in records:  # pending unless another mapping on the topic settled it first
        event_id = record.event_id
        if status_of(event_id) is pending:
            settle(Fate(event_id=event_id, status=succeeded, at_ns=now, attempts=attempts))
        last[record.partition] = record.offset
    if not last:
        return
    held: dict[int, int] = {}
    for record in batch.records:
        held[record.partition] = record.offset
    cluster, group, name, positions = mapping.cluster, mapping.consumer_group_id, mapping.topic.name, mapping._positions
    for p, offset in last.items():  # a partition wholly done commits up to the read position (filtered too)
        cluster.commit(group, name, p, positions[p] if held[p] == offset else offset + 1)


def commit(mapping: KafkaEventSourceMapping, records: list[KafkaRecord]) -> None:
    """Commit the partitions of a settled batch up to the mapping's read position (filtered records too)."""
    cluster, group, name = mapping.cluster, mapping.consumer_group_id, mapping.topic.name
    for p in {r.partition for r in records}:
        cluster.commit(group, name, p, mapping._positions[p])
