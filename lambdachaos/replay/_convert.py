"""Recorded items in the form each target takes (a queue's message body, a function's event, a stream's data,
a bus's event), and their send times in file order."""

from __future__ import annotations

import base64
import json
import random
from typing import Any, Final, final

from lambdachaos import generators as gen
from lambdachaos._errors import ConfigError
from lambdachaos.replay import _read as _replay

_REPLAY_SOURCE: Final = "lambdachaos.replay"


def text_of(value: Any) -> str:
    """``value`` as text: itself when a string, else its compact JSON."""
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


@final
class Gaps:
    """Send times, in integer nanoseconds, of recorded items taken in file order (streaming replays).

    ``preserve`` keeps the recorded gaps from ``start_ns``, ``compress`` divides them by ``factor``, ``fast``
    sends everything at ``start_ns``; an item without a time, or stamped before the item ahead of it, goes at
    that item's time, and nothing goes before ``floor_ns``.
    """

    __slots__ = ("_origin", "_scale", "_start_ns", "_timed", "prev_ns")

    def __init__(self, timing: str, factor: float, start_ns: int, floor_ns: int) -> None:
        if timing not in ("preserve", "compress", "fast"):
            raise ConfigError(f"timing={timing!r}: use preserve, compress or fast")
        if factor <= 0:
            raise ConfigError(f"factor={factor!r} must be greater than 0 (gaps are divided by it)")
        self._timed = timing != "fast"
        self._scale = factor if timing == "compress" else 1.0
        self._start_ns = start_ns
        self._origin: float | None = None
        self.prev_ns = max(start_ns, floor_ns)
        """The send time of the latest item placed."""

    def place(self, item: _replay.Recorded) -> int:
        """The send time of the next item (and remember it as :attr:`prev_ns`)."""
        if self._timed and item.at is not None:
            if self._origin is None:
                self._origin = item.at
            # Recorded times have at most microsecond resolution; epoch seconds as floats near 1.7e9 are off by up
            # to a quarter of one, so the gap is taken to the microsecond (a 40 ms gap is 40,000,000 ns exactly).
            gap_us = round((item.at - self._origin) * 1_000_000)
            at = self._start_ns + (round(gap_us * 1000 / self._scale) if gap_us > 0 else 0)
            self.prev_ns = max(at, self.prev_ns)
        return self.prev_ns


def sqs_bodies(item: _replay.Recorded) -> list[str] | None:
    """Every record's body when ``item`` is an SQS Lambda event (``{"Records": [{"body": ...}, ...]}``): replayed
    onto a queue or topic, each record becomes its own message, in batch order. None for anything else."""
    p = item.payload
    if item.kind != "event" or not isinstance(p, dict) or not isinstance(p.get("Records"), list) or not p["Records"]:
        return None
    records = p["Records"]
    if not all(isinstance(r, dict) and "body" in r for r in records):
        return None
    return [r["body"] if isinstance(r["body"], str) else text_of(r["body"]) for r in records]


def convert(item: _replay.Recorded, target_kind: str, *, rng: random.Random, region: str) -> Any:
    """A recorded item in the form ``target_kind`` takes (see the module docstring)."""
    kind, p = item.kind, item.payload
    now = item.at if item.at is not None else gen.DEFAULT_NOW
    if target_kind == "function":
        if kind == "message":
            rec = gen.sqs.record(body=p, seed=rng, now=now, region=region,
                                 message_attributes=item.meta.get("message_attributes") or None)
            return gen.sqs.event(records=[rec])
        if kind == "kinesis":
            rec = gen.kinesis.record(data=p, partition_key=item.meta["partition_key"],
                                     sequence_number=item.meta["sequence_number"], seed=rng, now=now, region=region)
            return gen.kinesis.event(records=[rec])
        if kind == "dynamodb":
            return {"Records": [p]}
        return p
    if target_kind == "stream":
        return p if isinstance(p, bytes) else text_of(p).encode()
    if target_kind == "table":
        return dict(p) if isinstance(p, dict) else {"value": _as_text(p)}
    if target_kind == "bus":
        if kind == "eventbridge":
            return {"source": p["source"], "detail_type": p["detail-type"], "detail": p.get("detail", {}),
                    "resources": p.get("resources", [])}
        detail = p if isinstance(p, dict) else {"raw": _as_text(p)}
        return {"source": _REPLAY_SOURCE, "detail_type": "Replayed event", "detail": detail}
    bodies = sqs_bodies(item)
    if bodies is not None:
        return bodies[0]  # one message per call; :func:`replayed` sends every record's body
    return _as_text(p)


def _as_text(p: Any) -> str:
    if isinstance(p, bytes):
        try:
            return p.decode()
        except UnicodeDecodeError:
            return base64.b64encode(p).decode()
    return text_of(p)
