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
from lambdachaos.service.mappings._sources import source_of, sources

if TYPE_CHECKING:
    from lambdachaos._registry import Registry
    from lambdachaos.resources._sqs import Queue
    from lambdachaos.resources._sqs_message import QueueMessage
    from lambdachaos.service.chaos._chaos import FaultInjector
    from lambdachaos.service.invoke._service import LambdaService

_DUPLICATE: Final = _faults.DuplicateDelivery.kind
_REORDER: Final = _faults.Reorder.kind
_POISON: Final = _faults.PoisonInjection.kind
NOT_ON_FIFO: Final = ("not applied: FIFO queues deliver each message exactly once and in order "
                      "(docs/aws-behaviour.md §5.4)")


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


def sim_sources(registry: Registry | None) -> list[Any]:
    """The queues, and the resources of every source-table row with delivery faults, of a simulation's
    ``registry`` (none for a bare service)."""
    if registry is None:
        return []
    found: list[Any] = list(registry.all("queues").values())
    for row in sources().values():
        if row.delivery is not None and row.resource_kind != "queues":
            found.extend(registry.all(row.resource_kind).values())
    return found


def watch(service: LambdaService, source: object) -> None:
    """Install the delivery hook on a sim queue or on a resource whose source-table row has delivery faults
    (once; other resources are ignored)."""
    from lambdachaos.resources._sqs import Queue

    if not isinstance(source, Queue):
        row = source_of(source)
        if row is None or row.delivery is None:
            return
    if getattr(source, "_interceptor", None) is None:
        source._interceptor = DeliveryHook(service)  # type: ignore[attr-defined]


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

    # ---- sources of the table (Kinesis, and every row with delivery faults) ---------------------------
    def after_put(self, resource: Any, record: Any) -> None:
        """Decide and apply one stored record's faults through its source-table row."""
        injector = self._injector()
        if injector is None:
            return
        row = source_of(resource)
        ops = None if row is None else row.delivery
        if row is None or ops is None:
            return
        record_id, text = ops.identity(record)
        arn = row.event_source_arn(resource)
        decided = decide(injector, arn, record_id, text)
        if not decided.firings:
            return
        for firing in decided.firings:
            if firing.kind == _REORDER and ops.reorder_note:
                firing = dataclasses.replace(firing, effect=ops.reorder_note)
            elif firing.kind == _DUPLICATE and ops.duplicate is None and ops.duplicate_note:
                firing = dataclasses.replace(firing, effect=ops.duplicate_note)
            injector.write(firing, record_id)
        self._busy = True
        try:
            if decided.duplicates and ops.duplicate is not None:
                delay = round(decided.duplicate_delay_seconds * 1e9)
                rule_id = next(f.rule_id for f in decided.firings if f.kind == _DUPLICATE)
                for _ in range(decided.duplicates):
                    if delay:
                        clock = injector.service.world.clock
                        clock.call_at(clock.now_ns + delay, self._put_duplicate, resource, record, rule_id)
                    else:
                        self._put_duplicate(resource, record, rule_id)
            for firing, (kind, count) in zip(_poison_firings(decided), decided.poison, strict=True):
                for index in range(count):
                    body = _poison(kind, injector.service.world.seed, record_id, firing.rule_id, index)
                    try:
                        put = ops.poison(resource, record, body.body)
                    except (ConfigError, AWSError) as exc:
                        injector.write(_tagged(firing, (), f"poison record {kind!r} rejected by {ops.label}: {exc}",
                                               kind, record_id, index), record_id)
                        continue
                    injector.write(_tagged(firing, (put,), f"poison record {kind!r} injected after "
                                           f"{record_id}", kind, record_id, index), put)
        finally:
            self._busy = False

    def _put_duplicate(self, resource: Any, record: Any, rule_id: str) -> None:
        row = source_of(resource)
        assert row is not None and row.delivery is not None and row.delivery.duplicate is not None
        ops, duplicate = row.delivery, row.delivery.duplicate
        injector = self._service.injector
        was_busy, self._busy = self._busy, True
        try:
            copy = duplicate(resource, record)
        finally:
            self._busy = was_busy
        if not was_busy and ops.notify is not None:
            ops.notify(resource)
        if injector is not None:
            original = ops.identity(record)[0]
            injector.write(_faults.FaultFiring(
                rule_id=rule_id, kind=_DUPLICATE, function_name=None, qualifier=None,
                event_source=row.event_source_arn(resource), attempt=1, time=self._service.world.clock.now,
                records=(copy,), effect=ops.duplicate_effect.format(original=original, copy=copy),
                detail=(("duplicate_of", original),),
            ), copy)


def _poison_firings(decided: _faults.DeliveryFaults) -> list[_faults.FaultFiring]:
    # decide_delivery lists poison rules in the same order in ``poison`` and ``firings``.
    return [f for f in decided.firings if f.kind == _POISON]


def _tagged(firing: _faults.FaultFiring, records: tuple[str, ...], effect: str, kind: str, after: str,
            index: int) -> _faults.FaultFiring:
    return dataclasses.replace(firing, records=records, effect=effect,
                               detail=(("poison", kind), ("after", after), ("index", index)))
