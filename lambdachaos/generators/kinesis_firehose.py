"""Amazon Data Firehose (Kinesis Data Firehose) data-transformation events.

AWS page: "Transform source data in Amazon Data Firehose". The event has ``invocationId``,
``deliveryStreamArn``, ``region`` (the stream's region) and ``records``; each record has ``recordId``,
``approximateArrivalTimestamp`` in epoch **milliseconds as an integer** (Kinesis Data Streams events use float
seconds -- do not mix them) and base64 ``data``. When the delivery stream reads from a Kinesis data stream the
event adds ``sourceKinesisStreamArn`` and each record ``kinesisRecordMetadata`` (``shardId``,
``partitionKey``, ``approximateArrivalTimestamp`` ms, ``sequenceNumber``, ``subsequenceNumber``). The ``sqs``
variant is a stream fed with SQS messages: each record's data is one message in Lambda's SQS record shape.

Uniform API (shared by every batching source): :func:`record`, :func:`records`, :func:`event`, :func:`events`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lambdachaos._errors import ConfigError

from . import _fake, _payload, _sqs_core
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
    b64,
    check_count,
    dumps,
    many,
    to_ms,
    uuid4,
)
from ._payload import PayloadSpec

SOURCE = "kinesis_firehose"
BATCHING = True
VARIANTS = ("direct_put", "kinesis_stream", "sqs")
MAX_BATCH_SIZE = 10_000

__all__ = ["BATCHING", "SOURCE", "VARIANTS", "event", "events", "record", "records"]


def record(
    *,
    seed: Seed = None,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    now: float = DEFAULT_NOW,
    payload: PayloadSpec = None,
    data: bytes | None = None,
    record_id: str | None = None,
    approximate_arrival_timestamp: int | None = None,
    kinesis_record_metadata: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One Firehose record. ``data`` is the raw bytes (default: UTF-8 JSON of a ``payload``-shaped value),
    base64-encoded here; ``approximate_arrival_timestamp`` is epoch ms (default ``now``);
    ``kinesis_record_metadata`` is added as is (source-stream deliveries)."""
    rng = LazyRng(seed, SOURCE)
    if data is None:
        data = _payload.payload_json(payload, seed=rng.get(), now=now).encode()
    out: dict[str, Any] = {
        "recordId": record_id or str(rng.get().randrange(10**55, 10**56)),
        "approximateArrivalTimestamp": to_ms(now)
        if approximate_arrival_timestamp is None
        else approximate_arrival_timestamp,
        "data": b64(data),
    }
    if kinesis_record_metadata is not None:
        out["kinesisRecordMetadata"] = kinesis_record_metadata
    return out


def records(
    n: int,
    *,
    seed: Seed = None,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    now: float = DEFAULT_NOW,
    payload: PayloadSpec = None,
    bodies: Sequence[JSON] | None = None,
    variant: str = "direct_put",
    **overrides: Any,
) -> list[dict[str, Any]]:
    """``n`` records of one delivery batch: record ids unique and increasing, arrival times never decreasing
    and at or before ``now``. ``variant`` ``kinesis_stream`` adds the source-stream metadata of one shard
    (sequence numbers increasing); ``sqs`` makes each record's data an SQS message in Lambda's record shape
    (the body inside it is the payload). ``bodies`` as in :func:`kinesis.records`."""
    check_count(n, high=MAX_BATCH_SIZE)
    if variant not in VARIANTS:
        raise ConfigError(f"variant={variant!r} is not a Firehose source; use one of {VARIANTS}")
    if bodies is not None and len(bodies) != n:
        raise ConfigError(f"bodies has {len(bodies)} items but n={n}; pass one body per record")
    rng = as_rng(seed, SOURCE)
    record_id = rng.randrange(10**55, 10**56 - n * 10**6)
    sequence = int("49" + str(rng.randrange(10**53, 10**54)))
    keys = [_fake.username(rng) for _ in range(4)]
    arrival = to_ms(now) - n * 10
    out = []
    for i in range(n):
        record_id += rng.randrange(1, 10**6)
        sequence += rng.randrange(1, 10**12)
        arrival = min(arrival + rng.randrange(0, 10), to_ms(now))
        metadata = None
        if variant == "kinesis_stream":
            metadata = {
                "shardId": "shardId-000000000000",
                "partitionKey": rng.choice(keys),
                "approximateArrivalTimestamp": arrival,
                "sequenceNumber": f"{sequence:056d}",
                "subsequenceNumber": 0,
            }
        data = None if bodies is None else as_bytes(bodies[i])
        if variant == "sqs":  # each record is an SQS message, as read from a queue and put on the stream
            body = _payload.payload_json(payload, seed=rng, now=now) if data is None else data.decode()
            message = _sqs_core.render(
                body=body, rng=LazyRng(rng, SOURCE), region=region, account_id=account_id, now=arrival / 1000
            )
            data = dumps(message).encode()
        out.append(
            record(
                seed=rng,
                region=region,
                account_id=account_id,
                now=now,
                payload=payload,
                data=data,
                record_id=str(record_id),
                approximate_arrival_timestamp=arrival,
                kinesis_record_metadata=metadata,
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
    variant: str = "direct_put",
    delivery_stream_arn: str | None = None,
    source_stream_arn: str | None = None,
    **kwargs: Any,
) -> dict[str, Any]:
    """A full transformation event: the given records, or ``n`` fresh ones (``kwargs`` as :func:`records`).

    ``delivery_stream_arn`` defaults to ``orders-to-s3`` in ``region``; the ``kinesis_stream`` variant adds
    ``sourceKinesisStreamArn`` (default: the stream ``orders`` in the same region and account).
    """
    rng = as_rng(seed, SOURCE)
    batch = (
        list(records)
        if records is not None
        else _records(n, seed=rng, region=region, account_id=account_id, variant=variant, **kwargs)
    )
    out: dict[str, Any] = {
        "invocationId": uuid4(rng),
        "deliveryStreamArn": delivery_stream_arn or arn("firehose", region, account_id, "deliverystream/orders-to-s3"),
        "region": region,
    }
    if variant == "kinesis_stream":
        out["sourceKinesisStreamArn"] = source_stream_arn or arn("kinesis", region, account_id, "stream/orders")
    out["records"] = batch
    return out


def events(n: int, *, seed: Seed = None, **kwargs: Any) -> list[dict[str, Any]]:
    """``n`` independent events, each as :func:`event` builds it."""
    return many(event, n, seed, kwargs)
