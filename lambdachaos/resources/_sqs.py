"""An SQS queue (standard or FIFO) modelled natively on the virtual clock.

Hot paths are O(1) or O(log n): visible messages sit in a deque (per message group on FIFO queues),
in-flight and delayed messages in heaps keyed by the virtual time they become visible, and one
clock timer per queue is armed for the earliest of those. Retention expiry is applied lazily (a
cursor over the send history) whenever the queue is touched. AWS pages: "Amazon SQS visibility
timeout", "Using dead-letter queues in Amazon SQS", "Amazon SQS FIFO queues", "Amazon SQS quotas".
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any, final

from lambdachaos._clock import NS_PER_SECOND
from lambdachaos._errors import ConfigError
from lambdachaos._gc import Relaxed
from lambdachaos.resources import _sqs_message as _m
from lambdachaos.resources._errors import (
    InvalidParameterValue,
    MessageNotInflight,
    MissingParameter,
    PurgeQueueInProgress,
    ReceiptHandleIsInvalid,
)
from lambdachaos.resources._sqs_config import (
    DELAY_SECONDS_MAX,
    FIFO_DEDUPLICATION_WINDOW_S,
    VISIBILITY_TIMEOUT_MAX,
    QueueConfig,
)
from lambdachaos.resources._sqs_core import (
    _DELAYED,
    _IN_FLIGHT,
    _LIVE,
    _NOT_FOR_QUEUE_TYPE,
    _VISIBLE,
    MAX_RECEIVE_MESSAGES,
    PURGE_INTERVAL_S,
    _QueueCore,
)
from lambdachaos.resources._sqs_ids import blocks
from lambdachaos.resources._sqs_message import MessageState, QueueMessage, ReceivedMessage, SentMessage
from lambdachaos.resources._sqs_views import QueueViews


@final
class Queue(_QueueCore, QueueViews):
    """An SQS queue on the virtual clock: send, receive, delete, visibility, redrive, retention, FIFO.

    ``name`` ending in ``.fifo`` makes a FIFO queue when no ``config`` is given. Durations in the API
    are seconds; the queue reads time only from ``world.clock``. Listeners registered with
    :meth:`on_visible` are called with the queue whenever messages become receivable; :meth:`on_send`,
    :meth:`on_redrive` and :meth:`on_expire` report each message's sending, redrive and retention expiry.
    """

    __slots__ = ()

    def configure(self, **changes: Any) -> QueueConfig:
        """Change settings as ``SetQueueAttributes`` does (keywords of :class:`QueueConfig`)."""
        if changes.get("fifo_queue", self.fifo) != self.fifo:
            raise ConfigError(
                f"fifo_queue={changes['fifo_queue']!r}: a queue's type cannot change; create a new queue"
            )
        config = replace(self._config, **changes)
        self._check_redrive(config)
        self._config = config
        return config

    # --- SendMessage -------------------------------------------------------------------------------
    def send(
        self,
        body: str,
        *,
        message_attributes: Mapping[str, Mapping[str, Any]] | None = None,
        delay_seconds: int | None = None,
        message_group_id: str | None = None,
        message_deduplication_id: str | None = None,
        sender_id: str | None = None,
    ) -> SentMessage:
        """``SendMessage``: enqueue ``body``; raises the SQS error AWS would (size, delay, FIFO ids)."""
        _m.check_body(body)
        config = self._config
        size = len(body) if body.isascii() else len(body.encode())
        attrs: _m.MessageAttributes = _m.NO_ATTRIBUTES
        if message_attributes:
            attrs, attr_size = _m.check_attributes(message_attributes)
            size += attr_size
        if size > config.maximum_message_size:
            raise InvalidParameterValue(
                "One or more parameters are invalid. Reason: Message must be shorter than "
                f"{config.maximum_message_size} bytes."
            )
        now = self._world.clock.now_ns
        if delay_seconds is not None:
            if (
                isinstance(delay_seconds, bool)
                or not isinstance(delay_seconds, int)
                or not (0 <= delay_seconds <= DELAY_SECONDS_MAX)
            ):
                raise InvalidParameterValue(
                    f"Value {delay_seconds} for parameter DelaySeconds is invalid. Reason: "
                    "DelaySeconds must be "
                    f">= 0 and <= {DELAY_SECONDS_MAX}."
                )
            if config.fifo_queue:
                raise InvalidParameterValue(
                    f"Value {delay_seconds} for parameter DelaySeconds is invalid. Reason: "
                    f"{_NOT_FOR_QUEUE_TYPE}"
                )
        delay = config.delay_seconds if delay_seconds is None else delay_seconds
        if config.fifo_queue:
            message_deduplication_id = self._fifo_ids(body, message_group_id, message_deduplication_id, now)
            duplicate = self._dedup.get(message_deduplication_id)
            if duplicate is not None:
                return duplicate[1]
        elif message_deduplication_id is not None:
            raise InvalidParameterValue(
                f"Value {message_deduplication_id} for parameter MessageDeduplicationId is invalid. "
                f"Reason: {_NOT_FOR_QUEUE_TYPE}"
            )
        msg = QueueMessage(self._ids.one(), body, attrs, now, sender_id or self.sender_id, next(self._seq))
        msg._group_id = message_group_id
        if config.fifo_queue:
            msg._dedup_id = message_deduplication_id
            msg._sequence_number = str(self._seq_base + msg._seq)
        sent = SentMessage(msg)
        if message_deduplication_id is not None and config.fifo_queue:
            expires = now + FIFO_DEDUPLICATION_WINDOW_S * NS_PER_SECOND
            self._dedup[message_deduplication_id] = (expires, sent)
            self._dedup_order.append((expires, message_deduplication_id))
        self._history.append(msg)
        self._kept(now)
        hook = self._interceptor
        if hook is None:
            self._enqueue(msg, now, delay * NS_PER_SECOND)
        else:
            self._enqueue(msg, now, hook.before_send(self, msg, delay * NS_PER_SECOND))
        for listener in self._send_listeners:
            listener((msg,))
        if hook is not None:
            hook.after_send(self, msg)
        return sent

    def send_many(self, bodies: Iterable[str], *, sender_id: str | None = None,
                  md5s: Sequence[str] | None = None) -> list[str]:
        """Many ``SendMessage`` calls at the current virtual instant, in order, in one pass; returns the
        ``MessageId`` of each. Same checks and errors as :meth:`send` (a refused body stops the loop, the ones
        before it stay sent) and the same ledger as sending one by one. FIFO queues, a queue delay and
        delivery faults go through :meth:`send` for each body. ``md5s``, when given, are the bodies' MD5
        digests already computed (a replay's reader process computes them on its own core); they are
        trusted."""
        if isinstance(bodies, (str, bytes)):
            raise ConfigError(f"send_many(bodies={bodies[:40]!r}): give an iterable of message bodies (one body: send)")
        config = self._config
        if config.fifo_queue or config.delay_seconds or self._interceptor is not None:
            return [self.send(body, sender_id=sender_id).message_id for body in bodies]
        now = self._world.clock.now_ns
        limit = config.maximum_message_size
        sender = sender_id or self.sender_id
        ids, seq, none = self._ids, self._seq, _m.NO_ATTRIBUTES
        sent: list[QueueMessage] = []
        keep = sent.append
        digests: Iterable[str | None] = itertools.repeat(None)
        if md5s is not None:  # digests past the given ones are computed when needed
            digests = itertools.chain(md5s, digests)
        with Relaxed():  # a million queued messages would otherwise bring full collections, each longer
            try:
                for chunk in blocks(bodies):
                    start, chunk_ids = len(sent), ids.take(len(chunk))
                    try:
                        for body, digest, message_id in zip(chunk, digests, chunk_ids, strict=False):
                            if not (type(body) is str and body.isascii() and body.isprintable() and body):
                                _m.check_body(body)
                            if (len(body) if body.isascii() else len(body.encode())) > limit:
                                raise InvalidParameterValue(
                                    "One or more parameters are invalid. Reason: Message must be shorter than "
                                    f"{limit} bytes."
                                )
                            keep(QueueMessage(message_id, body, none, now, sender, next(seq), digest))
                    finally:
                        ids.give_back(chunk_ids[len(sent) - start:])  # a refused body's id is the next one
            finally:
                if sent:
                    self._history.extend(sent)
                    self._kept(now)
                    self._visible.extend(sent)
                    self._n_visible += len(sent)
                    for listener in tuple(self._send_listeners):
                        listener(sent)
                    if self._listeners:
                        self._notify()
        return [msg._message_id for msg in sent]

    def _fifo_ids(self, body: str, group: str | None, dedup: str | None, now: int) -> str:
        if not group:
            raise MissingParameter("The request must contain the parameter MessageGroupId.")
        if dedup is None:
            if not self._config.content_based_deduplication:
                raise InvalidParameterValue(
                    "The queue should either have ContentBasedDeduplication enabled or "
                    "MessageDeduplicationId provided explicitly"
                )
            dedup = hashlib.sha256(body.encode()).hexdigest()
        order = self._dedup_order
        while order and order[0][0] <= now:
            expires, key = order.popleft()
            if self._dedup.get(key, (None,))[0] == expires:
                del self._dedup[key]
        return dedup

    # --- ReceiveMessage ----------------------------------------------------------------------------
    def receive(
        self, max_messages: int = 1, *, visibility_timeout: int | None = None
    ) -> list[ReceivedMessage]:
        """``ReceiveMessage``: up to ``max_messages`` (1–10) visible messages, made invisible for
        ``visibility_timeout`` seconds (default: the queue's). FIFO groups with a message in flight are
        skipped; messages at ``maxReceiveCount`` move to the dead-letter queue instead."""
        if not (type(max_messages) is int and 1 <= max_messages <= MAX_RECEIVE_MESSAGES) and (
            isinstance(max_messages, bool)
            or not isinstance(max_messages, int)
            or not (1 <= max_messages <= MAX_RECEIVE_MESSAGES)
        ):
            raise InvalidParameterValue(
                f"Value {max_messages} for parameter MaxNumberOfMessages is invalid. Reason: Must "
                "be between 1 "
                f"and {MAX_RECEIVE_MESSAGES}, if provided."
            )
        config = self._config
        if visibility_timeout is None:
            vt = config.visibility_timeout  # checked when it was set
        else:
            vt = visibility_timeout
            self._check_visibility(vt)
        now = self._world.clock.now_ns
        became_visible = self._process_due(now)
        deadline = now + vt * NS_PER_SECOND
        out: list[ReceivedMessage] = []
        policy = config.redrive_policy
        max_count = policy.max_receive_count if policy is not None else 1 << 62
        if config.fifo_queue:
            ready = self._ready
            while ready and len(out) < max_messages:
                group = ready.popleft()
                group.ready = False
                queue = group.queue
                while queue and len(out) < max_messages:
                    msg = queue[0]
                    state = msg._state
                    if state is _DELAYED:
                        break
                    queue.popleft()
                    if state is not _VISIBLE:
                        continue
                    if msg._receive_count >= max_count:
                        self._move_to_dlq(msg)
                        continue
                    group.inflight += 1
                    out.append(self._take(msg, now, deadline))
                    self._n_visible -= 1
                    self._n_inflight += 1
                if not group.inflight:
                    self._make_ready(group)
        else:
            while True:
                taken, dead = self._take_visible(out, max_messages, max_count, now, deadline)
                self._n_visible -= taken
                self._n_inflight += taken
                if dead is None:
                    break
                self._move_to_dlq(dead)
        if out:
            self._arm()
        if became_visible and self._listeners and (self._ready or self._visible):
            self._notify()
        return out

    @staticmethod
    def _check_visibility(vt: int) -> None:
        if isinstance(vt, bool) or not isinstance(vt, int) or not 0 <= vt <= VISIBILITY_TIMEOUT_MAX:
            raise InvalidParameterValue(
                f"Value {vt} for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and "
                f"{VISIBILITY_TIMEOUT_MAX}, if provided."
            )

    # --- DeleteMessage / ChangeMessageVisibility / PurgeQueue ----------------------------------------
    def _lookup(self, receipt_handle: str) -> QueueMessage | None:
        msg = self._handles.get(receipt_handle)
        if msg is None and not (
            isinstance(receipt_handle, str) and receipt_handle.startswith(self._handle_prefix)
        ):
            raise ReceiptHandleIsInvalid(
                f'The input receipt handle "{receipt_handle}" is not a valid receipt handle.'
            )
        return msg

    def delete(self, receipt_handle: str) -> None:
        """``DeleteMessage``. A handle superseded by a later receive is accepted but deletes nothing
        (AWS: "the request succeeds, but the message might not be deleted")."""
        msg = self._handles.get(receipt_handle)
        if msg is None:
            self._lookup(receipt_handle)  # raises ReceiptHandleIsInvalid for a handle this queue never gave
            return
        del self._handles[receipt_handle]
        msg._receipt = None
        state = msg._state
        msg._state = MessageState.DELETED
        if state is _IN_FLIGHT:
            self._n_inflight -= 1
            if self._config.fifo_queue:
                group = self._groups[msg._group_id or ""]
                group.inflight -= 1
                if not group.inflight:
                    self._make_ready(group)
                    if group.ready and self._listeners:
                        self._notify()
            if not self._n_inflight and not self._n_delayed and self._timer is not None:
                self._timer.cancel()
                self._timer = None
        elif state is _VISIBLE:
            self._n_visible -= 1

    def _delete_batch(self, received: list[ReceivedMessage], keep: frozenset[str]) -> list[tuple[str, int]]:
        """:meth:`delete` each of ``received`` whose message id is not in ``keep``, in order (a mapping's
        processed batch); returns ``(message id, receive count)`` of each message now deleted."""
        done, in_flight, visible = self._delete_received(received, keep)
        self._n_visible -= visible
        if in_flight:
            self._n_inflight -= in_flight
            if not self._n_inflight and not self._n_delayed and self._timer is not None:
                self._timer.cancel()
                self._timer = None
        return done

    def change_visibility(self, receipt_handle: str, timeout: int) -> None:
        """``ChangeMessageVisibility``: the message becomes visible ``timeout`` seconds from now (0 =
        at once). The total since the receive may not pass 43,200 s."""
        self._check_visibility(timeout)
        self._refresh()
        msg = self._lookup(receipt_handle)
        if msg is None or msg._state is not _IN_FLIGHT:
            raise MessageNotInflight(
                "Message does not exist or is not available for visibility timeout change."
            )
        now = self._world.clock.now_ns
        deadline = now + timeout * NS_PER_SECOND
        if deadline - msg._received_ns > VISIBILITY_TIMEOUT_MAX * NS_PER_SECOND:
            raise InvalidParameterValue(
                f"Value {timeout} for parameter VisibilityTimeout is invalid. Reason: Total "
                "VisibilityTimeout "
                f"for the message is beyond the limit [{VISIBILITY_TIMEOUT_MAX} seconds]"
            )
        msg._visible_at_ns = deadline
        if timeout == 0:
            self._release(msg)
            if self._listeners:
                self._notify()
            return
        self._put_inflight((deadline, next(self._push), msg))
        self._arm()

    def purge(self) -> None:
        """``PurgeQueue``: delete every message; a second purge within 60 s raises "
        "``PurgeQueueInProgress``."""
        now = self._world.clock.now_ns
        if self._last_purge_ns is not None and now - self._last_purge_ns < PURGE_INTERVAL_S * NS_PER_SECOND:
            raise PurgeQueueInProgress(
                f"Only one PurgeQueue operation on {self.name} is allowed every 60 seconds."
            )
        self._last_purge_ns = now
        for msg in self._history[self._by_age_cursor :]:
            if msg._state in _LIVE:
                msg._state = MessageState.PURGED
                msg._receipt = None
        self._visible.clear()
        self._groups.clear()
        self._ready.clear()
        self._inflight.clear()
        self._inflight_old.clear()
        self._delayed.clear()
        self._handles.clear()
        self._n_visible = self._n_inflight = self._n_delayed = 0
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def __repr__(self) -> str:
        kind = "fifo" if self.fifo else "standard"
        return (
            f"<Queue {self.name} {kind} visible={self._n_visible} in_flight={self._n_inflight} "
            f"delayed={self._n_delayed}>"
        )
