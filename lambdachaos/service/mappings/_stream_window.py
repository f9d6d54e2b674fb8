"""Tumbling windows of a stream event source mapping (docs/aws-behaviour.md §6.7).

Windows are ``TumblingWindowInSeconds`` long and aligned to multiples of it since the Unix epoch; a
record belongs to the window holding its arrival time (decision A16). A batch never spans two
windows. Each invocation gets, next to ``Records``, the ``window`` bounds, the ``state`` the function
returned for the same window so far (``{}`` at the start), ``shardId``, ``eventSourceARN``,
``isFinalInvokeForWindow`` and ``isWindowTerminatedEarly``. A response without a ``state`` object is
a failed invocation. When the window closes, Lambda makes a final invocation with no records and
``isFinalInvokeForWindow: true``; it is retried until it succeeds, and only then does the shard go on
to the next window. A returned state over 1 MB ends the window early: the final invocation comes at
once with ``isWindowTerminatedEarly: true`` and the window continues with fresh state. AWS page:
"Implementing stateful Kinesis and DynamoDB stream processing".
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Final, final

if TYPE_CHECKING:
    from lambdachaos._world import World

STATE_LIMIT_BYTES: Final = 1_048_576
"""Largest state a window may carry (1 MB per shard)."""
_NS: Final = 1_000_000_000


@final
class Window:
    """One window of one shard: bounds in virtual ns, the carried state, and how it ends."""

    __slots__ = ("closing", "end_ns", "finished", "shard_index", "start_ns", "state", "terminated_early")

    def __init__(self, shard_index: int, start_ns: int, end_ns: int) -> None:
        self.shard_index = shard_index
        self.start_ns = start_ns
        self.end_ns = end_ns
        self.state: dict[str, Any] = {}
        self.terminated_early = False
        self.closing = False
        """The final invocation is queued."""
        self.finished = False

    def __repr__(self) -> str:
        return f"<Window shard={self.shard_index} {self.start_ns / _NS:g}s-{self.end_ns / _NS:g}s>"


@final
class TumblingWindows:
    """The open window of every shard of one mapping, and the window fields of its events."""

    def __init__(self, world: World, seconds: int, event_source_arn: str) -> None:
        self.world = world
        self.length_ns = seconds * _NS
        self.event_source_arn = event_source_arn
        self.open: dict[int, Window] = {}

    def bounds(self, arrival_ns: int) -> tuple[int, int]:
        """Virtual start and end of the window holding an arrival time (epoch-aligned, A16)."""
        wall = self.world.epoch_ns + arrival_ns
        start = wall - wall % self.length_ns - self.world.epoch_ns
        return start, start + self.length_ns

    def window_for(self, shard_index: int, arrival_ns: int) -> Window:
        """The shard's open window for a record, opening a new one when the record starts a window."""
        start, end = self.bounds(arrival_ns)
        current = self.open.get(shard_index)
        if current is None or current.finished or current.start_ns != start:
            current = Window(shard_index, start, end)
            self.open[shard_index] = current
        return current

    def event(self, window: Window, shard_id: str, records: list[dict[str, Any]], *, final: bool) -> dict[str, Any]:
        """The invocation event in AWS's key order."""
        iso = self.world.iso_s
        return {
            "Records": records,
            "window": {"start": iso(window.start_ns), "end": iso(window.end_ns)},
            "state": window.state,
            "shardId": shard_id,
            "eventSourceARN": self.event_source_arn,
            "isFinalInvokeForWindow": final,
            "isWindowTerminatedEarly": final and window.terminated_early,
        }

    def take_state(self, window: Window, payload: bytes) -> bool:
        """Keep the ``state`` of a response; False when it has none (the invocation then failed).

        A state over :data:`STATE_LIMIT_BYTES` marks the window as terminated early.
        """
        try:
            response = json.loads(payload) if payload else None
        except ValueError:
            return False
        state = response.get("state") if isinstance(response, dict) else None
        if not isinstance(state, dict):
            return False
        window.state = state
        if len(json.dumps(state, separators=(",", ":")).encode()) > STATE_LIMIT_BYTES:
            window.terminated_early = True
        return True

    def finish(self, window: Window) -> None:
        """The final invocation succeeded: the state is discarded and the window is over."""
        window.finished = True
        window.state = {}
        if self.open.get(window.shard_index) is window:
            del self.open[window.shard_index]
