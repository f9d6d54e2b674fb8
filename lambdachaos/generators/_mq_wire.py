"""Amazon MQ wire builders: render one message or one batch's event exactly as Lambda does, from given values.

Nothing here draws a random value; :mod:`.mq` re-exports every name (use them from there).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

from lambdachaos._errors import ConfigError

from ._common import b64

EVENT_SOURCES = {"activemq": "aws:mq", "rabbitmq": "aws:rmq"}
"""``eventSource`` per broker engine."""
MESSAGE_TYPES = ("jms/text-message", "jms/bytes-message")
"""The JMS message types Lambda delivers from ActiveMQ (text and bytes messages only)."""
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def java_medium_time(ms: int) -> str:
    """``Jun 1, 2024, 12:00:00 PM``: the text RabbitMQ events use for ``basicProperties.timestamp`` (UTC,
    English month names whatever the locale)."""
    t = time.gmtime(ms // 1000)
    hour = t.tm_hour % 12 or 12
    return f"{_MONTHS[t.tm_mon - 1]} {t.tm_mday}, {t.tm_year}, {hour}:{t.tm_min:02d}:{t.tm_sec:02d} " + (
        "AM" if t.tm_hour < 12 else "PM"
    )


def jms_message_id(
    broker_id: str,
    region: str,
    *,
    port: int,
    started_ms: int,
    connection: int = 1,
    session: int = 1,
    producer: int = 1,
    sequence: int = 1,
    instance: int = 1,
) -> str:
    """An ActiveMQ message id as Amazon MQ brokers issue them: ``ID:<broker>-<instance>.mq.<region>.amazonaws.com-
    <port>-<started_ms>-<connection>:<session>:1:<producer>:<sequence>`` (the producer's connection id, then the
    session, producer and message sequence numbers)."""
    host = f"{broker_id}-{instance}.mq.{region}.amazonaws.com"
    return f"ID:{host}-{port}-{started_ms}-{connection}:{session}:1:{producer}:{sequence}"


def activemq_message(
    *,
    message_id: str,
    data: bytes,
    queue: str,
    timestamp: int,
    broker_in_time: int,
    broker_out_time: int,
    message_type: str = "jms/text-message",
    persistent: bool = True,
    priority: int = 4,
    correlation_id: str | None = None,
    reply_to: str | None = None,
    jms_type: str | None = None,
    expiration: int = 0,
    redelivered: bool = False,
    properties: Mapping[str, str | int | float | bool] | None = None,
) -> dict[str, Any]:
    """One ActiveMQ message exactly as Lambda renders it, in the documented key order; draws nothing.

    Times are epoch milliseconds (``timestamp`` the producer's send time). ``persistent`` sets ``deliveryMode``
    (2 persistent, 1 not); ``jms_type`` is the JMS ``type``; ``data`` is sent base64-encoded.
    """
    if message_type not in MESSAGE_TYPES:
        raise ConfigError(f"message_type={message_type!r} is not delivered by Lambda; use one of {MESSAGE_TYPES}")
    if not 0 <= priority <= 9:
        raise ConfigError(f"priority={priority!r} is out of range; JMS priorities are 0 to 9")
    return {
        "messageID": message_id,
        "messageType": message_type,
        "deliveryMode": 2 if persistent else 1,
        "replyTo": reply_to,
        "type": jms_type,
        "expiration": expiration,
        "priority": priority,
        "correlationId": correlation_id,
        "redelivered": redelivered,
        "destination": {"physicalName": queue},
        "data": b64(data),
        "timestamp": timestamp,
        "brokerInTime": broker_in_time,
        "brokerOutTime": broker_out_time,
        "properties": dict(properties or {}),
    }


def activemq_event(messages: Sequence[dict[str, Any]], *, broker_arn: str) -> dict[str, Any]:
    """The event of one ActiveMQ batch: ``{"eventSource": "aws:mq", "eventSourceArn", "messages"}``."""
    return {"eventSource": EVENT_SOURCES["activemq"], "eventSourceArn": broker_arn, "messages": list(messages)}


def rabbitmq_message(
    *,
    data: bytes,
    timestamp: int | None,
    headers: Mapping[str, str | bytes | int | float | bool] | None = None,
    content_type: str | None = "application/json",
    content_encoding: str | None = None,
    persistent: bool = True,
    priority: int | None = 0,
    correlation_id: str | None = None,
    reply_to: str | None = None,
    expiration: str | None = None,
    message_id: str | None = None,
    message_type: str | None = None,
    user_id: str | None = None,
    app_id: str | None = None,
    cluster_id: str | None = None,
    redelivered: bool = False,
) -> dict[str, Any]:
    """One RabbitMQ message exactly as Lambda renders it (``basicProperties``, ``redelivered``, ``data``);
    draws nothing.

    ``timestamp`` (epoch milliseconds, or ``None`` when the publisher set none) is rendered as Java's medium
    date text; text headers arrive as ``{"bytes": [...]}`` (AMQP long strings), numbers and booleans as
    themselves; ``bodySize`` is the length of ``data``.
    """
    rendered = {
        k: v if isinstance(v, int | float) else {"bytes": list(v if isinstance(v, bytes) else str(v).encode())}
        for k, v in (headers or {}).items()
    }
    return {
        "basicProperties": {
            "contentType": content_type,
            "contentEncoding": content_encoding,
            "headers": rendered,
            "deliveryMode": 2 if persistent else 1,
            "priority": priority,
            "correlationId": correlation_id,
            "replyTo": reply_to,
            "expiration": expiration,
            "messageId": message_id,
            "timestamp": None if timestamp is None else java_medium_time(timestamp),
            "type": message_type,
            "userId": user_id,
            "appId": app_id,
            "clusterId": cluster_id,
            "bodySize": len(data),
        },
        "redelivered": redelivered,
        "data": b64(data),
    }


def rabbitmq_queue_key(queue: str, virtual_host: str = "/") -> str:
    """The key of a queue's messages in ``rmqMessagesByQueue``: ``"<queue>::<virtual host>"``."""
    return f"{queue}::{virtual_host}"


def rabbitmq_event(messages_by_queue: Mapping[str, Sequence[dict[str, Any]]], *, broker_arn: str) -> dict[str, Any]:
    """The event of one RabbitMQ batch; ``messages_by_queue`` is keyed by :func:`rabbitmq_queue_key`."""
    for key in messages_by_queue:
        if "::" not in key:
            raise ConfigError(f"queue key {key!r} is not '<queue>::<virtual host>'; build it with rabbitmq_queue_key")
    return {
        "eventSource": EVENT_SOURCES["rabbitmq"],
        "eventSourceArn": broker_arn,
        "rmqMessagesByQueue": {k: list(v) for k, v in messages_by_queue.items()},
    }
