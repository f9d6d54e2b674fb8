"""An Amazon MQ broker (ActiveMQ or RabbitMQ) with queues, modelled natively on the virtual clock.

ActiveMQ: queues (virtual destinations are queues too), redelivery counted per message, and after the
redelivery policy's limit a message moves to the broker's dead-letter queue ``ActiveMQ.DLQ`` or to the
queue's own DLQ (ActiveMQ's individual dead-letter strategy). RabbitMQ: queues live in virtual hosts
(``/`` by default); a message that is rejected goes back to its queue, unless the queue is a quorum
queue with ``delivery_limit`` and the message has been delivered more often than that, when it is
dead-lettered to the queue's dead-letter exchange target (``dead_letter_queue``) or dropped. AWS pages:
"Using Lambda with Amazon MQ", "Troubleshoot Amazon MQ event source mapping errors"; ActiveMQ "Message
Redelivery and DLQ Handling"; RabbitMQ "Dead Letter Exchanges" and "Quorum Queues".
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final, Protocol, final

from lambdachaos._errors import ConfigError

if TYPE_CHECKING:
    from lambdachaos._world import World

ENGINES: Final = ("activemq", "rabbitmq")
ACTIVEMQ_DLQ: Final = "ActiveMQ.DLQ"
MESSAGE_TYPES: Final = ("jms/text-message", "jms/bytes-message")


class PutInterceptor(Protocol):
    """The simulated service's delivery-fault hook on one queue: called after each message is stored."""

    def after_put(self, queue: BrokerQueue, message: BrokerMessage) -> None: ...


@final
class BrokerMessage:
    """One message: body, properties (ActiveMQ) or headers (RabbitMQ), send time, deliveries and redeliveries."""

    __slots__ = (
        "correlation_id",
        "data",
        "deliveries",
        "delivery_mode",
        "event_id",
        "message_type",
        "priority",
        "properties",
        "queue",
        "redeliveries",
        "sent_ns",
        "settled",
    )

    def __init__(self, queue: BrokerQueue, event_id: str, data: bytes, properties: dict[str, Any],
                 message_type: str, correlation_id: str | None, priority: int, delivery_mode: int, sent_ns: int
                 ) -> None:
        self.queue = queue
        self.event_id = event_id
        """ActiveMQ's ``messageID`` / RabbitMQ's ``messageId``: also the message's ledger id."""
        self.data = data
        self.properties = properties
        self.message_type = message_type
        self.correlation_id = correlation_id
        self.priority = priority
        self.delivery_mode = delivery_mode
        self.sent_ns = sent_ns
        self.deliveries = 0
        self.redeliveries = 0
        self.settled = False

    @property
    def redelivered(self) -> bool:
        """The ``redelivered`` flag of the event: the message was delivered before."""
        return self.deliveries > 0

    def __repr__(self) -> str:
        return f"<BrokerMessage {self.event_id} redeliveries={self.redeliveries}>"


@final
class BrokerQueue:
    """A queue of a broker: ``send`` messages; consumers ``receive``, ``ack`` and ``reject`` them."""

    def __init__(self, broker: MqBroker, name: str, vhost: str, *, dead_letter_queue: BrokerQueue | None,
                 delivery_limit: int | None) -> None:
        self.broker = broker
        self.name = name
        self.vhost = vhost
        self.dead_letter_queue = dead_letter_queue
        """ActiveMQ: the queue's individual DLQ (else ``ActiveMQ.DLQ``); RabbitMQ: the dead-letter target."""
        self.delivery_limit = delivery_limit
        """RabbitMQ quorum queues: ``x-delivery-limit`` (None: messages are requeued without limit)."""
        self.ready: deque[BrokerMessage] = deque()
        self.dead_lettered: list[BrokerMessage] = []
        """Messages that arrived here as dead letters."""
        self.history: list[BrokerMessage] = []
        """Every message ever sent to this queue (dead letters included)."""
        self._listeners: list[Callable[[BrokerQueue], object]] = []
        self._interceptor: PutInterceptor | None = None

    @property
    def arn(self) -> str:
        """The broker's ARN (Lambda maps a queue through its broker's ARN)."""
        return self.broker.arn

    @property
    def key(self) -> str:
        """The queue's name in events: ``<queue>`` (ActiveMQ) or ``<queue>::<virtual host>`` (RabbitMQ)."""
        return self.name if self.broker.engine == "activemq" else f"{self.name}::{self.vhost}"

    def on_records(self, callback: Callable[[BrokerQueue], object]) -> Callable[[], None]:
        """Call ``callback(queue)`` whenever messages become ready; returns an unsubscribe function."""
        listeners = self._listeners
        listeners.append(callback)
        return lambda: listeners.remove(callback) if callback in listeners else None

    def _notify(self) -> None:
        for listener in tuple(self._listeners):
            listener(self)

    def _store(self, data: bytes | str, properties: Mapping[str, Any] | None, message_type: str,
               correlation_id: str | None, priority: int, message_id: str | None) -> BrokerMessage:
        raw = data.encode() if isinstance(data, str) else bytes(data)
        if message_type not in MESSAGE_TYPES:
            raise ConfigError(f"message_type={message_type!r}: Lambda reads only {' and '.join(MESSAGE_TYPES)}")
        broker = self.broker
        message = BrokerMessage(self, message_id or broker._next_id(), raw, dict(properties or {}), message_type,
                                correlation_id, priority, 2, broker.world.clock.now_ns)
        self.ready.append(message)
        self.history.append(message)
        if self._interceptor is not None:
            self._interceptor.after_put(self, message)
        return message

    def send(self, data: bytes | str, *, properties: Mapping[str, Any] | None = None,
             message_type: str = "jms/text-message", correlation_id: str | None = None, priority: int = 4,
             message_id: str | None = None) -> BrokerMessage:
        """Send one message (``properties``: ActiveMQ message properties or RabbitMQ headers)."""
        message = self._store(data, properties, message_type, correlation_id, priority, message_id)
        self._notify()
        return message

    def receive(self, limit: int) -> list[BrokerMessage]:
        """Take up to ``limit`` ready messages (they are in flight until acked or rejected)."""
        out: list[BrokerMessage] = []
        ready = self.ready
        while ready and len(out) < limit:
            out.append(ready.popleft())
        return out

    def ack(self, message: BrokerMessage) -> None:
        """Acknowledge: the message leaves the broker."""
        message.settled = True

    def reject(self, message: BrokerMessage) -> BrokerQueue | None:
        """A failed delivery: requeue the message (counting one redelivery), or dead-letter it.

        Returns the queue the message was dead-lettered to, or None when it was requeued (or, RabbitMQ with a
        delivery limit and no dead-letter target, dropped: then ``message.settled`` is True).
        """
        broker = self.broker
        message.deliveries += 1
        message.redeliveries += 1
        if broker.engine == "activemq":
            if message.redeliveries > broker.maximum_redeliveries:
                return self._dead_letter(message, self.dead_letter_queue or broker.queue(ACTIVEMQ_DLQ))
        elif self.delivery_limit is not None and message.deliveries > self.delivery_limit:
            if self.dead_letter_queue is None:
                message.settled = True
                return None
            return self._dead_letter(message, self.dead_letter_queue)
        self.ready.appendleft(message)
        return None

    def requeue(self, message: BrokerMessage) -> None:
        """Give a message back without counting a delivery (it never reached the function)."""
        self.ready.appendleft(message)

    def _dead_letter(self, message: BrokerMessage, target: BrokerQueue) -> BrokerQueue:
        message.settled = True
        copy = BrokerMessage(target, message.event_id, message.data, message.properties, message.message_type,
                             message.correlation_id, message.priority, message.delivery_mode, message.sent_ns)
        target.dead_lettered.append(copy)
        target.history.append(copy)
        return target

    def __repr__(self) -> str:
        return f"<BrokerQueue {self.key} ready={len(self.ready)}>"


@final
class MqBroker:
    """An Amazon MQ broker: ``engine`` ``activemq`` (redelivery limit ``maximum_redeliveries``, 6 as Lambda sets
    it) or ``rabbitmq`` (virtual hosts, quorum-queue delivery limits, dead-letter targets)."""

    def __init__(self, world: World, name: str, *, engine: str = "activemq", maximum_redeliveries: int = 6) -> None:
        if engine not in ENGINES:
            raise ConfigError(f"engine={engine!r}: EngineType must be ACTIVEMQ or RABBITMQ (give 'activemq' or "
                              "'rabbitmq')")
        if isinstance(maximum_redeliveries, bool) or not isinstance(maximum_redeliveries, int) or \
                maximum_redeliveries < 0:
            raise ConfigError(f"maximum_redeliveries={maximum_redeliveries!r} must be a non-negative integer")
        self.world = world
        self.name = name
        self.engine = engine
        self.broker_id = f"b-{world.uuid('mq')}"
        self.arn = world.arn("mq", f"broker:{name}:{self.broker_id}")
        """``BrokerArn``."""
        self.maximum_redeliveries = maximum_redeliveries
        """ActiveMQ's ``maximumRedeliveries``: Lambda's redelivery policy uses 6 (services-mq-errors)."""
        self.queues: dict[tuple[str, str], BrokerQueue] = {}
        self.on_queue: list[Callable[[BrokerQueue], object]] = []
        """Called with each new queue (the simulation registers it and watches it for delivery faults)."""
        self._count = 0
        port = 37000 + world.stream("mq").randrange(20000)
        self._session = f"ID:{self.broker_id}-1.mq.{world.region}.amazonaws.com-{port}-{world.epoch_ms()}-1"

    def _next_id(self) -> str:
        self._count += 1
        if self.engine == "activemq":
            return f"{self._session}:1:1:1:{self._count}"
        return f"{self.broker_id}-msg-{self._count}"

    def queue(self, name: str, *, vhost: str = "/", dead_letter_queue: BrokerQueue | None = None,
              delivery_limit: int | None = None) -> BrokerQueue:
        """The queue ``name`` (in virtual host ``vhost`` on RabbitMQ), created on first use."""
        if self.engine == "activemq" and (vhost != "/" or delivery_limit is not None):
            raise ConfigError(f"vhost={vhost!r}, delivery_limit={delivery_limit!r}: virtual hosts and delivery "
                              "limits are RabbitMQ settings; ActiveMQ uses the redelivery policy and its DLQ")
        existing = self.queues.get((vhost, name))
        if existing is not None:
            return existing
        if not name or len(name) > 255:
            raise ConfigError(f"name={name!r}: a queue name is 1 to 255 characters")
        if delivery_limit is not None and (isinstance(delivery_limit, bool) or not isinstance(delivery_limit, int)
                                           or delivery_limit < 1):
            raise ConfigError(f"delivery_limit={delivery_limit!r}: x-delivery-limit must be a positive integer")
        queue = self.queues[(vhost, name)] = BrokerQueue(self, name, vhost, dead_letter_queue=dead_letter_queue,
                                                         delivery_limit=delivery_limit)
        for hook in tuple(self.on_queue):
            hook(queue)
        return queue

    @property
    def event_source(self) -> str:
        """``aws:mq`` (ActiveMQ) or ``aws:rmq`` (RabbitMQ)."""
        return "aws:mq" if self.engine == "activemq" else "aws:rmq"

    def __repr__(self) -> str:
        return f"<MqBroker {self.name} {self.engine} queues={len(self.queues)}>"
