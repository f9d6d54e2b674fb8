"""The SNS ``Publish``/``PublishBatch`` and EventBridge ``PutEvents`` APIs over sim resources:
request parameters in, botocore-parsed response dicts out. Used by the boto3 bridge.

AWS pages: "Publish", "PublishBatch" (Amazon SNS API Reference), "PutEvents" (EventBridge).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from lambdachaos.resources._errors import (
    AWSError,
    SNSBatchEntryIdsNotDistinct,
    SNSEmptyBatchRequest,
    SNSTooManyEntriesInBatchRequest,
    ValidationException,
)
from lambdachaos.resources._events import ENTRY_SIZE_MAX, MAX_ENTRIES, EventBus, entry_size
from lambdachaos.resources._sns import Topic

Params = Mapping[str, Any]
Response = dict[str, Any]


def _publish(topic: Topic, p: Params) -> Response:
    note = topic.publish_notification(
        p["Message"],
        subject=p.get("Subject"),
        message_attributes=p.get("MessageAttributes"),
        message_group_id=p.get("MessageGroupId"),
        message_deduplication_id=p.get("MessageDeduplicationId"),
        message_structure=p.get("MessageStructure"),
    )
    out: Response = {"MessageId": note.message_id}
    if note.sequence_number is not None:
        out["SequenceNumber"] = note.sequence_number
    return out


def publish(topic: Topic, p: Params) -> Response:
    """``Publish`` to a sim topic."""
    return _publish(topic, p)


def publish_batch(topic: Topic, p: Params) -> Response:
    """``PublishBatch``: up to 10 entries with distinct ``Id``; per-entry ``Successful``/``Failed``."""
    entries = p.get("PublishBatchRequestEntries") or []
    if not entries:
        raise SNSEmptyBatchRequest("The batch request doesn't contain any entries.")
    if len(entries) > MAX_ENTRIES:
        raise SNSTooManyEntriesInBatchRequest("The batch request contains more entries than permissible.")
    ids = [e.get("Id") for e in entries]
    if len(set(ids)) != len(ids):
        raise SNSBatchEntryIdsNotDistinct("Two or more batch entries in the request have the same Id.")
    ok: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    for entry in entries:
        try:
            result = _publish(topic, entry)
        except AWSError as error:
            failed.append(
                {"Id": entry["Id"], "Code": error.code, "Message": error.message, "SenderFault": True}
            )
            continue
        ok.append({"Id": entry["Id"], **result})
    return {"Successful": ok, "Failed": failed}


SNS_OPERATIONS: Final[dict[str, Callable[[Topic, Params], Response]]] = {
    "Publish": publish,
    "PublishBatch": publish_batch,
}
"""The SNS actions the sim answers on its own topics."""


def check_put_events(entries: Sequence[Mapping[str, Any]]) -> None:
    """Request-level ``PutEvents`` checks: 1–10 entries and at most 256 KiB in total."""
    if not entries or len(entries) > MAX_ENTRIES:
        raise ValidationException(
            "1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have "
            f"length less than or equal to {MAX_ENTRIES}"
        )
    if sum(entry_size(e) for e in entries) > ENTRY_SIZE_MAX:
        raise ValidationException("Total size of the entries in the request is over the limit.")


def put_entry(bus: EventBus, entry: Params) -> dict[str, str]:
    """One ``PutEvents`` result entry: ``{"EventId"}`` or ``{"ErrorCode", "ErrorMessage"}``."""
    try:
        return {"EventId": bus.put_entry(entry)}
    except AWSError as error:
        return {"ErrorCode": error.code, "ErrorMessage": error.message}


def missing_bus_entry(name: str) -> dict[str, str]:
    """The result entry for an event addressed to a bus that exists nowhere."""
    return {"ErrorCode": "ResourceNotFoundException", "ErrorMessage": f"Event bus {name} does not exist."}
