"""Amazon DynamoDB Streams events as Lambda's event source mapping delivers them.

AWS page: "Using Lambda with Amazon DynamoDB" and "Change data capture for DynamoDB Streams". ``eventName`` is
``INSERT``, ``MODIFY`` or ``REMOVE``; which images a record carries follows the stream's ``StreamViewType``
(KEYS_ONLY: none; NEW_IMAGE: ``NewImage`` except on REMOVE; OLD_IMAGE: ``OldImage`` except on INSERT;
NEW_AND_OLD_IMAGES: both where they exist). ``Keys`` are always present and contained in every image. Values
use DynamoDB's AttributeValue JSON (numbers as strings, binary as base64). ``SequenceNumber`` increases in a
batch.

Uniform API (shared by every batching source): :func:`record`, :func:`records`, :func:`event`, :func:`events`.
"""

from __future__ import annotations

import decimal
from collections.abc import Mapping, Sequence
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
    hex_digits,
    iso_ms,
    many,
    region_of_arn,
)
from ._payload import PayloadSpec

SOURCE = "dynamodb_streams"
BATCHING = True
EVENT_NAMES = ("INSERT", "MODIFY", "REMOVE")
STREAM_VIEW_TYPES = ("KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES")
VARIANTS = tuple(f"{e}:{v}" for e in EVENT_NAMES for v in STREAM_VIEW_TYPES)
MAX_BATCH_SIZE = 10_000
TTL_USER_IDENTITY = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}

__all__ = [
    "BATCHING",
    "EVENT_NAMES",
    "SOURCE",
    "STREAM_VIEW_TYPES",
    "TTL_USER_IDENTITY",
    "VARIANTS",
    "event",
    "events",
    "marshal",
    "record",
    "records",
    "table_stream_arn",
]


def marshal(value: Any) -> dict[str, Any]:
    """One Python value as DynamoDB AttributeValue JSON (``{"S": ...}``, ``{"N": "12.5"}``, ``{"M":
    {...}}``...).
    """
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int | float | decimal.Decimal):
        return {"N": str(value)}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, bytes | bytearray):
        return {"B": b64(bytes(value))}
    if isinstance(value, Mapping):
        return {"M": {str(k): marshal(v) for k, v in value.items()}}
    if isinstance(value, set | frozenset):
        items = sorted(value, key=str)
        if all(isinstance(v, str) for v in items):
            return {"SS": items}
        if all(isinstance(v, bytes) for v in items):
            return {"BS": [b64(v) for v in items]}
        return {"NS": [str(v) for v in items]}
    if isinstance(value, list | tuple):
        return {"L": [marshal(v) for v in value]}
    raise ConfigError(f"value {value!r} ({type(value).__name__}) has no DynamoDB AttributeValue form")


def _image(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: marshal(v) for k, v in values.items()}


def _size(*images: Mapping[str, Any] | None) -> int:
    # DynamoDB counts attribute name lengths plus value sizes; the JSON length is a close, always-positive
    # proxy.
    return sum(len(dumps(i)) for i in images if i) // 2 + 1


def table_stream_arn(region: str, account_id: str, table: str = "Orders", label: float = DEFAULT_NOW) -> str:
    """``arn:aws:dynamodb:<region>:<account>:table/<table>/stream/<ISO ms label>``."""
    return arn("dynamodb", region, account_id, f"table/{table}/stream/{iso_ms(label)[:-1]}")


def record(
    *,
    seed: Seed = None,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    now: float = DEFAULT_NOW,
    payload: PayloadSpec = None,
    event_name: str = "INSERT",
    stream_view_type: str = "NEW_AND_OLD_IMAGES",
    keys: Mapping[str, Any] | None = None,
    new_image: Mapping[str, Any] | None = None,
    old_image: Mapping[str, Any] | None = None,
    marshalled: bool = False,
    event_id: str | None = None,
    sequence_number: str | None = None,
    approximate_creation_date_time: float | None = None,
    size_bytes: int | None = None,
    stream_arn: str | None = None,
    ttl_delete: bool = False,
) -> dict[str, Any]:
    """One DynamoDB Streams record in Lambda's wire shape.

    ``keys``, ``new_image`` and ``old_image`` are plain Python mappings (marshalled here) unless
    ``marshalled`` says they already are AttributeValue JSON. Missing images are generated from ``payload``
    with the key attribute ``orderId``; images the view type or event name excludes are dropped.
    ``ttl_delete`` marks a REMOVE made by Time to Live (``userIdentity`` of the DynamoDB service).
    """
    if event_name not in EVENT_NAMES:
        raise ConfigError(f"event_name={event_name!r} is not a DynamoDB stream event; use one of {EVENT_NAMES}")
    if stream_view_type not in STREAM_VIEW_TYPES:
        raise ConfigError(f"stream_view_type={stream_view_type!r} is not valid; use one of {STREAM_VIEW_TYPES}")
    if ttl_delete and event_name != "REMOVE":
        raise ConfigError(f"ttl_delete=True needs event_name='REMOVE', got event_name={event_name!r}")
    rng = LazyRng(seed, SOURCE)
    conv = (lambda m: dict(m)) if marshalled else _image
    want_new = event_name != "REMOVE" and stream_view_type in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES")
    want_old = event_name != "INSERT" and stream_view_type in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES")
    if keys is None or (want_new and new_image is None) or (want_old and old_image is None):
        base: dict[str, Any] = dict(new_image or old_image or {})
        if not base:
            generated = _payload.payload(payload, seed=rng.get(), now=now)
            base = dict(generated) if isinstance(generated, Mapping) else {"value": generated}
            if marshalled:
                base = _image(base)
        if keys is None:
            key_name = next(iter(base)) if base else "orderId"
            keys = {key_name: base[key_name]} if base else {"orderId": "0"}
        base.update(keys)
        if new_image is None:
            new_image = base
        if old_image is None:
            old_image = dict(base)
            status = "status" if "status" in base else None
            if status and event_name == "MODIFY":
                old_image[status] = {"S": "PLACED"} if marshalled else "PLACED"
    out_db: dict[str, Any] = {
        "ApproximateCreationDateTime": int(
            now if approximate_creation_date_time is None else approximate_creation_date_time
        )
    }
    out_db["Keys"] = conv(keys)
    if want_new and new_image is not None:
        out_db["NewImage"] = conv(new_image)
    if want_old and old_image is not None:
        out_db["OldImage"] = conv(old_image)
    out_db["SequenceNumber"] = sequence_number or str(rng.get().randrange(10**20, 10**21))
    out_db["SizeBytes"] = size_bytes or _size(out_db["Keys"], out_db.get("NewImage"), out_db.get("OldImage"))
    out_db["StreamViewType"] = stream_view_type
    source_arn = stream_arn or table_stream_arn(region, account_id)
    out: dict[str, Any] = {
        "eventID": event_id or hex_digits(rng.get(), 32),
        "eventName": event_name,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": region_of_arn(source_arn),
        "dynamodb": out_db,
        "eventSourceARN": source_arn,
    }
    if ttl_delete:
        out["userIdentity"] = dict(TTL_USER_IDENTITY)
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
    event_name: str | None = None,
    stream_view_type: str = "NEW_AND_OLD_IMAGES",
    stream_arn: str | None = None,
    **overrides: Any,
) -> list[dict[str, Any]]:
    """``n`` records of one stream shard, as one batch.

    ``bodies`` supplies the items (mappings). ``event_name=None`` mixes INSERT, MODIFY and REMOVE. Sequence
    numbers strictly increase and creation times never decrease.
    """
    check_count(n, high=MAX_BATCH_SIZE)
    if bodies is not None and len(bodies) != n:
        raise ConfigError(f"bodies has {len(bodies)} items but n={n}; pass one body per record")
    rng = as_rng(seed, SOURCE)
    source_arn = stream_arn or table_stream_arn(region, account_id)
    sequence = rng.randrange(10**20, 10**21)
    start = int(now) - n
    out = []
    for i in range(n):
        sequence += rng.randrange(1, 10**6)
        item = bodies[i] if bodies is not None else None
        if item is not None and not isinstance(item, Mapping):
            raise ConfigError(f"bodies[{i}] is {type(item).__name__}; DynamoDB images need mappings")
        out.append(
            record(
                seed=rng,
                region=region,
                account_id=account_id,
                now=now,
                payload=payload,
                event_name=event_name or rng.choice(EVENT_NAMES),
                stream_view_type=stream_view_type,
                new_image=item,
                old_image=item,
                sequence_number=str(sequence),
                approximate_creation_date_time=start + i,
                stream_arn=source_arn,
                **overrides,
            )
        )
    return out


_records = records


def event(
    records: Sequence[dict[str, Any]] | None = None, *, n: int = 1, seed: Seed = None, **kwargs: Any
) -> dict[str, Any]:
    """A full Lambda DynamoDB Streams event ``{"Records": [...]}``: the given records, or ``n`` fresh ones."""
    return {"Records": list(records) if records is not None else _records(n, seed=seed, **kwargs)}


def events(n: int, *, seed: Seed = None, **kwargs: Any) -> list[dict[str, Any]]:
    """``n`` independent events, each as :func:`event` builds it."""
    return many(event, n, seed, kwargs)
