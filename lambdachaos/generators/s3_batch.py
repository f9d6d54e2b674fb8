"""Amazon S3 Batch Operations "Invoke AWS Lambda function" requests (invocation schema 1.0 and 2.0).

AWS page: "Invoke AWS Lambda function" (S3 Batch Operations). Each invocation carries exactly one task.
``invocationSchemaVersion`` ``1.0`` names the bucket by ARN (``s3BucketArn``, ``arn:aws:s3:::<bucket>``);
``2.0`` names it in ``s3Bucket`` and may pass ``job.userArguments``. ``s3Key`` is URL-encoded (a space is
``+``, as in the manifest), ``s3VersionId`` is ``null`` for unversioned objects, and ``invocationId`` and
``taskId`` are opaque base64-like strings.

Uniform API (shared by every non-batching source): :func:`event` and :func:`events`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote_plus

from lambdachaos._errors import ConfigError

from . import _fake
from ._common import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_NOW,
    DEFAULT_REGION,
    LazyRng,
    Seed,
    b64,
    many,
    partition,
    token,
    uuid4,
)

SOURCE = "s3_batch"
BATCHING = False
VARIANTS = ("1.0", "2.0")

__all__ = ["BATCHING", "SOURCE", "VARIANTS", "event", "events"]


def event(
    *,
    seed: Seed = None,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    now: float = DEFAULT_NOW,
    variant: str = "1.0",
    bucket: str | None = None,
    key: str | None = None,
    version_id: str | None = None,
    job_id: str | None = None,
    user_arguments: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """One S3 Batch Operations invocation; ``variant`` is the ``invocationSchemaVersion``.

    ``key`` is the raw object key (URL-encoded here); ``version_id`` stays ``None`` for unversioned
    buckets. ``user_arguments`` (schema 2.0 only) default to ``{}``. ``region`` sets the partition of the
    bucket ARN; ``account_id`` and ``now`` are accepted for uniformity.
    """
    if variant not in VARIANTS:
        raise ConfigError(f"variant={variant!r} is not an S3 Batch invocation schema; use one of {VARIANTS}")
    if user_arguments is not None and variant == "1.0":
        raise ConfigError("user_arguments needs variant='2.0'; schema 1.0 has no job.userArguments")
    rng = LazyRng(seed, SOURCE)
    r = rng.get
    bucket = bucket or f"{_fake.word(r()).lower()}-exports-{account_id}"
    key = key or f"exports/{_fake.word(r())} report {uuid4(r())[:8]}.csv"
    job: dict[str, Any] = {"id": job_id or uuid4(r())}
    task: dict[str, Any] = {"taskId": b64(r().getrandbits(192).to_bytes(24, "big")).rstrip("=")}
    if variant == "1.0":
        task["s3Key"] = quote_plus(key, safe="/")
        task["s3VersionId"] = version_id
        task["s3BucketArn"] = f"arn:{partition(region)}:s3:::{bucket}"
    else:
        job["userArguments"] = dict(user_arguments or {})
        task["s3Bucket"] = bucket
        task["s3Key"] = quote_plus(key, safe="/")
        task["s3VersionId"] = version_id
    return {
        "invocationSchemaVersion": variant,
        "invocationId": token(r(), 52, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"),
        "job": job,
        "tasks": [task],
    }


def events(n: int, *, seed: Seed = None, **kwargs: Any) -> list[dict[str, Any]]:
    """``n`` independent events, each as :func:`event` builds it."""
    return many(event, n, seed, kwargs)
