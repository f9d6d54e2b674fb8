"""SQS messages: the stored message, what ``SendMessage`` and ``ReceiveMessage`` return, and one FIFO group.

The body and attribute checks and the MD5 digests are in :mod:`lambdachaos.resources._sqs_checks` (re-exported
here). AWS pages: "SendMessage", "ReceiveMessage".
"""

from __future__ import annotations

import enum
from collections import deque
from typing import Any, Final, final

from lambdachaos.resources._sqs_checks import (
    ATTRIBUTE_NAME_MAX,
    MAX_MESSAGE_ATTRIBUTES,
    NO_ATTRIBUTES,
    MessageAttributes,
    check_attributes,
    check_body,
    lambda_message_attributes,
    md5_of_attributes,
    md5_of_body,
)

__all__ = [
    "ATTRIBUTE_NAME_MAX",
    "DELAYED",
    "IN_FLIGHT",
    "LIVE",
    "MAX_MESSAGE_ATTRIBUTES",
    "NO_ATTRIBUTES",
    "VISIBLE",
    "Group",
    "MessageAttributes",
    "MessageState",
    "QueueMessage",
    "ReceivedMessage",
    "SentMessage",
    "check_attributes",
    "check_body",
    "lambda_message_attributes",
    "md5_of_attributes",
    "md5_of_body",
]




class MessageState(enum.Enum):
    """Where a message is in its life on a queue."""

    DELAYED = "delayed"
    VISIBLE = "visible"
    IN_FLIGHT = "in_flight"
    DELETED = "deleted"
    EXPIRED = "expired"
    """Dropped after ``MessageRetentionPeriod``."""
    MOVED_TO_DLQ = "moved_to_dlq"
    """Moved to the queue's dead-letter queue by its redrive policy."""
    PURGED = "purged"


@final
class QueueMessage:
    """One message as the queue holds it; read-only for callers (``queue.messages``, ``queue.history``).

    Times are virtual nanoseconds; ``receive_count`` is ``ApproximateReceiveCount``.
    """

    __slots__ = (
        "_body",
        "_dedup_id",
        "_dlq_source_arn",
        "_enqueued_ns",
        "_first_receive_ns",
        "_group_id",
        "_md5",
        "_md5_attrs",
        "_message_attributes",
        "_message_id",
        "_receipt",
        "_receive_count",
        "_received_ns",
        "_sender_id",
        "_sent_ns",
        "_seq",
        "_sequence_number",
        "_state",
        "_visible_at_ns",
    )

    def __init__(
        self,
        message_id: str,
        body: str,
        attributes: MessageAttributes,
        sent_ns: int,
        sender_id: str,
        seq: int,
        md5: str | None = None,
    ) -> None:
        self._message_id = message_id
        self._body = body
        self._message_attributes = attributes
        self._sent_ns = sent_ns
        self._enqueued_ns = sent_ns
        self._sender_id = sender_id
        self._seq = seq
        self._md5 = md5
        self._md5_attrs: str | None = None
        self._receive_count = 0
        self._first_receive_ns: int | None = None
        self._received_ns = 0
        self._state = MessageState.VISIBLE
        self._visible_at_ns = sent_ns
        self._receipt: str | None = None
        self._group_id: str | None = None
        self._dedup_id: str | None = None
        self._sequence_number: str | None = None
        self._dlq_source_arn: str | None = None

    @property
    def message_id(self) -> str:
        """``MessageId`` (a UUID; kept when the message is redriven to a DLQ)."""
        return self._message_id

    @property
    def body(self) -> str:
        """The message body as sent."""
        return self._body

    @property
    def message_attributes(self) -> MessageAttributes:
        """User message attributes in the API shape."""
        return self._message_attributes

    @property
    def md5_of_body(self) -> str:
        """Hex MD5 of the UTF-8 body."""
        if self._md5 is None:
            self._md5 = md5_of_body(self._body)
        return self._md5

    @property
    def md5_of_message_attributes(self) -> str | None:
        """SQS attribute digest, or None when the message has no attributes."""
        if self._md5_attrs is None and self._message_attributes:
            self._md5_attrs = md5_of_attributes(self._message_attributes)
        return self._md5_attrs

    @property
    def sent_ns(self) -> int:
        """Virtual time of ``SendMessage`` (kept on redrive), nanoseconds."""
        return self._sent_ns

    @property
    def sender_id(self) -> str:
        """``SenderId`` attribute."""
        return self._sender_id

    @property
    def receive_count(self) -> int:
        """``ApproximateReceiveCount``: receives so far on this queue."""
        return self._receive_count

    @property
    def first_receive_ns(self) -> int | None:
        """Virtual time of the first receive on this queue, or None."""
        return self._first_receive_ns

    @property
    def state(self) -> MessageState:
        """Current state (visible, in flight, deleted, moved to the DLQ ...)."""
        return self._state

    @property
    def message_group_id(self) -> str | None:
        """``MessageGroupId`` (FIFO queues; optional on standard queues)."""
        return self._group_id

    @property
    def message_deduplication_id(self) -> str | None:
        """``MessageDeduplicationId`` (FIFO queues; 64 hex digits when content-based)."""
        return self._dedup_id

    @property
    def sequence_number(self) -> str | None:
        """``SequenceNumber`` (FIFO queues)."""
        return self._sequence_number

    @property
    def dead_letter_queue_source_arn(self) -> str | None:
        """``DeadLetterQueueSourceArn``: the source queue's ARN on a redriven message, else None."""
        return self._dlq_source_arn

    def __repr__(self) -> str:
        return (
            f"<QueueMessage {self._message_id} {self._state.value} receives={self._receive_count} "
            f"body={self._body[:40]!r}>"
        )


@final
class SentMessage:
    """What ``SendMessage`` returns: ``MessageId``, ``MD5OfMessageBody``, ``MD5OfMessageAttributes``
    and ``SequenceNumber`` (FIFO queues). Digests are computed on first access."""

    __slots__ = ("message",)

    def __init__(self, message: QueueMessage) -> None:
        self.message = message
        """The stored :class:`QueueMessage`."""

    @property
    def message_id(self) -> str:
        """``MessageId``."""
        return self.message._message_id

    @property
    def body(self) -> str:
        """The body as sent."""
        return self.message._body

    @property
    def md5_of_body(self) -> str:
        """``MD5OfMessageBody``: hex MD5 of the UTF-8 body."""
        return self.message.md5_of_body

    @property
    def md5_of_message_attributes(self) -> str | None:
        """``MD5OfMessageAttributes`` or None without attributes."""
        return self.message.md5_of_message_attributes

    @property
    def sequence_number(self) -> str | None:
        """``SequenceNumber`` on FIFO queues, else None."""
        return self.message._sequence_number

    def __repr__(self) -> str:
        return f"<SentMessage {self.message._message_id}>"


@final
class ReceivedMessage:
    """One message as ``ReceiveMessage`` returns it: body, receipt handle and a snapshot of attributes."""

    __slots__ = ("_arn_region", "_attributes", "_first_ns", "message", "receipt_handle", "receive_count")

    def __init__(
        self, message: QueueMessage, receipt_handle: str, first_ns: int, arn_region: tuple[str, str, int]
    ):
        self.message = message
        """The stored :class:`QueueMessage` (its state keeps changing after this receive)."""
        self.receipt_handle = receipt_handle
        """``ReceiptHandle`` of this receive; only the latest one deletes the message."""
        self.receive_count = message._receive_count
        """``ApproximateReceiveCount`` at this receive."""
        self._first_ns = first_ns
        self._arn_region = arn_region
        self._attributes: dict[str, str] | None = None

    @property
    def message_id(self) -> str:
        """``MessageId``."""
        return self.message._message_id

    @property
    def body(self) -> str:
        """``Body``."""
        return self.message._body

    @property
    def md5_of_body(self) -> str:
        """``MD5OfBody``."""
        return self.message.md5_of_body

    @property
    def message_attributes(self) -> MessageAttributes:
        """``MessageAttributes`` in the API shape."""
        return self.message._message_attributes

    @property
    def md5_of_message_attributes(self) -> str | None:
        """``MD5OfMessageAttributes`` or None."""
        return self.message.md5_of_message_attributes

    @property
    def attributes(self) -> dict[str, str]:
        """System attributes, all strings: ``ApproximateReceiveCount``, ``SentTimestamp`` and
        ``ApproximateFirstReceiveTimestamp`` (epoch ms), ``SenderId``, the FIFO ones, and
        ``DeadLetterQueueSourceArn`` on redriven messages; in the order AWS's Lambda events show."""
        if self._attributes is None:
            m = self.message
            epoch_ns = self._arn_region[2]
            attrs = {"ApproximateReceiveCount": str(self.receive_count)}
            attrs["SentTimestamp"] = str((epoch_ns + m._sent_ns) // 1_000_000)
            if m._sequence_number is not None:
                attrs["SequenceNumber"] = m._sequence_number
            if m._group_id is not None:
                attrs["MessageGroupId"] = m._group_id
            attrs["SenderId"] = m._sender_id
            if m._dedup_id is not None:
                attrs["MessageDeduplicationId"] = m._dedup_id
            attrs["ApproximateFirstReceiveTimestamp"] = str((epoch_ns + self._first_ns) // 1_000_000)
            if m._dlq_source_arn is not None:
                attrs["DeadLetterQueueSourceArn"] = m._dlq_source_arn
            self._attributes = attrs
        return self._attributes

    def lambda_record(self) -> dict[str, Any]:
        """This message as one ``Records[]`` entry of a Lambda SQS event (docs/aws-behaviour.md §5.5, §11)."""
        m = self.message
        record: dict[str, Any] = {
            "messageId": m._message_id,
            "receiptHandle": self.receipt_handle,
            "body": m._body,
            "attributes": dict(self.attributes),
            "messageAttributes": lambda_message_attributes(m._message_attributes),
        }
        md5_attrs = m.md5_of_message_attributes
        if md5_attrs is not None:
            record["md5OfMessageAttributes"] = md5_attrs
        record["md5OfBody"] = m.md5_of_body
        record["eventSource"] = "aws:sqs"
        record["eventSourceARN"] = self._arn_region[0]
        record["awsRegion"] = self._arn_region[1]
        return record

    def __repr__(self) -> str:
        return f"<ReceivedMessage {self.message._message_id} receive={self.receive_count}>"


VISIBLE: Final = MessageState.VISIBLE
IN_FLIGHT: Final = MessageState.IN_FLIGHT
DELAYED: Final = MessageState.DELAYED
LIVE: Final = frozenset({MessageState.VISIBLE, MessageState.IN_FLIGHT, MessageState.DELAYED})
"""The states of a message still on its queue."""


@final
class Group:
    """One FIFO message group: its queued messages in order and how many are in flight."""

    __slots__ = ("inflight", "key", "queue", "ready")

    def __init__(self, key: str) -> None:
        self.key = key
        self.queue: deque[QueueMessage] = deque()
        self.inflight = 0
        self.ready = False
