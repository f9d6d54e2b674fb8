"""The ``Records[]`` entries of the SQS event source mapping's event (docs/aws-behaviour.md §5.5, §11).

Profiling the 100,000-message benchmark showed the generic builder taking a third of the run, so the common
case (standard queue, no message attributes, not redriven) is built here directly; a test checks it against
:func:`lambdachaos.generators.sqs.record` field for field.
"""

from __future__ import annotations

import json
from typing import Any, final

from lambdachaos.generators import sqs as sqs_records  # type: ignore[import-not-found, unused-ignore]
from lambdachaos.resources._sqs_message import ReceivedMessage, lambda_message_attributes, md5_of_body

__all__ = ["exact_size", "render"]


def render(rm: ReceivedMessage, arn: str, region: str, account: str, epoch_ns: int) -> dict[str, Any]:
    """The received message as one ``Records[]`` entry of a queue ``arn`` in ``region``."""
    msg = rm.message
    if msg._message_attributes or msg._sequence_number is not None or msg._dlq_source_arn is not None:
        return _render_full(rm, arn, region, account, epoch_ns)
    sent = (epoch_ns + msg._sent_ns) // 1_000_000
    first = msg._first_receive_ns
    first_ms = (epoch_ns + first) // 1_000_000 if first is not None else sent
    return {
        "messageId": msg._message_id,
        "receiptHandle": rm.receipt_handle,
        "body": msg._body,
        "attributes": {
            "ApproximateReceiveCount": str(rm.receive_count),
            "SentTimestamp": str(sent),
            "SenderId": msg._sender_id,
            "ApproximateFirstReceiveTimestamp": str(first_ms if first_ms > sent else sent),
        },
        "messageAttributes": {},
        "md5OfBody": msg._md5 or md5_of_body(msg._body),  # not kept: 81 bytes per stored message
        "eventSource": "aws:sqs",
        "eventSourceARN": arn,
        "awsRegion": region,
    }


def _render_full(rm: ReceivedMessage, arn: str, region: str, account: str, epoch_ns: int) -> dict[str, Any]:
    msg = rm.message
    attrs = msg._message_attributes
    first = msg._first_receive_ns
    out: dict[str, Any] = sqs_records.record(
        body=msg._body, message_id=msg._message_id, receipt_handle=rm.receipt_handle,
        queue_arn=arn, region=region, account_id=account,
        sent_timestamp=(epoch_ns + msg._sent_ns) // 1_000_000,
        first_receive_timestamp=(epoch_ns + (first if first is not None else msg._sent_ns)) // 1_000_000,
        receive_count=rm.receive_count, sender_id=msg._sender_id,
        message_attributes=lambda_message_attributes(attrs) if attrs else None,
        message_group_id=msg._group_id, message_deduplication_id=msg._dedup_id,
        sequence_number=msg._sequence_number, dead_letter_queue_source_arn=msg._dlq_source_arn,
    )
    return out


def exact_size(record: dict[str, Any]) -> int:
    """Bytes the record adds to the ``{"Records": [...]}`` payload (its JSON plus a separator)."""
    return len(json.dumps(record, separators=(",", ":")).encode()) + 1


@final
class Batch:
    """Messages handed to one invocation, with their rendered records."""

    __slots__ = ("deadline_ns", "ids", "messages", "records", "throttles")

    def __init__(self, messages: list[ReceivedMessage], records: list[dict[str, Any]], deadline_ns: int) -> None:
        self.messages = messages
        self.records = records
        self.ids = tuple(r["messageId"] for r in records)
        self.deadline_ns = deadline_ns
        self.throttles = 0
