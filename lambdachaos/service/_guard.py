"""The real-time guard: stops a handler that spins on the CPU so a test can never hang.

One daemon watchdog thread per process polls a single armed deadline. Arming and disarming are
plain attribute writes, so an invocation pays nothing for the guard. When the deadline passes the
watchdog raises :class:`RunawayHandler` asynchronously in the handler's thread (this interrupts
Python code; a handler blocked inside C code is interrupted when it returns to Python).
"""

from __future__ import annotations

import ctypes
import threading
import time
from typing import Final

POLL_SECONDS: Final = 0.02
_perf = time.perf_counter
_sleep = time.sleep


class RunawayHandler(BaseException):
    """Raised in a handler's thread when it exceeded the real-time guard."""


class _Watchdog:
    def __init__(self) -> None:
        self.armed: tuple[int, float, int] | None = None
        self.token = 0
        self.fired: set[int] = set()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def ensure_started(self) -> None:
        if self._thread is not None:
            return
        with self._lock:
            if self._thread is None:
                t = threading.Thread(target=self._loop, name="lambdachaos-guard", daemon=True)
                t.start()
                self._thread = t

    def _loop(self) -> None:
        while True:
            _sleep(POLL_SECONDS)
            armed = self.armed
            if armed is None:
                continue
            thread_id, deadline, token = armed
            if _perf() >= deadline and self.armed == armed:
                self.fired.add(token)
                ctypes.pythonapi.PyThreadState_SetAsyncExc(
                    ctypes.c_ulong(thread_id), ctypes.py_object(RunawayHandler)
                )
                self.armed = None


_watchdog = _Watchdog()


def arm(real_seconds: float) -> int:
    """Arm the guard for the current thread; returns a token for :func:`disarm`."""
    _watchdog.ensure_started()
    _watchdog.token += 1
    token = _watchdog.token
    _watchdog.armed = (threading.get_ident(), _perf() + real_seconds, token)
    return token


def disarm(token: int) -> bool:
    """Disarm; returns True if the guard fired for this token."""
    armed = _watchdog.armed
    if armed is not None and armed[2] == token:
        _watchdog.armed = None
    if token in _watchdog.fired:
        _watchdog.fired.discard(token)
        # clear an exception still pending delivery so it cannot surface in harness code
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(threading.get_ident()), None)
        return True
    return False
