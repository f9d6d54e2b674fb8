"""Delivery faults applied in the simulation: duplicates, reordering and poison injection on sim queues and
Kinesis streams (``DuplicateDelivery``, ``Reorder`` and ``PoisonInjection`` of :mod:`lambdachaos.faults`).

Every message sent to a watched queue and every record put on a watched stream is passed to
``PlanRunner.decide_delivery`` with draws seeded by (seed, message id, rule), then:

- **duplicate delivery**, SQS standard queues: a second stored copy with the same ``MessageId``, body and
  attributes becomes visible ``delaySeconds`` later (at-least-once delivery, "Amazon SQS standard queues").
  Kinesis: a producer retry, i.e. the same data and partition key put again ``delaySeconds`` later under a new
  sequence number (page "Handling duplicate records"). FIFO queues deliver exactly once: the firing is written
  to the ledger as ``not applied``.
- **reorder**, SQS standard queues: the message becomes visible ``delay_seconds`` later, so later messages
  overtake it. FIFO queues and Kinesis shards keep their order: written as ``not applied``.
- **poison injection**: right after the message, ``count`` bodies of the named kind from
  :mod:`lambdachaos.generators.poison` are sent to the same queue (the original's message group on FIFO) or put
  on the same stream with the original's partition key (so the same shard). Each injected record gets its own
  ledger entry (``event_id`` = its MessageId / eventID, ``detail.poison`` = the kind). A body the source refuses
  (SQS: invalid characters or over 256 KB; Kinesis: over 1 MiB) is written as ``rejected`` with AWS's error.

The hook installed on a source looks up the service's current injector on every send, so plans applied later
(``sim.apply_faults`` composes and replaces the injector) take effect, and a source costs nothing until a plan
with delivery rules is applied.
"""

from __future__ import annotations

import dataclasses
import hashlib
import random
from typing import TYPE_CHECKING, Any, Final, cast, final

from lambdachaos import faults as _faults
from lambdachaos._errors import ConfigError
from lambdachaos._world import derive_seed
from lambdachaos.resources._errors import AWSError

if TYPE_CHECKING:
    from lambdachaos.resources._kinesis import KinesisStream, StreamRecord
    from lambdachaos.resources._sqs import Queue
    from lambdachaos.resources._sqs_message import QueueMessage
    from lambdachaos.service.chaos._chaos import FaultInjector
    from lambdachaos.service.invoke._service import LambdaService

_DUPLICATE: Final = _faults.DuplicateDelivery.kind
_REORDER: Final = _faults.Reorder.kind
_POISON: Final = _faults.PoisonInjection.kind
NOT_ON_FIFO: Final = "not applied: FIFO queues deliver each message exactly once and in order (AWS-SEMANTICS §5.4)"
NOT_ON_STREAMS: Final = "not applied: a shard delivers its records in sequence-number order (AWS-SEMANTICS §6.2)"


def has_delivery_rules(plan: _faults.FaultPlan) -> bool:
    """Whether ``plan`` has a duplicate, reorder or poison rule (otherwise no source is hooked)."""
    return any(rule.fault.category is _faults.FaultCategory.DELIVERY for rule in plan.rules)


def poison_problem(rule: _faults.FaultRule) -> str | None:
    """Why a ``PoisonInjection`` rule cannot work (a kind the poison catalogue does not have), or None."""
    from lambdachaos.generators.poison import KINDS  # type: ignore[import-not-found, unused-ignore]

    kind = getattr(rule.fault, "poison", None)
    usable = tuple(k for k in KINDS if k != "duplicate_message_id")
    if rule.fault.kind != _POISON or kind in usable:
        return None
    where = f"rule {rule.id!r}: " if rule.id else ""
    return f"{where}poison={kind!r} is not a poison kind; use one of {', '.join(usable)}"


def check_poison_kinds(plan: _faults.FaultPlan) -> None:
    """Refuse the plan when a rule fails :func:`poison_problem` (when it is applied, not at the first message)."""
    for rule in plan.rules:
        problem = poison_problem(rule)
        if problem is not None:
            raise ConfigError(problem)


def decide(injector: FaultInjector, source_arn: str, message_id: str, message: Any) -> _faults.DeliveryFaults:
    """The delivery faults of one message, with draws seeded by (seed, message id, rule)."""
    seed = injector.service.world.seed

    def draw(key: str) -> float:
        return random.Random(derive_seed(seed, "delivery", message_id, key)).random()

    point = _faults.DeliveryPoint(event_source=source_arn, message_id=message_id, message=message,
                                  time=injector.service.world.clock.now)
    return injector.runner.decide_delivery(point, draw)


def sim_sources(service: LambdaService) -> list[Any]:
    """The queues and Kinesis streams of the simulation that owns ``service`` (its ``resolve`` is
    ``Sim.find_resource``); empty for a bare service."""
    owner = getattr(service.resolve, "__self__", None)
    if owner is None:
        return []
    sources: list[Any] = list(getattr(owner, "queues", {}).values())
    registries = getattr(owner, "__dict__", {}).get("_esm_sources", {})
    sources.extend(registries.get("kinesis", {}).values())
    return sources


def watch(service: LambdaService, source: object) -> None:
    """Install the delivery hook on a sim queue or Kinesis stream (once; other sources are ignored)."""
    from lambdachaos.resources._kinesis import KinesisStream
    from lambdachaos.resources._sqs import Queue

    if isinstance(source, Queue | KinesisStream) and source._interceptor is None:
        source._interceptor = DeliveryHook(service)


def _poison(kind: str, seed: int, message_id: str, rule_id: str, index: int) -> Any:
    from lambdachaos.generators import poison  # type: ignore[import-not-found, unused-ignore]

    return poison.make(kind, seed=derive_seed(seed, "poison", message_id, rule_id, index))


@final
class DeliveryHook:
    """The interceptor of one queue or stream: decides each message's delivery faults and applies them."""

    __slots__ = ("_busy", "_decided", "_service")

    def __init__(self, service: LambdaService) -> None:
        self._service = service
        self._busy = False
        self._decided: dict[QueueMessage, _faults.DeliveryFaults] = {}

    def _injector(self) -> FaultInjector | None:
        injector = cast("FaultInjector | None", self._service.injector)  # the service holds it as a protocol
        return injector if injector is not None and injector.has_delivery_rules and not self._busy else None

    # ---- SQS ----------------------------------------------------------------------------------------
    def before_send(self, queue: Queue, message: QueueMessage, delay_ns: int) -> int:
        """Decide the message's faults; a reorder on a standard queue lengthens its delay."""
        injector = self._injector()
        if injector is None:
            return delay_ns
        decided = decide(injector, queue.arn, message.message_id, message.body)
        if not decided.firings:
            return delay_ns
        self._decided[message] = decided
        if decided.delay_seconds and not queue.fifo:
            delay_ns += round(decided.delay_seconds * 1e9)
        return delay_ns

    def after_send(self, queue: Queue, message: QueueMessage) -> None:
        """Write the firings, then enqueue duplicate copies and send the poison records."""
        decided = self._decided.pop(message, None)
        if decided is None:
            return
        injector = cast("FaultInjector | None", self._service.injector)
        assert injector is not None
        message_id = message.message_id
        for firing in decided.firings:
            if queue.fifo and firing.kind in (_DUPLICATE, _REORDER):
                firing = dataclasses.replace(firing, effect=NOT_ON_FIFO)
            injector.write(firing, message_id)
        self._busy = True
        try:
            if decided.duplicates and not queue.fifo:
                for _ in range(decided.duplicates):
                    queue._enqueue_copy(message, round(decided.duplicate_delay_seconds * 1e9))
            for firing, (kind, count) in zip(_poison_firings(decided), decided.poison, strict=True):
                for index in range(count):
                    self._send_poison(injector, queue, message, firing, kind, index)
        finally:
            self._busy = False

    def _send_poison(self, injector: FaultInjector, queue: Queue, message: QueueMessage,
                     firing: _faults.FaultFiring, kind: str, index: int) -> None:
        body = _poison(kind, injector.service.world.seed, message.message_id, firing.rule_id, index)
        dedup = None
        if queue.fifo:
            dedup = hashlib.sha256(f"poison:{message.message_id}:{firing.rule_id}:{index}".encode()).hexdigest()
        try:
            sent = queue.send(body.text, message_group_id=message.message_group_id,
                              message_deduplication_id=dedup)
        except AWSError as exc:
            injector.write(_tagged(firing, (), f"poison record {kind!r} rejected by SQS: {exc.code}: {exc}",
                                   kind, message.message_id, index), message.message_id)
            return
        injector.write(_tagged(firing, (sent.message_id,), f"poison record {kind!r} injected after "
                               f"{message.message_id}", kind, message.message_id, index), sent.message_id)

    # ---- Kinesis ------------------------------------------------------------------------------------
    def after_put(self, stream: KinesisStream, record: StreamRecord) -> None:
        """Decide and apply one record's faults (duplicates are producer retries; no reordering in a shard)."""
        injector = self._injector()
        if injector is None:
            return
        event_id = record.event_id
        decided = decide(injector, stream.arn, event_id, record.data.decode("utf-8", "replace"))
        if not decided.firings:
            return
        for firing in decided.firings:
            injector.write(dataclasses.replace(firing, effect=NOT_ON_STREAMS) if firing.kind == _REORDER
                           else firing, event_id)
        self._busy = True
        try:
            if decided.duplicates:
                delay = round(decided.duplicate_delay_seconds * 1e9)
                rule_id = next(f.rule_id for f in decided.firings if f.kind == _DUPLICATE)
                for _ in range(decided.duplicates):
                    if delay:
                        clock = stream.world.clock
                        clock.call_at(clock.now_ns + delay, self._put_duplicate, stream, record, rule_id)
                    else:
                        self._put_duplicate(stream, record, rule_id)
            for firing, (kind, count) in zip(_poison_firings(decided), decided.poison, strict=True):
                for index in range(count):
                    body = _poison(kind, injector.service.world.seed, event_id, firing.rule_id, index)
                    try:
                        put = stream._append(body.body, record.partition_key, None)
                    except ConfigError as exc:
                        injector.write(_tagged(firing, (), f"poison record {kind!r} rejected by Kinesis: {exc}",
                                               kind, event_id, index), event_id)
                        continue
                    injector.write(_tagged(firing, (put.event_id,), f"poison record {kind!r} injected after "
                                           f"{event_id}", kind, event_id, index), put.event_id)
        finally:
            self._busy = False

    def _put_duplicate(self, stream: KinesisStream, record: StreamRecord, rule_id: str) -> None:
        injector = self._service.injector
        was_busy, self._busy = self._busy, True
        try:
            copy = stream._append(record.data, record.partition_key, None)
        finally:
            self._busy = was_busy
        if not was_busy:
            stream._notify()
        if injector is not None:
            injector.write(_faults.FaultFiring(
                rule_id=rule_id, kind=_DUPLICATE, function_name=None, qualifier=None, event_source=stream.arn,
                attempt=1, time=stream.world.clock.now, records=(copy.event_id,),
                effect=f"producer retry: {record.event_id} put again as {copy.event_id}",
                detail=(("duplicate_of", record.event_id),),
            ), copy.event_id)


def _poison_firings(decided: _faults.DeliveryFaults) -> list[_faults.FaultFiring]:
    # decide_delivery lists poison rules in the same order in ``poison`` and ``firings``.
    return [f for f in decided.firings if f.kind == _POISON]


def _tagged(firing: _faults.FaultFiring, records: tuple[str, ...], effect: str, kind: str, after: str,
            index: int) -> _faults.FaultFiring:
    return dataclasses.replace(firing, records=records, effect=effect,
                               detail=(("poison", kind), ("after", after), ("index", index)))
