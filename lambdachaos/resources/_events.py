"""An EventBridge event bus with rules (event patterns) and targets.

``put_event`` builds the full envelope (docs/aws-behaviour.md §7.3: ``version "0"``, ``id``, ``detail-type``,
``source``, ``account``, ``time`` at second precision with ``Z``, ``region``, ``resources``,
``detail``) and delivers it synchronously, at the put's virtual time, to the targets of every
enabled rule whose pattern matches: SQS queues get the envelope as a compact JSON body, callback
targets (the service adds Lambda targets this way) get ``(event, rule)``. AWS pages: "PutEvents",
"Amazon EventBridge events", "Amazon EventBridge rules".
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final, TypeAlias, final

from lambdachaos._errors import ConfigError
from lambdachaos.resources._errors import InvalidArgument, MalformedDetail, ValidationException
from lambdachaos.resources._patterns import EventPattern, compile_pattern

if TYPE_CHECKING:
    from lambdachaos._world import World
    from lambdachaos.resources._sqs import Queue

ENTRY_SIZE_MAX: Final = 262_144
"""Largest ``PutEvents`` request, bytes (256 KiB)."""
MAX_ENTRIES: Final = 10
_NAME: Final = re.compile(r"[.\-_A-Za-z0-9]{1,64}")

Target: TypeAlias = "Queue | Callable[[dict[str, Any], Rule], object]"
"""An SQS queue or a callback ``(event, rule)``."""


def entry_size(entry: Mapping[str, Any]) -> int:
    """Size of one entry as EventBridge counts it (source, detail-type, detail, resources, time)."""
    size = 14 if entry.get("Time") is not None else 0
    for key in ("Source", "DetailType", "Detail"):
        value = entry.get(key)
        if isinstance(value, str):
            size += len(value.encode())
    for resource in entry.get("Resources") or []:
        size += len(str(resource).encode())
    return size


@final
class Rule:
    """A rule on a bus: an event pattern and the targets it delivers matching events to."""

    __slots__ = ("_targets", "arn", "bus", "dead_letter_queue", "enabled", "event_ids", "name", "pattern",
                 "retry_policy")

    def __init__(self, bus: EventBus, name: str, pattern: EventPattern) -> None:
        self.bus = bus
        self.name = name
        """Rule name."""
        self.arn = bus._world.arn(
            "events", f"rule/{name}" if bus.name == "default" else f"rule/{bus.name}/{name}"
        )
        """Rule ARN (``rule/<name>`` on the default bus, ``rule/<bus>/<name>`` on a custom bus)."""
        self.pattern = pattern
        """The compiled EventBridge pattern."""
        self.enabled = True
        """``State`` ENABLED (True) or DISABLED."""
        self._targets: list[Target] = []
        self.retry_policy: Any = None
        """The Lambda target's ``RetryPolicy`` (rules made with ``sim.rule``)."""
        self.dead_letter_queue: Queue | None = None
        """The Lambda target's ``DeadLetterConfig`` queue (rules made with ``sim.rule``)."""
        self.event_ids: list[str] = []
        """Ledger ids of the events handed or tried to hand to the Lambda target, in order."""

    def add_target(self, target: Target) -> None:
        """Add a target: an SQS queue or a callback called with ``(event, rule)``."""
        self._targets.append(target)

    @property
    def targets(self) -> list[Target]:
        """The rule's targets in the order added."""
        return list(self._targets)

    def __repr__(self) -> str:
        return f"<Rule {self.name} targets={len(self._targets)} {'enabled' if self.enabled else 'disabled'}>"


@final
class EventBus:
    """An EventBridge event bus (``default`` or custom) on the virtual clock."""

    __slots__ = ("_history", "_rng", "_rules", "_world", "arn", "name")

    def __init__(self, world: World, name: str = "default") -> None:
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise ConfigError(
                f"name={name!r} is not a valid event bus name; use 1 to 64 of A-Z a-z 0-9 . - _"
            )
        self._world = world
        self.name = name
        """Bus name."""
        self.arn = world.arn("events", f"event-bus/{name}")
        """Bus ARN."""
        self._rng = world.stream(f"events:{self.arn}")
        self._rules: dict[str, Rule] = {}
        self._history: list[dict[str, Any]] = []

    @property
    def world(self) -> World:
        """The world (clock, account, region) this resource lives in."""
        return self._world

    def add_rule(
        self, name: str, *, event_pattern: str | Mapping[str, Any], targets: Iterable[Target] = ()
    ) -> Rule:
        """``PutRule`` + ``PutTargets``: a rule matching ``event_pattern`` (EventBridge dialect)."""
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise ConfigError(f"name={name!r} is not a valid rule name; use 1 to 64 of A-Z a-z 0-9 . - _")
        rule = Rule(self, name, compile_pattern(event_pattern, dialect="eventbridge"))
        for target in targets:
            rule.add_target(target)
        self._rules[name] = rule
        return rule

    def remove_rule(self, name: str) -> None:
        """``DeleteRule``."""
        del self._rules[name]

    @property
    def rules(self) -> list[Rule]:
        """Rules in creation order."""
        return list(self._rules.values())

    @property
    def history(self) -> list[dict[str, Any]]:
        """Every event envelope accepted by this bus, in order."""
        return list(self._history)

    def _uuid(self) -> str:
        n = (self._rng.getrandbits(128) & ~(0xF000 << 64) & ~(0xC000 << 48)) | (0x4000 << 64) | (0x8000 << 48)
        h = f"{n:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def put_event(
        self,
        *,
        source: str,
        detail_type: str,
        detail: str | Mapping[str, Any],
        resources: Iterable[str] = (),
        time: datetime | None = None,
    ) -> str:
        """Put one event; returns its ``id``. ``detail`` is a JSON object (text or dict)."""
        entry = {
            "Source": source,
            "DetailType": detail_type,
            "Detail": detail if isinstance(detail, str) else json.dumps(detail),
            "Resources": list(resources),
            "Time": time,
        }
        return self.put_entry(entry)

    def put_events(self, entries: Iterable[Mapping[str, Any]]) -> list[str]:
        """``PutEvents`` with entries in the API shape; all are validated before any is delivered."""
        batch = list(entries)
        if not batch or len(batch) > MAX_ENTRIES:
            raise ValidationException(
                "1 validation error detected: Value at 'entries' failed to satisfy constraint: "
                "Member must have "
                f"length less than or equal to {MAX_ENTRIES} and greater than or equal to 1 (got "
                f"{len(batch)})"
            )
        envelopes = [self._envelope(entry) for entry in batch]
        return [self._accept(envelope) for envelope in envelopes]

    def put_entry(self, entry: Mapping[str, Any]) -> str:
        """Validate and deliver one entry in the ``PutEvents`` API shape; raises the entry's AWS error."""
        return self._accept(self._envelope(entry))

    def _envelope(self, entry: Mapping[str, Any]) -> dict[str, Any]:
        for key in ("Source", "DetailType", "Detail"):
            if not entry.get(key):
                raise InvalidArgument(f"Parameter {key} is not valid. Reason: {key} is a required argument.")
        try:
            detail = json.loads(entry["Detail"])
        except (TypeError, ValueError):
            detail = None
        if not isinstance(detail, dict):
            raise MalformedDetail("Detail is malformed.")
        if entry_size(entry) > ENTRY_SIZE_MAX:
            raise InvalidArgument(
                f"Total size of the entries in the request is over the limit ({ENTRY_SIZE_MAX} bytes)."
            )
        when = entry.get("Time")
        if isinstance(when, (int, float)) and not isinstance(when, bool):
            when = datetime.fromtimestamp(when, tz=UTC)
        if isinstance(when, datetime):
            if when.tzinfo is not None:
                when = when.astimezone(UTC)
            stamp = f"{when:%Y-%m-%dT%H:%M:%S}Z"
        else:
            stamp = self._world.iso_s()
        return {
            "version": "0",
            "id": self._uuid(),
            "detail-type": entry["DetailType"],
            "source": entry["Source"],
            "account": self._world.account_id,
            "time": stamp,
            "region": self._world.region,
            "resources": list(entry.get("Resources") or []),
            "detail": detail,
        }

    def _accept(self, envelope: dict[str, Any]) -> str:
        self._history.append(envelope)
        for rule in tuple(self._rules.values()):
            if not rule.enabled or not rule.pattern.matches(envelope):
                continue
            for target in tuple(rule._targets):
                if callable(target):
                    target(envelope, rule)
                else:
                    target.send(json.dumps(envelope, separators=(",", ":")))
        return str(envelope["id"])

    def __repr__(self) -> str:
        return f"<EventBus {self.name} rules={len(self._rules)} events={len(self._history)}>"
