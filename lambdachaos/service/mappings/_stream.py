"""The Kinesis and DynamoDB Streams event source mapping (docs/aws-behaviour.md §6).

Each shard is read by ``ParallelizationFactor`` lanes; a record's lane is a hash of its partition key
(item key for DynamoDB), so records of one key are always delivered in order by one lane (the
per-key ordering rule of §6.2). A lane delivers one batch at a time. A failed batch blocks its lane
while it is retried (1 s doubling to 12 s, decision A8) until ``MaximumRetryAttempts`` or
``MaximumRecordAgeInSeconds``; throttles are retried without counting. ``BisectBatchOnFunctionError``
splits a failing batch into its first ``ceil(n/2)`` and the rest, the halves inheriting the retry
counter (A6, A7). A partial batch response checkpoints before the lowest reported sequence number
and retries the rest of the batch (A9); an unknown identifier fails the batch (A10). Discarded
records go to the on-failure destination with the ``KinesisBatchInfo`` / ``DDBStreamBatchInfo``
record of §6.6 (an S3 bucket gets it plus ``"payload"``, the failed invocation's whole event as a JSON
string, under ``aws/lambda/<UUID>/<shardId>/YYYY/MM/DD/…``). Every record gets one fate.
"""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING, Any, Final, final

from lambdachaos.generators import dynamodb_streams as ddb_records  # type: ignore[import-not-found, unused-ignore]
from lambdachaos.generators import kinesis as kinesis_records  # type: ignore[import-not-found, unused-ignore]
from lambdachaos.ledger._ledger import FateStatus, Outcome, Path
from lambdachaos.service.mappings._common import (
    INVALID_RESPONSE,
    REPORT_BATCH_ITEM_FAILURES,
    data_view,
    matches,
    parse_batch_response,
)
from lambdachaos.service.mappings._stream_config import (
    DYNAMODB,
    KINESIS,
    RECORD_AGE_EXCEEDED,
    RETRY_ATTEMPTS_EXHAUSTED,
    StreamMappingConfig,
    decode_data,
    retry_delay_ns,
    stream_kind,
)
from lambdachaos.service.mappings._stream_fates import StreamFates
from lambdachaos.service.mappings._stream_lanes import Lane, Sub
from lambdachaos.service.mappings._stream_window import TumblingWindows, Window

if TYPE_CHECKING:
    from collections.abc import Callable

    from lambdachaos.resources._dynamodb_streams import ChangeRecord, DynamoDBTable
    from lambdachaos.resources._kinesis import KinesisStream, StreamRecord
    from lambdachaos.service.invoke._function import Function
    from lambdachaos.service.invoke._service import Execution, LambdaService

__all__ = ["StreamEventSourceMapping", "StreamMappingConfig", "decode_data", "stream_kind"]

_NS: Final = 1_000_000_000


@final
class StreamEventSourceMapping(StreamFates):
    """One Kinesis or DynamoDB Streams event source mapping (docs/aws-behaviour.md §6).

    ``iterator_ages`` lists ``(virtual seconds, shard id, IteratorAge ms)`` for every batch read.
    """

    def __init__(self, service: LambdaService, source: KinesisStream | DynamoDBTable, function: Function,
                 config: StreamMappingConfig, *, qualifier: str | None = None,
                 resolve: Callable[[str], object | None] = lambda arn: None) -> None:
        world = service.world
        self.service = service
        self.source = source
        self.function = function
        self.qualifier = qualifier
        self.config = config
        self.kind = config.kind
        self.uuid = world.uuid("esm")
        """The mapping's ``UUID``."""
        self.event_source_arn: str = getattr(source, "stream_arn", source.arn)
        """``EventSourceArn``: the stream ARN."""
        self.function_arn = function.arn if qualifier is None else f"{function.arn}:{qualifier}"
        """``FunctionArn`` as the on-failure record shows it (unqualified unless the mapping targets a qualifier)."""
        self.state = "Enabled" if config.enabled else "Disabled"
        self.iterator_ages: list[tuple[float, str, int]] = []
        self._world = world
        self._clock = world.clock
        self._ledger = service.ledger
        self._status_of = service.ledger.status
        self._resolve = resolve
        self._rbif = REPORT_BATCH_ITEM_FAILURES in config.function_response_types
        self._batches = 0
        self._role = f"arn:{world.partition}:iam::{world.account_id}:role/lambda-{function.name}-role"
        self._windows = (TumblingWindows(world, config.tumbling_window_in_seconds, self.event_source_arn)
                         if config.tumbling_window_in_seconds else None)
        self._lanes: dict[int, list[Lane]] = {}
        self._opened: dict[int, int] = {}
        source.trim()
        for shard in source.shards:
            start = self._start_position(shard)
            self._lanes[shard.index] = [Lane(shard, i, start) for i in range(config.parallelization_factor)]
            self._opened[shard.index] = start
        self._unsubscribe = source.on_records(self._on_records)
        self._on_records(source)

    def _start_position(self, shard: Any) -> int:
        position = self.config.starting_position
        if position == "LATEST":
            return len(shard.records)
        if position == "AT_TIMESTAMP":
            at = round((self.config.starting_position_timestamp or 0.0) * _NS)
            return next((i for i, r in enumerate(shard.records) if r.arrival_ns >= at and i >= shard.trimmed),
                        len(shard.records))
        return int(shard.trimmed)

    # ---- control ------------------------------------------------------------------------------
    def disable(self) -> None:
        """Stop reading (batches in flight finish)."""
        self.state = "Disabled"

    def enable(self) -> None:
        """Resume reading."""
        self.state = "Enabled"
        self._on_records(self.source)
        for lanes in self._lanes.values():
            for lane in lanes:
                self._wake(lane)

    # ---- reading ------------------------------------------------------------------------------
    def _on_records(self, source: object) -> None:
        ledger = self._ledger
        for shard in self.source.shards:
            records = shard.records
            start = self._opened[shard.index]
            if start == len(records):
                continue
            for i in range(start, len(records)):
                ledger.open(records[i].event_id, records[i].arrival_ns)
            self._opened[shard.index] = len(records)
            for lane in self._lanes[shard.index]:
                self._wake(lane)

    def _wake(self, lane: Lane) -> None:
        if lane.busy or lane.timer is not None or self.state != "Enabled":
            return
        now = self._clock.now_ns
        at = now
        if lane.last_poll is not None:
            at = max(now, lane.last_poll + self.kind.poll_interval_ns)
        lane.timer = self._clock.call_at(at, self._poll, lane, priority=1)

    def _lane_of(self, record: StreamRecord | ChangeRecord) -> int:
        return zlib.crc32(record.partition_key.encode()) % self.config.parallelization_factor

    def _poll(self, lane: Lane) -> None:
        lane.timer = None
        now = self._clock.now_ns
        lane.last_poll = now
        if lane.busy or self.state != "Enabled":
            return
        shard = lane.shard
        self.source.trim()
        records = shard.records
        if lane.pos < shard.trimmed:
            self._expire([r for r in records[lane.pos:shard.trimmed] if self._mine(lane, r)], None)
            lane.pos = shard.trimmed
        config = self.config
        size = config.batch_size
        patterns = config.patterns
        split = config.parallelization_factor > 1
        windows = self._windows
        batch: list[Any] = []
        i = lane.pos
        while i < len(records) and len(batch) < size:
            record = records[i]
            i += 1
            if split and self._lane_of(record) != lane.index:
                continue
            if windows is not None and batch and windows.bounds(record.arrival_ns) != windows.bounds(
                    batch[0].arrival_ns):
                i -= 1  # §6.7: a batch never spans two windows
                break
            if patterns and not matches(patterns, self._view(record)):
                self._settle(record, FateStatus.FILTERED, "FilterCriteria", 0)
                continue
            batch.append(record)
        if not batch:
            lane.pos = i
            return
        window = config.maximum_batching_window_in_seconds
        if window and len(batch) < size:
            if lane.window_end is None:
                lane.window_end = now + window * _NS
            if now < lane.window_end:
                lane.timer = self._clock.call_at(lane.window_end, self._poll, lane, priority=1)
                return
        lane.window_end = None
        lane.pos = i
        self.iterator_ages.append((now / _NS, shard.shard_id, (now - batch[0].arrival_ns) // 1_000_000))
        sub = Sub(batch)
        if windows is not None:
            self._enter_window(lane, sub, windows)
        lane.pending.append(sub)
        lane.busy = True
        self._deliver(lane, lane.pending[0])

    # ---- tumbling windows (§6.7) --------------------------------------------------------------
    def _enter_window(self, lane: Lane, sub: Sub, windows: TumblingWindows) -> None:
        """Put ``sub`` in its window; a window it leaves behind gets its final invocation first."""
        previous = windows.open.get(lane.shard.index)
        window = windows.window_for(lane.shard.index, sub.records[0].arrival_ns)
        sub.window = window
        if window is previous:
            return
        if previous is not None and not previous.closing:
            previous.closing = True
            lane.pending.append(Sub([], window=previous, final=True))
        self._clock.call_at(max(window.end_ns, self._clock.now_ns), self._close_window, lane, window, priority=1)

    def _close_window(self, lane: Lane, window: Window) -> None:
        if window.closing or window.finished or self.state != "Enabled":
            return
        if lane.busy:  # the final invocation waits for the batch in flight
            self._clock.call_at(self._clock.now_ns + self.kind.poll_interval_ns, self._close_window, lane, window,
                                priority=1)
            return
        window.closing = True
        final = Sub([], window=window, final=True)
        lane.pending.append(final)
        lane.busy = True
        self._deliver(lane, final)

    def _window_result(self, lane: Lane, sub: Sub, ex: Execution) -> bool:
        """Apply §6.7 to a finished invocation; True when that settled it."""
        windows, window = self._windows, sub.window
        assert windows is not None and window is not None
        ok = not ex.failed and windows.take_state(window, ex.payload)
        if sub.final:
            if ok:
                windows.finish(window)
                self._done(lane)
            else:  # processing pauses until the final invocation succeeds
                sub.retries += 1
                self._clock.call_at(self._clock.now_ns + retry_delay_ns(sub.retries), self._deliver, lane, sub,
                                    priority=1)
            return True
        if not ok:  # a response without state is a failed invocation
            self._failed(lane, sub, ex, "Unhandled" if ex.failed else None)
            return True
        if window.terminated_early and not window.closing:
            window.closing = True
            lane.pending.insert(1, Sub([], window=window, final=True))
        return False

    def _mine(self, lane: Lane, record: Any) -> bool:
        return self.config.parallelization_factor == 1 or self._lane_of(record) == lane.index

    def _view(self, record: Any) -> dict[str, Any]:
        rendered = self._render(record)
        if self.kind is KINESIS:
            view = dict(rendered["kinesis"])
            view["data"] = data_view(record.data.decode("utf-8", "replace"))
            return view
        return rendered

    def _render(self, record: Any) -> dict[str, Any]:
        world = self._world
        out: dict[str, Any]
        if self.kind is DYNAMODB:
            out = ddb_records.record(
                event_name=record.event_name, stream_view_type=self.source.stream_view_type,  # type: ignore[union-attr]
                keys=record.keys, new_image=record.new_image or {}, old_image=record.old_image or {},
                event_id=record.event_id, sequence_number=record.sequence_number, stream_arn=self.event_source_arn,
                approximate_creation_date_time=(world.epoch_ns + record.arrival_ns) // _NS,
                region=world.region, account_id=world.account_id, ttl_delete=record.ttl,
            )
            return out
        out = kinesis_records.record(
            data=record.data, partition_key=record.partition_key, sequence_number=record.sequence_number,
            shard_id=record.shard.shard_id, approximate_arrival_timestamp=world.epoch_s(record.arrival_ns),
            stream_arn=self.event_source_arn, region=world.region, account_id=world.account_id,
            invoke_identity_arn=self._role,
        )
        return out

    # ---- delivering ---------------------------------------------------------------------------
    def _deliver(self, lane: Lane, sub: Sub) -> None:
        clock = self._clock
        now = clock.now_ns
        retention = self.source.retention_period_hours * 3600 * _NS
        cut = 0
        while cut < len(sub.records) and now - sub.records[cut].arrival_ns >= retention:
            cut += 1
        if cut:
            self._expire(sub.records[:cut], None)
            sub.records = sub.records[cut:]
        max_age = self.config.maximum_record_age_in_seconds
        if max_age != -1 and sub.records:
            limit = max_age * _NS
            cut = 0
            while cut < len(sub.records) and now - sub.records[cut].arrival_ns >= limit:
                cut += 1
            if cut:
                self._discard(sub, sub.records[:cut], RECORD_AGE_EXCEEDED, None, None, None)
                sub.records = sub.records[cut:]
        if not sub.records and not sub.final:
            self._done(lane)
            return
        service = self.service
        self._batches += 1
        batch_id = f"{self.uuid}:{self._batches}"
        request_id = service.world.uuid()
        render = self._render
        records = [render(r) for r in sub.records]
        windows = self._windows
        event = {"Records": records} if windows is None or sub.window is None else windows.event(
            sub.window, lane.shard.shard_id, records, final=sub.final)
        sub.event = event
        ex = service.execute(
            self.function, self.qualifier, b"", path=Path.ESM, request_id=request_id, event_id=batch_id,
            attempt=sub.retries + 1, records=tuple(r.event_id for r in sub.records), source=self.event_source_arn,
            event=event, batch_id=batch_id, bisect_depth=sub.depth,
        )
        if ex.outcome is Outcome.THROTTLED or ex.outcome is Outcome.SYSTEM_ERROR:
            sub.throttles += 1  # §6.3: not counted toward MaximumRetryAttempts
            clock.call_at(now + retry_delay_ns(sub.throttles), self._deliver, lane, sub, priority=1)
            return
        sub.invokes += 1
        clock.call_at(ex.end_ns, self._complete, lane, sub, ex)

    def _complete(self, lane: Lane, sub: Sub, ex: Execution) -> None:
        if sub.window is not None and self._window_result(lane, sub, ex):
            return
        if ex.failed:
            self._failed(lane, sub, ex, "Unhandled")
            return
        if self._rbif:
            ids = {self._sequence(r): i for i, r in enumerate(sub.records)}
            response = parse_batch_response(ex.payload, ids)
            if response.complete_failure:
                self._ledger.amend(ex.request_id, record_outcomes=("failed",) * len(ids), reason=INVALID_RESPONSE)
                self._failed(lane, sub, ex, None)
                return
            if response.failed:
                first = min(ids[s] for s in response.failed)
                reported = set(response.failed)
                self._ledger.amend(
                    ex.request_id, outcome=Outcome.PARTIAL_FAILURE, failed_items=response.failed,
                    checkpoint=self._sequence(sub.records[first]),
                    record_outcomes=tuple("success" if i < first else "failed" if s in reported else "not_checkpointed"
                                          for s, i in ids.items()))
                self._succeed(sub, sub.records[:first])
                rest = sub.child(sub.records[first:], deeper=False)
                lane.pending[0] = rest
                self._retry_or_discard(lane, rest, ex, None)
                return
        self._succeed(sub, sub.records)
        self._done(lane)

    def _failed(self, lane: Lane, sub: Sub, ex: Execution, function_error: str | None) -> None:
        records = sub.records
        if function_error is not None and self.config.bisect_batch_on_function_error and len(records) >= 2:
            half = (len(records) + 1) // 2  # A7: first ceil(n/2), then the rest; A6: the counter is inherited
            lane.pending.popleft()
            lane.pending.appendleft(sub.child(records[half:], deeper=True))
            first = sub.child(records[:half], deeper=True)
            lane.pending.appendleft(first)
            self._clock.call_at(self._clock.now_ns, self._deliver, lane, first, priority=1)
            return
        self._retry_or_discard(lane, sub, ex, function_error)

    def _retry_or_discard(self, lane: Lane, sub: Sub, ex: Execution, function_error: str | None) -> None:
        limit = self.config.maximum_retry_attempts
        if limit != -1 and sub.retries >= limit:
            self._discard(sub, sub.records, RETRY_ATTEMPTS_EXHAUSTED, ex, function_error, ex.request_id)
            self._done(lane)
            return
        sub.retries += 1
        self._clock.call_at(self._clock.now_ns + retry_delay_ns(sub.retries), self._deliver, lane, sub, priority=1)

    def _done(self, lane: Lane) -> None:
        lane.pending.popleft()
        if lane.pending:
            self._deliver(lane, lane.pending[0])
            return
        lane.busy = False
        lane.last_poll = None
        self._wake(lane)

    def __repr__(self) -> str:
        return f"<StreamEventSourceMapping {self.uuid} {self.event_source_arn} -> {self.function.name} {self.state}>"
