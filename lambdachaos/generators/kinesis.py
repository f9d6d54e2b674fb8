"""Amazon Kinesis Data Streams events as Lambda's event source mapping delivers them.

AWS page: "Using Lambda with Kinesis Data Streams". Each record's ``kinesis.data`` is base64 of the producer's
bytes; ``sequenceNumber`` is a 56-digit decimal string increasing within the shard;
``approximateArrivalTimestamp`` is epoch **seconds** (float, millisecond precision); ``eventID`` is
``<shardId>:<sequenceNumber>``. A batch always comes from one shard.

Uniform API (shared by every batching source): :func:`record`, :func:`records`, :func:`event`, :func:`events`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from lambdachaos._errors import ConfigError

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
    many,
    partition,
    region_of_arn,
    uuid4,
)
from ._payload import PayloadSpec

SOURCE = "kinesis"
BATCHING = True
VARIANTS = ("json",)
MAX_BATCH_SIZE = 10_000
MAX_RECORD_BYTES = 1_048_576
"""Kinesis data blob limit: 1 MB ("Quotas and limits", Amazon Kinesis Data Streams)."""

__all__ = [
    "BATCHING",
    "MAX_RECORD_BYTES",
    "SOURCE",
    "VARIANTS",
    "event",
    "events",
    "record",
    "records",
    "sequence_number",
    "shard_id",
]


def shard_id(index: int) -> str:
    """``shardId-000000000003`` for shard index 3."""
    return f"shardId-{index:012d}"


def sequence_number(value: int) -> str:
    """The 56-digit decimal form of a sequence number (left-padded; AWS's start with ``49``)."""
    return f"{value:056d}"


def _first_sequence(rng: Any) -> int:
    return int("49" + str(rng.randrange(10**53, 10**54)))


def record(
    *,
    seed: Seed = None,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    now: float = DEFAULT_NOW,
    payload: PayloadSpec = None,
    data: bytes | None = None,
    partition_key: str | None = None,
    sequence_number: str | None = None,
    shard_id: str = "shardId-000000000000",
    approximate_arrival_timestamp: float | None = None,
    stream_arn: str | None = None,
    invoke_identity_arn: str | None = None,
    partition_key_field: str | None = None,
) -> dict[str, Any]:
    """One Kinesis record in Lambda's wire shape.

    ``data`` is the raw record bytes (default: UTF-8 JSON of a ``payload``-shaped value), base64-encoded here.
    ``approximate_arrival_timestamp`` (epoch seconds) defaults to ``now``. ``partition_key_field`` (a dotted
    path such as ``orderId`` or ``customer.id``) takes the partition key from the JSON data, as a producer
    keying by entity does. ``stream_arn`` defaults to the
    stream ``orders`` in ``region``; ``awsRegion`` is always the ARN's region.
    """
    rng = LazyRng(seed, SOURCE)
    if data is None:
        data = _payload.payload_json(payload, seed=rng.get(), now=now).encode()
    if partition_key is None:
        partition_key = key_from(data, partition_key_field) if partition_key_field else uuid4(rng.get())
    if sequence_number is None:
        sequence_number = str(_first_sequence(rng.get()))
    stream_arn = stream_arn or arn("kinesis", region, account_id, "stream/orders")
    arrival = round(now if approximate_arrival_timestamp is None else approximate_arrival_timestamp, 3)
    return {
        "kinesis": {
            "kinesisSchemaVersion": "1.0",
            "partitionKey": partition_key,
            "sequenceNumber": sequence_number,
            "data": b64(data),
            "approximateArrivalTimestamp": arrival,
        },
        "eventSource": "aws:kinesis",
        "eventVersion": "1.0",
        "eventID": f"{shard_id}:{sequence_number}",
        "eventName": "aws:kinesis:record",
        "invokeIdentityArn": invoke_identity_arn
        or f"arn:{partition(region_of_arn(stream_arn))}:iam::{account_id}:role/lambda-kinesis-role",
        "awsRegion": region_of_arn(stream_arn),
        "eventSourceARN": stream_arn,
    }


def key_from(data: bytes, field: str) -> str:
    """The value at the dotted path ``field`` of the JSON object ``data``, as a partition key."""
    try:
        value: Any = json.loads(data)
        for part in field.split("."):
            value = value[part]
    except (ValueError, KeyError, TypeError):
        raise ConfigError(
            f"partition_key_field={field!r} is not a field of the record data; name a field of the JSON body"
        ) from None
    if isinstance(value, dict | list) or value is None:
        raise ConfigError(f"partition_key_field={field!r} holds {type(value).__name__}; name a scalar field")
    return value if isinstance(value, str) else dumps(value)


def records(
    n: int,
    *,
    seed: Seed = None,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    now: float = DEFAULT_NOW,
    payload: PayloadSpec = None,
    bodies: Sequence[JSON] | None = None,
    stream_arn: str | None = None,
    shard_id: str = "shardId-000000000000",
    partition_keys: int = 10,
    partition_key_field: str | None = None,
    **overrides: Any,
) -> list[dict[str, Any]]:
    """``n`` records of one shard, as one batch.

    ``bodies`` supplies the data (``bytes`` as is, ``str`` UTF-8, other values as JSON). Sequence numbers
    strictly increase, arrival timestamps never decrease (all at or before ``now``), and partition keys are
    drawn from ``partition_keys`` distinct keys -- or taken from each record's data at ``partition_key_field``
    (see :func:`record`).
    """
    check_count(n, high=MAX_BATCH_SIZE)
    if bodies is not None and len(bodies) != n:
        raise ConfigError(f"bodies has {len(bodies)} items but n={n}; pass one body per record")
    check_count(partition_keys, name="partition_keys")
    rng = as_rng(seed, SOURCE)
    stream_arn = stream_arn or arn("kinesis", region, account_id, "stream/orders")
    keys = [uuid4(rng) for _ in range(partition_keys)]
    sequence = _first_sequence(rng)
    arrival_ms = int(now * 1000) - n * 5
    invoke_arn = f"arn:{partition(region_of_arn(stream_arn))}:iam::{account_id}:role/lambda-kinesis-role"
    out = []
    for i in range(n):
        data: bytes | None = None
        if bodies is not None:
            item = bodies[i]
            data = item if isinstance(item, bytes) else (item if isinstance(item, str) else dumps(item)).encode()
        sequence += rng.randrange(1, 10**12)
        arrival_ms += rng.randrange(0, 6)
        out.append(
            record(
                seed=rng,
                region=region,
                account_id=account_id,
                now=now,
                payload=payload,
                data=data,
                partition_key=None if partition_key_field else keys[rng.randrange(partition_keys)],
                partition_key_field=partition_key_field,
                sequence_number=str(sequence),
                shard_id=shard_id,
                approximate_arrival_timestamp=min(arrival_ms, int(now * 1000)) / 1000,
                stream_arn=stream_arn,
                invoke_identity_arn=invoke_arn,
                **overrides,
            )
        )
    return out


_records = records


def event(
    records: Sequence[dict[str, Any]] | None = None, *, n: int = 1, seed: Seed = None, **kwargs: Any
) -> dict[str, Any]:
    """A full Lambda Kinesis event ``{"Records": [...]}``: the given records, or ``n`` fresh ones."""
    return {"Records": list(records) if records is not None else _records(n, seed=seed, **kwargs)}


def events(n: int, *, seed: Seed = None, **kwargs: Any) -> list[dict[str, Any]]:
    """``n`` independent events, each as :func:`event` builds it."""
    return many(event, n, seed, kwargs)
