"""The Amazon MSK and self-managed Apache Kafka event source mapping.

Lambda reads each partition sequentially and commits a batch's offsets once the batch succeeded
("Using Lambda with Amazon MSK"). Here a poller delivers one batch at a time; a free poller fills a
batch from partitions no other batch holds, each partition's records contiguous and in offset order,
so a partition is never in two batches in flight and a batch may span partitions. On-demand mode
starts with one poller and re-evaluates every minute: one poller per partition with lag, throttles
take one away ("Apache Kafka event poller scaling modes in Lambda"); provisioned mode moves between
``MinimumPollers`` and ``MaximumPollers`` the same way.

A failed batch is retried whole (1 s doubling to 12 s, as stream mappings) until it succeeds or its
records leave the topic's retention: one poison record blocks its partition while the others flow.
Records skipped because they left retention get the fate ``expired``. In provisioned mode the retry
controls apply (kafka-retry-configurations): ``MaximumRetryAttempts``, ``MaximumRecordAgeInSeconds``
(condition ``RecordAgeExceeded``), ``BisectBatchOnFunctionError`` (first ``ceil(n/2)`` records, then
the rest, the retry counter inherited), ``ReportBatchItemFailures`` (each partition restarts at its
lowest failed offset; an unknown identifier fails the batch) and the on-failure destination
(``_kafka_failure``). Filtered records are committed with the next successful batch of their partition.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, final

from lambdachaos.ledger._ledger import Fate, FateStatus, Outcome, Path
from lambdachaos.service.mappings import _kafka_records as rec
from lambdachaos.service.mappings._common import SYNC_PAYLOAD_LIMIT, data_view, matches
from lambdachaos.service.mappings._kafka_config import check_created
from lambdachaos.service.mappings._kafka_failure import discard, parse_kafka_response
from lambdachaos.service.mappings._kafka_parts import Batch, Poller, claim_group, commit, start_offset, succeed
from lambdachaos.service.mappings._stream_config import retry_delay_ns

if TYPE_CHECKING:
    from collections.abc import Callable

    from lambdachaos._clock import Timer
    from lambdachaos.resources._kafka import KafkaRecord, KafkaTopic
    from lambdachaos.service.invoke._function import Function
    from lambdachaos.service.invoke._service import Execution, LambdaService
    from lambdachaos.service.mappings._kafka_config import KafkaMappingConfig

__all__ = ["KafkaEventSourceMapping"]

_NS: Final = 1_000_000_000
SCALING_INTERVAL_NS: Final = 60 * _NS
"""On-demand and provisioned pollers are re-evaluated every minute (kafka-scaling-modes)."""
EXPIRED_CONDITION: Final = "RecordExpired"


@final
class KafkaEventSourceMapping:
    """One Kafka event source mapping on one topic (``Topics`` holds exactly one).

    ``pollers_history`` lists ``(virtual seconds, pollers)`` at every change of the poller count.
    """

    def __init__(self, service: LambdaService, topic: KafkaTopic, function: Function, config: KafkaMappingConfig,
                 *, qualifier: str | None = None, resolve: Callable[[str], object | None] = lambda arn: None) -> None:
        world = service.world
        cluster = topic.cluster
        self.service = service
        self.topic = topic
        self.cluster = cluster
        self.function = function
        self.qualifier = qualifier
        self.config = config
        self.uuid = world.uuid("esm")
        """The mapping's ``UUID``."""
        self.consumer_group_id = config.consumer_group_id or self.uuid
        """``ConsumerGroupId`` (default: the UUID, as recorded); one mapping per group on a cluster."""
        claim_group(cluster, self.consumer_group_id, self.uuid)
        check_created(timestamp=config.starting_position_timestamp, now_s=world.clock.now_ns / _NS,
                      destination=config.on_failure, topic=topic.name)
        self.starting_position = config.starting_position or "TRIM_HORIZON"
        self.event_source_arn: str | None = None if cluster.self_managed else cluster.arn
        """``EventSourceArn``: the MSK cluster's ARN; None for self-managed Kafka (``SelfManagedEventSource``)."""
        self.source_id = cluster.arn if not cluster.self_managed else cluster.bootstrap_string
        self.function_arn = function.arn if qualifier is None else f"{function.arn}:{qualifier}"
        self.state = "Enabled" if config.enabled else "Disabled"
        self.state_transition_reason = "USER_INITIATED"
        self.pollers_history: list[tuple[float, int]] = []
        self._world = world
        self._clock = world.clock
        self._ledger = service.ledger
        self._resolve = resolve
        self._provisioned = config.pollers is not None
        self._batches = 0
        self._throttled = 0
        self._scaling: Timer | None = None
        topic.trim()
        count = len(topic.partitions)
        self._positions = [start_offset(self, p) for p in range(count)]
        self._opened = list(self._positions)
        self._inflight = [False] * count
        self._cursor = 0
        first = config.pollers.minimum_pollers if config.pollers is not None else 1
        self._pollers: list[Poller] = []
        self._set_pollers(first)
        self._unsubscribe = topic.on_records(self._on_records)
        self._on_records(topic)

    # ---- control ------------------------------------------------------------------------------
    @property
    def enabled(self) -> bool:
        """True while the mapping reads."""
        return self.state == "Enabled"

    @property
    def pollers(self) -> int:
        """The current number of event pollers."""
        return len(self._pollers)

    def disable(self) -> None:
        """Stop reading (batches in flight finish)."""
        self.state = "Disabled"

    def delete(self) -> None:
        """``DeleteEventSourceMapping``: stop reading for good; the consumer group's offsets stay on the cluster."""
        self.disable()
        self._unsubscribe()
        self.cluster.consumers.pop(self.consumer_group_id, None)

    def enable(self) -> None:
        """Resume reading."""
        self.state = "Enabled"
        self._arm_scaling()
        self._wake_all()

    def position(self, partition: int) -> int:
        """The next offset this mapping reads from ``partition``."""
        return self._positions[partition]

    # ---- pollers and scaling -------------------------------------------------------------------
    def _set_pollers(self, n: int) -> None:
        pollers = self._pollers
        if n == len(pollers):
            return
        while len(pollers) < n:
            pollers.append(Poller(len(pollers)))
        idle = [p for p in pollers if not p.busy]
        while len(pollers) > n and idle:
            gone = idle.pop()
            pollers.remove(gone)
            if gone.timer is not None:
                gone.timer.cancel()
                gone.timer = None
        self.pollers_history.append((self._clock.now_ns / _NS, len(pollers)))

    def _lagging(self) -> int:
        topic_partitions = self.topic.partitions
        return sum(1 for p, log in enumerate(topic_partitions)
                   if self._inflight[p] or self._positions[p] < log.end_offset)

    def _evaluate(self) -> None:
        self._scaling = None
        lag = self._lagging()
        pollers = self.config.pollers
        low, high = (pollers.minimum_pollers, pollers.maximum_pollers) if pollers is not None else (1, lag or 1)
        target = max(low, min(high, lag, len(self.topic.partitions)))
        if self._throttled:
            target = max(low, len(self._pollers) - 1)
            self._throttled = 0
        self._set_pollers(target)
        if lag and self.state == "Enabled":
            self._scaling = self._clock.call_at(self._clock.now_ns + SCALING_INTERVAL_NS, self._evaluate, priority=1)
            self._wake_all()

    # ---- reading ------------------------------------------------------------------------------
    def _on_records(self, topic: object) -> None:
        ledger = self._ledger
        opened = self._opened
        for log in self.topic.partitions:
            records = log.records
            start = opened[log.index]
            if start >= len(records):
                continue
            for i in range(start, len(records)):
                ledger.open(records[i].event_id, records[i].arrival_ns)
            opened[log.index] = len(records)
        self._arm_scaling()
        self._wake_all()

    def _arm_scaling(self) -> None:
        if self._scaling is None and self.state == "Enabled":
            self._scaling = self._clock.call_at(self._clock.now_ns + SCALING_INTERVAL_NS, self._evaluate, priority=1)

    def _wake_all(self) -> None:
        for poller in self._pollers:
            self._wake(poller)

    def _wake(self, poller: Poller) -> None:
        if poller.busy or poller.timer is not None or self.state != "Enabled":
            return
        poller.timer = self._clock.call_at(self._clock.now_ns, self._poll, poller, priority=1)

    def _poll(self, poller: Poller) -> None:
        poller.timer = None
        if poller.busy or self.state != "Enabled" or poller not in self._pollers:
            return
        topic = self.topic
        topic.trim()
        config = self.config
        size = config.batch_size
        patterns = config.patterns
        count = len(topic.partitions)
        inflight = self._inflight
        positions = self._positions
        batch: list[KafkaRecord] = []
        taken: dict[int, int] = {}
        budget = SYNC_PAYLOAD_LIMIT - 200
        start = self._cursor
        for step in range(count):
            if len(batch) >= size or budget <= 0:
                break
            p = (start + step) % count
            if inflight[p]:
                continue
            log = topic.partitions[p]
            pos = positions[p]
            if pos < log.trimmed:  # left retention before it was read
                self._expire(log.records[pos:log.trimmed])
                positions[p] = pos = log.trimmed
            records = log.records
            end = len(records)
            while pos < end and len(batch) < size:
                record = records[pos]
                if patterns and not matches(patterns, {"value": data_view(
                        (record.value or b"").decode("utf-8", "replace"))}):
                    self._settle(record, FateStatus.FILTERED, "FilterCriteria", 0)
                    pos += 1
                    continue
                cost = rec.size_of(record)
                if cost > budget:
                    if not batch and cost > SYNC_PAYLOAD_LIMIT - 200:  # alone it can never be delivered
                        discard(self, Batch([record]), [record], rec.PAYLOAD_SIZE_EXCEEDED, None, None)
                        pos += 1
                        continue
                    budget = 0
                    break
                budget -= cost
                batch.append(record)
                pos += 1
            if pos != positions[p]:
                taken[p] = pos
        if not batch:
            for p, pos in taken.items():
                positions[p] = pos
            return
        if len(batch) < size and budget > 0 and config.window_ns:
            now = self._clock.now_ns
            if poller.window_end is None:
                poller.window_end = now + config.window_ns
            if now < poller.window_end:
                poller.timer = self._clock.call_at(poller.window_end, self._poll, poller, priority=1)
                return
        poller.window_end = None
        held = tuple(sorted({r.partition for r in batch}))
        for p, pos in taken.items():
            positions[p] = pos
        for p in held:
            inflight[p] = True
        self._cursor = (held[-1] + 1) % count
        poller.held = held
        poller.busy = True
        poller.pending.append(Batch(batch))
        self._deliver(poller, poller.pending[0])

    # ---- delivering ---------------------------------------------------------------------------
    def _deliver(self, poller: Poller, batch: Batch) -> None:
        clock = self._clock
        now = clock.now_ns
        topic = self.topic
        topic.trim()
        logs = topic.partitions
        kept = [r for r in batch.records if r.offset >= logs[r.partition].trimmed]
        if len(kept) != len(batch.records):
            self._expire([r for r in batch.records if r.offset < logs[r.partition].trimmed])
            batch.records = kept
        max_age = self.config.maximum_record_age_in_seconds
        if max_age != -1 and kept:
            limit = now - max_age * _NS
            old = [r for r in kept if r.arrival_ns <= limit]
            if old:
                discard(self, batch, old, rec.RECORD_AGE_EXCEEDED, None, None)
                batch.records = kept = [r for r in kept if r.arrival_ns > limit]
        if not kept:
            self._done(poller)
            return
        service = self.service
        self._batches += 1
        batch_id = f"{self.uuid}:{self._batches}"
        event = rec.event(self.cluster, kept)
        batch.event = event
        ex = service.execute(
            self.function, self.qualifier, b"", path=Path.ESM, request_id=service.world.uuid(), event_id=batch_id,
            attempt=batch.retries + 1, records=tuple(r.event_id for r in kept), source=self.source_id,
            event=event, batch_id=batch_id, bisect_depth=batch.depth,
        )
        if ex.outcome is Outcome.THROTTLED or ex.outcome is Outcome.SYSTEM_ERROR:
            batch.throttles += 1  # not counted toward MaximumRetryAttempts
            self._throttled += 1
            clock.call_at(now + retry_delay_ns(batch.throttles), self._deliver, poller, batch, priority=1)
            return
        batch.invokes += 1
        clock.call_at(ex.end_ns, self._complete, poller, batch, ex)

    def _complete(self, poller: Poller, batch: Batch, ex: Execution) -> None:
        if ex.failed:
            self._failed(poller, batch, ex, "Unhandled")
            return
        if self.config.function_response_types:
            failed = parse_kafka_response(ex.payload, batch.records)
            if failed is None:
                self._ledger.amend(ex.request_id, record_outcomes=("failed",) * len(batch.records),
                                   reason="batch response not understood: the whole batch failed")
                self._failed(poller, batch, ex, None)
                return
            if failed:
                self._partial(poller, batch, ex, failed)
                return
        self._succeed(batch, batch.records)
        self._done(poller)

    def _partial(self, poller: Poller, batch: Batch, ex: Execution, failed: dict[int, int]) -> None:
        """Each partition with a reported failure restarts at its lowest failed offset (decision)."""
        ok = [r for r in batch.records if r.offset < failed.get(r.partition, r.offset + 1)]
        rest = [r for r in batch.records if r.offset >= failed.get(r.partition, r.offset + 1)]
        self._ledger.amend(
            ex.request_id, outcome=Outcome.PARTIAL_FAILURE,
            failed_items=tuple(f"{self.topic.name}-{p}:{o}" for p, o in sorted(failed.items())),
            record_outcomes=tuple("success" if r.offset < failed.get(r.partition, r.offset + 1) else "failed"
                                  for r in batch.records))
        self._succeed(batch, ok)
        child = batch.child(rest, deeper=False)
        poller.pending[0] = child
        self._retry_or_discard(poller, child, ex, None)

    def _failed(self, poller: Poller, batch: Batch, ex: Execution, function_error: str | None) -> None:
        records = batch.records
        if function_error is not None and self.config.bisect_batch_on_function_error and len(records) >= 2:
            half = (len(records) + 1) // 2
            poller.pending.popleft()
            poller.pending.appendleft(batch.child(records[half:], deeper=True))
            first = batch.child(records[:half], deeper=True)
            poller.pending.appendleft(first)
            self._clock.call_at(self._clock.now_ns, self._deliver, poller, first, priority=1)
            return
        self._retry_or_discard(poller, batch, ex, function_error)

    def _retry_or_discard(self, poller: Poller, batch: Batch, ex: Execution, function_error: str | None) -> None:
        limit = self.config.retry_limit
        if limit != -1 and batch.retries >= limit:
            discard(self, batch, batch.records, None, ex, function_error)
            commit(self, batch.records)
            self._done(poller)
            return
        batch.retries += 1
        self._clock.call_at(self._clock.now_ns + retry_delay_ns(batch.retries), self._deliver, poller, batch,
                            priority=1)

    def _done(self, poller: Poller) -> None:
        poller.pending.popleft()
        if poller.pending:
            self._deliver(poller, poller.pending[0])
            return
        for p in poller.held:
            self._inflight[p] = False
        poller.held = ()
        poller.busy = False
        if poller not in self._pollers:
            return
        self._wake_all()

    # ---- offsets and fates -------------------------------------------------------------------
    def _settle(self, record: KafkaRecord, status: FateStatus, condition: str | None, attempts: int,
                destinations: tuple[str, ...] = ()) -> None:
        if self._ledger.status(record.event_id) is FateStatus.PENDING:
            self._ledger.settle(Fate(event_id=record.event_id, status=status, at_ns=self._clock.now_ns,
                                     condition=condition, destinations=destinations, attempts=attempts))

    def _succeed(self, batch: Batch, records: list[KafkaRecord]) -> None:
        succeed(self, batch, records)

    def _expire(self, records: list[KafkaRecord]) -> None:
        for record in records:
            self._settle(record, FateStatus.EXPIRED, EXPIRED_CONDITION, 0)

    def __repr__(self) -> str:
        return f"<KafkaEventSourceMapping {self.uuid} {self.topic.name} -> {self.function.name} {self.state}>"
