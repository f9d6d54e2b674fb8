"""The pieces of a Kafka mapping's delivery: batches in flight, pollers, and settling a batch's successes."""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, final

from lambdachaos._errors import ConfigError
from lambdachaos.ledger._ledger import Fate, FateStatus
from lambdachaos.service.mappings._stream_lanes import Sub

if TYPE_CHECKING:
    from lambdachaos._clock import Timer
    from lambdachaos.resources._kafka import KafkaCluster, KafkaRecord
    from lambdachaos.service.mappings._kafka import KafkaEventSourceMapping


Batch = Sub
"""Records being delivered together (a batch, or part of one after a split or a partial failure): the stream
mappings' run of records, without a tumbling window (Kafka has none)."""


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


def claim_group(cluster: KafkaCluster, group: str, uuid: str) -> None:
    """Reserve ``ConsumerGroupId`` for one mapping: it must be unique among the Kafka event sources."""
    holder = cluster.consumers.get(group)
    if holder is not None:
        raise ConfigError(f"consumer_group_id={group!r}: ConsumerGroupId must be unique among your Kafka event "
                          f"sources; event source mapping {holder} uses it (delete that mapping first)")
    cluster.consumers[group] = uuid


def start_offset(mapping: KafkaEventSourceMapping, partition: int) -> int:
    """Where the mapping starts reading a partition: the group's committed offset, else ``StartingPosition``."""
    topic = mapping.topic
    log = topic.partitions[partition]
    committed = mapping.cluster.committed(mapping.consumer_group_id, topic.name, partition)
    if committed is not None:  # an existing group's offsets win over StartingPosition
        return max(committed, log.trimmed)
    if mapping.starting_position == "LATEST":
        return log.end_offset
    if mapping.starting_position == "AT_TIMESTAMP":
        at = mapping.config.starting_position_timestamp or 0.0
        return topic.offset_for_time(partition, mapping._world.epoch_s(round(at * 1_000_000_000)))
    return log.trimmed
