"""Streaming replay: recorded items are read from their file while the simulation runs and sent on the
virtual clock, so a replay of ten million records holds only what is in flight (``Sim.replay``).

Timing is :class:`lambdachaos.scenarios._convert.Gaps` (unlike :func:`lambdachaos.replay._read.place`,
nothing is sorted): items are sent in file order, and an item stamped earlier than the one before it is sent
at that one's time (recordings and dumps are written in time order). ``fast`` sends everything at ``start``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, final

from lambdachaos._clock import NS_PER_SECOND
from lambdachaos._errors import ConfigError
from lambdachaos.replay import _convert, _source
from lambdachaos.replay import _read as _replay

if TYPE_CHECKING:
    from lambdachaos._sim import Sim


_BATCH: Final = 1000
"""Most plain messages sent together (those due at the same virtual instant)."""


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
        self._chunk: list[_source.Entry] = next(self._chunks, [])
        self._i = 0
        if self._chunk:
            self._clock.call_at(self._chunk[0][0], self._fire)

    def _fire(self) -> None:
        # Every entry due at this instant is sent; plain messages in one send_many per run of them.
        now = self._clock.now_ns
        plain: list[str] = []
        try:
            while True:
                chunk, i, n = self._chunk, self._i, len(self._chunk)
                while i < n:
                    at, item = chunk[i]
                    if at > now:
                        break
                    i += 1
                    if type(item) is str:
                        plain.append(item)
                        if len(plain) == _BATCH:
                            self._i = i
                            self._send_plain(plain)
                            plain = []
                    else:
                        self._i = i
                        self._send_plain(plain)
                        plain = []
                        self.sends += self._send(item, self.items)
                        self.items += 1
                self._i = i
                if i < n:
                    self._clock.call_at(chunk[i][0], self._fire)
                    return
                nxt = next(self._chunks, None)  # an error reading the file is raised here, after what came before
                if nxt is None:
                    self._chunk, self._i = [], 0
                    return
                self._chunk, self._i = nxt, 0
        finally:
            self._send_plain(plain)

    def _send_plain(self, bodies: list[str]) -> None:
        if bodies:
            self._target.send_many(bodies)
            self.items += len(bodies)
            self.sends += len(bodies)

    def close(self) -> None:
        """Stop reading (a reader process ends); items not yet sent are not sent."""
        close = getattr(self._chunks, "close", None)
        if close is not None:
            close()
        self._chunk, self._i = [], 0

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
