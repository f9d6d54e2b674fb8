"""The Amazon MQ event source mapping (ActiveMQ and RabbitMQ).

Lambda takes up to ``BatchSize`` messages (within 6 MB, waiting up to the batching window, 500 ms by
default), invokes the function and acknowledges the batch when the invocation succeeds. A failed
invocation rejects every message of the batch: each counts one redelivery (decision) and comes back
after 1 s, ActiveMQ's default redelivery delay; ActiveMQ moves a message redelivered more than 6 times
(Lambda's redelivery policy) to its DLQ, RabbitMQ requeues it until a quorum queue's delivery limit
dead-letters or drops it. At most 5 invocations of one ActiveMQ mapping run at once, 1 of a RabbitMQ
mapping. Filters see ``data`` only; a message they reject is acknowledged at once. There are no
retry controls, destinations or partial batch responses. AWS pages: "Using Lambda with Amazon MQ",
"Troubleshoot Amazon MQ event source mapping errors", "Filter events from an Amazon MQ event source".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, final

from lambdachaos.generators import _mq_wire as mq_wire  # type: ignore[import-not-found, unused-ignore]
from lambdachaos.ledger._ledger import Fate, FateStatus, Outcome, Path
from lambdachaos.service.mappings._common import (
    SYNC_PAYLOAD_LIMIT,
    FilterCriteriaInput,
    compile_filters,
    data_view,
    matches,
)
from lambdachaos.service.mappings._kafka_config import check_batching

if TYPE_CHECKING:
    from lambdachaos._clock import Timer
    from lambdachaos.resources._mq import BrokerMessage, BrokerQueue
    from lambdachaos.resources._patterns import EventPattern
    from lambdachaos.service.invoke._function import Function
    from lambdachaos.service.invoke._service import Execution, LambdaService

__all__ = ["MqEventSourceMapping", "MqMappingConfig"]

_NS: Final = 1_000_000_000
REDELIVERY_DELAY_NS: Final = _NS
"""ActiveMQ's default ``initialRedeliveryDelay`` (1,000 ms), used for both engines."""
CONCURRENCY: Final = {"activemq": 5, "rabbitmq": 1}
"""Execution environments per mapping (with-mq, "Concurrency")."""
MESSAGE_OVERHEAD: Final = 420


@final
@dataclass(frozen=True, kw_only=True, slots=True)
class MqMappingConfig:
    """``batch_size`` 1–10,000 (default 100); ``maximum_batching_window_in_seconds`` 0–300 or None for 500 ms;
    ``filter_criteria`` on ``data``."""

    batch_size: int = 100
    maximum_batching_window_in_seconds: int | None = None
    filter_criteria: FilterCriteriaInput = None
    enabled: bool = True
    patterns: tuple[EventPattern, ...] = field(init=False, repr=False, compare=False, default=())

    def __post_init__(self) -> None:
        check_batching(self.batch_size, self.maximum_batching_window_in_seconds)
        object.__setattr__(self, "patterns", compile_filters(self.filter_criteria))

    @property
    def window_ns(self) -> int:
        """The batching window in virtual nanoseconds (500 ms unless set)."""
        w = self.maximum_batching_window_in_seconds
        return _NS // 2 if w is None else w * _NS


@final
class MqEventSourceMapping:
    """One Amazon MQ event source mapping on one broker queue (``Queues`` holds exactly one)."""

    def __init__(self, service: LambdaService, queue: BrokerQueue, function: Function, config: MqMappingConfig,
                 *, qualifier: str | None = None) -> None:
        world = service.world
        self.service = service
        self.queue = queue
        self.broker = queue.broker
        self.function = function
        self.qualifier = qualifier
        self.config = config
        self.uuid = world.uuid("esm")
        """The mapping's ``UUID`` (also the consumer group's id)."""
        self.event_source_arn = queue.broker.arn
        self.state = "Enabled" if config.enabled else "Disabled"
        self.concurrency = CONCURRENCY[queue.broker.engine]
        self._world = world
        self._clock = world.clock
        self._ledger = service.ledger
        self._running = 0
        self._batches = 0
        self._timer: Timer | None = None
        self._window_end: int | None = None
        for message in queue.ready:
            self._ledger.open(message.event_id, message.sent_ns)
        self._opened = len(queue.history)
        self._unsubscribe = queue.on_records(self._on_records)
        self._wake()

    @property
    def enabled(self) -> bool:
        """True while the mapping reads."""
        return self.state == "Enabled"

    def disable(self) -> None:
        """Stop reading (batches in flight finish)."""
        self.state = "Disabled"

    def enable(self) -> None:
        """Resume reading."""
        self.state = "Enabled"
        self._wake()

    def _on_records(self, queue: object) -> None:
        history = self.queue.history
        for message in history[self._opened:]:
            self._ledger.open(message.event_id, message.sent_ns)
        self._opened = len(history)
        self._wake()

    def _wake(self) -> None:
        if self._timer is None and self.state == "Enabled" and self._running < self.concurrency and self.queue.ready:
            self._timer = self._clock.call_at(self._clock.now_ns, self._poll, priority=1)

    def _poll(self) -> None:
        self._timer = None
        if self.state != "Enabled" or self._running >= self.concurrency:
            return
        queue, config, clock = self.queue, self.config, self._clock
        patterns = config.patterns
        while patterns and queue.ready and not matches(patterns, {"data": data_view(
                queue.ready[0].data.decode("utf-8", "replace"))}):
            message = queue.ready.popleft()  # unmatched: acknowledged when filtered
            queue.ack(message)
            self._settle(message, FateStatus.FILTERED, "FilterCriteria", 0)
        ready = queue.ready
        if not ready:
            return
        if len(ready) < config.batch_size and config.window_ns:
            now = clock.now_ns
            if self._window_end is None:
                self._window_end = now + config.window_ns
            if now < self._window_end:
                self._timer = clock.call_at(self._window_end, self._poll, priority=1)
                return
        self._window_end = None
        batch: list[BrokerMessage] = []
        budget = SYNC_PAYLOAD_LIMIT - 200
        while ready and len(batch) < config.batch_size:
            message = ready[0]
            if patterns and not matches(patterns, {"data": data_view(message.data.decode("utf-8", "replace"))}):
                queue.ack(ready.popleft())
                self._settle(message, FateStatus.FILTERED, "FilterCriteria", 0)
                continue
            cost = MESSAGE_OVERHEAD + (len(message.data) + 2) // 3 * 4
            if cost > budget:
                if not batch:  # too large for any invocation: Lambda drops it (services-mq-errors)
                    queue.ack(ready.popleft())
                    self._settle(message, FateStatus.DROPPED, "MaximumPayloadSizeExceeded", 0)
                    continue
                break
            budget -= cost
            batch.append(ready.popleft())
        if batch:
            self._running += 1
            self._deliver(batch, 0)
        self._wake()

    def event(self, batch: list[BrokerMessage]) -> dict[str, Any]:
        """The invocation event: ActiveMQ ``messages`` or RabbitMQ ``rmqMessagesByQueue`` (the generators' wire
        shapes)."""
        world = self._world
        broker = self.broker
        if broker.engine == "activemq":
            out_ms = world.epoch_ms()
            return mq_wire.activemq_event([mq_wire.activemq_message(
                message_id=m.event_id, data=m.data, queue=m.queue.name, timestamp=world.epoch_ms(m.sent_ns),
                broker_in_time=world.epoch_ms(m.sent_ns), broker_out_time=out_ms, message_type=m.message_type,
                persistent=m.delivery_mode == 2, priority=m.priority, correlation_id=m.correlation_id,
                redelivered=m.redelivered, properties={k: str(v) for k, v in m.properties.items()},
            ) for m in batch], broker_arn=broker.arn)
        return mq_wire.rabbitmq_event({self.queue.key: [mq_wire.rabbitmq_message(
            data=m.data, timestamp=world.epoch_ms(m.sent_ns), headers=m.properties, content_type="text/plain",
            persistent=m.delivery_mode == 2, priority=m.priority, correlation_id=m.correlation_id,
            message_id=m.event_id, redelivered=m.redelivered,
        ) for m in batch]}, broker_arn=broker.arn)

    def _deliver(self, batch: list[BrokerMessage], throttles: int) -> None:
        service = self.service
        self._batches += 1
        batch_id = f"{self.uuid}:{self._batches}"
        ex = service.execute(
            self.function, self.qualifier, b"", path=Path.ESM, request_id=service.world.uuid(), event_id=batch_id,
            attempt=1 + max(m.redeliveries for m in batch), records=tuple(m.event_id for m in batch),
            source=self.event_source_arn, event=self.event(batch), batch_id=batch_id,
        )
        if ex.outcome is Outcome.THROTTLED or ex.outcome is Outcome.SYSTEM_ERROR:
            delay = min(12, 2 ** throttles) * _NS  # not counted as a redelivery
            self._clock.call_at(self._clock.now_ns + delay, self._deliver, batch, throttles + 1, priority=1)
            return
        self._clock.call_at(ex.end_ns, self._complete, batch, ex)

    def _complete(self, batch: list[BrokerMessage], ex: Execution) -> None:
        self._running -= 1
        queue = self.queue
        if not ex.failed:
            for m in batch:
                queue.ack(m)
                self._settle(m, FateStatus.SUCCEEDED, None, m.redeliveries + 1)
            self._wake()
            return
        back: list[BrokerMessage] = []
        for m in batch:
            target = queue.reject(m)
            if target is not None:
                self._settle(m, FateStatus.DEAD_LETTERED, f"maximumRedeliveries exceeded ({m.redeliveries - 1})"
                             if self.broker.engine == "activemq" else "delivery-limit exceeded", m.redeliveries,
                             (f"{target.broker.arn}:queue:{target.key}",))
            elif m.settled:
                self._settle(m, FateStatus.DROPPED, "delivery-limit exceeded", m.redeliveries)
            else:
                back.append(m)
        if back:  # rejected messages are at the head of the queue again; they come back after the delay
            for m in back:
                queue.ready.remove(m)
            self._clock.call_at(self._clock.now_ns + REDELIVERY_DELAY_NS, self._redeliver, back, priority=1)
        self._wake()

    def _redeliver(self, messages: list[BrokerMessage]) -> None:
        for m in reversed(messages):
            self.queue.requeue(m)
        self.queue._notify()

    def _settle(self, message: BrokerMessage, status: FateStatus, condition: str | None, attempts: int,
                destinations: tuple[str, ...] = ()) -> None:
        if self._ledger.status(message.event_id) is FateStatus.PENDING:
            self._ledger.settle(Fate(event_id=message.event_id, status=status, at_ns=self._clock.now_ns,
                                     condition=condition, destinations=destinations, attempts=attempts))

    def __repr__(self) -> str:
        return f"<MqEventSourceMapping {self.uuid} {self.queue.key} -> {self.function.name} {self.state}>"


def send_recorded(queue: BrokerQueue, event: dict[str, Any]) -> list[str]:
    """Send the messages of a recorded Lambda Amazon MQ event (ActiveMQ or RabbitMQ) to ``queue`` (replay);
    returns their ledger ids (new message ids, as a broker assigns on a new send)."""
    from base64 import b64decode

    if event.get("eventSource") == "aws:mq":
        messages = [(m.get("data", ""), m.get("properties") or {}, m.get("messageType", "jms/text-message"),
                     m.get("correlationId")) for m in event.get("messages") or []]
    elif event.get("eventSource") == "aws:rmq":
        messages = [(m.get("data", ""), {k: v if not isinstance(v, dict) else bytes(v.get("bytes", [])).decode(
            "utf-8", "replace") for k, v in ((m.get("basicProperties") or {}).get("headers") or {}).items()},
            "jms/text-message", (m.get("basicProperties") or {}).get("correlationId"))
            for ms in (event.get("rmqMessagesByQueue") or {}).values() for m in ms]
    else:
        raise ValueError("not a Lambda Amazon MQ event: eventSource is neither aws:mq nor aws:rmq")
    return [queue.send(b64decode(data), properties=props, message_type=kind, correlation_id=corr).event_id
            for data, props, kind, corr in messages]
