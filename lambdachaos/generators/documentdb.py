"""Amazon DocumentDB change stream events, as Lambda's event source mapping delivers them.

AWS page: "Using AWS Lambda with Amazon DocumentDB" (example event). The event is ``{"eventSourceArn": the
cluster's ``arn:aws:rds:...:cluster:<name>``, "events": [...], "eventSource": "aws:docdb"}``; each item is
``{"event": change}``, a MongoDB-style change event in extended JSON: ``_id._data`` (the resume token),
``clusterTime.$timestamp`` (``t`` epoch seconds, ``i`` an increment), ``documentKey._id.$oid`` (24 hex digits),
``fullDocument`` (for inserts, updates with full-document lookup and replaces), ``ns`` (``db``, ``coll``) and
``operationType``.

Updates carry ``updateDescription``; their ``fullDocument`` only with the mapping's ``FullDocument``
``UpdateLookup``.

Uniform API (shared by every batching source): :func:`record`, :func:`records`, :func:`event`, :func:`events`.
Wire builders, which draw nothing and render exactly the values given (for code that holds the changes
already, such as a simulated cluster): :func:`change_event` and :func:`wire_event`.
"""

from __future__ import annotations

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
    check_count,
    hex_digits,
    many,
)
from ._payload import PayloadSpec

SOURCE = "documentdb"
BATCHING = True
OPERATION_TYPES = ("insert", "update", "replace", "delete")
FULL_DOCUMENT_MODES = ("Default", "UpdateLookup")
"""The mapping's ``DocumentDBEventSourceConfig.FullDocument`` values (AWS default: ``Default``)."""
MAX_BATCH_SIZE = 10_000

__all__ = [
    "BATCHING",
    "FULL_DOCUMENT_MODES",
    "OPERATION_TYPES",
    "SOURCE",
    "change_event",
    "event",
    "events",
    "record",
    "records",
    "wire_event",
]


def change_event(
    *,
    operation_type: str,
    object_id: str,
    database: str,
    collection: str,
    cluster_time: int,
    increment: int,
    full_document: Mapping[str, Any] | None = None,
    updated_fields: Mapping[str, Any] | None = None,
    removed_fields: Sequence[str] = (),
    resume_token: str | None = None,
) -> dict[str, Any]:
    """One item of ``events`` (``{"event": change}``) exactly as Lambda renders it; draws nothing.

    Keys come in the order of AWS's example (``_id``, ``clusterTime``, ``documentKey``, ``fullDocument``,
    ``ns``, ``operationType``), ``updateDescription`` (``updatedFields``, ``removedFields``, updates only) last.
    ``cluster_time`` is epoch seconds and ``increment`` the operation's ordinal within that second.
    ``full_document`` (extended JSON; ``_id`` is added when missing) is sent for inserts and replaces, and for
    updates of a mapping with ``FullDocument`` ``UpdateLookup``; never for deletes. ``resume_token`` defaults
    to one built from the cluster time and increment, like AWS's example token.
    """
    if operation_type not in OPERATION_TYPES:
        raise ConfigError(f"operation_type={operation_type!r} is not valid; use one of {OPERATION_TYPES}")
    if len(object_id) != 24 or any(c not in "0123456789abcdef" for c in object_id):
        raise ConfigError(f"object_id={object_id!r} is not an ObjectId; pass 24 lowercase hex digits")
    if operation_type == "delete" and full_document is not None:
        raise ConfigError("a delete change carries no fullDocument; pass full_document=None")
    if operation_type in ("insert", "replace") and full_document is None:
        raise ConfigError(f"an {operation_type} change carries its fullDocument; pass full_document")
    if operation_type != "update" and (updated_fields is not None or removed_fields):
        raise ConfigError(f"only update changes have an updateDescription (operation_type={operation_type!r})")
    token = resume_token or f"01{cluster_time:08x}{increment:08x}01{object_id[-16:]}"
    change: dict[str, Any] = {
        "_id": {"_data": token},
        "clusterTime": {"$timestamp": {"t": cluster_time, "i": increment}},
        "documentKey": {"_id": {"$oid": object_id}},
    }
    if full_document is not None:
        change["fullDocument"] = {"_id": {"$oid": object_id}, **full_document}
    change["ns"] = {"db": database, "coll": collection}
    change["operationType"] = operation_type
    if operation_type == "update":
        change["updateDescription"] = {
            "updatedFields": dict(updated_fields or {}),
            "removedFields": list(removed_fields),
        }
    return {"event": change}


def wire_event(changes: Sequence[dict[str, Any]], *, cluster_arn: str) -> dict[str, Any]:
    """The event of one batch of :func:`change_event` items: ``{"eventSourceArn", "events", "eventSource"}``."""
    if ":rds:" not in cluster_arn or ":cluster:" not in cluster_arn:
        raise ConfigError(f"cluster_arn={cluster_arn!r} is not a DocumentDB cluster ARN (arn:aws:rds:...:cluster:<id>)")
    return {"eventSourceArn": cluster_arn, "events": list(changes), "eventSource": "aws:docdb"}


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
    full_document_mode: str = "Default",
) -> dict[str, Any]:
    """One change item ``{"event": ...}``. ``document`` is the document after the change (default a
    ``payload``-shaped value); ``object_id`` the 24-hex ``_id`` (its first 8 digits are the creation time).

    An update's ``updateDescription`` sets the document's first two fields; its ``fullDocument`` is sent only
    with ``full_document_mode="UpdateLookup"`` (AWS's default, ``Default``, sends the delta only).
    """
    if full_document_mode not in FULL_DOCUMENT_MODES:
        raise ConfigError(f"full_document_mode={full_document_mode!r} is not valid; use one of {FULL_DOCUMENT_MODES}")
    if operation_type not in OPERATION_TYPES:
        raise ConfigError(f"operation_type={operation_type!r} is not valid; use one of {OPERATION_TYPES}")
    rng = LazyRng(seed, SOURCE)
    seconds = int(now)
    oid = object_id or f"{seconds - int(rng.get().random() * 86_400):08x}{hex_digits(rng.get(), 16)}"
    token = f"01{seconds:08x}{increment:08x}01{hex_digits(rng.get(), 16)}"
    body: dict[str, Any] | None = None
    if operation_type != "delete":
        value = document if document is not None else _payload.payload(payload, seed=rng.get(), now=now)
        body = dict(value) if isinstance(value, dict) else {"value": value}
    updated = None
    if operation_type == "update" and body is not None:
        updated = {k: v for k, v in list(body.items())[:2]}
        if full_document_mode == "Default":
            body = None
    return change_event(
        operation_type=operation_type,
        object_id=oid,
        database=database,
        collection=collection,
        cluster_time=seconds,
        increment=increment,
        full_document=body,
        updated_fields=updated,
        resume_token=token,
    )


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
    cluster_arn: str | None = None,
    **kwargs: Any,
) -> dict[str, Any]:
    """A full event for the cluster ``cluster`` (or the given ``cluster_arn``): the given items, or ``n`` fresh
    ones (``kwargs`` as :func:`records`)."""
    items = (
        list(records) if records is not None else _records(n, seed=seed, region=region, account_id=account_id, **kwargs)
    )
    return wire_event(items, cluster_arn=cluster_arn or arn("rds", region, account_id, f"cluster:{cluster}"))


def events(n: int, *, seed: Seed = None, **kwargs: Any) -> list[dict[str, Any]]:
    """``n`` independent events, each as :func:`event` builds it."""
    return many(event, n, seed, kwargs)
