"""The storage and timing core of the SQS queue model (see :mod:`lambdachaos.resources._sqs`).

Visible messages sit in a deque (per message group on FIFO queues), in-flight and delayed messages in
heaps keyed by the virtual time they become visible, and one clock timer per queue is armed for the
earliest of those. Retention expiry is applied lazily through a cursor over the send history.
"""

from __future__ import annotations

import heapq
import itertools
from collections import deque
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Final

from lambdachaos._clock import NS_PER_SECOND
from lambdachaos._errors import ConfigError
from lambdachaos.resources._sqs_config import QueueConfig, default_sender_id, validate_queue_name
from lambdachaos.resources._sqs_flight import InFlight
from lambdachaos.resources._sqs_hooks import QueueHooks, SendInterceptor
from lambdachaos.resources._sqs_ids import IdStream
from lambdachaos.resources._sqs_message import DELAYED, IN_FLIGHT, LIVE, VISIBLE, Group, MessageState, QueueMessage

if TYPE_CHECKING:
    from lambdachaos._clock import Timer
    from lambdachaos._world import World
    from lambdachaos.resources._sqs import Queue
    from lambdachaos.resources._sqs_message import SentMessage

_VISIBLE: Final = VISIBLE
_IN_FLIGHT: Final = IN_FLIGHT
_DELAYED: Final = DELAYED
_LIVE: Final = LIVE
_NEVER: Final = 1 << 62
_COMPACT_AFTER: Final = 65_536
MAX_RECEIVE_MESSAGES: Final = 10
PURGE_INTERVAL_S: Final = 60
_NOT_FOR_QUEUE_TYPE: Final = "The request include parameter that is not valid for this queue type."


class _QueueCore(QueueHooks, InFlight):
    """State, enqueueing, visibility/delay timers, retention and redrive of one queue."""

    __slots__ = (
        "_arn_region",
        "_by_age_cursor",
        "_config",
        "_dedup",
        "_dedup_order",
        "_delayed",
        "_expire_listeners",
        "_groups",
        "_handle_prefix",
        "_handles",
        "_history",
        "_ids",
        "_inflight",
        "_inflight_old",
        "_interceptor",
        "_last_purge_ns",
        "_listeners",
        "_n_delayed",
        "_n_inflight",
        "_n_visible",
        "_old_redriven",
        "_oldest_ns",
        "_push",
        "_ready",
        "_redrive_listeners",
        "_send_listeners",
        "_seq",
        "_seq_base",
        "_timer",
        "_timer_at",
        "_visible",
        "_world",
        "arn",
        "name",
        "sender_id",
        "url",
    )

    def __init__(
        self, world: World, name: str, config: QueueConfig | None = None, *, sender_id: str | None = None
    ) -> None:
        if config is None:
            config = QueueConfig(fifo_queue=name.endswith(".fifo"))
        validate_queue_name(name, config)
        self._world = world
        self.name = name
        """Queue name."""
        self.url = f"https://sqs.{world.region}.amazonaws.com/{world.account_id}/{name}"
        """``QueueUrl``."""
        self.arn = world.arn("sqs", name)
        """``QueueArn``."""
        self.sender_id = sender_id or default_sender_id(world.account_id)
        """Default ``SenderId`` of messages sent without one."""
        self._config = config
        self._check_redrive(config)
        rng = world.stream(f"sqs:{self.arn}")
        self._handle_prefix = "AQEB" + rng.getrandbits(96).to_bytes(12, "big").hex()
        self._arn_region = (self.arn, world.region, world.epoch_ns)
        self._seq_base = 18_000_000_000_000_000_000 + rng.getrandbits(48) * 1_000
        self._ids = IdStream(rng)  # message ids, the stream's only other use
        self._seq = itertools.count(1)
        self._push = itertools.count()
        self._visible: deque[QueueMessage] = deque()
        self._groups: dict[str, Group] = {}
        self._ready: deque[Group] = deque()
        self._inflight: deque[tuple[int, int, QueueMessage]] = deque()
        self._inflight_old: list[tuple[int, int, QueueMessage]] = []
        self._delayed: list[tuple[int, int, QueueMessage]] = []
        self._old_redriven: list[tuple[int, int, QueueMessage]] = []
        self._handles: dict[str, QueueMessage] = {}
        self._history: list[QueueMessage] = []
        self._by_age_cursor = 0
        self._oldest_ns = _NEVER
        self._dedup: dict[str, tuple[int, SentMessage]] = {}
        self._dedup_order: deque[tuple[int, str]] = deque()
        self._n_visible = self._n_inflight = self._n_delayed = 0
        self._timer: Timer | None = None
        self._timer_at = 0
        self._listeners: list[Callable[[Queue], object]] = []
        self._send_listeners: list[Callable[[Sequence[QueueMessage]], object]] = []
        self._redrive_listeners: list[Callable[[QueueMessage, Queue], object]] = []
        self._expire_listeners: list[Callable[[QueueMessage], object]] = []
        self._interceptor: SendInterceptor | None = None
        self._last_purge_ns: int | None = None

    @property
    def world(self) -> World:
        """The world (clock, account, region) this resource lives in."""
        return self._world

    # --- configuration -----------------------------------------------------------------------------
    @property
    def config(self) -> QueueConfig:
        """The queue's settings (``VisibilityTimeout``, ``RedrivePolicy`` ...)."""
        return self._config

    @property
    def fifo(self) -> bool:
        """True for a FIFO queue."""
        return self._config.fifo_queue

    def _check_redrive(self, config: QueueConfig) -> None:
        policy = config.redrive_policy
        if policy is not None and policy.dead_letter_target.fifo != config.fifo_queue:
            raise ConfigError(
                "The dead-letter queue of a FIFO queue must also be a FIFO queue. Likewise, the dead-letter "
                f"queue of a standard queue must also be a standard queue: queue {self.name!r} and "
                f"dead_letter_target {policy.dead_letter_target.name!r} differ; pick a queue of the same type"
            )

    def _enqueue(self, msg: QueueMessage, now: int, delay_ns: int) -> None:
        if delay_ns > 0:
            msg._state = _DELAYED
            msg._visible_at_ns = now + delay_ns
            self._n_delayed += 1
            heapq.heappush(self._delayed, (msg._visible_at_ns, next(self._push), msg))
            if self.fifo:
                self._group(msg).queue.append(msg)
            self._arm()
            return
        self._n_visible += 1
        if self.fifo:
            group = self._group(msg)
            group.queue.append(msg)
            self._make_ready(group)
        else:
            self._visible.append(msg)
        if self._listeners:
            self._notify()

    def _group(self, msg: QueueMessage) -> Group:
        key = msg._group_id or ""
        group = self._groups.get(key)
        if group is None:
            group = self._groups[key] = Group(key)
        return group

    def _make_ready(self, group: Group) -> None:
        if group.ready or group.inflight:
            return
        queue = group.queue
        while queue and queue[0]._state not in _LIVE:
            queue.popleft()
        if queue and queue[0]._state is _VISIBLE:
            group.ready = True
            self._ready.append(group)

    # --- time: visibility and delay expiry, retention, redrive ---------------------------------------
    def _release(self, msg: QueueMessage) -> None:
        """An in-flight message's visibility ended: back to the queue, or to the DLQ at maxReceiveCount."""
        self._n_inflight -= 1
        group = self._groups[msg._group_id or ""] if self.fifo else None
        if group is not None:
            group.inflight -= 1
        policy = self._config.redrive_policy
        if policy is not None and msg._receive_count >= policy.max_receive_count:
            msg._state = _VISIBLE
            self._n_visible += 1
            self._move_to_dlq(msg)
        else:
            msg._state = _VISIBLE
            self._n_visible += 1
            if group is None:
                self._visible.append(msg)
            else:
                queue = group.queue
                index = 0
                for other in queue:
                    if other._seq > msg._seq:
                        break
                    index += 1
                queue.insert(index, msg)
        if group is not None and not group.inflight:
            self._make_ready(group)

    def _move_to_dlq(self, msg: QueueMessage) -> None:
        policy = self._config.redrive_policy
        assert policy is not None
        msg._state = MessageState.MOVED_TO_DLQ
        self._n_visible -= 1
        if msg._receipt is not None:
            self._handles.pop(msg._receipt, None)
            msg._receipt = None
        policy.dead_letter_target._accept_redrive(msg, self.arn)
        for listener in tuple(self._redrive_listeners):
            listener(msg, policy.dead_letter_target)

    def _accept_redrive(self, source: QueueMessage, source_arn: str) -> None:
        now = self._world.clock.now_ns
        msg = QueueMessage(
            source._message_id,
            source._body,
            source._message_attributes,
            source._sent_ns,
            source._sender_id,
            next(self._seq),
        )
        msg._md5, msg._md5_attrs = source._md5, source._md5_attrs
        msg._group_id, msg._dedup_id = source._group_id, source._dedup_id
        msg._sequence_number = source._sequence_number
        msg._dlq_source_arn = source_arn
        if self.fifo:
            msg._enqueued_ns = now  # FIFO: the DLQ resets the enqueue time (AWS: retention restarts)
        else:
            msg._enqueued_ns = source._enqueued_ns  # standard: retention counts from the original enqueue
            if self._history and self._history[-1]._enqueued_ns > msg._enqueued_ns:
                heapq.heappush(self._old_redriven, (msg._enqueued_ns, next(self._push), msg))
        self._history.append(msg)
        self._kept(msg._enqueued_ns)
        self._enqueue(msg, now, 0)

    def _process_due(self, now: int) -> bool:
        """Apply every delay and visibility expiry due by ``now``, then retention; True if any became visible."""
        became = False
        delayed = self._delayed
        while delayed and delayed[0][0] <= now:
            at, _, msg = heapq.heappop(delayed)
            if msg._state is _DELAYED and msg._visible_at_ns == at:
                msg._state = _VISIBLE
                self._n_delayed -= 1
                self._n_visible += 1
                became = True
                if self.fifo:
                    self._make_ready(self._groups[msg._group_id or ""])
                else:
                    self._visible.append(msg)
        pop = self._pop_due
        while (entry := pop(now)) is not None:
            at, _, msg = entry
            if msg._state is _IN_FLIGHT and msg._visible_at_ns == at:
                self._release(msg)
                became = True
        kept = len(self._history) - self._by_age_cursor
        live = self._n_visible + self._n_inflight + self._n_delayed
        if (self._oldest_ns <= now - self._config.message_retention_period * NS_PER_SECOND
                or (kept - live > max(_COMPACT_AFTER, live) and not self._world.keep_history)):
            self._expire(now)  # something may expire, or the history may be compacted
        return became

    def _kept(self, enqueued_ns: int) -> None:
        """A message enqueued at ``enqueued_ns`` joined the history (or the redriven heap)."""
        if enqueued_ns < self._oldest_ns:
            self._oldest_ns = enqueued_ns

    def _expire(self, now: int) -> None:
        """Drop the messages past ``MessageRetentionPeriod`` and, without a full ledger, compact the history (run
        once the oldest message left can expire, or finished messages outnumber the live ones)."""
        limit = now - self._config.message_retention_period * NS_PER_SECOND
        history = self._history
        cursor = self._by_age_cursor
        while cursor < len(history) and history[cursor]._enqueued_ns <= limit:
            self._drop_expired(history[cursor])
            cursor += 1
        self._by_age_cursor = cursor
        if not self._world.keep_history:
            live = self._n_visible + self._n_inflight + self._n_delayed
            if len(history) - cursor - live > max(_COMPACT_AFTER, live):
                # Nothing reads a finished message's history without a full ledger: keep the live ones only.
                self._history = [m for m in history[cursor:] if m._state in _LIVE]
                self._by_age_cursor = 0
        old = self._old_redriven
        while old and old[0][0] <= limit:
            self._drop_expired(heapq.heappop(old)[2])
        history, cursor = self._history, self._by_age_cursor
        oldest = history[cursor]._enqueued_ns if cursor < len(history) else _NEVER
        self._oldest_ns = min(oldest, old[0][0]) if old else oldest

    def _drop_expired(self, msg: QueueMessage) -> None:
        state = msg._state
        if state not in _LIVE:
            return
        msg._state = MessageState.EXPIRED
        if msg._receipt is not None:
            self._handles.pop(msg._receipt, None)
            msg._receipt = None
        if state is _VISIBLE:
            self._n_visible -= 1
        elif state is _DELAYED:
            self._n_delayed -= 1
        else:
            self._n_inflight -= 1
            if self.fifo:
                group = self._groups[msg._group_id or ""]
                group.inflight -= 1
                if not group.inflight:
                    self._make_ready(group)
        for listener in tuple(self._expire_listeners):
            listener(msg)

    def _enqueue_copy(self, msg: QueueMessage, delay_ns: int) -> QueueMessage:
        """A second stored copy of a standard-queue message (same MessageId, body and attributes), visible
        after ``delay_ns``: at-least-once delivery. Not a send: ``on_send`` listeners are not called."""
        copy = QueueMessage(msg._message_id, msg._body, msg._message_attributes, msg._sent_ns, msg._sender_id,
                            next(self._seq))
        copy._md5, copy._md5_attrs = msg._md5, msg._md5_attrs
        now = self._world.clock.now_ns
        copy._enqueued_ns = max(msg._enqueued_ns, self._history[-1]._enqueued_ns if self._history else 0)
        self._history.append(copy)
        self._kept(copy._enqueued_ns)
        self._enqueue(copy, now, delay_ns)
        return copy

    def _arm(self) -> None:
        """Keep one clock timer at the earliest pending delay or visibility expiry."""
        at = self._inflight_next()  # memory follows the messages in flight, not every recent receive
        heap = self._delayed
        while heap and (heap[0][2]._state is not _DELAYED or heap[0][2]._visible_at_ns != heap[0][0]):
            heapq.heappop(heap)
        if heap and (at is None or heap[0][0] < at):
            at = heap[0][0]
        timer = self._timer
        if at is None:
            if timer is not None:
                timer.cancel()
                self._timer = None
            return
        if timer is not None:
            if self._timer_at <= at:
                return
            timer.cancel()
        self._timer_at = at
        self._timer = self._world.clock.call_at(max(at, self._world.clock.now_ns), self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        became = self._process_due(self._world.clock.now_ns)
        self._arm()
        if became and self._listeners:
            self._notify()

    # --- inspection ----------------------------------------------------------------------------------
    def _refresh(self) -> None:
        if self._process_due(self._world.clock.now_ns):
            self._arm()
            if self._listeners:
                self._notify()
