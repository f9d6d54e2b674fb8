"""SQS queue settings: AWS's attribute names in snake_case, AWS's ranges, checked on construction.

AWS pages: "CreateQueue" (Amazon SQS API Reference) and "Amazon SQS quotas".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from lambdachaos._errors import ConfigError

if TYPE_CHECKING:
    from lambdachaos.resources._sqs import Queue

VISIBILITY_TIMEOUT_MAX: Final = 43_200
"""Longest visibility timeout, seconds (12 hours)."""
DELAY_SECONDS_MAX: Final = 900
"""Longest queue or message delay, seconds (15 minutes)."""
RETENTION_MIN: Final = 60
RETENTION_MAX: Final = 1_209_600
"""Message retention bounds, seconds (1 minute to 14 days)."""
RETENTION_DEFAULT: Final = 345_600
"""Default message retention, seconds (4 days)."""
MESSAGE_SIZE_MIN: Final = 1_024
MESSAGE_SIZE_CEILING_256KIB: Final = 262_144
MESSAGE_SIZE_CEILING_1MIB: Final = 1_048_576
"""The two ceilings of ``MaximumMessageSize``: 256 KiB (classic SQS) and 1 MiB (SQS since 2025)."""
WAIT_TIME_MAX: Final = 20
"""Longest long-poll wait, seconds."""
MAX_RECEIVE_COUNT_MIN: Final = 1
MAX_RECEIVE_COUNT_MAX: Final = 1_000
FIFO_DEDUPLICATION_WINDOW_S: Final = 300
"""FIFO deduplication interval, seconds (5 minutes)."""
QUEUE_NAME_MAX: Final = 80

_QUEUE_NAME = re.compile(r"[A-Za-z0-9_-]{1,80}")


def _check_range(aws_name: str, keyword: str, value: int, low: int, high: int, unit: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigError(
            f"Invalid value for the parameter {aws_name}: {keyword}={value!r} is outside the range AWS "
            f"accepts ({low:,} to {high:,} {unit}); pick an integer in that range"
        )


@dataclass(frozen=True, kw_only=True, slots=True)
class RedrivePolicy:
    """A queue's ``RedrivePolicy``: after ``max_receive_count`` receives a message moves to the DLQ.

    The message keeps its ``MessageId`` and body and gains the ``DeadLetterQueueSourceArn``
    attribute (docs/aws-behaviour.md §5.3). ``max_receive_count`` is 1–1,000; AWS's Lambda guidance is
    at least 5. AWS page: "Using dead-letter queues in Amazon SQS".
    """

    dead_letter_target: Queue
    max_receive_count: int

    def __post_init__(self) -> None:
        _check_range(
            "RedrivePolicy.maxReceiveCount",
            "max_receive_count",
            self.max_receive_count,
            MAX_RECEIVE_COUNT_MIN,
            MAX_RECEIVE_COUNT_MAX,
            "receives",
        )

    @property
    def dead_letter_target_arn(self) -> str:
        """ARN of the dead-letter queue (``deadLetterTargetArn``)."""
        return self.dead_letter_target.arn

    def to_json_dict(self) -> dict[str, object]:
        """The policy as SQS renders it in ``GetQueueAttributes``."""
        return {"deadLetterTargetArn": self.dead_letter_target.arn, "maxReceiveCount": self.max_receive_count}


@dataclass(frozen=True, kw_only=True, slots=True)
class QueueConfig:
    """Settings of one SQS queue, named after its AWS attributes (``VisibilityTimeout`` ...).

    Units are seconds and bytes. ``maximum_message_size_ceiling`` is the lambdachaos knob for the
    largest ``MaximumMessageSize`` SQS accepts: 262,144 (classic) or 1,048,576 (SQS since 2025).
    ``content_based_deduplication`` needs ``fifo_queue``. AWS page: "CreateQueue".
    """

    visibility_timeout: int = 30
    delay_seconds: int = 0
    message_retention_period: int = RETENTION_DEFAULT
    maximum_message_size: int = MESSAGE_SIZE_CEILING_256KIB
    receive_message_wait_time_seconds: int = 0
    redrive_policy: RedrivePolicy | None = None
    fifo_queue: bool = False
    content_based_deduplication: bool = False
    maximum_message_size_ceiling: int = MESSAGE_SIZE_CEILING_256KIB

    def __post_init__(self) -> None:
        _check_range(
            "VisibilityTimeout", "visibility_timeout", self.visibility_timeout, 0, VISIBILITY_TIMEOUT_MAX, "s"
        )
        _check_range("DelaySeconds", "delay_seconds", self.delay_seconds, 0, DELAY_SECONDS_MAX, "s")
        _check_range(
            "MessageRetentionPeriod",
            "message_retention_period",
            self.message_retention_period,
            RETENTION_MIN,
            RETENTION_MAX,
            "s",
        )
        if self.maximum_message_size_ceiling not in (MESSAGE_SIZE_CEILING_256KIB, MESSAGE_SIZE_CEILING_1MIB):
            raise ConfigError(
                f"maximum_message_size_ceiling={self.maximum_message_size_ceiling!r} is not an SQS limit; "
                f"use {MESSAGE_SIZE_CEILING_256KIB} (classic SQS) or {MESSAGE_SIZE_CEILING_1MIB} "
                "(SQS since 2025)"
            )
        _check_range(
            "MaximumMessageSize",
            "maximum_message_size",
            self.maximum_message_size,
            MESSAGE_SIZE_MIN,
            self.maximum_message_size_ceiling,
            "bytes",
        )
        _check_range(
            "ReceiveMessageWaitTimeSeconds",
            "receive_message_wait_time_seconds",
            self.receive_message_wait_time_seconds,
            0,
            WAIT_TIME_MAX,
            "s",
        )
        if self.content_based_deduplication and not self.fifo_queue:
            raise ConfigError(
                "Invalid value for the parameter ContentBasedDeduplication: content_based_deduplication=True "
                "is only valid for FIFO queues; set fifo_queue=True (and a name ending in .fifo) or drop it"
            )


def validate_queue_name(name: str, config: QueueConfig) -> None:
    """Check a queue name against SQS's rules: 1–80 of ``[A-Za-z0-9_-]``, ``.fifo`` iff FIFO."""
    base = name[: -len(".fifo")] if name.endswith(".fifo") else name
    if not isinstance(name, str) or not _QUEUE_NAME.fullmatch(base) or len(name) > QUEUE_NAME_MAX:
        raise ConfigError(
            f"Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length: "
            f"name={name!r} is not a valid queue name; use up to 80 of A-Z a-z 0-9 _ - "
            "(plus the .fifo suffix for a FIFO queue)"
        )
    if config.fifo_queue != name.endswith(".fifo"):
        if config.fifo_queue:
            raise ConfigError(
                "The name of a FIFO queue can only include alphanumeric characters, hyphens, or "
                "underscores, "
                f"must end with .fifo suffix: name={name!r} with fifo_queue=True; add the .fifo suffix"
            )
        raise ConfigError(
            f"name={name!r} ends in .fifo but fifo_queue=False; SQS reserves the suffix for FIFO queues: "
            "set fifo_queue=True or rename the queue"
        )
