"""Amazon SNS notifications as SNS delivers them to a Lambda subscription.

AWS page: "Using Lambda with Amazon SNS" and "Parsing message formats" (SNS). The event always holds exactly
one record. In the Lambda event the URL fields are spelled ``SigningCertUrl`` and ``UnsubscribeUrl``
(SNS-to-SQS and HTTP deliveries use ``...URL``); ``Timestamp`` is ISO 8601 with milliseconds; ``Signature`` is
base64.

Uniform API (shared by every batching source): :func:`record`, :func:`records`, :func:`event`, :func:`events`.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Any

from . import _payload
from ._common import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_NOW,
    DEFAULT_REGION,
    JSON,
    LazyRng,
    Seed,
    arn,
    as_rng,
    b64,
    check_count,
    dumps,
    hex_digits,
    iso_ms,
    many,
    region_of_arn,
    uuid4,
)
from ._payload import PayloadSpec

SOURCE = "sns"
BATCHING = False
VARIANTS = ("standard",)

__all__ = [
    "BATCHING",
    "SOURCE",
    "VARIANTS",
    "drawn_attributes",
    "event",
    "events",
    "message_attribute",
    "record",
    "records",
]


def message_attribute(value: str | int | float | bytes | list[Any]) -> dict[str, str]:
    """One SNS message attribute ``{"Type": ..., "Value": ...}`` from a Python value (bytes become base64)."""
    if isinstance(value, bytes):
        return {"Type": "Binary", "Value": b64(value)}
    if isinstance(value, list):
        return {"Type": "String.Array", "Value": dumps(value)}
    if isinstance(value, int | float) and not isinstance(value, bool):
        return {"Type": "Number", "Value": str(value)}
    return {"Type": "String", "Value": str(value)}


_EVENT_TYPES = ("OrderPlaced", "OrderPaid", "OrderShipped", "OrderCancelled")


def drawn_attributes(rng: random.Random, *, every_type: bool = False) -> dict[str, Any]:
    """Realistic publisher attributes: an event type (``String``), a priority (``Number``), a checksum
    (``Binary``) and channels (``String.Array``) -- all four with ``every_type``, otherwise a drawn subset."""
    pool: dict[str, Any] = {
        "eventType": _EVENT_TYPES[int(rng.random() * len(_EVENT_TYPES))],
        "priority": int(rng.random() * 5) + 1,
        "checksum": rng.randbytes(16),
        "channels": ["web", "mobile", "email"][: int(rng.random() * 3) + 1],
    }
    return pool if every_type else {k: v for k, v in pool.items() if k == "eventType" or rng.random() < 0.5}


def record(
    *,
    seed: Seed = None,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    now: float = DEFAULT_NOW,
    payload: PayloadSpec = None,
    message: str | None = None,
    subject: str | None = None,
    message_id: str | None = None,
    topic_arn: str | None = None,
    subscription_id: str | None = None,
    message_attributes: Mapping[str, Any] | bool | None = None,
    signature_version: str = "1",
    signature: str | None = None,
) -> dict[str, Any]:
    """One SNS record in Lambda's wire shape.

    ``message`` is the published text (default JSON of a ``payload``-shaped value); ``subject`` may stay
    ``None`` (AWS sends ``null``). ``message_attributes`` values are Python values or ready ``{"Type",
    "Value"}`` dicts; ``True`` draws attributes of every data type (``String``, ``Number``, ``Binary``,
    ``String.Array``), ``False`` sends none, and ``None`` draws some for about a third of the messages.
    ``Timestamp`` is ``now``; every URL and ARN is in the topic's region.
    """
    rng = LazyRng(seed, SOURCE)
    if message is None:
        message = _payload.payload_json(payload, seed=rng.get(), now=now)
    topic = topic_arn or arn("sns", region, account_id, "orders-topic")
    topic_region = region_of_arn(topic)
    host = f"https://sns.{topic_region}.amazonaws.com"
    sub_arn = f"{topic}:{subscription_id or uuid4(rng.get())}"
    if message_attributes is None:
        message_attributes = rng.get().random() < 1 / 3
    if isinstance(message_attributes, bool):
        message_attributes = drawn_attributes(rng.get(), every_type=True) if message_attributes else {}
    attrs = {k: dict(v) if isinstance(v, Mapping) else message_attribute(v) for k, v in message_attributes.items()}
    return {
        "EventSource": "aws:sns",
        "EventVersion": "1.0",
        "EventSubscriptionArn": sub_arn,
        "Sns": {
            "Type": "Notification",
            "MessageId": message_id or uuid4(rng.get()),
            "TopicArn": topic,
            "Subject": subject,
            "Message": message,
            "Timestamp": iso_ms(now),
            "SignatureVersion": signature_version,
            "Signature": signature or b64(rng.get().getrandbits(2048).to_bytes(256, "big")),
            "SigningCertUrl": f"{host}/SimpleNotificationService-{hex_digits(rng.get(), 32)}.pem",
            "UnsubscribeUrl": f"{host}/?Action=Unsubscribe&SubscriptionArn={sub_arn}",
            "MessageAttributes": attrs,
        },
    }


def records(
    n: int,
    *,
    seed: Seed = None,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    now: float = DEFAULT_NOW,
    payload: PayloadSpec = None,
    bodies: Sequence[JSON] | None = None,
    topic_arn: str | None = None,
    **overrides: Any,
) -> list[dict[str, Any]]:
    """``n`` records of one topic and subscription (SNS sends one per event; use :func:`events` for
    deliveries).
    """
    rng = as_rng(seed, SOURCE)
    check_count(n)
    subscription = uuid4(rng)
    return [
        record(
            seed=rng,
            region=region,
            account_id=account_id,
            now=now,
            payload=payload,
            message=None if bodies is None else (b if isinstance(b, str) else dumps(b)),
            topic_arn=topic_arn,
            subscription_id=subscription,
            **overrides,
        )
        for b in (bodies if bodies is not None else [None] * n)
    ]


_records = records


def event(
    records: Sequence[dict[str, Any]] | None = None, *, n: int = 1, seed: Seed = None, **kwargs: Any
) -> dict[str, Any]:
    """A Lambda SNS event ``{"Records": [record]}`` (AWS always sends exactly one record)."""
    return {"Records": list(records) if records is not None else _records(n, seed=seed, **kwargs)}


def events(n: int, *, seed: Seed = None, **kwargs: Any) -> list[dict[str, Any]]:
    """``n`` independent one-record events, as SNS delivers ``n`` publishes."""
    return many(event, n, seed, kwargs)
