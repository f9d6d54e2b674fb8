"""The listener and interceptor hooks of an SQS queue (see :mod:`lambdachaos.resources._sqs`).

Listeners are plain lists on the queue; a queue with none pays one truthiness check per event.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol, cast

if TYPE_CHECKING:
    from lambdachaos.resources._sqs import Queue
    from lambdachaos.resources._sqs_message import QueueMessage


class SendInterceptor(Protocol):
    """The simulated service's delivery-fault hook on one queue (at most one per queue; ``None`` = no cost).

    ``before_send`` may lengthen the delay of a message about to be enqueued (reorder); ``after_send`` runs
    once it is enqueued and the :meth:`QueueHooks.on_send` listeners ran (duplicates, poison injection).
    """

    def before_send(self, queue: Queue, message: QueueMessage, delay_ns: int) -> int: ...

    def after_send(self, queue: Queue, message: QueueMessage) -> None: ...


def _subscribe(listeners: list[Callable[..., object]], callback: Callable[..., object]) -> Callable[[], None]:
    listeners.append(callback)
    return lambda: listeners.remove(callback) if callback in listeners else None


class QueueHooks:
    """The ``on_*`` subscriptions of a queue (mixed into the queue core, which holds the lists)."""

    __slots__ = ()

    if TYPE_CHECKING:
        _listeners: list[Callable[[Queue], object]]
        _send_listeners: list[Callable[[Sequence[QueueMessage]], object]]
        _redrive_listeners: list[Callable[[QueueMessage, Queue], object]]
        _expire_listeners: list[Callable[[QueueMessage], object]]

    def on_visible(self, callback: Callable[[Queue], object]) -> Callable[[], None]:
        """Call ``callback(queue)`` whenever messages become receivable; returns an unsubscribe function."""
        return _subscribe(self._listeners, callback)

    def on_send(self, callback: Callable[[QueueMessage], object]) -> Callable[[], None]:
        """Call ``callback(message)`` for every accepted ``SendMessage`` (delayed ones included, FIFO
        deduplicated repeats excluded), once the message is enqueued (after a ``send_many``, once all its messages
        are); returns an unsubscribe function."""
        def each(messages: Sequence[QueueMessage]) -> None:
            for message in messages:
                callback(message)
        return _subscribe(self._send_listeners, each)

    def _on_sends(self, callback: Callable[[Sequence[QueueMessage]], object]) -> Callable[[], None]:
        """Like :meth:`on_send`, with the messages of one ``send`` or ``send_many`` call at once (all sent at the
        same virtual instant, in order)."""
        return _subscribe(self._send_listeners, callback)

    def on_redrive(self, callback: Callable[[QueueMessage, Queue], object]) -> Callable[[], None]:
        """Call ``callback(message, dlq)`` when the redrive policy moves ``message`` (this queue's copy, now
        ``moved_to_dlq``) to the dead-letter queue ``dlq``; returns an unsubscribe function."""
        return _subscribe(self._redrive_listeners, callback)

    def on_expire(self, callback: Callable[[QueueMessage], object]) -> Callable[[], None]:
        """Call ``callback(message)`` when ``MessageRetentionPeriod`` drops ``message`` (applied lazily, the
        next time the queue is touched; the message's ``state`` is then ``expired``); returns an unsubscribe
        function."""
        return _subscribe(self._expire_listeners, callback)

    def _notify(self) -> None:
        for listener in tuple(self._listeners):
            listener(cast("Queue", self))
