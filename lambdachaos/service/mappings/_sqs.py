"""The SQS event source mapping, standard and FIFO (docs/aws-behaviour.md §5, filtering §10).

Pollers receive messages, drop the ones the filter criteria reject (deleting them), gather a batch
(full, window elapsed, or 6 MB) and invoke the function synchronously with ``{"Records": [...]}``.
Success deletes the batch; a function error leaves it in flight, so it reappears when its visibility
timeout ends, with ``ApproximateReceiveCount`` one higher, until the queue's redrive policy moves it
to the queue's dead-letter queue. Partial batch responses are read per §5.3. Concurrency starts at 5
batches and grows by 300 per minute up to 1,250 (and ``ScalingConfig.MaximumConcurrency``); a batch
that fails with a function error halves it (not below 5) unless ``ReportBatchItemFailures`` is on
(the decision is documented at ``SCALE_DOWN_FLOOR``); FIFO ordering and group blocking come from the
queue itself. AWS page: "Using Lambda with Amazon SQS".
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Sequence
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Final, final

from lambdachaos._clock import NS_PER_SECOND
from lambdachaos.ledger._ledger import Delivery, Fate, FateStatus, Outcome, Path
from lambdachaos.resources._sqs_message import QueueMessage, ReceivedMessage
from lambdachaos.service.invoke._errors import InvalidParameterValueError
from lambdachaos.service.invoke._recursion import is_stopped, tracker
from lambdachaos.service.mappings._common import (
    INVALID_RESPONSE,
    REPORT_BATCH_ITEM_FAILURES,
    SYNC_PAYLOAD_LIMIT,
    VisibilityTimeoutWarning,
    data_view,
    matches,
    parse_batch_response,
)
from lambdachaos.service.mappings._sqs_config import (
    BATCH_SIZE_DEFAULT,
    INITIAL_CONCURRENCY,
    MAX_CONCURRENCY_PER_MAPPING,
    SCALE_DOWN_FLOOR,
    SCALE_UP_PER_MINUTE,
    VISIBILITY_GUIDANCE_FACTOR,
    SqsMappingConfig,
)
from lambdachaos.service.mappings._sqs_records import Batch, exact_size, render_many

if TYPE_CHECKING:
    from lambdachaos._clock import Timer
    from lambdachaos.resources._patterns import EventPattern
    from lambdachaos.resources._sqs import Queue
    from lambdachaos.service.invoke._function import Function
    from lambdachaos.service.invoke._service import Execution, LambdaService

__all__ = ["BATCH_SIZE_DEFAULT", "SqsEventSourceMapping", "SqsMappingConfig"]

_RECEIVE_MAX: Final = 10
_RECEIVED_NS: Final = attrgetter("message._received_ns")
_RECORD_OVERHEAD: Final = 1_024  # generous bound on a record's JSON besides body and attributes


@final
class SqsEventSourceMapping:
    """One SQS event source mapping: polls ``queue`` and invokes ``function`` (docs/aws-behaviour.md §5).

    Every message sent to the queue gets a fate in the ledger: ``succeeded`` when the mapping deleted
    it, ``filtered`` when the filter criteria dropped it, ``dead_lettered`` (with the queue DLQ's ARN
    and a ``queue_dlq`` delivery) when the redrive policy moved it, ``pending`` while it is still queued.
    """

    def __init__(
        self, service: LambdaService, queue: Queue, function: Function, config: SqsMappingConfig,
        *, qualifier: str | None = None,
    ) -> None:
        world = service.world
        timeout = function.config.timeout
        visibility = queue.config.visibility_timeout
        if visibility < timeout:
            raise InvalidParameterValueError(
                f"Queue visibility timeout: {visibility} seconds is less than Function timeout: {timeout:g} seconds"
            )
        window = config.maximum_batching_window_in_seconds
        if visibility < VISIBILITY_GUIDANCE_FACTOR * timeout + window:
            warnings.warn(
                f"queue {queue.name!r} has VisibilityTimeout={visibility} s; AWS advises at least "
                f"{VISIBILITY_GUIDANCE_FACTOR} x the function timeout ({timeout:g} s) plus the batching window "
                f"({window} s) = {VISIBILITY_GUIDANCE_FACTOR * timeout + window:g} s, so retries of throttled "
                "batches fit; raise visibility_timeout on the queue",
                VisibilityTimeoutWarning, stacklevel=3,
            )
        self.service = service
        self.queue = queue
        self.function = function
        self.qualifier = qualifier
        self.config = config
        self.uuid = world.uuid("esm")
        """The mapping's ``UUID``."""
        self.event_source_arn = queue.arn
        """``EventSourceArn``."""
        self.function_arn = function.arn if qualifier is None else f"{function.arn}:{qualifier}"
        """``FunctionArn`` (qualified when the mapping targets a version or alias)."""
        self.state = "Enabled" if config.enabled else "Disabled"
        """``State``: ``Enabled`` or ``Disabled``."""
        self.invocations = 0
        """Invocations started (throttled ones excluded)."""
        self._clock = world.clock
        self._ledger = service.ledger
        self._stamp = tracker(service).stamp_many
        self._epoch_ns = world.epoch_ns
        self._region = world.region
        self._account = world.account_id
        self._rbif = REPORT_BATCH_ITEM_FAILURES in config.function_response_types
        self._in_flight = 0
        self._busy_since: int | None = None
        self._scale_base = INITIAL_CONCURRENCY
        self.scale_downs: list[tuple[float, int]] = []
        """``(virtual seconds, new concurrency limit)`` for every scale-down after a function error."""
        self._poll_timer: Timer | None = None
        self._window_timer: Timer | None = None
        self._buffer: list[tuple[ReceivedMessage, dict[str, Any], int]] = []
        self._buffer_size = 0
        self._window_end = 0
        self._batches = 0
        self._unsubscribe = [queue.on_visible(self._on_visible), queue._on_sends(self._on_sends),
                             queue.on_redrive(self._on_redrive), queue.on_expire(self._on_expire)]
        # Every message already in the queue is a record of this simulation too.
        for msg in queue.messages:
            self._on_sends((msg,))
        if service.injector is not None:
            service.injector.watch(queue)
        if config.enabled:
            self._wake()

    # ---- control ------------------------------------------------------------------------------
    def disable(self) -> None:
        """``UpdateEventSourceMapping(Enabled=False)``: stop polling (batches in flight finish)."""
        self.state = "Disabled"

    def enable(self) -> None:
        """``UpdateEventSourceMapping(Enabled=True)``: resume polling."""
        self.state = "Enabled"
        self._wake()

    def delete(self) -> None:
        """``DeleteEventSourceMapping``: stop polling for good."""
        self.state = "Disabled"
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []

    # ---- listeners ----------------------------------------------------------------------------
    def _on_sends(self, msgs: Sequence[QueueMessage]) -> None:
        # A message's fate opens when it is sent (delayed messages included), pending until settled; the
        # messages of one send or send_many were sent at the same instant.
        ids = [msg._message_id for msg in msgs]
        self._ledger.open_many(ids, msgs[0]._sent_ns)
        self._stamp(ids)  # §4.6: a message sent from a handler joins its chain

    def _on_visible(self, _queue: Queue) -> None:
        if self._poll_timer is None:
            self._wake()

    def _on_redrive(self, msg: QueueMessage, dlq: Queue) -> None:
        message_id = msg._message_id
        ledger = self._ledger
        if ledger.mode == "full" and ledger.get_fate(message_id) is None:
            return
        now = self._clock.now_ns
        ledger.add_delivery(Delivery(
            seq=ledger.next_seq(), kind="queue_dlq", target=dlq.arn, event_id=message_id, at_ns=now,
            condition="maxReceiveCount", message_id=message_id,
        ))
        ledger.settle_copy_dead_lettered(Fate(event_id=message_id, status=FateStatus.DEAD_LETTERED, at_ns=now,
                           condition="maxReceiveCount", destinations=(dlq.arn,), attempts=msg._receive_count))

    def _on_expire(self, msg: QueueMessage) -> None:
        # Expiry is applied lazily; the fate carries the instant the retention period ended.
        if self._is_pending(msg._message_id):
            at = msg._enqueued_ns + self.queue.config.message_retention_period * NS_PER_SECOND
            self._ledger.settle(Fate(event_id=msg._message_id, status=FateStatus.DROPPED, at_ns=at,
                                     condition="MessageRetentionPeriod", attempts=msg._receive_count))

    def _is_pending(self, message_id: str) -> bool:
        return self._ledger.status(message_id) is FateStatus.PENDING

    def _wake(self) -> None:
        if self._poll_timer is None and self.state == "Enabled":
            self._poll_timer = self._clock.call_at(self._clock.now_ns, self._poll, priority=1)

    # ---- polling ------------------------------------------------------------------------------
    def _limit(self, now: int) -> int:
        if self._busy_since is None:
            self._busy_since = now
            self._scale_base = INITIAL_CONCURRENCY
        grown = self._scale_base + (now - self._busy_since) * SCALE_UP_PER_MINUTE // (60 * NS_PER_SECOND)
        limit = min(MAX_CONCURRENCY_PER_MAPPING, grown)
        cap = self.config.maximum_concurrency
        return limit if cap is None else min(limit, cap)

    def _poll(self) -> None:
        self._poll_timer = None
        if self.state != "Enabled":
            return
        now = self._clock.now_ns
        while self._in_flight < self._limit(now):
            batch = self._gather(now)
            if batch is None:
                break
            self._in_flight += 1
            self._invoke(batch)
        if self._in_flight == 0 and not self._buffer:
            self._busy_since = None

    def _gather(self, now: int) -> Batch | None:
        """Fill the buffer from the queue; return a batch when one is due (full, 6 MB, or window over)."""
        config = self.config
        size = config.batch_size
        buffer = self._buffer
        queue = self.queue
        patterns = config.patterns
        if not buffer and not patterns and size <= _RECEIVE_MAX and not config.maximum_batching_window_in_seconds:
            # The common case (no window, no filters, at most 10 messages): one receive is one batch.
            got = queue.receive(size)
            if not got:
                return None
            arn, region, account, epoch = self.event_source_arn, self._region, self._account, self._epoch_ns
            records = render_many(got, arn, region, account, epoch)
            if sum(len(rm.message._body) for rm in got) * 2 + _RECORD_OVERHEAD * size < SYNC_PAYLOAD_LIMIT:
                return Batch(got, records, now + queue.config.visibility_timeout * NS_PER_SECOND)
            self._buffer_size = 0
            for rm, record in zip(got, records, strict=True):
                estimate = exact_size(record)
                buffer.append((rm, record, estimate))
                self._buffer_size += estimate
            return self._take_batch(now)
        full = False
        arn, region, account, epoch = self.event_source_arn, self._region, self._account, self._epoch_ns
        more = True
        while more and len(buffer) < size and not full:
            wanted = min(_RECEIVE_MAX, size - len(buffer))
            got = queue.receive(wanted)
            # Fewer than asked: nothing else is receivable at this instant, so another receive would be empty.
            more = len(got) == wanted
            for rm, record in zip(got, render_many(got, arn, region, account, epoch), strict=True):
                if patterns and not self._passes(rm, record, patterns):
                    continue
                msg = rm.message
                estimate = 2 * len(msg._body) + _RECORD_OVERHEAD
                if msg._message_attributes:
                    estimate += 2 * len(json.dumps(record["messageAttributes"]))
                if self._buffer_size + estimate > SYNC_PAYLOAD_LIMIT - 64:
                    # The cheap upper bounds say the batch may be near 6 MB: measure exactly.
                    self._measure_buffer()
                    estimate = exact_size(record)
                    if buffer and self._buffer_size + estimate > SYNC_PAYLOAD_LIMIT - 64:
                        full = True
                if not buffer and config.maximum_batching_window_in_seconds:
                    self._window_end = now + config.maximum_batching_window_in_seconds * NS_PER_SECOND
                buffer.append((rm, record, estimate))
                self._buffer_size += estimate
        if not buffer:
            return None
        window = config.maximum_batching_window_in_seconds
        if not full and len(buffer) < size and window and now < self._window_end:
            if self._window_timer is None:
                self._window_timer = self._clock.call_at(self._window_end, self._on_window, priority=1)
            return None
        return self._take_batch(now)

    def _measure_buffer(self) -> None:
        buffer = self._buffer
        for i, (rm, record, _) in enumerate(buffer):
            buffer[i] = (rm, record, exact_size(record))
        self._buffer_size = sum(est for _, _, est in buffer)

    def _on_window(self) -> None:
        self._window_timer = None
        self._wake()

    def _take_batch(self, now: int) -> Batch:
        buffer = self._buffer
        if self._buffer_size <= SYNC_PAYLOAD_LIMIT - 64:  # the whole buffer fits
            chosen, buffer = buffer, []
            self._buffer, self._buffer_size = buffer, 0
        else:
            taken = total = 0
            for _, _, est in buffer:
                if taken and total + est > SYNC_PAYLOAD_LIMIT - 64:
                    break
                total += est
                taken += 1
            chosen = buffer[:taken]
            del buffer[:taken]
            self._buffer_size -= total
        if self._window_timer is not None and not buffer:
            self._window_timer.cancel()
            self._window_timer = None
        if buffer and self.config.maximum_batching_window_in_seconds:
            self._window_end = now + self.config.maximum_batching_window_in_seconds * NS_PER_SECOND
        visibility = self.queue.config.visibility_timeout * NS_PER_SECOND
        messages = [c[0] for c in chosen]
        return Batch(messages, [c[1] for c in chosen], min(map(_RECEIVED_NS, messages)) + visibility)

    def _passes(self, rm: ReceivedMessage, record: dict[str, Any], patterns: tuple[EventPattern, ...]) -> bool:
        view = dict(record)
        view["body"] = data_view(record["body"])
        if matches(patterns, view):
            return True
        # AWS deletes a message its filters reject: it is never invoked and never redriven (§5.6).
        self.queue.delete(rm.receipt_handle)
        if self._is_pending(rm.message_id):
            self._ledger.settle(Fate(event_id=rm.message_id, status=FateStatus.FILTERED,
                                     at_ns=self._clock.now_ns, condition="FilterCriteria"))
        return False

    # ---- invoking -----------------------------------------------------------------------------
    def _invoke(self, batch: Batch) -> None:
        service = self.service
        self._batches += 1
        batch_id = f"{self.uuid}:{self._batches}"
        ex = service.execute(
            self.function, self.qualifier, b"", path=Path.ESM, request_id=service.world.uuid(),
            event_id=batch_id, attempt=max(rm.receive_count for rm in batch.messages), records=batch.ids,
            source=self.queue.arn, event={"Records": batch.records}, batch_id=batch_id,
        )
        clock = self._clock
        if is_stopped(ex):  # §4.6: RecursiveInvocationException; the messages reappear after the visibility timeout
            self._in_flight -= 1
            return
        if ex.outcome is Outcome.THROTTLED or ex.outcome is Outcome.SYSTEM_ERROR:
            # §5.3: Lambda backs off and retries the invoke until the messages' visibility timeout
            # ends; then it lets go and the messages reappear (their receive count already grew).
            delay = min(2 ** batch.throttles, 60) * NS_PER_SECOND
            batch.throttles += 1
            if clock.now_ns + delay < batch.deadline_ns:
                clock.call_at(clock.now_ns + delay, self._retry_throttled, batch, priority=1)
            else:
                self._in_flight -= 1
            return
        self.invocations += 1
        clock.call_at(ex.end_ns, self._complete, batch, ex)

    def _retry_throttled(self, batch: Batch) -> None:
        self._invoke(batch)

    def _scale_down(self) -> None:
        """§5.3: after a function error Lambda polls less; halve the limit, growth restarts from there."""
        now = self._clock.now_ns
        self._scale_base = max(SCALE_DOWN_FLOOR, self._limit(now) // 2)
        self._busy_since = now
        self.scale_downs.append((now / NS_PER_SECOND, self._scale_base))

    def _complete(self, batch: Batch, ex: Execution) -> None:
        self._in_flight -= 1
        if ex.failed and not self._rbif:
            self._scale_down()
        if not ex.failed:
            failed: Sequence[str] = ()
            if self._rbif:
                response = parse_batch_response(ex.payload, frozenset(batch.ids))
                if response.complete_failure:
                    self._ledger.amend(ex.request_id, record_outcomes=("failed",) * len(batch.ids),
                                       reason=INVALID_RESPONSE)
                    self._wake()
                    return
                failed = response.failed
                if failed:
                    self._ledger.amend(ex.request_id, outcome=Outcome.PARTIAL_FAILURE, failed_items=tuple(failed),
                                       record_outcomes=tuple("failed" if i in failed else "success"
                                                             for i in batch.ids))
            self._delete(batch, frozenset(failed))
        self._wake()

    def _delete(self, batch: Batch, failed: frozenset[str]) -> None:
        # A superseded receipt handle deletes nothing (the message is being processed again).
        self._ledger.settle_pending_succeeded(self.queue._delete_batch(batch.messages, failed), self._clock.now_ns)

    def __repr__(self) -> str:
        return (f"<SqsEventSourceMapping {self.uuid} {self.queue.name} -> {self.function.name} {self.state} "
                f"in_flight={self._in_flight} invocations={self.invocations}>")

