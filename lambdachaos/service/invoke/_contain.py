"""In-process containment of handler code: what a handler must not be able to do to the test process.

- ``os._exit`` called by handler code (on the thread running an invocation) raises
  :class:`RuntimeExit` there instead of ending the process; the invocation ends with AWS's
  ``Runtime.ExitError``.
- Threads started by handler code are recorded on the invocation and made daemon threads, so a stray
  thread can never keep the interpreter from exiting; :func:`stray_threads` names those that were
  created non-daemon and are still running after the invocation.
- :func:`restore` puts back ``sys.modules["time"]``, the functions of the ``time`` module and
  ``os._exit`` as they were before the invocation (:func:`snapshot`), so a handler that replaces them
  cannot break the harness code that runs after it.
- :func:`safe_str` turns an exception into text even when its ``__str__`` raises.
"""

from __future__ import annotations

import operator
import os
import sys
import threading
import time as _time_module
from typing import Any, Final, NoReturn

from lambdachaos.service.invoke import _handler_time

STRAY_THREAD_GRACE_SECONDS: Final = 0.5
"""How long a non-daemon thread a handler left running may take to finish after the invocation."""

CHECK_STRAY_THREADS = True
"""False in an isolation worker, where a thread left running stays in its environment, as on Lambda."""
_real_exit = os._exit
_real_start = threading.Thread.start
_installed = False
_TIME_NAMES: Final = tuple(_handler_time.TIME_PATCHES)
_read_time_attrs: Final = operator.attrgetter(*_TIME_NAMES)
_modules: Final = sys.modules


class RuntimeExit(BaseException):
    """Raised in a handler's thread in place of ``os._exit(code)``."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def _exit(status: int) -> NoReturn:
    if _handler_time.current() is not None:
        raise RuntimeExit(status)
    _real_exit(status)


def _start(self: threading.Thread) -> None:
    clock = _handler_time.current()
    if clock is not None:
        if not self.daemon:
            self._lambdachaos_non_daemon = True  # type: ignore[attr-defined]
            self.daemon = True
        if clock.threads is None:
            clock.threads = []
        clock.threads.append(self)
    _real_start(self)


def install() -> None:
    """Install the ``os._exit`` and ``Thread.start`` hooks (idempotent, pass-through outside handlers)."""
    global _installed
    if _installed:
        return
    _handler_time.install()
    os._exit = _exit
    threading.Thread.start = _start  # type: ignore[method-assign]
    _installed = True


def snapshot() -> tuple[Any, ...]:
    """What :func:`restore` puts back: ``sys.modules["time"]``, ``os._exit`` and the ``time`` functions."""
    return (_modules.get("time"), os._exit, _read_time_attrs(_time_module))


def restore(before: tuple[Any, ...]) -> None:
    """Undo what handler code changed since :func:`snapshot` (a patch the test itself made stays)."""
    if _modules.get("time") is not before[0]:
        _modules["time"] = before[0]
    if os._exit is not before[1]:
        os._exit = before[1]
    if _read_time_attrs(_time_module) != before[2]:
        for name, value in zip(_TIME_NAMES, before[2], strict=True):
            setattr(_time_module, name, value)


def stray_threads(threads: list[threading.Thread] | None) -> list[threading.Thread]:
    """Non-daemon threads started by the invocation that are still running after a short grace
    (``concurrent.futures`` pool workers excepted: they wait for work and end with their executor)."""
    if not threads or not CHECK_STRAY_THREADS:
        return []
    started = _handler_time.real_perf_counter()
    pool_worker = getattr(sys.modules.get("concurrent.futures.thread"), "_worker", None)
    stray = []
    for t in threads:
        if not getattr(t, "_lambdachaos_non_daemon", False) or getattr(t, "_target", None) is pool_worker:
            continue  # an idle pool worker (a module-level executor reused warm) waits for work, as on Lambda
        left = STRAY_THREAD_GRACE_SECONDS - (_handler_time.real_perf_counter() - started)
        t.join(max(0.0, left))
        if t.is_alive():
            stray.append(t)
    return stray


def safe_str(exc: BaseException) -> str:
    """``str(exc)``, or a description of the failure when the exception's ``__str__`` raises."""
    try:
        text = str(exc)
    except Exception as inner:
        return f"<str() of {_type_name(exc)} failed: {_type_name(inner)}>"
    if not isinstance(text, str):
        return f"<str() of {_type_name(exc)} returned {type(text).__name__}>"
    return text


def _type_name(value: Any) -> str:
    try:
        name = type(value).__name__
    except Exception:
        return "exception"
    return name if isinstance(name, str) else "exception"
