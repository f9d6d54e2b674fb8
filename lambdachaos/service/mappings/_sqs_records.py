"""The ``Records[]`` entries of the SQS event source mapping's event (docs/aws-behaviour.md §5.5, §11).

Profiling the 100,000-message benchmark showed the generic builder taking a third of the run, so the common
case (standard queue, no message attributes, not redriven) is built here directly; a test checks it against
:func:`lambdachaos.generators.sqs.record` field for field.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from operator import itemgetter
from typing import Any, Final, final

from lambdachaos.generators import sqs as sqs_records  # type: ignore[import-not-found, unused-ignore]
from lambdachaos.resources._sqs_message import ReceivedMessage, lambda_message_attributes, md5_of_body

__all__ = ["exact_size", "render_many"]


_COUNTS: Final = tuple(str(n) for n in range(64))
_MESSAGE_ID: Final = itemgetter("messageId")


def render_many(received: Iterable[ReceivedMessage], arn: str, region: str, account: str,
                epoch_ns: int) -> list[dict[str, Any]]:
    """Each received message as one ``Records[]`` entry of a queue ``arn`` in ``region``, in order (the times of
    consecutive messages, often equal, are written once)."""
    out: list[dict[str, Any]] = []
    last_sent = last_first = -1
    sent_text = first_text = ""
    for rm in received:
        msg = rm.message
        if msg._message_attributes or msg._sequence_number is not None or msg._dlq_source_arn is not None:
            out.append(_render_full(rm, arn, region, account, epoch_ns))
            continue
        sent = (epoch_ns + msg._sent_ns) // 1_000_000
        if sent != last_sent:
            last_sent, sent_text = sent, str(sent)
        first = msg._first_receive_ns
        first_ms = (epoch_ns + first) // 1_000_000 if first is not None else sent
        if first_ms > sent:
            if first_ms != last_first:
                last_first, first_text = first_ms, str(first_ms)
            first_seen = first_text
        else:
            first_seen = sent_text
        count = rm.receive_count
        out.append({
            "messageId": msg._message_id,
            "receiptHandle": rm.receipt_handle,
            "body": msg._body,
            "attributes": {
                "ApproximateReceiveCount": _COUNTS[count] if count < 64 else str(count),
                "SentTimestamp": sent_text,
                "SenderId": msg._sender_id,
                "ApproximateFirstReceiveTimestamp": first_seen,
            },
            "messageAttributes": {},
            "md5OfBody": msg._md5 or md5_of_body(msg._body),  # not kept: 81 bytes per stored message
            "eventSource": "aws:sqs",
            "eventSourceARN": arn,
            "awsRegion": region,
        })
    return out


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
        self.ids = tuple(map(_MESSAGE_ID, records))
        self.deadline_ns = deadline_ns
        self.throttles = 0
