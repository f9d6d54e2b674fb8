"""The SQS-to-Lambda record renderer, shared by :mod:`.sqs` and the S3/SNS-via-SQS envelopes.

AWS page: "Using Lambda with Amazon SQS" (example standard and FIFO events).
"""

from __future__ import annotations

import base64
import hashlib
import random
import struct
from collections.abc import Mapping
from typing import Any

from lambdachaos._errors import ConfigError

from ._common import LazyRng, arn, b64, iam_id, md5_hex, region_of_arn, to_ms, uuid4

MAX_MESSAGE_ATTRIBUTES = 10
"""SQS allows at most 10 message attributes per message ("Amazon SQS message attributes")."""

MessageAttributes = Mapping[str, "str | int | float | bytes | Mapping[str, Any]"]


def wire_attribute(value: str | int | float | bytes | Mapping[str, Any]) -> dict[str, Any]:
    """One message attribute in Lambda's camelCase wire form, from a Python value or a ready wire dict."""
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, bytes):
        return {
            "stringValue": None,
            "binaryValue": b64(value),
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": "Binary",
        }
    if isinstance(value, bool) or not isinstance(value, int | float):
        return {
            "stringValue": str(value),
            "binaryValue": None,
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": "String",
        }
    return {
        "stringValue": str(value),
        "binaryValue": None,
        "stringListValues": [],
        "binaryListValues": [],
        "dataType": "Number",
    }


def md5_of_message_attributes(attributes: Mapping[str, Mapping[str, Any]]) -> str:
    """MD5 of message attributes per the SQS digest algorithm (sorted names, length-prefixed fields)."""
    digest = hashlib.md5(usedforsecurity=False)
    for name in sorted(attributes):
        attr = attributes[name]
        data_type = str(attr["dataType"])
        for part in (name.encode(), data_type.encode()):
            digest.update(struct.pack(">I", len(part)) + part)
        if attr.get("binaryValue") is not None:
            raw = base64.b64decode(attr["binaryValue"])
            digest.update(b"\x02" + struct.pack(">I", len(raw)) + raw)
        else:
            raw = str(attr.get("stringValue") or "").encode()
            digest.update(b"\x01" + struct.pack(">I", len(raw)) + raw)
    return digest.hexdigest()


DEFAULT_VISIBILITY_TIMEOUT_MS = 30_000
"""A queue's default visibility timeout: a redelivered message was first received this long earlier per retry."""


def first_receive_ms(now: float, receive_count: int) -> int:
    """When a message received for the ``receive_count``-th time at ``now`` was first received (epoch ms)."""
    return to_ms(now) - (receive_count - 1) * DEFAULT_VISIBILITY_TIMEOUT_MS


def receipt_handle(rng: random.Random) -> str:
    """An opaque receipt handle in AWS's ``AQEB...`` form."""
    return "AQEB" + b64(rng.getrandbits(1056).to_bytes(132, "big"))


def sender_id(rng: random.Random) -> str:
    """An IAM user id (``AIDA...``) or an assumed-role id with session (``AROA...:session``)."""
    if rng.random() < 0.5:
        return iam_id(rng, "AIDA")
    return f"{iam_id(rng, 'AROA')}:session-{int(rng.random() * 10**6)}"


def queue_arn(region: str, account_id: str, name: str) -> str:
    """The ARN of queue ``name``."""
    return arn("sqs", region, account_id, name)


def render(
    *,
    body: str,
    rng: LazyRng,
    region: str,
    account_id: str,
    now: float,
    message_id: str | None = None,
    receipt_handle_: str | None = None,
    queue_arn_: str | None = None,
    sent_timestamp: int | None = None,
    first_receive_timestamp: int | None = None,
    receive_count: int = 1,
    sender_id_: str | None = None,
    message_attributes: MessageAttributes | None = None,
    message_group_id: str | None = None,
    message_deduplication_id: str | None = None,
    sequence_number: str | None = None,
    dead_letter_queue_source_arn: str | None = None,
    aws_trace_header: str | None = None,
) -> dict[str, Any]:
    """Render one SQS record; ``rng`` is only touched for fields left as ``None``."""
    if receive_count < 1:
        raise ConfigError(f"receive_count={receive_count!r} is out of range; ApproximateReceiveCount starts at 1")
    source_arn = queue_arn_ or queue_arn(region, account_id, "orders")
    fifo = source_arn.endswith(".fifo")
    first = first_receive_timestamp if first_receive_timestamp is not None else first_receive_ms(now, receive_count)
    if sent_timestamp is None:
        sent_timestamp = first - rng.get().randrange(1, 2_000)
    attributes: dict[str, str] = {}
    if aws_trace_header is not None:
        attributes["AWSTraceHeader"] = aws_trace_header
    attributes["ApproximateReceiveCount"] = str(receive_count)
    attributes["SentTimestamp"] = str(sent_timestamp)
    attributes["SenderId"] = sender_id_ if sender_id_ is not None else sender_id(rng.get())
    attributes["ApproximateFirstReceiveTimestamp"] = str(max(first, sent_timestamp))
    if fifo:
        attributes["SequenceNumber"] = sequence_number or str(rng.get().randrange(10**19, 10**20))
        attributes["MessageGroupId"] = message_group_id or f"group-{rng.get().randrange(8)}"
        attributes["MessageDeduplicationId"] = (
            message_deduplication_id or hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest()
        )
    if dead_letter_queue_source_arn is not None:
        attributes["DeadLetterQueueSourceArn"] = dead_letter_queue_source_arn
    wire_attrs = {name: wire_attribute(v) for name, v in (message_attributes or {}).items()}
    if len(wire_attrs) > MAX_MESSAGE_ATTRIBUTES:
        raise ConfigError(
            f"message_attributes has {len(wire_attrs)} entries; SQS allows at most {MAX_MESSAGE_ATTRIBUTES}"
        )
    out: dict[str, Any] = {
        "messageId": message_id if message_id is not None else uuid4(rng.get()),
        "receiptHandle": receipt_handle_ if receipt_handle_ is not None else receipt_handle(rng.get()),
        "body": body,
        "attributes": attributes,
        "messageAttributes": wire_attrs,
    }
    if wire_attrs:
        out["md5OfMessageAttributes"] = md5_of_message_attributes(wire_attrs)
    out["md5OfBody"] = md5_hex(body)
    out["eventSource"] = "aws:sqs"
    out["eventSourceARN"] = source_arn
    out["awsRegion"] = region_of_arn(source_arn)
    return out
