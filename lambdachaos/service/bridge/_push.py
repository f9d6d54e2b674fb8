"""Bridge answers for push sources and function settings: SNS subscriptions on sim topics, S3
notifications after writes that reached moto, and ``Put/GetFunctionRecursionConfig`` on sim functions.

Each function takes the backend that knows the resource and the request parameters, and returns a
botocore-parsed response dict (or raises an :class:`AWSError` with AWS's code and wording).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final

from lambdachaos._arn import Arn
from lambdachaos.resources._errors import AWSError, InvalidParameter, NotFound
from lambdachaos.service.invoke._recursion import RECURSIVE_LOOP_VALUES

if TYPE_CHECKING:
    from lambdachaos.resources._sns import Subscription, Topic

Params = Mapping[str, Any]

SNS_SUBSCRIPTION_OPERATIONS: Final = frozenset({"Subscribe", "Unsubscribe", "ListSubscriptionsByTopic"})
RECURSION_OPERATIONS: Final = frozenset({"PutFunctionRecursionConfig", "GetFunctionRecursionConfig"})
S3_NOTIFYING_OPERATIONS: Final = frozenset({
    "PutObject", "CopyObject", "CompleteMultipartUpload", "DeleteObject", "DeleteObjects",
})
S3_BUCKET_OPERATIONS: Final = S3_NOTIFYING_OPERATIONS | frozenset({
    "HeadBucket", "GetBucketLocation", "ListObjects", "ListObjectsV2", "ListObjectVersions", "GetObject",
    "HeadObject", "GetObjectAttributes", "CreateMultipartUpload", "UploadPart", "GetBucketVersioning",
})
"""S3 calls on a sim bucket that go through :func:`sync_bucket` before moto answers them."""


def sync_bucket(bucket: Any, call: Callable[[str, dict[str, Any]], Any], region: str) -> None:
    """Make moto hold ``bucket`` and the objects written sim-side, so every boto3 call sees them at once.

    The bucket is created in moto on the first call; each sim-side object whose ETag moto does not hold
    yet is put there, and an object deleted sim-side is deleted there. ``bucket.mirrored`` remembers what
    was copied.
    """
    mirrored = getattr(bucket, "mirrored", {})
    if mirrored is None:
        create: dict[str, Any] = {"Bucket": bucket.name}
        if region != "us-east-1":
            create["CreateBucketConfiguration"] = {"LocationConstraint": region}
        try:
            call("CreateBucket", create)
        except Exception as exc:
            if getattr(exc, "response", {}).get("Error", {}).get("Code") not in (
                    "BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                raise
        if bucket.versioning:
            call("PutBucketVersioning", {"Bucket": bucket.name, "VersioningConfiguration": {"Status": "Enabled"}})
        mirrored = bucket.mirrored = {}
    if not hasattr(bucket, "sim_bodies"):
        return
    current = set()
    for key, state, body in bucket.sim_bodies():
        current.add(key)
        if mirrored.get(key) != state.etag:
            call("PutObject", {"Bucket": bucket.name, "Key": key, "Body": body})
            mirrored[key] = state.etag
    for key in [k for k in mirrored if k not in current]:
        if bucket.head(key) is None:
            call("DeleteObject", {"Bucket": bucket.name, "Key": key})
        del mirrored[key]


class LambdaValidationException(AWSError):
    """Lambda's 400 for a parameter outside its enumeration."""

    code = "ValidationException"


class LambdaResourceNotFound(AWSError):
    """Lambda's 404 for an unknown function."""

    code = "ResourceNotFoundException"
    http_status = 404


# ---- SNS ----------------------------------------------------------------------------------------
def subscription_topic_arn(op: str, p: Params) -> str | None:
    """The topic ARN a subscription request addresses (``Unsubscribe`` names it in the subscription ARN)."""
    if op == "Unsubscribe":
        arn = p.get("SubscriptionArn")
        return arn.rsplit(":", 1)[0] if isinstance(arn, str) and arn.count(":") >= 6 else None
    arn = p.get("TopicArn")
    return arn if isinstance(arn, str) else None


def _subscription_view(topic: Topic, sub: Subscription) -> dict[str, str]:
    return {"SubscriptionArn": sub.arn, "Owner": Arn.parse(topic.arn).account, "Protocol": sub.protocol,
            "Endpoint": sub.endpoint, "TopicArn": topic.arn}


def sns_subscription(backend: Any, topic: Topic, op: str, p: Params) -> dict[str, Any]:
    """``Subscribe`` (``sqs`` and ``lambda`` protocols), ``Unsubscribe``, ``ListSubscriptionsByTopic``."""
    if op == "ListSubscriptionsByTopic":
        return {"Subscriptions": [_subscription_view(topic, s) for s in topic.subscriptions]}
    if op == "Unsubscribe":
        arn = p["SubscriptionArn"]
        sub = next((s for s in topic.subscriptions if s.arn == arn), None)
        if sub is None:
            raise NotFound("Subscription does not exist")
        topic.unsubscribe(sub)
        return {}
    protocol = str(p.get("Protocol", "")).lower()
    endpoint = p.get("Endpoint")
    if not isinstance(endpoint, str) or not endpoint:
        raise InvalidParameter("Invalid parameter: Endpoint")
    attributes = p.get("Attributes") or {}
    raw = str(attributes.get("RawMessageDelivery", "false")).lower() == "true"
    for existing in topic.subscriptions:  # SNS returns the existing subscription for the same endpoint
        if existing.protocol == protocol and existing.endpoint == endpoint:
            return {"SubscriptionArn": existing.arn}
    if protocol == "sqs":
        queue = backend.find_queue(endpoint)
        if queue is None:
            raise InvalidParameter(f"Invalid parameter: SQS endpoint ARN {endpoint} is not a queue of this simulation")
        return {"SubscriptionArn": topic.subscribe_queue(queue, raw_message_delivery=raw).arn}
    if protocol == "lambda":
        hook: Callable[[Topic, str], Subscription] | None = getattr(backend, "subscribe_function", None)
        if hook is None:
            raise InvalidParameter(
                f"Invalid parameter: this simulation cannot deliver {topic.arn} to Lambda {endpoint}; "
                "subscribe with sim.subscribe(topic, function)"
            )
        redrive = attributes.get("RedrivePolicy")
        dlq = None
        if redrive is not None:
            try:
                dlq_arn = json.loads(redrive)["deadLetterTargetArn"]
            except (TypeError, ValueError, KeyError):
                raise InvalidParameter("Invalid parameter: RedrivePolicy: Invalid JSON") from None
            dlq = backend.find_queue(dlq_arn)
            if dlq is None or dlq.fifo != topic.fifo:
                raise InvalidParameter(
                    f"Invalid parameter: RedrivePolicy: deadLetterTargetArn {dlq_arn} is not a "
                    f"{'FIFO' if topic.fifo else 'standard'} queue of this simulation")
        sub = hook(topic, endpoint)
        sub.dead_letter_queue = dlq
        return {"SubscriptionArn": sub.arn}
    raise InvalidParameter(
        f"Invalid parameter: Protocol {protocol!r} is not simulated on sim topics; use 'sqs' or 'lambda'"
    )


# ---- Lambda -------------------------------------------------------------------------------------
def recursion_config(backend: Any, op: str, p: Params) -> dict[str, Any] | None:
    """``PutFunctionRecursionConfig`` / ``GetFunctionRecursionConfig``; None when not a sim function."""
    hook = getattr(backend, "recursion_config", None)
    if hook is None:
        return None
    value = p.get("RecursiveLoop") if op == "PutFunctionRecursionConfig" else None
    if op == "PutFunctionRecursionConfig" and value not in RECURSIVE_LOOP_VALUES:
        raise LambdaValidationException(
            f"1 validation error detected: Value '{value}' at 'recursiveLoop' failed to satisfy constraint: "
            f"Member must satisfy enum value set: [{', '.join(RECURSIVE_LOOP_VALUES)}]"
        )
    current: str | None = hook(p["FunctionName"], value)
    if current is None:
        return None
    return {"RecursiveLoop": current}


# ---- S3 -----------------------------------------------------------------------------------------
def body_size(body: Any) -> int:
    """Bytes in a request body (bytes, text or a seekable stream, read from its current position)."""
    if body is None:
        return 0
    if isinstance(body, (bytes, bytearray)):
        return len(body)
    if isinstance(body, str):
        return len(body.encode())
    seek, tell = getattr(body, "seek", None), getattr(body, "tell", None)
    if seek is not None and tell is not None:
        here = tell()
        seek(0, 2)
        end = int(tell())
        seek(here)
        return end - int(here)
    return 0


def s3_notifications(op: str, p: Params, response: Mapping[str, Any], head: Callable[[str, str], Mapping[str, Any]],
                     *, size: int = 0) -> list[tuple[str, str, dict[str, Any]]]:
    """The ``(event name, key, notify kwargs)`` S3 emits for a write that succeeded (AWS S3 user guide:
    "Event notification types").

    ``size`` is the ``PutObject`` body size measured before the call; ``head(bucket, key)`` reads size
    and ETag of a copied or assembled object.
    """
    bucket = p["Bucket"]
    if op == "PutObject":
        return [("ObjectCreated:Put", p["Key"], {"size": size, "etag": _etag(response),
                                                  "version_id": response.get("VersionId")})]
    if op in ("CopyObject", "CompleteMultipartUpload"):
        info = head(bucket, p["Key"])
        name = "ObjectCreated:Copy" if op == "CopyObject" else "ObjectCreated:CompleteMultipartUpload"
        return [(name, p["Key"], {"size": int(info.get("ContentLength", 0)), "etag": _etag(info),
                                  "version_id": response.get("VersionId")})]
    if op == "DeleteObject":
        return [(_removed(response), p["Key"], {"version_id": response.get("VersionId")})]
    out: list[tuple[str, str, dict[str, Any]]] = []
    for deleted in response.get("Deleted", []):
        out.append((_removed(deleted), deleted["Key"], {"version_id": deleted.get("VersionId")}))
    return out


def _etag(response: Mapping[str, Any]) -> str | None:
    etag = response.get("ETag")
    return etag.strip('"') if isinstance(etag, str) else None


def _removed(response: Mapping[str, Any]) -> str:
    marker = response.get("DeleteMarker")
    return "ObjectRemoved:DeleteMarkerCreated" if marker is True else "ObjectRemoved:Delete"
