"""Handler time: while a handler runs, the standard clocks read the invocation's virtual time.

The hooks are installed once per process (on the first invocation) and are pass-through when no
invocation is running, so installing them costs nothing per call. ``time.sleep`` inside a handler
advances the invocation's virtual duration instead of blocking; sleeping past the function's
deadline ends the invocation there, as Lambda's timeout does.

``datetime.datetime`` and ``datetime.date`` are replaced in the ``datetime`` module only while an
invocation runs, and permanently in handler modules that bound them by name (``from datetime import
datetime``). The replacement classes answer ``isinstance`` for real instances, return real
instances, and read real time outside invocations.
"""

from __future__ import annotations

import datetime as _dt
import sys
import threading
import time as _time
from collections.abc import Callable
from typing import Any, Final, final

_real_time = _time.time
_real_time_ns = _time.time_ns
_real_monotonic = _time.monotonic
_real_monotonic_ns = _time.monotonic_ns
_real_perf_counter = _time.perf_counter
_real_perf_counter_ns = _time.perf_counter_ns
_real_sleep = _time.sleep
_RealDatetime: Final = _dt.datetime
_RealDate: Final = _dt.date

MONOTONIC_BASE_NS: Final = 1_000_000_000_000
"""Virtual ``monotonic``/``perf_counter`` read this many ns plus the virtual time (never near 0)."""


class InvocationDeadline(BaseException):
    """Raised inside a handler when virtual time reaches the function timeout.

    It derives from ``BaseException`` so that a handler's ``except Exception`` does not swallow it.
    """


@final
class HandlerClock:
    """The time of one running invocation: a wall-clock epoch and a virtual elapsed counter."""

    __slots__ = (
        "deadline_ns", "elapsed_ns", "expired", "on_advance", "start_virtual_ns", "start_wall_ns", "threads",
    )

    def __init__(
        self,
        *,
        start_wall_ns: int,
        start_virtual_ns: int,
        deadline_ns: int,
        on_advance: Callable[[int], object] | None = None,
    ) -> None:
        self.start_wall_ns = start_wall_ns
        self.start_virtual_ns = start_virtual_ns
        self.elapsed_ns = 0
        self.deadline_ns = deadline_ns
        self.on_advance = on_advance
        self.expired = False
        self.threads: list[threading.Thread] | None = None
        """Threads handler code started during this invocation (recorded by the containment hooks)."""

    def wall_ns(self) -> int:
        """Epoch nanoseconds as the handler sees them."""
        return self.start_wall_ns + self.elapsed_ns

    def monotonic_ns(self) -> int:
        """Monotonic nanoseconds as the handler sees them."""
        return MONOTONIC_BASE_NS + self.start_virtual_ns + self.elapsed_ns

    def remaining_ms(self) -> int:
        """``context.get_remaining_time_in_millis()``: never negative."""
        return max(0, (self.deadline_ns - self.elapsed_ns) // 1_000_000)

    def advance(self, duration_ns: int) -> None:
        """Spend virtual time; at the deadline, stop the handler with :class:`InvocationDeadline`."""
        if duration_ns < 0:
            raise ValueError(f"sleep length must be non-negative, got {duration_ns / 1e9}")
        if self.elapsed_ns + duration_ns >= self.deadline_ns:
            self._set_elapsed(self.deadline_ns)
            self.expired = True
            raise InvocationDeadline
        self._set_elapsed(self.elapsed_ns + duration_ns)

    def _set_elapsed(self, value: int) -> None:
        self.elapsed_ns = value
        if self.on_advance is not None:
            self.on_advance(self.start_virtual_ns + value)


class _State(threading.local):
    """Per-thread state: the running invocation's clock (a class default, so reading it never raises)."""

    clock: HandlerClock | None = None


_state = _State()
_install_lock = threading.Lock()
_installed = False


def current() -> HandlerClock | None:
    """The clock of the invocation running on this thread, if any."""
    return _state.clock


def set_current(clock: HandlerClock | None) -> HandlerClock | None:
    """Make ``clock`` the running invocation's clock on this thread; returns the previous one.

    While a clock is current, ``datetime.datetime`` and ``datetime.date`` in the ``datetime`` module
    are the virtual-time classes (so ``import datetime; datetime.datetime.now()`` and modules imported
    during the init phase see handler time); they are put back when no invocation runs.
    """
    previous: HandlerClock | None = _state.clock
    _state.clock = clock
    if clock is not None and previous is None:
        _dt.datetime = FakeDatetime  # type: ignore[misc]
        _dt.date = FakeDate  # type: ignore[misc]
    elif clock is None and previous is not None:
        _dt.datetime = _RealDatetime  # type: ignore[misc]
        _dt.date = _RealDate  # type: ignore[misc]
    return previous


def _time_fn() -> float:
    c = _state.clock
    return _real_time() if c is None else c.wall_ns() / 1e9


def _time_ns_fn() -> int:
    c = _state.clock
    return _real_time_ns() if c is None else c.wall_ns()


def _monotonic_fn() -> float:
    c = _state.clock
    return _real_monotonic() if c is None else c.monotonic_ns() / 1e9


def _monotonic_ns_fn() -> int:
    c = _state.clock
    return _real_monotonic_ns() if c is None else c.monotonic_ns()


def _perf_counter_fn() -> float:
    c = _state.clock
    return _real_perf_counter() if c is None else c.monotonic_ns() / 1e9


def _perf_counter_ns_fn() -> int:
    c = _state.clock
    return _real_perf_counter_ns() if c is None else c.monotonic_ns()


def _sleep_fn(seconds: float) -> None:
    c = _state.clock
    if c is None:
        _real_sleep(seconds)
        return
    if seconds < 0:
        raise ValueError("sleep length must be non-negative")
    c.advance(round(seconds * 1e9))


class _FakeMeta(type):
    def __instancecheck__(cls, obj: object) -> bool:
        real: type = cls._real  # type: ignore[attr-defined]
        return isinstance(obj, real)

    def __subclasscheck__(cls, sub: type) -> bool:
        real: type = cls._real  # type: ignore[attr-defined]
        return issubclass(sub, real)


def _virtual_now(tz: _dt.tzinfo | None) -> _dt.datetime | None:
    c = _state.clock
    if c is None:
        return None
    ns = c.wall_ns()
    utc = _RealDatetime.fromtimestamp(ns // 1_000_000_000, tz=_dt.UTC).replace(
        microsecond=(ns // 1_000) % 1_000_000
    )
    if tz is None:
        return utc.astimezone().replace(tzinfo=None)
    return utc.astimezone(tz)


class FakeDatetime(_dt.datetime, metaclass=_FakeMeta):
    """``datetime.datetime`` whose ``now``/``utcnow``/``today`` read handler time during an invocation."""

    _real = _RealDatetime

    @classmethod
    def now(cls, tz: _dt.tzinfo | None = None) -> _dt.datetime:  # type: ignore[override]
        v = _virtual_now(tz)
        return _RealDatetime.now(tz) if v is None else v

    @classmethod
    def utcnow(cls) -> _dt.datetime:  # type: ignore[override]
        v = _virtual_now(_dt.UTC)
        return _RealDatetime.now(_dt.UTC).replace(tzinfo=None) if v is None else v.replace(tzinfo=None)

    @classmethod
    def today(cls) -> _dt.datetime:  # type: ignore[override]
        return cls.now()


class FakeDate(_dt.date, metaclass=_FakeMeta):
    """``datetime.date`` whose ``today`` reads handler time during an invocation."""

    _real = _RealDate

    @classmethod
    def today(cls) -> _dt.date:  # type: ignore[override]
        v = _virtual_now(None)
        return _RealDate.today() if v is None else v.date()


TIME_PATCHES: Final[dict[str, Any]] = {
    "time": _time_fn,
    "time_ns": _time_ns_fn,
    "monotonic": _monotonic_fn,
    "monotonic_ns": _monotonic_ns_fn,
    "perf_counter": _perf_counter_fn,
    "perf_counter_ns": _perf_counter_ns_fn,
    "sleep": _sleep_fn,
}


_SWAPS: dict[int, Any] = {}


def install() -> None:
    """Install the pass-through ``time`` hooks (idempotent, thread-safe, once per process).

    ``time.time``/``sleep``/``monotonic``/``perf_counter`` (and their ``_ns`` forms) are replaced in
    the ``time`` module by functions that read real time unless an invocation runs. ``datetime`` is
    only swapped while an invocation runs (see :func:`set_current`), and in the namespaces of handler
    modules (see :func:`adopt`), so libraries that build types from ``datetime.datetime`` (pydantic,
    for example) never see the replacement classes.
    """
    global _installed
    if _installed:
        return
    with _install_lock:
        if _installed:
            return
        for name, fn in TIME_PATCHES.items():
            setattr(_time, name, fn)
        _SWAPS.update(
            {
                id(_RealDatetime): FakeDatetime,
                id(_RealDate): FakeDate,
                id(_real_time): _time_fn,
                id(_real_time_ns): _time_ns_fn,
                id(_real_sleep): _sleep_fn,
                id(_real_monotonic): _monotonic_fn,
                id(_real_monotonic_ns): _monotonic_ns_fn,
                id(_real_perf_counter): _perf_counter_fn,
                id(_real_perf_counter_ns): _perf_counter_ns_fn,
            }
        )
        _installed = True


def adopt(namespace: dict[str, Any]) -> None:
    """Rebind names a handler module imported by name (``from datetime import datetime``,
    ``from time import time, sleep``) to the virtual-time versions. Idempotent."""
    install()
    if namespace.get("__name__", "").partition(".")[0] in _NEVER_ADOPT:
        return
    swaps = _SWAPS
    if swaps.keys().isdisjoint(map(id, namespace.values())):  # nothing to rebind (one pass in C)
        return
    for attr in [attr for attr, value in namespace.items() if id(value) in swaps]:
        if attr[:2] != "__":
            namespace[attr] = swaps[id(namespace[attr])]


_NEVER_ADOPT: Final = frozenset(sys.stdlib_module_names) | {"_pytest", "pytest", "pluggy", "lambdachaos"}


def real_sleep(seconds: float) -> None:
    """The real ``time.sleep`` (for the harness's own waits, never inside a handler)."""
    _real_sleep(seconds)


def real_perf_counter() -> float:
    """The real ``time.perf_counter`` (for measured durations and the real-time guard)."""
    return _real_perf_counter()
