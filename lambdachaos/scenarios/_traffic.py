"""Traffic: the events a scenario sends, generated from a payload type or replayed from a recording.

Both kinds end as a list of :class:`Send` items (virtual time, what to send, poison kind, ordering key) in
the form the traffic's target takes: an event for a function, a body for a queue or topic, an
EventBridge entry for a bus, record bytes for a stream. Every value is drawn from a random source derived
from the scenario seed and the traffic name, so adding one traffic entry never changes another's events.
"""

from __future__ import annotations

import base64
import json
import random
from dataclasses import dataclass, field
from typing import Any, Final, final

from lambdachaos import generators as gen
from lambdachaos._world import derive_seed
from lambdachaos.scenarios import _replay
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


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


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


def replayed(spec: TrafficSpec, *, seed: int, region: str, target_kind: str) -> tuple[str, list[Send]]:
    """The sends of replayed traffic (the format read, and the items placed on the clock)."""
    assert spec.replay is not None
    r = spec.replay
    fmt, items = _replay.read(r.file, r.format)
    if r.anonymise:
        items = [_replay.Recorded(it.kind, _anon(it.payload, r.anonymise, seed), it.at, it.meta) for it in items]
    placed = _replay.place(items, timing=r.timing, factor=r.factor, start=spec.start)
    out: list[Send] = []
    for i, (at, item) in enumerate(placed):
        rng = random.Random(derive_seed(seed, "replay", spec.name, i))
        key = item.meta.get("partition_key") or item.meta.get("message_group_id")
        bodies = sqs_bodies(item) if target_kind in ("queue", "topic") else None
        for payload in bodies or [convert(item, target_kind, rng=rng, region=region)]:
            out.append(Send(at, spec.name, len(out), payload, None, key, dict(item.meta)))
    return fmt, out


def sqs_bodies(item: _replay.Recorded) -> list[str] | None:
    """Every record's body when ``item`` is an SQS Lambda event (``{"Records": [{"body": ...}, ...]}``): replayed
    onto a queue or topic, each record becomes its own message, in batch order. None for anything else."""
    p = item.payload
    if item.kind != "event" or not isinstance(p, dict) or not isinstance(p.get("Records"), list) or not p["Records"]:
        return None
    records = p["Records"]
    if not all(isinstance(r, dict) and "body" in r for r in records):
        return None
    return [r["body"] if isinstance(r["body"], str) else _text(r["body"]) for r in records]


def _anon(payload: Any, fields: tuple[str, ...], seed: int) -> Any:
    if isinstance(payload, bytes):
        try:
            return json.dumps(anonymise(json.loads(payload), fields, seed=seed)).encode()
        except ValueError:
            return payload
    return anonymise(payload, fields, seed=seed)


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
        return p if isinstance(p, bytes) else _text(p).encode()
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
    return _text(p)
