"""Streaming replay: recorded items are read from their file while the simulation runs and sent on the
virtual clock, so a replay of ten million records holds only what is in flight (``Sim.replay``).

Timing is :class:`lambdachaos.scenarios._convert.Gaps` (unlike :func:`lambdachaos.replay._read.place`,
nothing is sorted): items are sent in file order, and an item stamped earlier than the one before it is sent
at that one's time (recordings and dumps are written in time order). ``fast`` sends everything at ``start``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, final

from lambdachaos._clock import NS_PER_SECOND
from lambdachaos._errors import ConfigError
from lambdachaos.replay import _convert
from lambdachaos.replay import _read as _replay

if TYPE_CHECKING:
    from lambdachaos._sim import Sim


@final
class Replay:
    """A replay in progress: the format read and how many items and sends were made so far."""

    __slots__ = ("_clock", "_gaps", "_items", "_send", "format", "items", "sends")

    def __init__(self, sim: Sim, path: str | Path, target: Any, *, fmt: str, timing: str, factor: float,
                 start: float) -> None:
        self._gaps = _convert.Gaps(timing, factor, round(start * NS_PER_SECOND), sim.clock.now_ns)
        self.format, self._items = _replay.iter_read(path, fmt)
        """The format read (detected when ``format="auto"``)."""
        self.items = 0
        """Recorded items read and sent so far."""
        self.sends = 0
        """Messages, invocations or records sent so far (an SQS event item sends one message per record)."""
        self._send = _sender(sim, target)
        self._clock = sim.clock
        item = next(self._items, None)
        if item is not None:
            self._clock.call_at(self._gaps.place(item), self._fire, item)

    def _fire(self, item: _replay.Recorded) -> None:
        now = self._clock.now_ns
        items = self._items
        while True:
            self.sends += self._send(item, self.items)
            self.items += 1
            nxt = next(items, None)
            if nxt is None:
                return
            at = self._gaps.place(nxt)
            if at > now:
                self._clock.call_at(at, self._fire, nxt)
                return
            item = nxt

    def __repr__(self) -> str:
        return f"<Replay {self.format} items={self.items} sends={self.sends}>"


def _sender(sim: Sim, target: Any) -> Any:
    from lambdachaos.resources import Queue
    from lambdachaos.service.invoke._function import Function

    region = sim.world.region
    if isinstance(target, Queue):
        def to_queue(item: _replay.Recorded, index: int) -> int:
            bodies = [item.payload] if item.kind == "message" else _convert.sqs_bodies(item)
            if bodies is None:
                bodies = [_convert.convert(item, "queue", rng=sim.world.rng_for("replay", index), region=region)]
            meta = item.meta if item.kind == "message" else {}
            for body in bodies:
                target.send(body, message_attributes=meta.get("message_attributes") or None,
                            message_group_id=meta.get("message_group_id"))
            return len(bodies)
        return to_queue
    if isinstance(target, Function):
        def to_function(item: _replay.Recorded, index: int) -> int:
            event = _convert.convert(item, "function", rng=sim.world.rng_for("replay", index), region=region)
            target.invoke_async(event)
            return 1
        return to_function
    if hasattr(target, "put_record") and hasattr(target, "shards"):
        def to_stream(item: _replay.Recorded, index: int) -> int:
            data = _convert.convert(item, "stream", rng=sim.world.rng_for("replay", index), region=region)
            target.put_record(data, item.meta.get("partition_key") or f"replay-{index}")
            return 1
        return to_stream
    from lambdachaos.service.mappings._sources import source_of

    row = source_of(target)
    if row is not None and row.replay is not None:  # a source of the table that takes recorded events back
        replay = row.replay

        def to_source(item: _replay.Recorded, index: int) -> int:
            if not isinstance(item.payload, dict):
                raise ConfigError(f"item {index} of the recording is not a Lambda event: {row.title} replays "
                                  "recorded invocation events")
            return len(replay(target, item.payload))
        return to_source
    raise ConfigError(
        f"target={target!r}: a streaming replay sends to an SQS queue, a function, a Kinesis stream, a Kafka "
        "topic or an Amazon MQ queue; replay into other resources with a scenario file (traffic: replay:)"
    )

