"""Streaming replay: recorded items are read from their file while the simulation runs and sent on the
virtual clock, so a replay of ten million records holds only what is in flight (``Sim.replay``). The items come
in chunks from :mod:`lambdachaos.replay._source` (read here, or by a reader process for a large file).

Timing is :class:`lambdachaos.replay._convert.Gaps` (unlike :func:`lambdachaos.replay._read.place`,
nothing is sorted): items are sent in file order, and an item stamped earlier than the one before it is sent
at that one's time (recordings and dumps are written in time order). ``fast`` sends everything at ``start``.
"""

from __future__ import annotations

import os
from bisect import bisect_right
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, cast, final

from lambdachaos._clock import NS_PER_SECOND
from lambdachaos._errors import ConfigError
from lambdachaos.replay import _convert, _source
from lambdachaos.replay import _read as _replay

if TYPE_CHECKING:
    from lambdachaos._sim import Sim


_EMPTY: Final = _source.Chunk([], [], True)


@final
class Replay:
    """A replay in progress: the format read and how many items and sends were made so far."""

    __slots__ = ("_chunk", "_chunks", "_clock", "_i", "_send", "_target", "format", "items", "sends")

    def __init__(self, sim: Sim, path: str | Path, target: Any, *, fmt: str, timing: str, factor: float,
                 start: float) -> None:
        from lambdachaos.resources import Queue

        self._send = _sender(sim, target)
        self._target = target
        placement = (timing, float(factor), round(start * NS_PER_SECOND), sim.clock.now_ns)
        self.format, self._chunks = _source.open_entries(os.fspath(path), fmt, placement,
                                                         plain=isinstance(target, Queue))
        """The format read (detected when ``format="auto"``)."""
        self.items = 0
        """Recorded items read and sent so far."""
        self.sends = 0
        """Messages, invocations or records sent so far (an SQS event item sends one message per record)."""
        self._clock = sim.clock
        self._chunk = next(self._chunks, _EMPTY)
        self._i = 0
        if self._chunk.items:
            self._clock.call_at(self._chunk.times[0], self._fire)

    def _fire(self) -> None:
        # Every entry due at this instant is sent; plain message bodies in one send_many per run of them.
        now = self._clock.now_ns
        while True:
            times, items, plain, md5s = self._chunk
            i = self._i
            due = bisect_right(times, now, i)
            if plain:  # the common case: a chunk of plain message bodies
                self._i = due
                self._send_plain(cast("list[str]", items[i:due]), None if md5s is None else md5s[i:due])
            else:
                for j in range(i, due):
                    self._i = j + 1
                    item = items[j]
                    if type(item) is str:
                        self._send_plain([item])
                    else:
                        self.sends += self._send(item, self.items)
                        self.items += 1
            if due < len(items):
                self._clock.call_at(times[due], self._fire)
                return
            self._chunk, self._i = _EMPTY, 0
            self._chunk = next(self._chunks, _EMPTY)  # an error reading the file is raised here, after what came before
            if not self._chunk.items:
                return

    def _send_plain(self, bodies: list[str], md5s: list[str] | None = None) -> None:
        if bodies:
            self._target.send_many(bodies, md5s=md5s)
            self.items += len(bodies)
            self.sends += len(bodies)

    def close(self) -> None:
        """Stop reading (a reader process ends); items not yet sent are not sent."""
        close = getattr(self._chunks, "close", None)
        if close is not None:
            close()
        self._chunk, self._i = _EMPTY, 0

    def __repr__(self) -> str:
        return f"<Replay {self.format} items={self.items} sends={self.sends}>"


def _sender(sim: Sim, target: Any) -> Any:
    """``send(item, index)``: sends recorded item ``index`` of the recording to ``target`` and returns how many
    messages, invocations or records it sent (plain SQS messages to a queue go through ``send_many``)."""
    from lambdachaos.resources import Queue
    from lambdachaos.service.invoke._function import Function

    region = sim.world.region
    if isinstance(target, Queue):
        def to_queue(item: _replay.Recorded, index: int) -> int:
            if item.kind == "message":  # with message attributes or a group id
                target.send(item.payload, message_attributes=item.meta.get("message_attributes") or None,
                            message_group_id=item.meta.get("message_group_id"))
                return 1
            bodies = _convert.sqs_bodies(item)
            if bodies is None:
                bodies = [_convert.convert(item, "queue", rng=sim.world.rng_for("replay", index), region=region)]
            target.send_many(bodies)
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
