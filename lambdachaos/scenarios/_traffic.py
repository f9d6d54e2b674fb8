"""Traffic: the events a scenario sends, generated from a payload type or replayed from a recording.

Both kinds become :class:`Send` items (virtual time, what to send, poison kind, ordering key) in the form
the traffic's target takes (generated traffic as a list, replayed traffic read from its file while the clock
runs: :class:`ReplayFeed`): an event for a function, a body for a queue or topic, an
EventBridge entry for a bus, record bytes for a stream. Every value is drawn from a random source derived
from the scenario seed and the traffic name, so adding one traffic entry never changes another's events.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final, final

from lambdachaos import generators as gen
from lambdachaos._world import derive_seed
from lambdachaos.replay import _read as _replay
from lambdachaos.replay._convert import Gaps, convert, sqs_bodies
from lambdachaos.replay._convert import text_of as _text
from lambdachaos.scenarios._anonymise import anonymise
from lambdachaos.scenarios._model import TrafficSpec

_DEFAULT_POISON: Final = ("truncated_json", "wrong_types", "missing_fields", "semantically_wrong",
                          "invalid_utf8", "nul_bytes")
_REPLAY_SOURCE: Final = "lambdachaos.replay"
_KEY_PREFIX: Final = {"stream": "pk", "table": "item"}


@final
@dataclass(frozen=True, slots=True)
class Send:
    """One thing to send at virtual time ``at`` (seconds): ``payload`` in the target's form."""

    at: float
    traffic: str
    index: int
    payload: Any
    poison: str | None = None
    key: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)


def _wrap(source: str, body: Any, raw: str | None, rng: random.Random, now: float, region: str) -> Any:
    """A Lambda event of ``source`` carrying ``body`` (``raw`` text instead when it is poison)."""
    text = raw if raw is not None else _text(body)
    kw: dict[str, Any] = {"seed": rng, "now": now, "region": region}
    if source == "sqs":
        return gen.sqs.event(records=[gen.sqs.record(body=text, **kw)])
    if source == "sns":
        return gen.sns.event(records=[gen.sns.record(message=text, **kw)])
    if source == "eventbridge":
        return gen.eventbridge.event(detail=body if raw is None else {"raw": raw}, **kw)
    if source == "s3":
        return gen.s3.event(n=1, **kw)
    if source in ("apigateway", "apigateway_http", "function_url"):
        module = getattr(gen, source)
        return module.event(method="POST", path="/orders", body=text, **kw)
    return body


def generated(spec: TrafficSpec, *, seed: int, epoch_s: float, region: str, target_kind: str) -> list[Send]:
    """The sends of generated traffic: payloads of ``spec.payload`` with ``poison_rate`` of them poisoned."""
    rng = random.Random(derive_seed(seed, "traffic", spec.name))
    kinds = spec.poison_kinds or _DEFAULT_POISON
    payload_spec = None if spec.payload == "order" or isinstance(spec.payload, str) else spec.payload
    out = []
    for i, at in enumerate(spec.times()):
        item_rng = random.Random(derive_seed(seed, "traffic", spec.name, i))
        now = epoch_s + at
        body = gen.payload(payload_spec, seed=item_rng, now=now)
        poison = None
        raw: bytes | None = None
        if spec.poison_rate and rng.random() < spec.poison_rate:
            p = gen.poison.make(rng.choice(kinds), seed=item_rng)
            poison, raw = p.kind, p.body
        keys = spec.partition_keys if target_kind in ("stream", "table") else spec.message_groups
        key = f"{_KEY_PREFIX.get(target_kind, 'group')}-{i % keys}"
        out.append(Send(at, spec.name, i, _form(spec, target_kind, body, raw, item_rng, now, region), poison, key))
    return out


def _form(spec: TrafficSpec, kind: str, body: Any, raw: bytes | None, rng: random.Random, now: float,
          region: str) -> Any:
    raw_text = raw.decode("utf-8", "surrogateescape") if raw is not None else None
    if kind == "function":
        if spec.source_event == "payload":
            if raw is None:
                return body
            try:
                return json.loads(raw)
            except ValueError:
                return raw  # not JSON: Lambda's Invoke refuses it (InvalidRequestContentException)
        return _wrap(spec.source_event, body, raw_text, rng, now, region)
    if kind == "stream":
        return raw if raw is not None else _text(body).encode()
    if kind == "table":  # the item's attributes; the runner adds the key attributes (``Send.key``)
        return {"raw": raw_text} if raw_text is not None else dict(body) if isinstance(body, dict) else {"value": body}
    if kind == "bus":
        detail = body if raw_text is None else {"raw": raw_text}
        return {"source": "com.example.orders", "detail_type": "OrderPlaced", "detail": detail}
    return raw_text if raw_text is not None else _text(body)


@final
class ReplayFeed:
    """Replayed traffic read from its file while the clock runs (as ``Sim.replay`` does): memory holds what is in
    flight, not the recording. Items are sent in file order on their recorded gaps from ``spec.start``
    (``compress`` divides the gaps by ``factor``; an item stamped before the previous one goes at that one's
    time; ``fast`` sends everything at ``start``); each becomes one :class:`Send`, or one per record of an SQS
    event sent to a queue or topic.
    """

    __slots__ = ("_call_at", "_deliver", "_gaps", "_items", "_region", "_seed", "_spec", "_target_kind", "done",
                 "format", "items", "sends")

    def __init__(self, spec: TrafficSpec, *, seed: int, region: str, target_kind: str) -> None:
        assert spec.replay is not None
        r = spec.replay
        start_ns = round(spec.start * 1e9)
        self._gaps = Gaps(r.timing, r.factor, start_ns, start_ns)
        self.format, self._items = _replay.iter_read(r.file, r.format)
        """The format read (detected when ``format="auto"``)."""
        self._spec, self._seed, self._region, self._target_kind = spec, seed, region, target_kind
        self.items = 0
        """Recorded items read so far."""
        self.sends = 0
        """Sends made from them so far."""
        self.done = False
        """Whether the whole file was read and sent."""
        self._call_at: Callable[[int, Callable[..., object], Any], object] | None = None
        self._deliver: Callable[[Send], object] | None = None

    @property
    def next_at(self) -> float:
        """The virtual time (seconds) of the next item to send, or of the last one once done."""
        return self._gaps.prev_ns / 1e9

    def start(self, call_at: Callable[[int, Callable[..., object], Any], object],
              deliver: Callable[[Send], object]) -> None:
        """Schedule the first item with ``call_at(ns, callback, item)``; each send goes to ``deliver``."""
        self._call_at, self._deliver = call_at, deliver
        item = next(self._items, None)
        if item is None:
            self.done = True
        else:
            call_at(self._gaps.place(item), self._fire, item)

    def _fire(self, item: _replay.Recorded) -> None:
        assert self._call_at is not None
        now = self._gaps.prev_ns
        while True:
            self._send(item)
            nxt = next(self._items, None)
            if nxt is None:
                self.done = True
                return
            at = self._gaps.place(nxt)
            if at > now:
                self._call_at(at, self._fire, nxt)
                return
            item = nxt

    def _send(self, item: _replay.Recorded) -> None:
        spec, r = self._spec, self._spec.replay
        assert r is not None and self._deliver is not None
        if r.anonymise:
            item = _replay.Recorded(item.kind, _anon(item.payload, r.anonymise, self._seed), item.at, item.meta)
        rng = random.Random(derive_seed(self._seed, "replay", spec.name, self.items))
        self.items += 1
        key = item.meta.get("partition_key") or item.meta.get("message_group_id")
        bodies = sqs_bodies(item) if self._target_kind in ("queue", "topic") else None
        at = self._gaps.prev_ns / 1e9
        for payload in bodies or [convert(item, self._target_kind, rng=rng, region=self._region)]:
            send = Send(at, spec.name, self.sends, payload, None, key, dict(item.meta))
            self.sends += 1
            self._deliver(send)


def replayed(spec: TrafficSpec, *, seed: int, region: str, target_kind: str) -> tuple[str, list[Send]]:
    """Every send of replayed traffic at once, as a :class:`ReplayFeed` makes them (for plans that need the whole
    list before running: game days, the LocalStack target); the format read, and the sends in order."""
    feed = ReplayFeed(spec, seed=seed, region=region, target_kind=target_kind)
    out: list[Send] = []
    due: list[tuple[Callable[..., object], Any]] = []
    feed.start(lambda _ns, callback, item: due.append((callback, item)), out.append)
    while due:
        callback, item = due.pop()
        callback(item)
    return feed.format, out


def _anon(payload: Any, fields: tuple[str, ...], seed: int) -> Any:
    if isinstance(payload, bytes):
        try:
            return json.dumps(anonymise(json.loads(payload), fields, seed=seed)).encode()
        except ValueError:
            return payload
    return anonymise(payload, fields, seed=seed)
