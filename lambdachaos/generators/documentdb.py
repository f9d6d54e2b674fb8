"""Amazon DocumentDB change stream events, as Lambda's event source mapping delivers them.

AWS page: "Using AWS Lambda with Amazon DocumentDB" (example event). The event is ``{"eventSourceArn": the
cluster's ``arn:aws:rds:...:cluster:<name>``, "events": [...], "eventSource": "aws:docdb"}``; each item is
``{"event": change}``, a MongoDB-style change event in extended JSON: ``_id._data`` (the resume token),
``clusterTime.$timestamp`` (``t`` epoch seconds, ``i`` an increment), ``documentKey._id.$oid`` (24 hex digits),
``fullDocument`` (for inserts, updates with full-document lookup and replaces), ``ns`` (``db``, ``coll``) and
``operationType``.

Uniform API (shared by every batching source): :func:`record`, :func:`records`, :func:`event`, :func:`events`.
"""

from __future__ import annotations

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
    check_count,
    hex_digits,
    many,
)
from ._payload import PayloadSpec

SOURCE = "documentdb"
BATCHING = True
OPERATION_TYPES = ("insert", "update", "replace", "delete")
MAX_BATCH_SIZE = 10_000

__all__ = ["BATCHING", "OPERATION_TYPES", "SOURCE", "event", "events", "record", "records"]


def record(
    *,
    seed: Seed = None,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    now: float = DEFAULT_NOW,
    payload: PayloadSpec = None,
    document: JSON = None,
    operation_type: str = "insert",
    object_id: str | None = None,
    increment: int = 1,
    database: str = "shop",
    collection: str = "orders",
) -> dict[str, Any]:
    """One change item ``{"event": ...}``. ``document`` is the full document (default a ``payload``-shaped
    value), absent for deletes; ``object_id`` the 24-hex ``_id`` (its first 8 digits are the creation time)."""
    if operation_type not in OPERATION_TYPES:
        raise ConfigError(f"operation_type={operation_type!r} is not valid; use one of {OPERATION_TYPES}")
    rng = LazyRng(seed, SOURCE)
    seconds = int(now)
    oid = object_id or f"{seconds - int(rng.get().random() * 86_400):08x}{hex_digits(rng.get(), 16)}"
    change: dict[str, Any] = {
        "_id": {"_data": f"01{seconds:08x}{increment:08x}01{hex_digits(rng.get(), 16)}"},
        "clusterTime": {"$timestamp": {"t": seconds, "i": increment}},
        "documentKey": {"_id": {"$oid": oid}},
    }
    if operation_type != "delete":
        body = document if document is not None else _payload.payload(payload, seed=rng.get(), now=now)
        change["fullDocument"] = (
            {"_id": {"$oid": oid}, **body} if isinstance(body, dict) else {"_id": {"$oid": oid}, "value": body}
        )
    change["ns"] = {"db": database, "coll": collection}
    change["operationType"] = operation_type
    return {"event": change}


def records(
    n: int,
    *,
    seed: Seed = None,
    bodies: Sequence[JSON] | None = None,
    **kwargs: Any,
) -> list[dict[str, Any]]:
    """``n`` changes of one collection, in cluster-time order (the increment grows within the second)."""
    check_count(n, high=MAX_BATCH_SIZE)
    if bodies is not None and len(bodies) != n:
        raise ConfigError(f"bodies has {len(bodies)} items but n={n}; pass one body per record")
    rng = as_rng(seed, SOURCE)
    return [
        record(seed=rng, increment=i + 1, document=None if bodies is None else bodies[i], **kwargs) for i in range(n)
    ]


_records = records


def event(
    records: Sequence[dict[str, Any]] | None = None,
    *,
    n: int = 1,
    seed: Seed = None,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    cluster: str = "orders-docdb",
    **kwargs: Any,
) -> dict[str, Any]:
    """A full event for the cluster ``cluster``: the given items, or ``n`` fresh ones (``kwargs`` as
    :func:`records`)."""
    items = (
        list(records) if records is not None else _records(n, seed=seed, region=region, account_id=account_id, **kwargs)
    )
    return {
        "eventSourceArn": arn("rds", region, account_id, f"cluster:{cluster}"),
        "events": items,
        "eventSource": "aws:docdb",
    }


def events(n: int, *, seed: Seed = None, **kwargs: Any) -> list[dict[str, Any]]:
    """``n`` independent events, each as :func:`event` builds it."""
    return many(event, n, seed, kwargs)
