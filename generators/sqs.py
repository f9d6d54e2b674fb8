"""Amazon SQS events as Lambda's event source mapping delivers them (standard and FIFO queues).

AWS page: "Using Lambda with Amazon SQS". A Lambda SQS event is ``{"Records": [...]}``; each record carries
the message body as a string, ``md5OfBody`` (hex MD5 of the UTF-8 body), string-valued ``attributes`` with
epoch-ms timestamps, and ``awsRegion`` equal to the region of ``eventSourceARN``. A queue whose ARN ends in
``.fifo`` adds ``SequenceNumber``, ``MessageGroupId`` and ``MessageDeduplicationId``.

Uniform API (shared by every batching source): :func:`record`, :func:`records`, :func:`event`, :func:`events`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lambdachaos._errors import ConfigError

from . import _payload, _sqs_core
from ._common import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_NOW,
    DEFAULT_REGION,
    JSON,
    LazyRng,
    Seed,
    as_rng,
    check_count,
    dumps,
    many,
)
from ._payload import PayloadSpec
from ._sqs_core import MessageAttributes, md5_of_message_attributes, wire_attribute

SOURCE = "sqs"
BATCHING = True
VARIANTS = ("standard", "fifo")
MAX_BATCH_SIZE = 10_000

__all__ = [
    "BATCHING",
    "SOURCE",
    "VARIANTS",
    "event",
    "events",
    "md5_of_message_attributes",
    "record",
    "records",
    "wire_attribute",
]


def record(
    *,
    seed: Seed = None,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    now: float = DEFAULT_NOW,
    payload: PayloadSpec = None,
    body: str | None = None,
    message_id: str | None = None,
    receipt_handle: str | None = None,
    queue_arn: str | None = None,
    fifo: bool = False,
    sent_timestamp: int | None = None,
    first_receive_timestamp: int | None = None,
    receive_count: int = 1,
    sender_id: str | None = None,
    message_attributes: MessageAttributes | None = None,
    message_group_id: str | None = None,
    message_deduplication_id: str | None = None,
    sequence_number: str | None = None,
    dead_letter_queue_source_arn: str | None = None,
    aws_trace_header: str | None = None,
) -> dict[str, Any]:
    """One SQS record in Lambda's wire shape.

    ``body`` is the message text (default: JSON of a ``payload``-shaped value). Timestamps are epoch
    milliseconds; ``first_receive_timestamp`` defaults to ``now`` and ``sent_timestamp`` to a moment before
    it. ``receive_count`` is ``ApproximateReceiveCount`` (the attempt number). ``queue_arn`` defaults to the
    queue ``orders`` (``orders.fifo`` when ``fifo``) in ``region``; a FIFO ARN adds the FIFO attributes, with
    a content-based ``MessageDeduplicationId`` (SHA-256 of the body) unless one is given. When every identity
    field is given, no random value is drawn.
    """
    rng = LazyRng(seed, SOURCE)
    if body is None:
        body = dumps(_payload.payload(payload, seed=rng.get(), now=now))
    if queue_arn is None:
        queue_arn = _sqs_core.queue_arn(region, account_id, "orders.fifo" if fifo else "orders")
    return _sqs_core.render(
        body=body,
        rng=rng,
        region=region,
        account_id=account_id,
        now=now,
        message_id=message_id,
        receipt_handle_=receipt_handle,
        queue_arn_=queue_arn,
        sent_timestamp=sent_timestamp,
        first_receive_timestamp=first_receive_timestamp,
        receive_count=receive_count,
        sender_id_=sender_id,
        message_attributes=message_attributes,
        message_group_id=message_group_id,
        message_deduplication_id=message_deduplication_id,
        sequence_number=sequence_number,
        dead_letter_queue_source_arn=dead_letter_queue_source_arn,
        aws_trace_header=aws_trace_header,
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
    queue_arn: str | None = None,
    fifo: bool = False,
    groups: int = 3,
    receive_count: int = 1,
    **overrides: Any,
) -> list[dict[str, Any]]:
    """``n`` records of one queue, as one batch.

    ``bodies`` supplies the bodies (strings as is, other values as JSON). Within the batch message ids are
    unique, and for FIFO queues the messages spread over ``groups`` message groups with ``SequenceNumber``
    increasing in batch order (so also within each group).
    """
    check_count(n, high=MAX_BATCH_SIZE)
    if bodies is not None and len(bodies) != n:
        raise ConfigError(f"bodies has {len(bodies)} items but n={n}; pass one body per record")
    rng = as_rng(seed, SOURCE)
    queue_arn = queue_arn or _sqs_core.queue_arn(region, account_id, "orders.fifo" if fifo else "orders")
    fifo = queue_arn.endswith(".fifo")
    sequence = rng.randrange(10**19, 10**20 - n * 1000)
    group_ids = [f"customer-{rng.randrange(10_000):04d}" for _ in range(max(1, groups))]
    out = []
    for i in range(n):
        body = None
        if bodies is not None:
            body = bodies[i] if isinstance(bodies[i], str) else dumps(bodies[i])
        sequence += rng.randrange(1, 1000)
        out.append(
            record(
                seed=rng,
                region=region,
                account_id=account_id,
                now=now,
                payload=payload,
                body=body,
                queue_arn=queue_arn,
                receive_count=receive_count,
                message_group_id=rng.choice(group_ids) if fifo else None,
                sequence_number=str(sequence) if fifo else None,
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
    **kwargs: Any,
) -> dict[str, Any]:
    """A full Lambda SQS event ``{"Records": [...]}``: the given records, or ``n`` fresh ones (``kwargs`` as
    :func:`records`).
    """
    return {"Records": list(records) if records is not None else _records(n, seed=seed, **kwargs)}


def events(n: int, *, seed: Seed = None, **kwargs: Any) -> list[dict[str, Any]]:
    """``n`` independent events, each as :func:`event` builds it."""
    return many(event, n, seed, kwargs)
