"""Push sources that invoke asynchronously: S3 notifications, SNS subscriptions, EventBridge rules and schedules.

Each hands its event to Lambda's asynchronous path (:class:`._async.AsyncInvoker`, AWS-SEMANTICS §4.5), so
retries at 60 s and 180 s, event age, the DLQ and destinations all apply after acceptance. The services'
own delivery retries before acceptance (SNS's 100,015 attempts, EventBridge's ``RetryPolicy``) are not
modelled: Lambda accepts every event the simulation hands it unless the payload is over the async limit,
which raises ``RequestEntityTooLargeException`` out of the publish/put that caused it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final, final

from lambdachaos._clock import NS_PER_SECOND
from lambdachaos._errors import ConfigError
from lambdachaos.generators import eventbridge as eb_events  # type: ignore[import-not-found, unused-ignore]
from lambdachaos.resources._patterns import compile_pattern
from lambdachaos.service._async import AsyncInvoker
from lambdachaos.service._push_schedule import parse

if TYPE_CHECKING:
    from lambdachaos._world import World
    from lambdachaos.resources._events import EventBus, Rule
    from lambdachaos.resources._sns import Notification, Subscription, Topic
    from lambdachaos.service._function import Function

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
"""The Unix epoch: wall-clock nanoseconds of virtual instants count from it."""


def accept(invoker: AsyncInvoker, function: Function, event: Any, *, qualifier: str | None, source: str) -> str:
    """Hand ``event`` to Lambda's asynchronous path; returns the request id (the event's ledger id).

    ``source`` (the push source's ARN) is recorded on every attempt as ``Attempt.source``.
    """
    payload = json.dumps(event, separators=(",", ":")).encode()
    return invoker.accept(function, payload, qualifier=qualifier, source=source)


# ---- SNS ------------------------------------------------------------------------------------------
def _attribute_view(note: Notification) -> dict[str, Any]:
    """Message attributes as an SNS filter policy sees them (Binary attributes are ignored, as SNS does)."""
    view: dict[str, Any] = {}
    for name, spec in note.message_attributes.items():
        data_type = spec["DataType"]
        if data_type.startswith("Binary"):
            continue
        text = spec["StringValue"]
        if data_type.startswith("Number"):
            try:
                view[name] = int(text)
            except ValueError:
                view[name] = float(text)
        elif data_type == "String.Array":
            try:
                view[name] = json.loads(text)
            except ValueError:
                view[name] = text
        else:
            view[name] = text
    return view


def subscribe_function(
    invoker: AsyncInvoker, topic: Topic, function: Function, *, qualifier: str | None,
    filter_policy: str | Mapping[str, Any] | None, filter_policy_scope: str,
) -> Subscription:
    """Subscribe ``function`` (protocol ``lambda``): every matching publish is one async invoke of the §7.2 event.

    ``filter_policy`` uses EventBridge pattern syntax on the message attributes (``MessageAttributes``
    scope) or on the JSON message (``MessageBody`` scope); a non-JSON message never matches a body policy.
    """
    if filter_policy_scope not in ("MessageAttributes", "MessageBody"):
        raise ConfigError(
            f"filter_policy_scope={filter_policy_scope!r}: FilterPolicyScope is 'MessageAttributes' or 'MessageBody'"
        )
    pattern = None if filter_policy is None else compile_pattern(filter_policy, dialect="eventbridge")

    def deliver(note: Notification, sub: Subscription) -> None:
        if pattern is not None:
            if filter_policy_scope == "MessageAttributes":
                view: Any = _attribute_view(note)
            else:
                try:
                    view = json.loads(note.message_for("lambda"))
                except ValueError:
                    return
            if not isinstance(view, dict) or not pattern.matches(view):
                return
        accept(invoker, function, note.lambda_event(sub.arn), qualifier=qualifier, source=topic.arn)

    endpoint = function.arn if qualifier is None else f"{function.arn}:{qualifier}"
    return topic.subscribe(deliver, protocol="lambda", endpoint=endpoint)


# ---- EventBridge rules --------------------------------------------------------------------------------
def add_rule(
    invoker: AsyncInvoker, bus: EventBus, name: str, function: Function, *, event_pattern: str | Mapping[str, Any],
    qualifier: str | None,
) -> Rule:
    """``PutRule`` + ``PutTargets`` with the function as target: each matching event is one async invoke."""

    def deliver(event: dict[str, Any], rule: Rule) -> None:
        accept(invoker, function, event, qualifier=qualifier, source=rule.arn)

    return bus.add_rule(name, event_pattern=event_pattern, targets=[deliver])


# ---- schedules ------------------------------------------------------------------------------------
@final
class Schedule:
    """A scheduled rule (``source aws.events``) or an EventBridge Scheduler schedule (``aws.scheduler``).

    It fires on the virtual clock at each occurrence after its creation up to and including ``until``
    (absolute virtual seconds), then stops, so ``sim.run()`` returns. ``firings`` lists the virtual times
    it fired at and ``request_ids`` the async request ids it produced.
    """

    def __init__(self, world: World, invoker: AsyncInvoker, *, name: str, expression: str, function: Function,
                 until_ns: int, scheduler: bool, qualifier: str | None) -> None:
        self._world = world
        self._invoker = invoker
        self._next = parse(expression, allow_at=scheduler)
        self.name = name
        """Rule or schedule name."""
        self.expression = expression
        """``ScheduleExpression``."""
        self.function = function
        """The target function."""
        self.qualifier = qualifier
        self.scheduler = scheduler
        """True for EventBridge Scheduler, False for a scheduled EventBridge rule."""
        self.until_ns = until_ns
        self.arn = world.arn("scheduler", f"schedule/default/{name}") if scheduler else world.arn(
            "events", f"rule/{name}")
        """The rule ARN (``resources[0]`` of the event) or the schedule ARN."""
        self.firings: list[float] = []
        self.request_ids: list[str] = []
        self._rng = world.stream(f"schedule:{self.arn}")
        self._timer: Any = None
        self._plan(self._wall(world.clock.now_ns))

    def _wall(self, virtual_ns: int) -> datetime:
        return _EPOCH + timedelta(microseconds=self._world.wall_ns(virtual_ns) // 1_000)

    def _plan(self, after: datetime) -> None:
        upcoming = self._next(after)
        if upcoming is None:
            return
        delta = upcoming - _EPOCH
        wall_ns = (delta.days * 86_400 + delta.seconds) * NS_PER_SECOND + delta.microseconds * 1_000
        at_ns = wall_ns - self._world.epoch_ns
        if at_ns > self.until_ns or at_ns < self._world.clock.now_ns:
            return
        self._timer = self._world.clock.call_at(at_ns, self._fire, upcoming, priority=1)

    def _fire(self, when: datetime) -> None:
        world = self._world
        event: dict[str, Any] = eb_events.event(
            seed=self._rng, region=world.region, account_id=world.account_id, now=when.timestamp(),
            variant="scheduler" if self.scheduler else "scheduled", rule_name=self.name, event_id=world.uuid(),
        )
        self.firings.append(world.clock.now)
        self.request_ids.append(accept(self._invoker, self.function, event, qualifier=self.qualifier,
                                       source=self.arn))
        self._plan(when)

    def disable(self) -> None:
        """Stop firing (``DisableRule`` / schedule ``State`` DISABLED)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def __repr__(self) -> str:
        return f"<Schedule {self.name} {self.expression} fired={len(self.firings)}>"
