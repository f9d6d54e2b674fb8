"""Messages in flight on an SQS queue: taken by a receive, deleted by a consumer (see
:mod:`lambdachaos.resources._sqs`).

Mixed into the queue core, which holds the state. A standard queue's receive and a mapping's deletes are the
simulation's hottest paths after sending, so each is written out in one loop.
"""

from __future__ import annotations

from heapq import heapify, heappop, heappush
from typing import TYPE_CHECKING, Final

from lambdachaos.resources._sqs_message import IN_FLIGHT, VISIBLE, MessageState, QueueMessage, ReceivedMessage

if TYPE_CHECKING:
    from collections import deque
    from collections.abc import Callable, Iterator

    from lambdachaos.resources._sqs_config import QueueConfig

_VISIBLE: Final = VISIBLE
_IN_FLIGHT: Final = IN_FLIGHT
_DELETED: Final = MessageState.DELETED
YOUNG_ENTRIES: Final = 4_096
"""In-flight entries of recent receives kept apart until they are sorted out (:meth:`InFlight._inflight_next`)."""


class InFlight:
    """``_take`` one message, or the visible messages of a standard queue, into flight; delete a batch; keep
    the in-flight entries.

    An entry ``(deadline, seq, message)`` is made at each receive and goes stale when the message is deleted,
    released or received again; stale entries are dropped lazily. New entries go to a queue of recent ones,
    which stays in ``(deadline, seq)`` order: a receive's deadline is rarely earlier than the one before (an
    entry that would be goes to the heap of older ones instead), so a stale head leaves it in constant time
    where a heap would sift. Once it holds :data:`YOUNG_ENTRIES`, the few still live (a batch being processed,
    a message that will fail) move to the heap of older ones and the rest are dropped, while their messages
    are still in the CPU cache. The older heap is compacted when its entries outnumber the messages in flight
    four to one. Entries leave both in ``(deadline, seq)`` order, as from one heap.
    """

    __slots__ = ()

    if TYPE_CHECKING:
        _arn_region: tuple[str, str, int]
        _config: QueueConfig
        _handle_prefix: str
        _handles: dict[str, QueueMessage]
        _inflight: deque[tuple[int, int, QueueMessage]]
        _inflight_old: list[tuple[int, int, QueueMessage]]
        _n_inflight: int
        _push: Iterator[int]
        _visible: deque[QueueMessage]

        def delete(self, receipt_handle: str) -> None: ...

    def _take(self, msg: QueueMessage, now: int, deadline: int) -> ReceivedMessage:
        """Receive ``msg``: in flight until ``deadline``, under a new receipt handle (the caller moves it from
        the visible count to the in-flight count)."""
        msg._state = _IN_FLIGHT
        msg._receive_count += 1
        if msg._first_receive_ns is None:
            msg._first_receive_ns = now
        msg._visible_at_ns = deadline
        msg._received_ns = now
        old = msg._receipt
        if old is not None:
            del self._handles[old]
        handle = "%s%x" % (self._handle_prefix, next(self._push))  # noqa: UP031 - a third faster here than an f-string
        msg._receipt = handle
        self._handles[handle] = msg
        self._put_inflight((deadline, next(self._push), msg))
        return ReceivedMessage(msg, handle, msg._first_receive_ns, self._arn_region)

    def _put_inflight(self, entry: tuple[int, int, QueueMessage]) -> None:
        """Keep the in-flight entry of a receive or a visibility change (see the class)."""
        young = self._inflight
        if young and entry[0] < young[-1][0]:
            heappush(self._inflight_old, entry)
        else:
            young.append(entry)

    def _take_visible(self, out: list[ReceivedMessage], max_messages: int, max_count: int, now: int,
                      deadline: int) -> tuple[int, QueueMessage | None]:
        """A standard queue's receive: :meth:`_take` the visible messages in order into ``out`` until it holds
        ``max_messages``; stops early at a message received ``max_count`` times already (the caller moves it to
        the DLQ). Returns how many were taken, and that message or None (the hot path, written out)."""
        visible, handles, inflight = self._visible, self._handles, self._inflight
        prefix, push, arn_region = self._handle_prefix, self._push, self._arn_region
        if inflight and deadline < inflight[-1][0]:  # a shorter visibility timeout than the last receive's
            older = self._inflight_old
            put: Callable[[tuple[int, int, QueueMessage]], None] = lambda entry: heappush(older, entry)  # noqa: E731
        else:
            put = inflight.append
        taken = 0
        while visible and len(out) < max_messages:
            msg = visible.popleft()
            if msg._state is not _VISIBLE:
                continue
            if msg._receive_count >= max_count:
                return taken, msg
            msg._state = _IN_FLIGHT
            msg._receive_count += 1
            first = msg._first_receive_ns
            if first is None:
                first = msg._first_receive_ns = now
            msg._visible_at_ns = deadline
            msg._received_ns = now
            old = msg._receipt
            if old is not None:
                del handles[old]
            handle = "%s%x" % (prefix, next(push))  # noqa: UP031
            msg._receipt = handle
            handles[handle] = msg
            taken += 1
            put((deadline, next(push), msg))
            out.append(ReceivedMessage(msg, handle, first, arn_region))
        return taken, None

    def _delete_received(self, received: list[ReceivedMessage],
                         keep: frozenset[str]) -> tuple[list[tuple[str, int]], int, int]:
        """``DeleteMessage`` of each received message whose id is not in ``keep``, in order. Returns the
        ``(message id, receive count)`` of each message now deleted, and how many of the ones this deleted were in
        flight and how many visible (on a standard queue; the caller updates those counts and the timer)."""
        handles = self._handles
        fifo = self._config.fifo_queue
        done: list[tuple[str, int]] = []
        in_flight = visible = 0
        for rm in received:
            msg = rm.message
            if keep and msg._message_id in keep:
                continue
            handle = rm.receipt_handle
            if fifo or handles.get(handle) is None:
                self.delete(handle)  # FIFO groups; or a superseded handle, which deletes nothing
            else:
                del handles[handle]
                msg._receipt = None
                state = msg._state
                msg._state = _DELETED
                if state is _IN_FLIGHT:
                    in_flight += 1
                elif state is _VISIBLE:
                    visible += 1
            if msg._state is _DELETED:
                done.append((msg._message_id, rm.receive_count))
        return done, in_flight, visible

    def _inflight_next(self) -> int | None:
        """Sort out the recent entries when due and drop stale heads; the earliest live deadline, or None."""
        young, old = self._inflight, self._inflight_old
        if len(young) > YOUNG_ENTRIES:
            for entry in young:
                msg = entry[2]
                if msg._state is _IN_FLIGHT and msg._visible_at_ns == entry[0]:
                    heappush(old, entry)
            young.clear()
            if len(old) > YOUNG_ENTRIES and len(old) > 4 * self._n_inflight:
                old[:] = [e for e in old if e[2]._state is _IN_FLIGHT and e[2]._visible_at_ns == e[0]]
                heapify(old)
        while young and (young[0][2]._state is not _IN_FLIGHT or young[0][2]._visible_at_ns != young[0][0]):
            young.popleft()
        while old and (old[0][2]._state is not _IN_FLIGHT or old[0][2]._visible_at_ns != old[0][0]):
            heappop(old)
        if young:
            return young[0][0] if not old or young[0][0] < old[0][0] else old[0][0]
        return old[0][0] if old else None

    def _pop_due(self, now: int) -> tuple[int, int, QueueMessage] | None:
        """The next in-flight entry due by ``now`` in ``(deadline, seq)`` order, or None."""
        young, old = self._inflight, self._inflight_old
        if young and young[0][0] <= now and (not old or young[0] < old[0]):
            return young.popleft()
        if old and old[0][0] <= now:
            return heappop(old)
        return None
