"""The discrete-event core: a virtual clock in integer nanoseconds and a scheduler.

This module imports nothing else from lambdachaos. Everything that happens in a simulation
(an invocation ending, a retry becoming due, a visibility timeout expiring, a batching window
closing) is a callback scheduled at a virtual time. Ties break on ``(time, priority, sequence)``
so the same schedule always runs in the same order.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from datetime import timedelta
from typing import Any, Final, TypeAlias, final

NS_PER_SECOND: Final = 1_000_000_000

Duration: TypeAlias = "float | int | timedelta"
"""A span of virtual time: seconds (int or float) or a ``timedelta``."""


class ClockError(ValueError):
    """A request that would move virtual time backwards or is not a duration."""


def to_ns(duration: Duration) -> int:
    """Convert seconds (or a ``timedelta``) to integer nanoseconds, rounding to the nearest ns."""
    if isinstance(duration, timedelta):
        return (duration.days * 86_400 + duration.seconds) * NS_PER_SECOND + duration.microseconds * 1_000
    if isinstance(duration, bool) or not isinstance(duration, (int, float)):
        raise ClockError(f"duration={duration!r} is not a number of seconds or a timedelta")
    if isinstance(duration, int):
        return duration * NS_PER_SECOND
    return round(duration * NS_PER_SECOND)


@final
class Timer:
    """A scheduled callback; ``cancel()`` stops it from running."""

    __slots__ = ("args", "at_ns", "callback", "cancelled")

    def __init__(self, at_ns: int, callback: Callable[..., object], args: tuple[Any, ...]) -> None:
        self.at_ns = at_ns
        self.callback = callback
        self.args = args
        self.cancelled = False

    def cancel(self) -> None:
        """Prevent the callback from running (a no-op once it has run)."""
        self.cancelled = True

    def __repr__(self) -> str:
        state = "cancelled" if self.cancelled else "pending"
        return f"<Timer at={self.at_ns / NS_PER_SECOND:.9f}s {getattr(self.callback, '__name__', '?')} {state}>"


@final
class Clock:
    """Virtual time and the queue of things due to happen.

    ``now_ns`` only moves forward, and only while :meth:`run` or :meth:`advance` executes due
    callbacks (or when :meth:`sleep_ns` is used by an invocation in progress).
    """

    __slots__ = ("_now", "_queue", "_seq", "_stopped")

    def __init__(self, start: Duration = 0) -> None:
        self._now = to_ns(start)
        self._queue: list[tuple[int, int, int, Timer]] = []
        self._seq = 0
        self._stopped = False

    @property
    def now_ns(self) -> int:
        """Virtual time in nanoseconds since the simulation's epoch."""
        return self._now

    @property
    def now(self) -> float:
        """Virtual time in seconds (float) since the simulation's epoch."""
        return self._now / NS_PER_SECOND

    @property
    def pending(self) -> int:
        """Number of scheduled callbacks not yet run (cancelled ones included until popped)."""
        return len(self._queue)

    def call_at(self, at_ns: int, callback: Callable[..., object], *args: Any, priority: int = 0) -> Timer:
        """Run ``callback(*args)`` at virtual time ``at_ns``; lower ``priority`` runs first on a tie."""
        if at_ns < self._now:
            raise ClockError(f"at={at_ns / NS_PER_SECOND}s is before now={self._now / NS_PER_SECOND}s")
        timer = Timer(at_ns, callback, args)
        self._seq += 1
        heapq.heappush(self._queue, (at_ns, priority, self._seq, timer))
        return timer

    def call_later(
        self, delay: Duration, callback: Callable[..., object], *args: Any, priority: int = 0
    ) -> Timer:
        """Run ``callback(*args)`` after ``delay`` of virtual time (seconds or ``timedelta``)."""
        delay_ns = to_ns(delay)
        if delay_ns < 0:
            raise ClockError(f"delay={delay!r} is negative; virtual time never moves backwards")
        return self.call_at(self._now + delay_ns, callback, *args, priority=priority)

    def sleep_ns(self, duration_ns: int) -> None:
        """Move ``now`` forward without running callbacks (used inside an invocation in progress).

        Callbacks that became due in between run next, at their own times, never in the past:
        the scheduler clamps them to ``now``.
        """
        if duration_ns < 0:
            raise ClockError(f"duration={duration_ns}ns is negative; virtual time never moves backwards")
        self._now += duration_ns

    def set_local_now(self, now_ns: int) -> int:
        """Set ``now`` for the duration of a running invocation; returns the previous value.

        The simulated service runs a handler at its start time and lets the handler's own
        sleeps move ``now`` forward so that what it sends is stamped when it sends it. When the
        handler returns, the service puts ``now`` back to the start time; everything scheduled
        meanwhile lies at or after that time, so the ordering rule is kept.
        """
        previous = self._now
        self._now = now_ns
        return previous

    def stop(self) -> None:
        """Make the current :meth:`run` return after the callback in progress."""
        self._stopped = True

    def step(self) -> bool:
        """Run the next due callback; return False when nothing is scheduled."""
        return self._drain(once=True)

    def _drain(self, *, once: bool) -> bool:
        """Run due callbacks in order: one (``once``), or until idle or stopped; True when one ran last."""
        queue = self._queue
        pop = heapq.heappop
        while queue and (once or not self._stopped):
            at_ns, _prio, _seq, timer = pop(queue)
            if timer.cancelled:
                continue
            if at_ns > self._now:
                self._now = at_ns
            timer.cancelled = True  # a timer runs at most once
            timer.callback(*timer.args)
            if once:
                return True
        return False

    def run(self, until: Duration | Callable[[], bool] | None = None) -> None:
        """Execute scheduled callbacks in time order.

        - ``until=None``: run until nothing is scheduled (idle).
        - ``until=<seconds or timedelta>``: run every callback due up to and including that absolute
          virtual time, then set ``now`` to it. A time before ``now`` is refused.
        - ``until=<callable>``: run until the callable returns True (checked before each step) or idle.
        """
        self._stopped = False
        if until is None:
            self._drain(once=False)
            return
        if callable(until):
            while not self._stopped and not until() and self.step():
                pass
            return
        self._run_until_ns(to_ns(until))

    def run_until_ns(self, limit: int) -> None:
        """Like ``run(until=...)`` with an absolute time in integer nanoseconds."""
        self._stopped = False
        self._run_until_ns(limit)

    def _run_until_ns(self, limit: int) -> None:
        if limit < self._now:
            raise ClockError(
                f"until={limit / NS_PER_SECOND}s is before now={self._now / NS_PER_SECOND}s; "
                "virtual time never moves backwards (use advance() for a relative step)"
            )
        queue = self._queue
        while not self._stopped and queue:
            if queue[0][3].cancelled:  # drop cancelled heads before looking at the next due time
                heapq.heappop(queue)
                continue
            if queue[0][0] > limit:
                break
            self._drain(once=True)
        if not self._stopped and self._now < limit:
            self._now = limit

    def advance(self, duration: Duration) -> None:
        """Run everything due within the next ``duration`` of virtual time and move ``now`` past it."""
        delta = to_ns(duration)
        if delta < 0:
            raise ClockError(f"duration={duration!r} is negative; virtual time never moves backwards")
        self._stopped = False
        self._run_until_ns(self._now + delta)

    def __repr__(self) -> str:
        return f"<Clock now={self.now:.9f}s pending={len(self._queue)}>"
