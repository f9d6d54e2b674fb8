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
    milliseconds; ``first_receive_timestamp`` defaults to ``now`` (30 s, the default visibility timeout,
    earlier per extra ``receive_count``) and ``sent_timestamp`` to a moment before it. ``receive_count`` is
    ``ApproximateReceiveCount`` (the attempt number). ``queue_arn`` defaults to the queue ``orders``
    (``orders.fifo`` when ``fifo``) in ``region``; a FIFO ARN adds the FIFO attributes, with a content-based
    ``MessageDeduplicationId`` (SHA-256 of the body) unless one is given. When every identity field is given,
    no random value is drawn.
    """
    rng = LazyRng(seed, SOURCE)
    if body is None:
        body = _payload.payload_json(payload, seed=rng.get(), now=now)
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
    unique; each message has its own ``SentTimestamp`` within the two seconds before ``now`` (one visibility
    timeout earlier per extra ``receive_count``) and is first received 1-40 ms after it was sent. For FIFO
    queues the messages spread over ``groups`` message groups with ``SequenceNumber``
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
    stagger = "sent_timestamp" not in overrides and "first_receive_timestamp" not in overrides
    latest_ms = _sqs_core.first_receive_ms(now, receive_count) - 41
    r = rng.random
    lazy = LazyRng(rng, SOURCE)
    kw = {_RENDER_NAMES.get(k, k): v for k, v in overrides.items()}
    out = []
    for i in range(n):
        if bodies is not None:
            body = bodies[i] if isinstance(bodies[i], str) else dumps(bodies[i])
        else:
            body = _payload.payload_json(payload, seed=rng, now=now)
        sequence += int(r() * 999) + 1
        if stagger:  # each message sent at its own moment, first received a few ms later
            sent = latest_ms - int(r() * 2_000)
            kw["sent_timestamp"], kw["first_receive_timestamp"] = sent, sent + 1 + int(r() * 40)
        if fifo:
            kw["message_group_id"] = group_ids[int(r() * len(group_ids))]
            kw["sequence_number"] = str(sequence)
        out.append(
            _sqs_core.render(
                body=body,
                rng=lazy,
                region=region,
                account_id=account_id,
                now=now,
                queue_arn_=queue_arn,
                receive_count=receive_count,
                **kw,
            )
        )
    return out


_RENDER_NAMES = {"receipt_handle": "receipt_handle_", "sender_id": "sender_id_"}
"""``record`` keywords whose :func:`_sqs_core.render` name differs."""

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
