"""Streaming replay: recorded items are read from their file while the simulation runs and sent on the
virtual clock, so a replay of ten million records holds only what is in flight (``Sim.replay``).

Timing is :class:`lambdachaos.scenarios._convert.Gaps` (unlike :func:`lambdachaos.replay._read.place`,
nothing is sorted): items are sent in file order, and an item stamped earlier than the one before it is sent
at that one's time (recordings and dumps are written in time order). ``fast`` sends everything at ``start``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, final

from lambdachaos._clock import NS_PER_SECOND
from lambdachaos._errors import ConfigError
from lambdachaos.replay import _convert
from lambdachaos.replay import _read as _replay

if TYPE_CHECKING:
    from lambdachaos._sim import Sim


_BATCH: Final = 1000
"""Most items read ahead and sent together (items due at the same virtual instant)."""


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
        # The items due at this instant are read ahead (at most _BATCH at a time) and sent together.
        now = self._clock.now_ns
        due = [item]
        try:
            while True:
                nxt = self._gaps.take_due(self._items, due, now, _BATCH)
                if nxt is not None:
                    self._clock.call_at(self._gaps.prev_ns, self._fire, nxt)
                    return
                if self._gaps.exhausted:
                    return
                batch, due = due, []
                self._send_due(batch)
        finally:  # what was read is sent, also when reading the next item fails
            self._send_due(due)

    def _send_due(self, due: list[_replay.Recorded]) -> None:
        if due:
            self.sends += self._send(due, self.items)
            self.items += len(due)

    def __repr__(self) -> str:
        return f"<Replay {self.format} items={self.items} sends={self.sends}>"


def _sender(sim: Sim, target: Any) -> Any:
    """``send(items, index)``: sends recorded items (the first is item ``index`` of the recording) to ``target``
    and returns how many messages, invocations or records it sent."""
    from lambdachaos.resources import Queue
    from lambdachaos.service.invoke._function import Function

    region = sim.world.region

    def each(one: Any) -> Any:
        def send(items: list[_replay.Recorded], index: int) -> int:
            return sum(one(item, index + i) for i, item in enumerate(items))
        return send

    if isinstance(target, Queue):
        def to_queue(items: list[_replay.Recorded], index: int) -> int:
            plain: list[str] = []  # bodies without attributes or group: sent in one pass
            sends = 0
            for i, item in enumerate(items):
                if item.kind == "message":
                    meta = item.meta
                    attrs, group = meta.get("message_attributes") or None, meta.get("message_group_id")
                    if attrs is None and group is None:  # the common case: one plain message
                        plain.append(item.payload)
                        sends += 1
                        continue
                else:
                    attrs = group = None
                bodies = [item.payload] if item.kind == "message" else _convert.sqs_bodies(item)
                if bodies is None:
                    bodies = [_convert.convert(item, "queue", rng=sim.world.rng_for("replay", index + i),
                                               region=region)]
                sends += len(bodies)
                if attrs is None and group is None:
                    plain.extend(bodies)
                    continue
                if plain:
                    target.send_many(plain)
                    plain = []
                for body in bodies:
                    target.send(body, message_attributes=attrs, message_group_id=group)
            if plain:
                target.send_many(plain)
            return sends
        return to_queue
    if isinstance(target, Function):
        def to_function(item: _replay.Recorded, index: int) -> int:
            event = _convert.convert(item, "function", rng=sim.world.rng_for("replay", index), region=region)
            target.invoke_async(event)
            return 1
        return each(to_function)
    if hasattr(target, "put_record") and hasattr(target, "shards"):
        def to_stream(item: _replay.Recorded, index: int) -> int:
            data = _convert.convert(item, "stream", rng=sim.world.rng_for("replay", index), region=region)
            target.put_record(data, item.meta.get("partition_key") or f"replay-{index}")
            return 1
        return each(to_stream)
    from lambdachaos.service.mappings._sources import source_of

    row = source_of(target)
    if row is not None and row.replay is not None:  # a source of the table that takes recorded events back
        replay = row.replay

        def to_source(item: _replay.Recorded, index: int) -> int:
            if not isinstance(item.payload, dict):
                raise ConfigError(f"item {index} of the recording is not a Lambda event: {row.title} replays "
                                  "recorded invocation events")
            return len(replay(target, item.payload))
        return each(to_source)
    raise ConfigError(
        f"target={target!r}: a streaming replay sends to an SQS queue, a function, a Kinesis stream, a Kafka "
        "topic or an Amazon MQ queue; replay into other resources with a scenario file (traffic: replay:)"
    )
