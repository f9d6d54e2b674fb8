"""The SQS API over a sim :class:`Queue`: request parameters in, botocore-parsed response dicts out.

Used by the boto3 bridge; independent of botocore. Shapes follow the SQS JSON protocol as botocore
parses it (AWS page: "Amazon SQS API Reference").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, Final

from lambdachaos.resources._errors import (
    AWSError,
    BatchEntryIdsNotDistinct,
    BatchRequestTooLong,
    EmptyBatchRequest,
    InvalidAttributeName,
    InvalidBatchEntryId,
    TooManyEntriesInBatchRequest,
)
from lambdachaos.resources._sqs import Queue
from lambdachaos.resources._sqs_message import ReceivedMessage

Params = Mapping[str, Any]
Response = dict[str, Any]

MAX_BATCH_ENTRIES: Final = 10
_BATCH_ID: Final = re.compile(r"[A-Za-z0-9_-]{1,80}")
_SYSTEM_ATTRIBUTES: Final = (
    "SenderId",
    "SentTimestamp",
    "ApproximateReceiveCount",
    "ApproximateFirstReceiveTimestamp",
    "SequenceNumber",
    "MessageDeduplicationId",
    "MessageGroupId",
    "DeadLetterQueueSourceArn",
    "AWSTraceHeader",
)


def _check_batch(entries: Any, size_of: Callable[[Mapping[str, Any]], int] | None, limit: int) -> None:
    if not entries:
        raise EmptyBatchRequest("There should be at least one SendMessageBatchRequestEntry in the request.")
    if len(entries) > MAX_BATCH_ENTRIES:
        raise TooManyEntriesInBatchRequest(
            f"Maximum number of entries per request are {MAX_BATCH_ENTRIES}. You have sent {len(entries)}."
        )
    ids = [entry.get("Id") for entry in entries]
    for entry_id in ids:
        if not isinstance(entry_id, str) or not _BATCH_ID.fullmatch(entry_id):
            raise InvalidBatchEntryId(
                "A batch entry id can only contain alphanumeric characters, hyphens and underscores. "
                "It can be at most 80 letters long."
            )
    if len(set(ids)) != len(ids):
        duplicate = next(i for i in ids if ids.count(i) > 1)
        raise BatchEntryIdsNotDistinct(f"Id {duplicate} repeated.")
    if size_of is not None:
        total = sum(size_of(entry) for entry in entries)
        if total > limit:
            raise BatchRequestTooLong(
                f"Batch requests cannot be longer than {limit} bytes. You have sent {total} bytes."
            )


def _failure(entry_id: str, error: AWSError) -> dict[str, Any]:
    return {
        "Id": entry_id,
        "SenderFault": error.sender_fault,
        "Code": error.error_shape,
        "Message": error.message,
    }


def _send(queue: Queue, p: Params) -> Response:
    sent = queue.send(
        p["MessageBody"],
        message_attributes=p.get("MessageAttributes"),
        delay_seconds=p.get("DelaySeconds"),
        message_group_id=p.get("MessageGroupId"),
        message_deduplication_id=p.get("MessageDeduplicationId"),
    )
    out: Response = {"MD5OfMessageBody": sent.md5_of_body}
    if sent.md5_of_message_attributes is not None:
        out["MD5OfMessageAttributes"] = sent.md5_of_message_attributes
    out["MessageId"] = sent.message_id
    if sent.sequence_number is not None:
        out["SequenceNumber"] = sent.sequence_number
    return out


def send_message(queue: Queue, p: Params) -> Response:
    """``SendMessage``."""
    return _send(queue, p)


def _entry_size(entry: Mapping[str, Any]) -> int:
    size = len(str(entry.get("MessageBody", "")).encode())
    for name, spec in (entry.get("MessageAttributes") or {}).items():
        size += len(name.encode()) + len(str(spec.get("DataType", "")).encode())
        value = spec.get("StringValue", spec.get("BinaryValue", b""))
        size += len(value.encode() if isinstance(value, str) else value)
    return size


def send_message_batch(queue: Queue, p: Params) -> Response:
    """``SendMessageBatch``: per-entry results in ``Successful`` and ``Failed``."""
    entries = p.get("Entries") or []
    _check_batch(entries, _entry_size, queue.config.maximum_message_size)
    ok: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    for entry in entries:
        try:
            result = _send(queue, entry)
        except AWSError as error:
            failed.append(_failure(entry["Id"], error))
            continue
        ok.append({"Id": entry["Id"], **result})
    return {"Successful": ok, "Failed": failed}


def _wanted(names: Any, available: Mapping[str, Any]) -> dict[str, Any]:
    if not names:
        return {}
    if "All" in names or ".*" in names:
        return dict(available)
    out: dict[str, Any] = {}
    for key, value in available.items():
        for name in names:
            if key == name or (name.endswith(".*") and key.startswith(name[:-1])):
                out[key] = value
                break
    return out


def _render(received: ReceivedMessage, system_names: Any, attribute_names: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "MessageId": received.message_id,
        "ReceiptHandle": received.receipt_handle,
        "MD5OfBody": received.md5_of_body,
        "Body": received.body,
    }
    attrs = _wanted(system_names, received.attributes)
    if attrs:
        out["Attributes"] = attrs
    user = _wanted(attribute_names, received.message_attributes)
    if user:
        out["MD5OfMessageAttributes"] = received.md5_of_message_attributes
        out["MessageAttributes"] = {name: dict(spec) for name, spec in user.items()}
    return out


def receive_message(queue: Queue, p: Params) -> Response:
    """``ReceiveMessage``: ``WaitTimeSeconds`` never blocks (the sim answers at the current virtual time)."""
    received = queue.receive(p.get("MaxNumberOfMessages", 1), visibility_timeout=p.get("VisibilityTimeout"))
    if not received:
        return {}
    system = list(p.get("MessageSystemAttributeNames") or []) + list(p.get("AttributeNames") or [])
    return {"Messages": [_render(r, system, p.get("MessageAttributeNames")) for r in received]}


def delete_message(queue: Queue, p: Params) -> Response:
    """``DeleteMessage``."""
    queue.delete(p["ReceiptHandle"])
    return {}


def delete_message_batch(queue: Queue, p: Params) -> Response:
    """``DeleteMessageBatch``."""
    entries = p.get("Entries") or []
    _check_batch(entries, None, 0)
    ok: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    for entry in entries:
        try:
            queue.delete(entry["ReceiptHandle"])
        except AWSError as error:
            failed.append(_failure(entry["Id"], error))
            continue
        ok.append({"Id": entry["Id"]})
    return {"Successful": ok, "Failed": failed}


def change_message_visibility(queue: Queue, p: Params) -> Response:
    """``ChangeMessageVisibility``."""
    queue.change_visibility(p["ReceiptHandle"], p["VisibilityTimeout"])
    return {}


def change_message_visibility_batch(queue: Queue, p: Params) -> Response:
    """``ChangeMessageVisibilityBatch``."""
    entries = p.get("Entries") or []
    _check_batch(entries, None, 0)
    ok: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    for entry in entries:
        try:
            queue.change_visibility(entry["ReceiptHandle"], entry.get("VisibilityTimeout", 0))
        except AWSError as error:
            failed.append(_failure(entry["Id"], error))
            continue
        ok.append({"Id": entry["Id"]})
    return {"Successful": ok, "Failed": failed}


def get_queue_attributes(queue: Queue, p: Params) -> Response:
    """``GetQueueAttributes``: ``All`` or the named attributes; an unknown name is "
    "``InvalidAttributeName``."""
    names = p.get("AttributeNames") or []
    available = queue.get_attributes()
    if "All" in names:
        return {"Attributes": available}
    known = set(available) | {
        "RedrivePolicy",
        "FifoQueue",
        "ContentBasedDeduplication",
        "DeduplicationScope",
        "FifoThroughputLimit",
        "Policy",
        "KmsMasterKeyId",
        "KmsDataKeyReusePeriodSeconds",
        "RedriveAllowPolicy",
        "SqsManagedSseEnabled",
    }
    for name in names:
        if name not in known:
            raise InvalidAttributeName(f"Unknown Attribute {name}.")
    attrs = {name: available[name] for name in names if name in available}
    return {"Attributes": attrs} if attrs else {}


def get_queue_url(queue: Queue, p: Params) -> Response:
    """``GetQueueUrl``."""
    return {"QueueUrl": queue.url}


def purge_queue(queue: Queue, p: Params) -> Response:
    """``PurgeQueue``."""
    queue.purge()
    return {}


OPERATIONS: Final[dict[str, Callable[[Queue, Params], Response]]] = {
    "SendMessage": send_message,
    "SendMessageBatch": send_message_batch,
    "ReceiveMessage": receive_message,
    "DeleteMessage": delete_message,
    "DeleteMessageBatch": delete_message_batch,
    "ChangeMessageVisibility": change_message_visibility,
    "ChangeMessageVisibilityBatch": change_message_visibility_batch,
    "GetQueueAttributes": get_queue_attributes,
    "GetQueueUrl": get_queue_url,
    "PurgeQueue": purge_queue,
}
"""The SQS actions the sim answers on its own queues."""
