"""The log of one invocation, as Lambda's Python runtime writes it (text format), for ``LogType="Tail"``.

While a handler runs with a :class:`LogCapture` active, what it writes to ``sys.stdout`` and
``sys.stderr`` and what reaches the root logger is kept (and still written where it went before). The
invocation's log is then ``START``, those lines, the runtime's own lines for an error or a timeout,
``END`` and ``REPORT``, as in CloudWatch Logs ("Log and monitor Python Lambda functions"). ``Max Memory
Used`` is not measured by the simulation: it reports :data:`MEMORY_USED_MB` (at most ``MemorySize``).
"""

from __future__ import annotations

import logging
import math
import sys
from datetime import UTC, datetime
from typing import Any, Final, TextIO

from lambdachaos.ledger._ledger import Outcome
from lambdachaos.service.invoke._config import FunctionConfig
from lambdachaos.service.invoke._execution import Execution
from lambdachaos.service.invoke._handler_time import HandlerClock, current

TAIL_BYTES: Final = 4096
"""``LogResult`` carries the last 4 KB of the invocation's log."""
MEMORY_USED_MB: Final = 40
"""``Max Memory Used`` in ``REPORT`` lines (not measured; capped at the function's memory size)."""


def timestamp(wall_ns: int) -> str:
    """``2026-01-01T00:00:00.123Z``: the runtime's timestamp of a log line."""
    ms = wall_ns // 1_000_000
    return f"{datetime.fromtimestamp(ms // 1000, tz=UTC):%Y-%m-%dT%H:%M:%S}.{ms % 1000:03d}Z"


class _Tee:
    """A text stream that writes through to the stream it replaced and keeps a copy of what the capturing
    invocation writes (an invocation it calls has a log of its own)."""

    def __init__(self, inner: TextIO, capture: LogCapture) -> None:
        self._inner: TextIO = inner._inner if isinstance(inner, _Tee) else inner
        self._capture = capture

    def write(self, text: str) -> int:
        if current() is self._capture.clock:
            self._capture.lines.append(text)
        return self._inner.write(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _Handler(logging.Handler):
    """The runtime's log handler: ``[LEVEL]\\t<timestamp>\\t<request id>\\t<message>``."""

    def __init__(self, capture: LogCapture) -> None:
        super().__init__()
        self._capture = capture

    def emit(self, record: logging.LogRecord) -> None:
        capture = self._capture
        if current() is not capture.clock:
            return
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: the runtime would print logging's own error
            message = str(record.msg)
        if record.exc_info:
            message += "\n" + logging.Formatter().formatException(record.exc_info)
        capture.lines.append(f"[{record.levelname}]\t{timestamp(capture.clock.wall_ns())}\t{capture.request_id}\t"
                             f"{message}\n")


class LogCapture:
    """Keeps what one invocation's handler logs (a context manager around the handler call)."""

    def __init__(self, request_id: str, clock: HandlerClock, lines: list[str]) -> None:
        self.request_id = request_id
        self.clock = clock
        self.lines = lines
        self._saved: tuple[TextIO, TextIO] | None = None
        self._handler = _Handler(self)

    def __enter__(self) -> LogCapture:
        self._saved = (sys.stdout, sys.stderr)
        sys.stdout = _Tee(sys.stdout, self)
        sys.stderr = _Tee(sys.stderr, self)
        logging.getLogger().addHandler(self._handler)
        return self

    def __exit__(self, *exc: object) -> None:
        logging.getLogger().removeHandler(self._handler)
        if self._saved is not None:
            sys.stdout, sys.stderr = self._saved
            self._saved = None


def invocation_log(
    ex: Execution, lines: list[str], config: FunctionConfig, *, end_wall_ns: int, duration_ns: int, init_ns: int,
) -> bytes:
    """The log of the attempt ``ex``: ``START`` … ``END`` and ``REPORT`` (``Init Duration`` on a cold start)."""
    request_id, error, memory_size = ex.request_id, ex.error, config.memory_size
    out = [f"START RequestId: {request_id} Version: {ex.executed_version}\n", *lines]
    if ex.outcome is Outcome.TIMEOUT:
        out.append(f"{timestamp(end_wall_ns)} {request_id} Task timed out after {config.timeout:.2f} seconds\n")
    elif error is not None and "stackTrace" in error:
        out.append(f"[ERROR] {error.get('errorType')}: {error.get('errorMessage')}\n"
                   "Traceback (most recent call last):\n" + "".join(error.get("stackTrace") or ()))
    elif error is not None:
        out.append(f"{timestamp(end_wall_ns)} {request_id} {error.get('errorType')}: {error.get('errorMessage')}\n")
    billed_ms = math.ceil((duration_ns + init_ns) / 1_000_000)
    report = (f"REPORT RequestId: {request_id}\tDuration: {duration_ns / 1e6:.2f} ms\tBilled Duration: {billed_ms} ms"
              f"\tMemory Size: {memory_size} MB\tMax Memory Used: {min(MEMORY_USED_MB, memory_size)} MB\t")
    if init_ns:
        report += f"Init Duration: {init_ns / 1e6:.2f} ms\t"
    out += [f"END RequestId: {request_id}\n", report + "\n"]
    return "".join(out).encode()


def tail(log: bytes) -> bytes:
    """The last 4 KB of an invocation's log (what ``LogResult`` carries, base64-encoded)."""
    return log[-TAIL_BYTES:]
