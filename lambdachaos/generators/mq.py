"""Amazon MQ events as Lambda's event source mapping delivers them: ActiveMQ and RabbitMQ brokers.

AWS page: "Using Lambda with Amazon MQ". ActiveMQ events (``eventSource`` ``aws:mq``) hold a ``messages``
list; each message has a JMS ``messageID`` naming the broker host, ``messageType`` ``jms/text-message`` (or
``jms/bytes-message``), base64 ``data``, ``destination.physicalName`` (the queue) and ``timestamp``,
``brokerInTime`` and ``brokerOutTime`` in epoch **milliseconds**. RabbitMQ events (``aws:rmq``) group messages
under ``rmqMessagesByQueue`` keyed ``"<queue>::<virtual host>"``; each has ``basicProperties`` (AMQP
properties, ``timestamp`` as Java's medium date text, ``bodySize`` the byte length of the body),
``redelivered`` and base64 ``data``. Both carry the broker ARN in ``eventSourceArn``.

Uniform API (shared by every batching source): :func:`record`, :func:`records`, :func:`event`, :func:`events`.
Wire builders, which draw nothing and render exactly the values given (for code that holds the messages
already, such as a simulated broker): :func:`activemq_message`, :func:`activemq_event`,
:func:`rabbitmq_message`, :func:`rabbitmq_event`, with :func:`jms_message_id` and :func:`rabbitmq_queue_key`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from lambdachaos._errors import ConfigError

from . import _fake, _payload
from ._common import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_NOW,
    DEFAULT_REGION,
    JSON,
    LazyRng,
    Seed,
    arn,
    as_bytes,
    as_rng,
    check_count,
    many,
    to_ms,
    uuid4,
)
from ._mq_wire import (
    EVENT_SOURCES,
    MESSAGE_TYPES,
    activemq_event,
    activemq_message,
    java_medium_time,
    jms_message_id,
    rabbitmq_event,
    rabbitmq_message,
    rabbitmq_queue_key,
)
from ._payload import PayloadSpec

SOURCE = "mq"
BATCHING = True
VARIANTS = ("activemq", "rabbitmq")
MAX_BATCH_SIZE = 10_000

__all__ = [
    "BATCHING",
    "EVENT_SOURCES",
    "MESSAGE_TYPES",
    "SOURCE",
    "VARIANTS",
    "activemq_event",
    "activemq_message",
    "event",
    "events",
    "java_medium_time",
    "jms_message_id",
    "rabbitmq_event",
    "rabbitmq_message",
    "rabbitmq_queue_key",
    "record",
    "records",
]


def _check_variant(variant: str) -> None:
    if variant not in VARIANTS:
        raise ConfigError(f"variant={variant!r} is not an Amazon MQ engine; use one of {VARIANTS}")


def record(
    *,
    seed: Seed = None,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    now: float = DEFAULT_NOW,
    payload: PayloadSpec = None,
    variant: str = "activemq",
    data: bytes | None = None,
    queue: str = "orders",
    broker_id: str | None = None,
    message_id: str | None = None,
    timestamp: int | None = None,
    redelivered: bool = False,
    properties: Mapping[str, str | int | float] | None = None,
) -> dict[str, Any]:
    """One Amazon MQ message in Lambda's wire shape (``variant`` ``activemq`` or ``rabbitmq``).

    ``data`` is the raw body (default: UTF-8 JSON of a ``payload``-shaped value), base64-encoded here.
    ``timestamp`` is the producer's send time in epoch milliseconds (default shortly before ``now``).
    ``broker_id`` is the ``b-<uuid>`` broker id that ActiveMQ message ids embed. ``properties`` are ActiveMQ
    message properties or RabbitMQ headers (text is sent as AMQP long-string bytes, numbers as numbers);
    left out, RabbitMQ messages get drawn headers, a message id and a correlation id.
    """
    _check_variant(variant)
    rng = LazyRng(seed, SOURCE)
    if data is None:
        data = _payload.payload_json(payload, seed=rng.get(), now=now).encode()
    sent = to_ms(now) - 40 if timestamp is None else timestamp
    if variant == "rabbitmq":
        drawn = properties is None
        correlation = None
        if drawn:  # what a publisher typically sets: text headers, a numeric one, message and correlation ids
            r = rng.get()
            properties = {"x-source": "checkout-api", "x-attempt": int(r.random() * 3) + 1}
            message_id = message_id or uuid4(r)
            correlation = uuid4(rng.get())
        return rabbitmq_message(
            data=data,
            timestamp=sent,
            headers=properties,
            message_id=message_id,
            correlation_id=correlation,
            user_id="lambda-consumer",
            redelivered=redelivered,
        )
    broker = broker_id or f"b-{uuid4(rng.get())}"
    if message_id is None:
        r = rng.get()
        message_id = jms_message_id(
            broker, region, port=r.randrange(30000, 60000), started_ms=sent - 3_600_000, sequence=r.randrange(1, 10**6)
        )
    return activemq_message(
        message_id=message_id,
        data=data,
        queue=queue,
        timestamp=sent,
        broker_in_time=sent + 1,
        broker_out_time=max(sent + 1, to_ms(now) - 2),
        redelivered=redelivered,
        properties=properties,
    )


def records(
    n: int,
    *,
    seed: Seed = None,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    now: float = DEFAULT_NOW,
    payload: PayloadSpec = None,
    bodies: Sequence[JSON] | None = None,
    variant: str = "activemq",
    broker_id: str | None = None,
    **overrides: Any,
) -> list[dict[str, Any]]:
    """``n`` messages of one broker queue, as one batch.

    ``bodies`` supplies the bodies (``bytes`` as is, ``str`` UTF-8, other values as JSON). Send timestamps
    never decrease; ActiveMQ message ids share the broker and count up within the producer session.
    """
    check_count(n, high=MAX_BATCH_SIZE)
    _check_variant(variant)
    if bodies is not None and len(bodies) != n:
        raise ConfigError(f"bodies has {len(bodies)} items but n={n}; pass one body per record")
    rng = as_rng(seed, SOURCE)
    broker = broker_id or f"b-{uuid4(rng)}"
    port, started = rng.randrange(30000, 60000), to_ms(now) - 3_600_000
    sent = to_ms(now) - n * 30
    counter = rng.randrange(1, 10**6)
    out = []
    for i in range(n):
        data: bytes | None = None
        if bodies is not None:
            data = as_bytes(bodies[i])
        sent += rng.randrange(0, 30)
        counter += 1
        out.append(
            record(
                seed=rng,
                region=region,
                account_id=account_id,
                now=now,
                payload=payload,
                variant=variant,
                data=data,
                broker_id=broker,
                message_id=(
                    jms_message_id(broker, region, port=port, started_ms=started, sequence=counter)
                    if variant == "activemq"
                    else None
                ),
                timestamp=sent,
                **overrides,
            )
        )
    return out


_records = records


def event(
    records: Sequence[dict[str, Any]] | None = None,
    *,
    n: int = 1,
    seed: Seed = None,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    variant: str = "activemq",
    broker_arn: str | None = None,
    queue: str = "orders",
    virtual_host: str = "/",
    **kwargs: Any,
) -> dict[str, Any]:
    """A full Lambda Amazon MQ event: the given messages, or ``n`` fresh ones (``kwargs`` as :func:`records`).

    ``broker_arn`` defaults to a broker in ``region`` whose id the message ids embed. RabbitMQ messages are
    keyed ``"<queue>::<virtual_host>"``.
    """
    _check_variant(variant)
    rng = as_rng(seed, SOURCE)
    broker_id = f"b-{uuid4(rng)}"
    if broker_arn is None:
        broker_arn = arn("mq", region, account_id, f"broker:{_fake.word(rng)}-broker:{broker_id}")
    else:
        broker_id = broker_arn.rsplit(":", 1)[-1]
    extra: dict[str, Any] = {"queue": queue} if variant == "activemq" else {}
    batch = (
        list(records)
        if records is not None
        else _records(
            n,
            seed=rng,
            region=region,
            account_id=account_id,
            variant=variant,
            broker_id=broker_id,
            **extra,
            **kwargs,
        )
    )
    if variant == "activemq":
        return activemq_event(batch, broker_arn=broker_arn)
    return rabbitmq_event({rabbitmq_queue_key(queue, virtual_host): batch}, broker_arn=broker_arn)


def events(n: int, *, seed: Seed = None, **kwargs: Any) -> list[dict[str, Any]]:
    """``n`` independent events, each as :func:`event` builds it."""
    return many(event, n, seed, kwargs)
