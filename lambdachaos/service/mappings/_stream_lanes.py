"""The units a stream mapping works in: a lane (one of a shard's ``ParallelizationFactor`` readers) and a sub-batch
(a contiguous run of a lane's records being delivered: a batch, or a part of one after a bisect)."""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any, final

if TYPE_CHECKING:
    from lambdachaos._clock import Timer
    from lambdachaos.service.mappings._stream_window import Window

@final
class Sub:
    """A contiguous run of a lane's records being delivered (a batch, or a part of one after a split)."""

    __slots__ = ("depth", "event", "final", "invokes", "prior", "records", "retries", "throttles", "window")

    def __init__(self, records: list[Any], *, retries: int = 0, prior: int = 0, depth: int = 0,
                 window: Window | None = None, final: bool = False) -> None:
        self.records = records
        self.window = window
        """The tumbling window the records belong to (§6.7), or None."""
        self.final = final
        """True for a window's final invocation (no records)."""
        self.retries = retries
        self.prior = prior
        """Invocations before this run existed whose batches contained all of its records."""
        self.invokes = 0
        self.depth = depth
        self.throttles = 0
        self.event: dict[str, Any] | None = None
        """The event of the latest invocation (the ``payload`` of an S3 on-failure object)."""

    def child(self, records: list[Any], *, deeper: bool) -> Sub:
        return Sub(records, retries=self.retries, prior=self.prior + self.invokes,
                    depth=self.depth + 1 if deeper else self.depth, window=self.window)


@final
class Lane:
    __slots__ = ("busy", "index", "last_poll", "pending", "pos", "shard", "timer", "window_end")

    def __init__(self, shard: Any, index: int, pos: int) -> None:
        self.shard = shard
        self.index = index
        self.pos = pos
        self.pending: deque[Sub] = deque()
        self.busy = False
        self.timer: Timer | None = None
        self.last_poll: int | None = None
        self.window_end: int | None = None
