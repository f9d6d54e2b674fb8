"""The injector the service applies around ONE handler call: :func:`injected`."""

from __future__ import annotations

import builtins
import contextlib
import errno
import io
import os
import random
from collections.abc import Callable, Iterator
from typing import Any

from ._downstream import botocore_injection
from ._egress import egress_sockets
from ._outcome import InvocationFaults
from ._patching import InjectionLog, Sleep, patched

__all__ = ["injected"]


class _FullFile:
    """A file opened for writing on a full ``/tmp``: writes past the free bytes raise ENOSPC."""

    def __init__(self, inner: Any, budget: list[int]) -> None:
        self._inner = inner
        self._budget = budget

    def _spend(self, n: int) -> None:
        if n > self._budget[0]:
            self._budget[0] = 0
            raise OSError(errno.ENOSPC, "No space left on device")
        self._budget[0] -= n

    def write(self, data: Any) -> int:
        self._spend(len(data.encode() if isinstance(data, str) else data))
        return int(self._inner.write(data))

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __enter__(self) -> _FullFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self._inner.close()

    def __iter__(self) -> Iterator[Any]:
        return iter(self._inner)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


@contextlib.contextmanager
def _tmp_full(tmp_dir: str, free_bytes: int, log: InjectionLog, rule_id: str) -> Iterator[None]:
    real_open = builtins.open
    budget = [free_bytes]
    root = os.path.realpath(tmp_dir)

    def full_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        writing = any(c in mode for c in "wax+")
        path = os.path.realpath(os.fspath(file)) if isinstance(file, str | bytes | os.PathLike) else None
        if not writing or path is None or not (str(path) == root or str(path).startswith(root + os.sep)):
            return real_open(file, mode, *args, **kwargs)
        log.record(
            rule_id, "tmp-full", f"write to {path!s}: /tmp full ({budget[0]} bytes free)", path=str(path)
        )
        return _FullFile(real_open(file, mode, *args, **kwargs), budget)

    with patched(builtins, "open", full_open), patched(io, "open", full_open):
        yield


@contextlib.contextmanager
def injected(
    faults: InvocationFaults,
    *,
    sleep: Sleep,
    now: Callable[[], float] | None = None,
    tmp_dir: str = "/tmp",
    random_seed: int | None = None,
) -> Iterator[InjectionLog]:
    """Apply the in-process faults of ``faults`` around one handler call; yields the :class:`InjectionLog`.

    - egress loss: name resolution and ``socket.connect``/``connect_ex`` fail for blocked destinations in the
      rule's mode; a blackhole calls ``sleep(connect timeout)`` first. botocore calls raise
      ``EndpointConnectionError`` / ``ConnectTimeoutError`` / ``ConnectionClosedError`` and retry as
      configured.
    - downstream errors: matching botocore calls receive the AWS error response; retries and their backoff
      sleeps (``time.sleep`` in botocore, which the simulator points at the virtual clock) play out.
    - ``/tmp`` full: files opened for writing under ``tmp_dir`` raise ``OSError(ENOSPC)`` past the free bytes.

    ``sleep`` advances the invocation's clock; ``now`` reads it (times of the log entries, and the clock of
    botocore's adaptive rate limiter). ``random_seed`` seeds the ``random`` module for the call (botocore's
    retry jitter comes from it) and restores its state afterwards. Everything is restored on exit, also when
    the handler raises.
    """
    log = InjectionLog(faults, now)
    with contextlib.ExitStack() as stack:
        if random_seed is not None:
            state = random.getstate()
            stack.callback(random.setstate, state)
            random.seed(random_seed)
        if faults.egress:
            stack.enter_context(egress_sockets(faults.egress, sleep, log))
        if faults.egress or faults.downstream:
            stack.enter_context(botocore_injection(faults, sleep, log, now))
        if faults.tmp_full_free_bytes is not None:
            rule = next((f.rule_id for f in faults.firings if f.kind == "tmp-full"), "tmp-full")
            stack.enter_context(_tmp_full(tmp_dir, faults.tmp_full_free_bytes, log, rule))
        yield log
