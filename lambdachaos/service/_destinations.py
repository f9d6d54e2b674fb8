"""Where Lambda sends an asynchronous event's result: destinations and the function DLQ (AWS-SEMANTICS §4.2-4.4).

Record shapes follow the AWS recordings in the fact sheet: the destination record is
``{version, timestamp, requestContext, requestPayload, responseContext, responsePayload}`` (the two
response keys omitted when no attempt ran), wrapped in an EventBridge envelope for a bus; the DLQ
message is the original event byte for byte with ``RequestID``/``ErrorCode``/``ErrorMessage``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Final

SUCCESS: Final = "Success"
RETRIES_EXHAUSTED: Final = "RetriesExhausted"
EVENT_AGE_EXCEEDED: Final = "EventAgeExceeded"
ZERO_RESERVED: Final = "ZeroReservedConcurrency"
ERROR_MESSAGE_LIMIT: Final = 1024
DETAIL_TYPE: Final = {
    True: "Lambda Function Invocation Result - Success",
    False: "Lambda Function Invocation Result - Failure",
}


class DeliveryError(Exception):
    """A destination or DLQ could not take the message (it is then lost, as in AWS)."""


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


def dlq_attributes(request_id: str, error_code: str, error_message: str) -> dict[str, dict[str, str]]:
    """The DLQ message attributes (SQS shape; SNS takes the same names and values)."""
    return {
        "RequestID": {"DataType": "String", "StringValue": request_id},
        "ErrorCode": {"DataType": "Number", "StringValue": error_code},
        "ErrorMessage": {"DataType": "String", "StringValue": error_message[:ERROR_MESSAGE_LIMIT]},
    }


def send(
    target: Any,
    body: str,
    *,
    resolve: Callable[[str], object | None],
    attributes: dict[str, dict[str, str]] | None = None,
    bus_entry: dict[str, Any] | None = None,
    invoke_async: Callable[[Any, bytes], str] | None = None,
) -> str | None:
    """Deliver ``body`` to a queue, topic, bus or function; returns the message/event id."""
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
    except DeliveryError:
        raise
    except Exception as exc:  # the resource refused it (size, missing, ...): AWS loses the message
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
    raise DeliveryError(f"{arn}: destinations must be SQS, SNS, EventBridge or Lambda")


def dumps(record: Any) -> str:
    """Compact JSON as Lambda writes destination bodies."""
    return json.dumps(record, separators=(",", ":"), ensure_ascii=False)
