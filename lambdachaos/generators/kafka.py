"""Apache Kafka events as Lambda's event source mapping delivers them: Amazon MSK and self-managed Kafka.

AWS pages: "Using Lambda with Amazon MSK" and "Using Lambda with self-managed Apache Kafka". The event groups
records under ``"<topic>-<partition>"`` keys; each record has base64 ``key`` and ``value``, ``headers`` as a
list of one-entry ``{name: [byte, ...]}`` dicts, an ``offset`` that increases within its partition, and
``timestamp`` in epoch **milliseconds** with ``timestampType`` ``CREATE_TIME``. ``bootstrapServers`` is one
comma-separated string. MSK sends ``eventSource`` ``aws:kafka`` plus the cluster ARN in ``eventSourceArn``;
self-managed Kafka sends ``SelfManagedKafka`` and no ARN.

Uniform API (shared by every batching source): :func:`record`, :func:`records`, :func:`event`, :func:`events`.
Wire builders, which draw nothing and render exactly the values given (for code that holds the records
already, such as a simulated cluster): :func:`wire_record` and :func:`wire_event`.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any, TypeAlias

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
    b64,
    check_count,
    hex_digits,
    many,
    to_ms,
    uuid4,
)
from ._payload import PayloadSpec

SOURCE = "kafka"
BATCHING = True
VARIANTS = ("msk", "self_managed")
EVENT_SOURCES = {"msk": "aws:kafka", "self_managed": "SelfManagedKafka"}
"""``eventSource`` per variant (self-managed is ``SelfManagedKafka``, not ``aws:SelfManagedKafka``)."""
MAX_BATCH_SIZE = 10_000
TIMESTAMP_TYPES = ("CREATE_TIME", "LOG_APPEND_TIME")
"""Kafka's record timestamp types (AWS's examples show ``CREATE_TIME``)."""

Headers: TypeAlias = Mapping[str, bytes | str] | Sequence[tuple[str, bytes | str]]
"""Kafka record headers: a mapping or ``(name, value)`` pairs (a name may repeat); text is sent as UTF-8."""

__all__ = [
    "BATCHING",
    "EVENT_SOURCES",
    "SOURCE",
    "TIMESTAMP_TYPES",
    "VARIANTS",
    "Headers",
    "event",
    "events",
    "header_bytes",
    "partition_key",
    "record",
    "records",
    "wire_event",
    "wire_record",
]


def header_bytes(value: bytes | str) -> list[int]:
    """A header value as Lambda renders it: a list of **signed** (Java) byte values, -128 to 127."""
    raw = value.encode() if isinstance(value, str) else value
    return [b - 256 if b > 127 else b for b in raw]


def partition_key(topic: str, partition: int) -> str:
    """The key of a partition's records in the event: ``"<topic>-<partition>"``."""
    return f"{topic}-{partition}"


def wire_record(
    *,
    topic: str,
    partition: int,
    offset: int,
    timestamp: int,
    value: bytes | None,
    key: bytes | None = None,
    headers: Headers = (),
    timestamp_type: str = "CREATE_TIME",
) -> dict[str, Any]:
    """One record exactly as Lambda renders it, from the record's own values; draws nothing.

    ``timestamp`` is epoch milliseconds; ``key`` and ``value`` are raw bytes, sent base64-encoded. A ``None``
    key or value leaves its field out (AWS's filtering example has no ``key``; what Lambda sends for a null
    value is not documented). ``headers`` become ``[{name: [signed byte, ...]}, ...]`` in the given order.

    >>> wire_record(topic="t", partition=0, offset=5, timestamp=1_000, value=b"hi", headers={"h": b"\\xff"})
    {'topic': 't', 'partition': 0, 'offset': 5, 'timestamp': 1000, 'timestampType': 'CREATE_TIME', \
'value': 'aGk=', 'headers': [{'h': [-1]}]}
    """
    if timestamp_type not in TIMESTAMP_TYPES:
        raise ConfigError(
            f"timestamp_type={timestamp_type!r} is not a Kafka timestamp type; use one of {TIMESTAMP_TYPES}"
        )
    if isinstance(partition, bool) or not isinstance(partition, int) or partition < 0:
        raise ConfigError(f"partition={partition!r} is not a partition number; pass an int >= 0")
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise ConfigError(f"offset={offset!r} is not a Kafka offset; pass an int >= 0")
    pairs = list(headers.items()) if isinstance(headers, Mapping) else list(headers)
    out: dict[str, Any] = {
        "topic": topic,
        "partition": partition,
        "offset": offset,
        "timestamp": timestamp,
        "timestampType": timestamp_type,
    }
    if key is not None:
        out["key"] = b64(key)
    if value is not None:
        out["value"] = b64(value)
    out["headers"] = [{name: header_bytes(v)} for name, v in pairs]
    return out


def wire_event(
    records: Sequence[dict[str, Any]] | Mapping[str, Sequence[dict[str, Any]]],
    *,
    bootstrap_servers: str | Sequence[str],
    variant: str = "msk",
    cluster_arn: str | None = None,
) -> dict[str, Any]:
    """The event of one batch, exactly as Lambda renders it; draws nothing.

    ``records`` are :func:`wire_record` dicts (grouped here under ``"<topic>-<partition>"``, partitions in
    order of first appearance) or already grouped by that key. Within a partition offsets must increase.
    ``variant`` ``msk`` needs the ``cluster_arn``; ``self_managed`` sends none (``eventSource``
    ``SelfManagedKafka``). ``bootstrap_servers`` is the comma-separated string or its ``host:port`` items.
    """
    if variant not in VARIANTS:
        raise ConfigError(f"variant={variant!r} is not a Kafka variant; use one of {VARIANTS}")
    if (variant == "msk") != (cluster_arn is not None):
        raise ConfigError(
            "cluster_arn is required for variant='msk' and not sent for 'self_managed'"
            f" (got variant={variant!r}, cluster_arn={cluster_arn!r})"
        )
    grouped: dict[str, list[dict[str, Any]]] = {}
    if isinstance(records, Mapping):
        for name, recs in records.items():
            grouped[name] = list(recs)
    else:
        for rec in records:
            grouped.setdefault(partition_key(rec["topic"], rec["partition"]), []).append(rec)
    for name, recs in grouped.items():
        offsets = [r["offset"] for r in recs]
        if any(b <= a for a, b in itertools.pairwise(offsets)):
            raise ConfigError(f"records of {name} must be in increasing offset order, got offsets {offsets}")
    out: dict[str, Any] = {"eventSource": EVENT_SOURCES[variant]}
    if cluster_arn is not None:
        out["eventSourceArn"] = cluster_arn
    out["bootstrapServers"] = bootstrap_servers if isinstance(bootstrap_servers, str) else ",".join(bootstrap_servers)
    out["records"] = grouped
    return out


def record(
    *,
    seed: Seed = None,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    now: float = DEFAULT_NOW,
    payload: PayloadSpec = None,
    value: bytes | None = None,
    key: bytes | None = None,
    topic: str = "orders",
    partition: int = 0,
    offset: int | None = None,
    timestamp: int | None = None,
    timestamp_type: str = "CREATE_TIME",
    headers: Headers | None = None,
) -> dict[str, Any]:
    """One Kafka record in Lambda's wire shape.

    ``value`` and ``key`` are the raw bytes (default: UTF-8 JSON of a ``payload``-shaped value, and a
    customer id key), base64-encoded here. ``timestamp`` is epoch milliseconds (default ``now``). ``headers``
    default to a content type and a trace id; ``region`` and ``account_id`` are accepted for uniformity (a
    record names no resource).
    """
    rng = LazyRng(seed, SOURCE)
    if value is None:
        value = _payload.payload_json(payload, seed=rng.get(), now=now).encode()
    if key is None:
        key = f"customer-{rng.get().randrange(10_000):04d}".encode()
    if offset is None:
        offset = rng.get().randrange(10_000, 10_000_000)
    if headers is None:
        headers = [("content-type", "application/json"), ("trace-id", hex_digits(rng.get(), 32))]
    return wire_record(
        topic=topic,
        partition=partition,
        offset=offset,
        timestamp=to_ms(now) if timestamp is None else timestamp,
        timestamp_type=timestamp_type,
        key=key,
        value=value,
        headers=headers,
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
    topic: str = "orders",
    partitions: int = 3,
    **overrides: Any,
) -> list[dict[str, Any]]:
    """``n`` records of one topic spread over ``partitions`` partitions, as one batch.

    ``bodies`` supplies the values (``bytes`` as is, ``str`` UTF-8, other values as JSON). Within each
    partition offsets strictly increase and timestamps never decrease (all at or before ``now``); records are
    returned partition by partition, as Lambda groups them.
    """
    check_count(n, high=MAX_BATCH_SIZE)
    check_count(partitions, name="partitions", high=10_000)
    if bodies is not None and len(bodies) != n:
        raise ConfigError(f"bodies has {len(bodies)} items but n={n}; pass one body per record")
    rng = as_rng(seed, SOURCE)
    assigned = sorted(rng.randrange(partitions) for _ in range(n))
    next_offset = {p: rng.randrange(1_000, 5_000_000) for p in sorted(set(assigned))}
    stamp = {p: to_ms(now) - n * 20 for p in next_offset}
    out = []
    for i, part in enumerate(assigned):
        value: bytes | None = None
        if bodies is not None:
            value = as_bytes(bodies[i])
        next_offset[part] += 1
        stamp[part] = min(stamp[part] + rng.randrange(0, 20), to_ms(now))
        out.append(
            record(
                seed=rng,
                region=region,
                account_id=account_id,
                now=now,
                payload=payload,
                value=value,
                topic=topic,
                partition=part,
                offset=next_offset[part],
                timestamp=stamp[part],
                **overrides,
            )
        )
    return out


_records = records


def _cluster(rng: Any, region: str, account_id: str, variant: str) -> tuple[str | None, str]:
    if variant == "msk":
        name = f"{_fake.word(rng).lower()}-cluster"
        cluster_arn = arn("kafka", region, account_id, f"cluster/{name}/{uuid4(rng)}-{rng.randrange(1, 25)}")
        host = f"{name}.{hex_digits(rng, 6)}.c{rng.randrange(1, 4)}.kafka.{region}.amazonaws.com"
        return cluster_arn, ",".join(f"b-{i}.{host}:9098" for i in (1, 2, 3))
    domain = f"{_fake.word(rng).lower()}.internal"
    return None, ",".join(f"kafka-{i}.{domain}:9092" for i in (1, 2, 3))


def event(
    records: Sequence[dict[str, Any]] | None = None,
    *,
    n: int = 1,
    seed: Seed = None,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    variant: str = "msk",
    cluster_arn: str | None = None,
    bootstrap_servers: Sequence[str] | None = None,
    **kwargs: Any,
) -> dict[str, Any]:
    """A full Lambda Kafka event: the given records, or ``n`` fresh ones (``kwargs`` as :func:`records`),
    grouped under ``"<topic>-<partition>"``.

    ``variant`` is ``msk`` (``cluster_arn`` defaults to a cluster in ``region``, broker hosts in the same
    region) or ``self_managed`` (no ARN). ``bootstrap_servers`` are ``host:port`` strings.
    """
    if variant not in VARIANTS:
        raise ConfigError(f"variant={variant!r} is not a Kafka variant; use one of {VARIANTS}")
    rng = as_rng(seed, SOURCE)
    batch = (
        list(records) if records is not None else _records(n, seed=rng, region=region, account_id=account_id, **kwargs)
    )
    drawn_arn, drawn_servers = _cluster(rng, region, account_id, variant)
    return wire_event(
        batch,
        bootstrap_servers=bootstrap_servers or drawn_servers,
        variant=variant,
        cluster_arn=(cluster_arn or drawn_arn) if variant == "msk" else None,
    )


def events(n: int, *, seed: Seed = None, **kwargs: Any) -> list[dict[str, Any]]:
    """``n`` independent events, each as :func:`event` builds it."""
    return many(event, n, seed, kwargs)
