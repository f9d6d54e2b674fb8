"""Where Lambda sends an asynchronous event's result: destinations and the function DLQ (AWS developer
guide: "Capturing records of Lambda asynchronous invocations"; docs/aws-behaviour.md).

Record shapes follow the AWS recordings in the fact sheet: the destination record is
``{version, timestamp, requestContext, requestPayload, responseContext, responsePayload}`` (the two
response keys omitted when no attempt ran), wrapped in an EventBridge envelope for a bus; the DLQ
message is the original event byte for byte with ``RequestID``/``ErrorCode``/``ErrorMessage``.

An S3 bucket takes a record as one JSON object (on-failure only): the object goes to the sim bucket
(its state, bytes and notifications) and, when moto runs in this process, to moto too, so boto3's
``GetObject`` reads it. Keys follow :func:`s3_key`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Final

from lambdachaos._errors import ConfigError
from lambdachaos.resources._errors import InvalidParameterValueException

SUCCESS: Final = "Success"
RETRIES_EXHAUSTED: Final = "RetriesExhausted"
EVENT_AGE_EXCEEDED: Final = "EventAgeExceeded"
ZERO_RESERVED: Final = "ZeroReservedConcurrency"
ERROR_MESSAGE_LIMIT: Final = 1024
DETAIL_TYPE: Final = {
    True: "Lambda Function Invocation Result - Success",
    False: "Lambda Function Invocation Result - Failure",
}


S3_STREAM_PREFIX: Final = "aws/lambda/{uuid}/{shard_id}"
"""Key prefix of a stream mapping's on-failure object (docs/aws-behaviour.md; ``uuid`` is the mapping's UUID)."""
S3_ASYNC_PREFIX: Final = "aws/lambda/async/{function}"
"""Key prefix of an asynchronous on-failure object. [UNV] AWS does not document this key; [DEC] the stream
layout of a stream mapping's on-failure objects with ``async/<function name>`` in place of ``<ESM UUID>/<shardId>``."""


class DeliveryError(Exception):
    """A destination or DLQ could not take the message (it is then lost, as in AWS)."""


class InvalidDestinationConfig(InvalidParameterValueException, ConfigError):
    """``InvalidParameterValueException`` for a destination AWS refuses (S3 as ``OnSuccess``); a ``ConfigError``."""


def arn_of(target: Any) -> str:
    """The ARN of a resource object or an ARN string."""
    if isinstance(target, str):
        return target
    arn = getattr(target, "arn", None)
    if not isinstance(arn, str):
        raise TypeError(f"{target!r} is neither a resource with an ARN nor an ARN string")
    return arn


def service_of(arn: str) -> str:
    """``sqs``, ``sns``, ``events``, ``lambda`` or ``s3`` from an ARN."""
    parts = arn.split(":")
    return parts[2] if len(parts) > 2 else ""


def s3_key(prefix: str, wall_ns: int, random_uuid: str) -> str:
    """``<prefix>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<random UUID>`` for the UTC instant ``wall_ns`` (epoch ns)."""
    at = datetime.fromtimestamp(wall_ns // 1_000_000_000, tz=UTC)
    return f"{prefix}/{at:%Y/%m/%d}/{at:%Y-%m-%dT%H.%M.%S}-{random_uuid}"


def check_async_destinations(on_success: Any, on_failure: Any) -> None:
    """Refuse what ``PutFunctionEventInvokeConfig`` refuses: an S3 bucket as ``DestinationConfig.OnSuccess``.

    The message starts with AWS's wording (seen in the field; the exact rendering of the config is [UNV]).
    """
    if on_success is None or service_of(arn_of(on_success)) != "s3":
        return
    failure = f"OnFailure(destination={arn_of(on_failure)})" if on_failure is not None else "null"
    raise InvalidDestinationConfig(
        f"The provided destination config DestinationConfig(onSuccess=OnSuccess(destination="
        f"{arn_of(on_success)}), onFailure={failure}) is invalid. on_success={arn_of(on_success)!r}: S3 buckets "
        "are supported only as DestinationConfig.OnFailure; use on_failure=bucket, and an SQS queue, SNS "
        "topic, EventBridge bus or function for on_success"
    )


def destination_record(
    *,
    timestamp: str,
    request_id: str,
    function_arn: str,
    condition: str,
    invoke_count: int,
    request_payload: Any,
    executed_version: str | None,
    response_payload: Any,
    function_error: bool,
    ran: bool,
) -> dict[str, Any]:
    """The asynchronous invocation record, in AWS's key order."""
    record: dict[str, Any] = {
        "version": "1.0",
        "timestamp": timestamp,
        "requestContext": {
            "requestId": request_id,
            "functionArn": function_arn,
            "condition": condition,
            "approximateInvokeCount": invoke_count,
        },
        "requestPayload": request_payload,
    }
    if ran:
        response_context: dict[str, Any] = {"statusCode": 200, "executedVersion": executed_version}
        if function_error:
            response_context["functionError"] = "Unhandled"
        record["responseContext"] = response_context
        record["responsePayload"] = response_payload
    return record


def wire_text(text: str) -> str:
    """``text`` as it comes out of a UTF-8 JSON round trip: each lone surrogate becomes U+FFFD.

    The runtime sends the error as JSON with ``\\udXXX`` escapes; the service decodes it as UTF-8 text, where a
    surrogate without its pair cannot exist (docs/aws-behaviour.md, "Error messages on the wire").
    """
    if text.isascii():
        return text
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def dlq_attributes(request_id: str, error_code: str, error_message: str) -> dict[str, dict[str, str]]:
    """The DLQ message attributes (SQS shape; SNS takes the same names and values), in AWS's order.

    ``ErrorMessage`` is the first 1 KB of the message with lone surrogates replaced (:func:`wire_text`); an
    empty message has no ``ErrorMessage`` attribute, since SQS and SNS refuse an empty ``String`` value.
    """
    message = wire_text(error_message[:ERROR_MESSAGE_LIMIT])
    attributes = {"ErrorCode": {"DataType": "Number", "StringValue": error_code}}
    if message:
        attributes["ErrorMessage"] = {"DataType": "String", "StringValue": message}
    attributes["RequestID"] = {"DataType": "String", "StringValue": request_id}
    return attributes


def send(
    target: Any,
    body: str,
    *,
    resolve: Callable[[str], object | None],
    attributes: dict[str, dict[str, str]] | None = None,
    bus_entry: dict[str, Any] | None = None,
    invoke_async: Callable[[Any, bytes], str] | None = None,
    s3_key: str | None = None,
) -> str | None:
    """Deliver ``body`` to a queue, topic, bus, function or bucket; returns the message/event id.

    A bucket needs ``s3_key`` (callers build it with :func:`s3_key`) and returns that key.
    """
    arn = arn_of(target)
    resource: Any = target if not isinstance(target, str) else resolve(arn)
    if resource is None:
        raise DeliveryError(f"destination {arn} does not exist in this simulation")
    kind = service_of(arn)
    try:
        if kind == "sqs":
            if arn.endswith(".fifo"):
                raise DeliveryError(f"{arn}: FIFO queues are not supported as destinations")
            sent = resource.send(body, message_attributes=attributes)
            return str(getattr(sent, "message_id", sent))
        if kind == "sns":
            if arn.endswith(".fifo"):
                raise DeliveryError(f"{arn}: FIFO topics are not supported as destinations")
            sns_attrs = None
            if attributes:
                sns_attrs = {
                    k: {"DataType": v["DataType"], "StringValue": v["StringValue"]} for k, v in attributes.items()
                }
            return str(resource.publish(body, message_attributes=sns_attrs))
        if kind == "events":
            entry = dict(bus_entry or {}, Detail=body)
            ids = resource.put_events([entry])
            return str(ids[0]) if ids else None
        if kind == "lambda":
            if invoke_async is None:
                raise DeliveryError("function destinations need the asynchronous path")
            return invoke_async(resource, body.encode())
        if kind == "s3":
            if s3_key is None:
                raise DeliveryError(f"{arn}: S3 buckets are on-failure destinations only")
            data = body.encode()
            resource.put_object(s3_key, data)
            store_in_moto(resource.name, s3_key, data, resource.world.region)
            return s3_key
    except DeliveryError:
        raise
    except Exception as exc:  # the resource refused it (size, missing, ...): AWS loses the message
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
    raise DeliveryError(f"{arn}: destinations must be SQS, SNS, EventBridge, Lambda or (on failure) S3")


S3Mirror = Callable[[str, str, bytes, str], bool]
"""Writes an S3 destination's object to moto as well: ``(bucket, key, data, region) -> written``."""

_s3_mirror: list[S3Mirror] = []


def set_s3_mirror(mirror: S3Mirror | None) -> None:
    """Install the writer of S3 destination objects into moto (the boto3 bridge installs its own)."""
    _s3_mirror[:] = [] if mirror is None else [mirror]


def store_in_moto(bucket: str, key: str, data: bytes, region: str) -> bool:
    """Write an S3 destination's object to moto too, through the installed mirror; False without one."""
    return bool(_s3_mirror) and _s3_mirror[0](bucket, key, data, region)


def dumps(record: Any) -> str:
    """Compact JSON as Lambda writes destination bodies (valid UTF-8: see :func:`wire_text`)."""
    return wire_text(json.dumps(record, separators=(",", ":"), ensure_ascii=False))
