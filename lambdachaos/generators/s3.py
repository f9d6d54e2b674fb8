"""Amazon S3 event notifications: direct to Lambda, through EventBridge, and through an SQS queue.

AWS pages: "Event message structure" (S3 User Guide), "Using EventBridge" (S3 ``Object Created`` events) and
"Using Lambda with Amazon S3". Object keys are form-URL-encoded (space becomes ``+``); ``sequencer`` is
upper-case hex; delete events carry neither ``size`` nor ``eTag``; ``eventVersion`` is 2.1, 2.2 for
replication and 2.3 for lifecycle, Intelligent-Tiering, ACL, tagging and restore-delete events.

Uniform API (shared by every batching source): :func:`record`, :func:`records`, :func:`event`, :func:`events`.
Extra envelopes: :func:`eventbridge_event` (``source: aws.s3``) and :func:`sqs_event` (the S3 event as an SQS
body).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote_plus

from lambdachaos._errors import ConfigError

from . import _fake, _sqs_core
from ._common import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_NOW,
    DEFAULT_REGION,
    LazyRng,
    Seed,
    as_rng,
    b64,
    check_count,
    dumps,
    hex_digits,
    iam_id,
    iso_ms,
    iso_s,
    many,
    md5_hex,
    partition,
    token,
    upper_alnum,
    uuid4,
)
from ._s3_data import (
    ACCESS_TIERS,
    REPLICATION_FAILURE_REASONS,
    TRANSITION_CLASSES,
    VERSION_ID_ALPHABET,
    needs_versioning,
    operation_data,
)

SOURCE = "s3"
BATCHING = False
EVENT_NAMES = (
    "ObjectCreated:Put",
    "ObjectCreated:Post",
    "ObjectCreated:Copy",
    "ObjectCreated:CompleteMultipartUpload",
    "ObjectRemoved:Delete",
    "ObjectRemoved:DeleteMarkerCreated",
    "ObjectRestore:Post",
    "ObjectRestore:Completed",
    "ObjectRestore:Delete",
    "ReducedRedundancyLostObject",
    "Replication:OperationFailedReplication",
    "Replication:OperationMissedThreshold",
    "Replication:OperationReplicatedAfterThreshold",
    "Replication:OperationNotTracked",
    "LifecycleExpiration:Delete",
    "LifecycleExpiration:DeleteMarkerCreated",
    "LifecycleTransition",
    "IntelligentTiering",
    "ObjectTagging:Put",
    "ObjectTagging:Delete",
    "ObjectAcl:Put",
)
VARIANTS = EVENT_NAMES
_DELETES = ("ObjectRemoved:", "LifecycleExpiration:")
_V23 = (
    "LifecycleExpiration:",
    "LifecycleTransition",
    "IntelligentTiering",
    "ObjectTagging:",
    "ObjectAcl:",
    "ObjectRestore:Delete",
)
_EVENTBRIDGE_TYPES = {
    "ObjectCreated": "Object Created",
    "ObjectRemoved": "Object Deleted",
    "ObjectRestore:Post": "Object Restore Initiated",
    "ObjectRestore:Completed": "Object Restore Completed",
    "ObjectRestore:Delete": "Object Restore Expired",
    "ObjectTagging:Put": "Object Tags Added",
    "ObjectTagging:Delete": "Object Tags Deleted",
    "ObjectAcl:Put": "Object ACL Updated",
    "LifecycleTransition": "Object Storage Class Changed",
    "IntelligentTiering": "Object Access Tier Changed",
    "LifecycleExpiration": "Object Deleted",
}

__all__ = [
    "ACCESS_TIERS",
    "BATCHING",
    "EVENT_NAMES",
    "REPLICATION_FAILURE_REASONS",
    "SOURCE",
    "TRANSITION_CLASSES",
    "VARIANTS",
    "encode_key",
    "event",
    "event_version",
    "eventbridge_event",
    "events",
    "is_delete",
    "needs_versioning",
    "operation_data",
    "record",
    "records",
    "sqs_event",
]


def encode_key(key: str) -> str:
    """The object key as S3 puts it in notifications: form-URL-encoded, ``/`` kept, space as ``+``."""
    return quote_plus(key, safe="/")


def is_delete(event_name: str) -> bool:
    """Whether ``event_name`` removes an object (such records have no ``size`` or ``eTag``)."""
    return event_name.startswith(_DELETES)


def event_version(event_name: str) -> str:
    """The ``eventVersion`` S3 uses for ``event_name``."""
    if event_name.startswith("Replication:"):
        return "2.2"
    return "2.3" if event_name.startswith(_V23) else "2.1"


def _key(rng: Any) -> str:
    folder = rng.choice(("uploads", "invoices", "images/2024", "exports/daily", "incoming"))
    name = rng.choice(
        (f"{_fake.word(rng)} {_fake.word(rng)}", _fake.word(rng), f"{_fake.word(rng)}+v{rng.randrange(9)}")
    )
    return f"{folder}/{name}-{rng.randrange(10_000)}.{rng.choice(('json', 'csv', 'png', 'pdf'))}"


def record(
    *,
    seed: Seed = None,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    now: float = DEFAULT_NOW,
    event_name: str = "ObjectCreated:Put",
    bucket: str = "orders-bucket",
    key: str | None = None,
    size: int | None = None,
    etag: str | None = None,
    version_id: str | None = None,
    versioned: bool | None = None,
    sequencer: str | None = None,
    principal_id: str | None = None,
    source_ip: str | None = None,
    request_id: str | None = None,
    configuration_id: str = "lambda-notification",
) -> dict[str, Any]:
    """One S3 notification record in Lambda's wire shape.

    ``key`` is the raw object key (encoded here). ``size``/``etag`` are dropped for delete events.
    ``versionId`` appears when the bucket is ``versioned`` (default: when ``version_id`` is given, and always
    for replication and delete-marker events, which need versioning).
    ``eventTime`` is ``now`` with millisecond precision. Version 2.2/2.3 events carry their operation data
    (see :func:`operation_data`).
    """
    if event_name.startswith("s3:"):
        event_name = event_name[3:]
    if event_name not in EVENT_NAMES:
        raise ConfigError(f"event_name={event_name!r} is not an S3 event type; use one of {EVENT_NAMES}")
    rng = LazyRng(seed, SOURCE)
    key = key if key is not None else _key(rng.get())
    obj: dict[str, Any] = {"key": encode_key(key)}
    if not is_delete(event_name):
        obj["size"] = size if size is not None else rng.get().randrange(64, 5_000_000)
        obj["eTag"] = etag or md5_hex(f"{bucket}/{key}/{obj['size']}")
    if versioned is None:
        versioned = needs_versioning(event_name) or version_id is not None
    if versioned:
        obj["versionId"] = version_id or token(rng.get(), 32, VERSION_ID_ALPHABET)
    obj["sequencer"] = sequencer or hex_digits(rng.get(), 18, upper=True)
    by_s3 = event_name.startswith(("Replication:", "Lifecycle", "IntelligentTiering"))
    principal = principal_id or ("s3.amazonaws.com" if by_s3 else "AWS:" + iam_id(rng.get(), "AIDA"))
    if by_s3 and source_ip is None:
        source_ip = "s3.amazonaws.com"
    rec: dict[str, Any] = {
        "eventVersion": event_version(event_name),
        "eventSource": "aws:s3",
        "awsRegion": region,
        "eventTime": iso_ms(now),
        "eventName": event_name,
        "userIdentity": {"principalId": principal},
        "requestParameters": {"sourceIPAddress": source_ip or _fake.ipv4(rng.get())},
        "responseElements": {
            "x-amz-request-id": request_id or hex_digits(rng.get(), 16, upper=True),
            "x-amz-id-2": b64(rng.get().getrandbits(480).to_bytes(60, "big")),
        },
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": configuration_id,
            "bucket": {
                "name": bucket,
                "ownerIdentity": {"principalId": upper_alnum(rng.get(), 14)},
                "arn": f"arn:{partition(region)}:s3:::{bucket}",
            },
            "object": obj,
        },
    }
    rec.update(operation_data(event_name, rng.get, region=region, bucket=bucket, now=now))
    return rec


def records(
    n: int,
    *,
    seed: Seed = None,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    now: float = DEFAULT_NOW,
    event_name: str = "ObjectCreated:Put",
    bucket: str = "orders-bucket",
    **overrides: Any,
) -> list[dict[str, Any]]:
    """``n`` notification records for one bucket (S3 sends one record per event; a list helps build many
    events).
    """
    rng = as_rng(seed, SOURCE)
    return [
        record(
            seed=rng,
            region=region,
            account_id=account_id,
            now=now,
            event_name=event_name,
            bucket=bucket,
            **overrides,
        )
        for _ in range(check_count(n))
    ]


_records = records


def event(
    records: Sequence[dict[str, Any]] | None = None, *, n: int = 1, seed: Seed = None, **kwargs: Any
) -> dict[str, Any]:
    """A Lambda S3 event ``{"Records": [...]}`` (S3 delivers one record per event; ``n`` > 1 is for tests)."""
    return {"Records": list(records) if records is not None else _records(n, seed=seed, **kwargs)}


def events(n: int, *, seed: Seed = None, **kwargs: Any) -> list[dict[str, Any]]:
    """``n`` independent events, each as :func:`event` builds it."""
    return many(event, n, seed, kwargs)


def eventbridge_event(
    *,
    seed: Seed = None,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    now: float = DEFAULT_NOW,
    event_name: str = "ObjectCreated:Put",
    bucket: str = "orders-bucket",
    key: str | None = None,
    size: int | None = None,
) -> dict[str, Any]:
    """The same S3 change as EventBridge delivers it (``source: aws.s3``, ``detail-type: Object Created``...).

    Unlike the notification record the key is not URL-encoded and the hash field is lower-case ``etag``.
    """
    rng = as_rng(seed, SOURCE)
    rec = record(
        seed=rng,
        region=region,
        account_id=account_id,
        now=now,
        event_name=event_name,
        bucket=bucket,
        key=key,
        size=size,
    )
    obj = rec["s3"]["object"]
    detail_obj: dict[str, Any] = {"key": key if key is not None else _unquote(obj["key"])}
    if "size" in obj:
        detail_obj["size"] = obj["size"]
        detail_obj["etag"] = obj["eTag"]
    detail_obj["sequencer"] = obj["sequencer"]
    family = event_name if event_name in _EVENTBRIDGE_TYPES else event_name.split(":")[0]
    reason = {
        "ObjectCreated:Put": "PutObject",
        "ObjectCreated:Post": "POST Object",
        "ObjectCreated:Copy": "CopyObject",
        "ObjectCreated:CompleteMultipartUpload": "CompleteMultipartUpload",
        "ObjectRemoved:Delete": "DeleteObject",
        "ObjectRemoved:DeleteMarkerCreated": "DeleteObject",
    }.get(event_name, "")
    detail: dict[str, Any] = {
        "version": "0",
        "bucket": {"name": bucket},
        "object": detail_obj,
        "request-id": rec["responseElements"]["x-amz-request-id"],
        "requester": account_id,
        "source-ip-address": rec["requestParameters"]["sourceIPAddress"],
    }
    if reason:
        detail["reason"] = reason
    if event_name.startswith("ObjectRemoved:"):
        detail["deletion-type"] = "Delete Marker Created" if event_name.endswith("Created") else "Permanently Deleted"
    return {
        "version": "0",
        "id": uuid4(rng),
        "detail-type": _EVENTBRIDGE_TYPES.get(family, "Object Created"),
        "source": "aws.s3",
        "account": account_id,
        "time": iso_s(now),
        "region": region,
        "resources": [f"arn:{partition(region)}:s3:::{bucket}"],
        "detail": detail,
    }


def _unquote(value: str) -> str:
    from urllib.parse import unquote_plus

    return unquote_plus(value)


def sqs_event(
    *,
    seed: Seed = None,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    now: float = DEFAULT_NOW,
    n: int = 1,
    queue_name: str = "s3-notifications",
    event_name: str = "ObjectCreated:Put",
    bucket: str = "orders-bucket",
) -> dict[str, Any]:
    """An SQS event whose ``n`` message bodies are S3 notification events (bucket notifying a queue)."""
    rng = as_rng(seed, SOURCE)
    queue = _sqs_core.queue_arn(region, account_id, queue_name)
    out = []
    for _ in range(check_count(n)):
        body = dumps(
            {
                "Records": [
                    record(
                        seed=rng,
                        region=region,
                        account_id=account_id,
                        now=now,
                        event_name=event_name,
                        bucket=bucket,
                    )
                ]
            }
        )
        out.append(
            _sqs_core.render(
                body=body,
                rng=LazyRng(rng, SOURCE),
                region=region,
                account_id=account_id,
                now=now + 0.05,
                queue_arn_=queue,
            )
        )
    return {"Records": out}
