"""The keyword settings of the ``Sim`` factory methods for queues and topics, as ``TypedDict``s
(``**settings: Unpack[...]``); a function's are :class:`lambdachaos.service.invoke._config.FunctionSettings`."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

if TYPE_CHECKING:
    from lambdachaos.resources import RedrivePolicy


class QueueSettings(TypedDict, total=False):
    """``Sim.sqs_queue`` attributes: :class:`lambdachaos.resources.QueueConfig` fields."""

    visibility_timeout: int
    """``VisibilityTimeout``, 0–43,200 s (default 30)."""
    delay_seconds: int
    """``DelaySeconds``, 0–900."""
    message_retention_period: int
    """``MessageRetentionPeriod``, 60–1,209,600 s (default 4 days)."""
    maximum_message_size: int
    """``MaximumMessageSize`` in bytes."""
    receive_message_wait_time_seconds: int
    """``ReceiveMessageWaitTimeSeconds``, 0–20."""
    redrive_policy: RedrivePolicy | None
    """``RedrivePolicy`` (or give ``dead_letter_queue`` and ``max_receive_count``)."""
    fifo_queue: bool
    """``FifoQueue`` (default: the name ends in ``.fifo``)."""
    content_based_deduplication: bool
    """``ContentBasedDeduplication`` (FIFO queues)."""
    maximum_message_size_ceiling: int
    """The largest ``MaximumMessageSize`` the queue accepts (256 KiB, or 1 MiB where AWS allows it)."""


class TopicSettings(TypedDict, total=False):
    """``Sim.sns_topic`` attributes."""

    content_based_deduplication: bool
    """``ContentBasedDeduplication`` (FIFO topics)."""
    signature_version: str
    """``SignatureVersion``: ``"1"`` (SHA1) or ``"2"`` (SHA256)."""
