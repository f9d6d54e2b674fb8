"""What a queue shows about itself: its messages and ``GetQueueAttributes`` (mixed into
:class:`~lambdachaos.resources._sqs.Queue`)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from lambdachaos.resources._sqs_message import LIVE, QueueMessage

if TYPE_CHECKING:
    from lambdachaos._world import World
    from lambdachaos.resources._sqs_config import QueueConfig


class QueueViews:
    """The inspection members of a queue."""

    __slots__ = ()

    if TYPE_CHECKING:
        arn: str
        _config: QueueConfig
        _world: World
        _history: list[QueueMessage]
        _by_age_cursor: int
        _n_visible: int
        _n_inflight: int
        _n_delayed: int

        def _refresh(self) -> None: ...

    @property
    def messages(self) -> list[QueueMessage]:
        """Current contents (delayed, visible and in flight) in enqueue order."""
        self._refresh()
        live = [m for m in self._history[self._by_age_cursor :] if m._state in LIVE]
        return live

    @property
    def history(self) -> list[QueueMessage]:
        """Every message ever enqueued here (sent, redriven in, or a copy made by a duplicate-delivery fault),
        in order, with its current state."""
        self._refresh()
        return list(self._history)

    @property
    def approximate_number_of_messages(self) -> int:
        """``ApproximateNumberOfMessages``: visible messages (exact in the sim)."""
        self._refresh()
        return self._n_visible

    @property
    def approximate_number_of_messages_not_visible(self) -> int:
        """``ApproximateNumberOfMessagesNotVisible``: messages in flight."""
        self._refresh()
        return self._n_inflight

    @property
    def approximate_number_of_messages_delayed(self) -> int:
        """``ApproximateNumberOfMessagesDelayed``: messages still in their delay."""
        self._refresh()
        return self._n_delayed

    def get_attributes(self) -> dict[str, str]:
        """All queue attributes as ``GetQueueAttributes`` renders them (strings)."""
        c = self._config
        attrs = {
            "QueueArn": self.arn,
            "ApproximateNumberOfMessages": str(self.approximate_number_of_messages),
            "ApproximateNumberOfMessagesNotVisible": str(self._n_inflight),
            "ApproximateNumberOfMessagesDelayed": str(self._n_delayed),
            "CreatedTimestamp": str(self._world.epoch_ms(0) // 1000),
            "LastModifiedTimestamp": str(self._world.epoch_ms(0) // 1000),
            "VisibilityTimeout": str(c.visibility_timeout),
            "MaximumMessageSize": str(c.maximum_message_size),
            "MessageRetentionPeriod": str(c.message_retention_period),
            "DelaySeconds": str(c.delay_seconds),
            "ReceiveMessageWaitTimeSeconds": str(c.receive_message_wait_time_seconds),
            "SqsManagedSseEnabled": "true",
        }
        if c.redrive_policy is not None:
            attrs["RedrivePolicy"] = json.dumps(c.redrive_policy.to_json_dict(), separators=(",", ":"))
        if c.fifo_queue:
            attrs["FifoQueue"] = "true"
            attrs["ContentBasedDeduplication"] = "true" if c.content_based_deduplication else "false"
            attrs["DeduplicationScope"] = "queue"
            attrs["FifoThroughputLimit"] = "perQueue"
        return attrs
