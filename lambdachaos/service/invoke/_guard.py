"""The real-time guard: stops a handler that runs away in real time so a test can never hang.

Every running invocation arms its own :class:`Entry` (a stack per thread: a nested synchronous
invoke pushes one and pops it, the caller's entry stays armed). One daemon watchdog thread polls the
armed entries:

- the **CPU budget**: ``guard_seconds`` of the handler thread's own CPU time (a loaded machine slows
  a handler down in wall time, not in CPU time, so legal work is not stopped because of load). The
  watchdog raises :class:`RunawayHandler` asynchronously in the handler's thread; this interrupts
  Python code.
- the **wall-clock backstop**: ``BACKSTOP_FACTOR`` × ``guard_seconds`` of real time, for a handler
  that spends no CPU because it is blocked (a lock, ``select``, a real sleep in a thread it joins):
  past it, a handler whose thread used no CPU for ``IDLE_SECONDS`` is taken for blocked.
  On the main thread the watchdog sends it SIGINT, which interrupts the blocking call, and the
  SIGINT handler installed here raises :class:`HandlerBlocked` (a Ctrl-C from the user still raises
  ``KeyboardInterrupt`` and is remembered as the user's). A handler blocked in C on another thread
  only sees :class:`HandlerBlocked` when it returns to Python.

A fired entry is signalled again on every poll until its invocation disarms it, so a handler that
catches the exception cannot keep running.
"""

from __future__ import annotations

import ctypes
import os
import signal
import threading
import time
from types import FrameType
from typing import Any, Final, final

POLL_SECONDS: Final = 0.02
BACKSTOP_FACTOR: Final = 12.0
"""The wall-clock backstop is this many times the CPU budget (60 s for the default 5 s)."""
IDLE_SECONDS: Final = 2.0
"""Past the backstop, a handler is taken for blocked once its thread used no CPU for this long (a handler
that computes slowly on a loaded machine is left to its CPU budget)."""
_perf = time.perf_counter
_get_ident = threading.get_ident
_sleep = time.sleep
_clock_gettime_ns = getattr(time, "clock_gettime_ns", None)
_cpu_clock_id = getattr(time, "pthread_getcpuclockid", None)
_set_async_exc = ctypes.pythonapi.PyThreadState_SetAsyncExc
_MAIN_IDENT: Final = threading.main_thread().ident


class RunawayHandler(BaseException):
    """Raised in a handler's thread when it used up the guard's CPU budget."""


class HandlerBlocked(BaseException):
    """Raised in a handler's thread when it passed the wall-clock backstop (blocked, not computing)."""


class _FlagReset(BaseException):
    """Delivered to the current thread and absorbed at once, to lower the interpreter's async-exception flag."""


def _withdraw_async_exc(thread_id: int) -> None:
    """Withdraw a guard exception still pending for ``thread_id`` (call it from the invocation's thread).

    CPython 3.11 and 3.12 raise the interpreter-wide "asynchronous exception pending" flag even when
    ``PyThreadState_SetAsyncExc`` clears, and only a thread that then finds an exception of its own lowers it.
    Left raised, every thread handles the eval breaker at each check, and a traced or profiled thread
    (coverage, a debugger, hypothesis shrinking after a failure) spins forever at its next function entry.
    So this ends by delivering one exception to the current thread and absorbing it, which lowers the flag.
    """
    _set_async_exc(ctypes.c_ulong(thread_id), None)
    try:
        _set_async_exc(ctypes.c_ulong(_get_ident()), ctypes.py_object(_FlagReset))
        for _ in range(2):  # an eval-breaker check: the exception lands here at the latest
            pass
    except _FlagReset:
        pass


_UNSET: Final[Any] = object()
FIRED_CPU: Final = "cpu"
FIRED_WALL: Final = "wall"


@final
class Entry:
    """One armed invocation: its thread, its budgets and whether the guard fired for it."""

    __slots__ = (
        "armed", "below", "busy_at", "cpu_clock", "cpu_deadline_ns", "fired", "last_cpu_ns", "paused", "thread_id",
        "wall_deadline",
    )

    def __init__(self, thread_id: int, budget_ns: int, wall_budget: float) -> None:
        self.thread_id = thread_id
        self.cpu_clock: Any = _UNSET  # the watchdog looks it up when it first sees the entry
        self.cpu_deadline_ns = budget_ns  # the CPU time then is added
        self.wall_deadline = wall_budget  # the real time then is added
        self.armed = True
        self.fired: str | None = None
        self.paused = 0
        self.below: Entry | None = None
        self.last_cpu_ns = -1
        self.busy_at = 0.0


class _Watchdog:
    def __init__(self) -> None:
        self.entries: list[Entry] = []
        self.tops: dict[int, Entry] = {}
        self.lock = threading.Lock()
        self.clocks: dict[int, int | None] = {}
        self.pending_wall: Entry | None = None
        self.sigints_sent = 0
        """SIGINTs the watchdog sent and whose Python handler has not run yet (one may arrive after its disarm)."""
        self.user_interrupted = False
        self.sigint_previous: Any = None
        self._thread: threading.Thread | None = None

        self.main_arms = 0

    def reset_after_fork(self) -> None:
        """In a forked child: no watchdog thread, no armed entries, fresh locks."""
        self.__init__()  # type: ignore[misc]

    def ensure_started(self) -> None:
        if self._thread is not None:
            return
        with self.lock:
            if self._thread is None:
                t = threading.Thread(target=self._loop, name="lambdachaos-guard", daemon=True)
                t.start()
                self._thread = t

    def _loop(self) -> None:
        while True:
            _sleep(POLL_SECONDS)
            if not self.entries:
                continue
            now = _perf()
            with self.lock:
                for entry in list(self.entries):
                    if entry.cpu_clock is _UNSET:
                        entry.cpu_clock = self._clock_of(entry.thread_id)
                        entry.cpu_deadline_ns += _cpu_ns(entry)
                        entry.wall_deadline += now  # at most one poll after it was armed
                    if entry.fired is None:
                        cpu = _cpu_ns(entry)
                        if cpu != entry.last_cpu_ns:
                            entry.last_cpu_ns, entry.busy_at = cpu, now
                        if cpu >= entry.cpu_deadline_ns:
                            entry.fired = FIRED_CPU
                        elif now >= entry.wall_deadline and now - entry.busy_at >= IDLE_SECONDS:
                            entry.fired = FIRED_WALL
                    if (entry.fired is not None and entry.armed and not entry.paused
                            and self.tops.get(entry.thread_id) is entry):
                        self._deliver(entry)

    def _clock_of(self, ident: int) -> int | None:
        try:
            return self.clocks[ident]
        except KeyError:
            clock = None
            if _cpu_clock_id is not None:
                try:
                    clock = _cpu_clock_id(ident)
                except OSError:
                    clock = None
            self.clocks[ident] = clock
            return clock

    def _deliver(self, entry: Entry) -> None:
        """Signal ``entry``'s thread (called with the lock held, so never after it was disarmed)."""
        if entry.fired == FIRED_WALL:
            if entry.thread_id == _MAIN_IDENT and signal.getsignal(signal.SIGINT) is _on_sigint:
                if self.pending_wall is not entry:
                    self.pending_wall = entry
                    self.sigints_sent += 1
                    signal.pthread_kill(entry.thread_id, signal.SIGINT)
                return
            exc: type[BaseException] = HandlerBlocked
        else:
            exc = RunawayHandler
        _set_async_exc(ctypes.c_ulong(entry.thread_id), ctypes.py_object(exc))


def _cpu_ns(entry: Entry) -> int:
    if entry.cpu_clock is None or _clock_gettime_ns is None:
        return round(_perf() * 1e9)
    try:
        ns: int = _clock_gettime_ns(entry.cpu_clock)
    except OSError:  # the thread ended
        return 0
    return ns


_watchdog = _Watchdog()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_watchdog.reset_after_fork)
SIGINT_RECHECK_ARMS: Final = 256
"""Every how many top-level arms on the main thread arming checks that the SIGINT wrapper is still
installed (``signal.getsignal`` is not free); the first arm always checks."""


def _on_sigint(signum: int, frame: FrameType | None) -> Any:
    """SIGINT: the guard's wake-up call for a blocked handler, or the user's Ctrl-C."""
    wd = _watchdog
    if wd.sigints_sent:  # the guard's own signal (possibly late: its invocation already ended)
        wd.sigints_sent -= 1
        pending = wd.pending_wall
        wd.pending_wall = None
        if pending is not None and pending.armed and not pending.paused:
            raise HandlerBlocked
        return None
    if wd.entries:
        _watchdog.user_interrupted = True
    previous = _watchdog.sigint_previous
    if callable(previous):
        return previous(signum, frame)
    if previous == signal.SIG_IGN:
        return None
    raise KeyboardInterrupt


def _ensure_sigint() -> None:
    """Wrap the SIGINT handler once (main thread only); a later replacement is wrapped again."""
    current = signal.getsignal(signal.SIGINT)
    if current is _on_sigint:
        return
    try:
        signal.signal(signal.SIGINT, _on_sigint)
    except ValueError:  # not the main thread of the main interpreter
        return
    _watchdog.sigint_previous = current


def arm(guard_seconds: float) -> Entry:
    """Arm the guard for one invocation on the current thread; pass the entry to :func:`disarm`.

    Cheap on purpose (it runs on every invocation): no lock, no system call (disarming waits on the
    watchdog's lock only when a delivery may be under way, so a signal can never land after it). The
    watchdog reads the thread's CPU clock when it first sees the entry and starts the budget from there.
    """
    wd = _watchdog
    if wd._thread is None:
        wd.ensure_started()
    ident = _get_ident()
    top = wd.tops.get(ident)
    if top is None and ident == _MAIN_IDENT:
        wd.main_arms += 1
        if wd.main_arms % SIGINT_RECHECK_ARMS == 1:
            _ensure_sigint()
        wd.user_interrupted = False
    entry = Entry(ident, int(guard_seconds * 1e9), guard_seconds * BACKSTOP_FACTOR)
    entry.below = top
    wd.tops[ident] = entry
    wd.entries.append(entry)
    return entry


def _disarm_once(entry: Entry) -> str | None:
    if entry.armed:
        wd = _watchdog
        entry.armed = False  # the watchdog reads it under its lock before every delivery
        wd.entries.remove(entry)
        if entry.below is None:
            wd.tops.pop(entry.thread_id, None)
        else:
            wd.tops[entry.thread_id] = entry.below
        if entry.fired is not None or wd.lock.locked():
            # A delivery may be under way (it holds the lock): let it complete, so nothing lands after this.
            # Without the lock held and with ``fired`` unset, no delivery for this entry started or can start.
            with wd.lock:
                if wd.pending_wall is entry:
                    wd.pending_wall = None
    if entry.fired is not None:
        # clear an exception still pending delivery so it cannot surface in harness code
        _withdraw_async_exc(entry.thread_id)
    return entry.fired


def disarm(entry: Entry) -> str | None:
    """Disarm ``entry``; returns ``"cpu"`` or ``"wall"`` if the guard fired for it, else None.

    A guard exception that arrives while disarming (it was on its way) is absorbed here.
    """
    while True:
        try:
            return _disarm_once(entry)
        except (RunawayHandler, HandlerBlocked):
            continue


def pause() -> Entry | None:
    """Harness code entered from a handler (a nested invoke, a boto3 call): no guard signal lands in it.

    The caller's entry stays armed; a signal due meanwhile is delivered once :func:`resume` ran and
    control is back in handler code. Returns what to pass to :func:`resume` (None outside handlers).
    """
    top = _watchdog.tops.get(_get_ident())
    if top is not None:
        with _watchdog.lock:
            top.paused += 1
            if top.fired is not None:
                _withdraw_async_exc(top.thread_id)
    return top


def resume(top: Entry | None) -> None:
    """End a :func:`pause`."""
    if top is not None:
        top.paused -= 1


def user_interrupted() -> bool:
    """True when the user pressed Ctrl-C (SIGINT from outside) while a handler ran."""
    return _watchdog.user_interrupted
