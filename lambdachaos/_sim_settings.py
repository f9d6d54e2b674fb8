"""The keyword settings of the ``Sim`` factory methods, as ``TypedDict``s (``**settings: Unpack[...]``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, TypedDict

if TYPE_CHECKING:
    from lambdachaos.resources import RedrivePolicy
    from lambdachaos.service.invoke._config import Architecture, DurationModel


class FunctionSettings(TypedDict, total=False):
    """``Sim.function`` settings: :class:`lambdachaos.FunctionConfig` fields (docs/service.md)."""

    memory_size: int
    """``MemorySize``, 128–10,240 MB."""
    timeout: float
    """``Timeout``, 1–900 s."""
    ephemeral_storage: int
    """``EphemeralStorage.Size``, 512–10,240 MB."""
    environment: Mapping[str, str]
    """``Environment.Variables``, set before the handler's module is imported."""
    architecture: Architecture | str
    """``x86_64`` or ``arm64``."""
    runtime: str
    """A Python runtime identifier (``python3.12``...)."""
    base_duration: float
    """Virtual seconds one invocation takes besides what the handler sleeps on the virtual clock."""
    init_duration: float
    """Virtual seconds of a cold start's init phase."""
    duration_model: DurationModel | str
    """How durations are drawn (``deterministic`` or a seeded distribution)."""


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
