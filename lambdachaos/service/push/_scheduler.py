"""Schedules: scheduled EventBridge rules (``source aws.events``) and EventBridge Scheduler schedules.

A schedule fires on the virtual clock and hands each firing to the function through
:class:`._push_retry.PushDelivery`, so its ``RetryPolicy`` and dead-letter queue apply when the
``Invoke`` fails. Scheduler features (AWS pages "Schedule types on EventBridge Scheduler", "Configuring
flexible time windows", "Configuring a dead-letter queue for a schedule"):

- ``ScheduleExpressionTimezone`` (IANA name) for ``cron()`` and ``at()``;
- ``StartDate``/``EndDate`` bounding recurring schedules (``at()`` ignores them, decision);
- ``FlexibleTimeWindow`` ``MaximumWindowInMinutes`` 1–1,440: each firing is invoked at a seeded random
  point of the window after its scheduled time (decision: uniform, whole milliseconds);
- ``Input``: the text the function receives instead of the default event;
- the dead-letter message: the payload, with attributes ``ERROR_CODE`` (Lambda's error code, decision),
  ``ERROR_MESSAGE``, ``EXECUTION_ID``, ``EXHAUSTED_RETRY_CONDITION`` (only when retries ran out),
  ``IS_PAYLOAD_TRUNCATED``, ``RETRY_ATTEMPTS``, ``SCHEDULED_TIME``, ``SCHEDULE_ARN``, ``TARGET_ARN``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final, final

from lambdachaos._clock import NS_PER_SECOND
from lambdachaos._errors import ConfigError
from lambdachaos.generators import eventbridge as eb_events  # type: ignore[import-not-found, unused-ignore]
from lambdachaos.service.invoke._async import AsyncInvoker
from lambdachaos.service.push._async import check_dead_letter_queue, events_dead_letter
from lambdachaos.service.push._retry import InvokeError, PushDelivery, RetryPolicy, string_attributes
from lambdachaos.service.push._schedule import parse

if TYPE_CHECKING:
    from lambdachaos._world import World
    from lambdachaos.resources._sqs import Queue
    from lambdachaos.service.invoke._function import Function

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
"""The Unix epoch: wall-clock nanoseconds of virtual instants count from it."""
FLEXIBLE_WINDOW_MAX_MIN: Final = 1_440


def _aware(value: datetime | None, name: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        raise ConfigError(f"{name}={value!r} must be a datetime")
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@final
class Schedule:
    """A scheduled rule (``source aws.events``) or an EventBridge Scheduler schedule (``aws.scheduler``).

    It fires on the virtual clock at each occurrence after its creation up to and including ``until``
    (absolute virtual seconds), then stops, so ``sim.run()`` returns. ``firings`` lists the virtual times
    it fired at, ``request_ids`` the ledger ids of the events it handed (or tried to hand) to Lambda.
    """

    def __init__(self, world: World, invoker: AsyncInvoker, *, name: str, expression: str, function: Function,
                 until_ns: int, scheduler: bool, qualifier: str | None, retry_policy: Any = None,
                 dead_letter_queue: Queue | None = None, input: str | None = None, timezone: str = "UTC",
                 flexible_window_minutes: int | None = None, start_date: datetime | None = None,
                 end_date: datetime | None = None, group: str = "default") -> None:
        if not scheduler and (timezone != "UTC" or flexible_window_minutes or start_date or end_date):
            raise ConfigError(f"schedule {name!r}: timezone, flexible windows and start/end dates are EventBridge "
                              "Scheduler settings; pass scheduler=True")
        if flexible_window_minutes is not None and (
                isinstance(flexible_window_minutes, bool) or not isinstance(flexible_window_minutes, int)
                or not 1 <= flexible_window_minutes <= FLEXIBLE_WINDOW_MAX_MIN):
            raise ConfigError(f"flexible_window_minutes={flexible_window_minutes!r}: FlexibleTimeWindow."
                              f"MaximumWindowInMinutes must be an integer from 1 to {FLEXIBLE_WINDOW_MAX_MIN}")
        if input is not None and not isinstance(input, str):
            raise ConfigError(f"input={input!r}: a target's Input is text (usually JSON)")
        self._world = world
        self._invoker = invoker
        self._next = parse(expression, allow_at=scheduler, timezone=timezone)
        self.name = name
        """Rule or schedule name."""
        self.expression = expression
        """``ScheduleExpression``."""
        self.timezone = timezone
        self.function = function
        """The target function."""
        self.qualifier = qualifier
        self.scheduler = scheduler
        """True for EventBridge Scheduler, False for a scheduled EventBridge rule."""
        self.until_ns = until_ns
        self.group = group
        self.arn = world.arn("scheduler", f"schedule/{group}/{name}") if scheduler else world.arn(
            "events", f"rule/{name}")
        """The rule ARN (``resources[0]`` of the event) or the schedule ARN."""
        self.retry_policy = RetryPolicy.of(retry_policy)
        self.dead_letter_queue = dead_letter_queue
        check_dead_letter_queue(dead_letter_queue, fifo=False, owner="a schedule")
        self.input = input
        self.flexible_window_minutes = flexible_window_minutes
        self.start_date = _aware(start_date, "start_date")
        self.end_date = _aware(end_date, "end_date")
        if self.start_date and self.end_date and self.end_date <= self.start_date:
            raise ConfigError(f"end_date={end_date!r} must be after start_date={start_date!r}")
        self.firings: list[float] = []
        self.request_ids: list[str] = []
        self.api: dict[str, Any] | None = None
        """The ``CreateSchedule`` parameters when the schedule was made through boto3."""
        self.created = world.wall_ns()
        """Wall-clock nanoseconds of its creation (``CreationDate``)."""
        self._rng = world.stream(f"schedule:{self.arn}")
        self._timer: Any = None
        begin = self._wall(world.clock.now_ns)
        if self.start_date is not None and self.start_date > begin and not expression.startswith("at("):
            # decision: rate() fires one period after StartDate (as after creation); cron() from StartDate on
            begin = self.start_date - timedelta(microseconds=0 if expression.startswith("rate(") else 1)
        self._plan(begin)

    def _wall(self, virtual_ns: int) -> datetime:
        return _EPOCH + timedelta(microseconds=self._world.wall_ns(virtual_ns) // 1_000)

    def _plan(self, after: datetime) -> None:
        upcoming = self._next(after)
        if upcoming is None:
            return
        if self.end_date is not None and upcoming > self.end_date and not self.expression.startswith("at("):
            return
        delta = upcoming - _EPOCH
        wall_ns = (delta.days * 86_400 + delta.seconds) * NS_PER_SECOND + delta.microseconds * 1_000
        at_ns = wall_ns - self._world.epoch_ns
        if at_ns > self.until_ns or at_ns < self._world.clock.now_ns:
            return
        self._timer = self._world.clock.call_at(at_ns, self._fire, upcoming, priority=1)

    def _fire(self, when: datetime) -> None:
        if self.flexible_window_minutes:
            offset_ms = self._rng.randrange(self.flexible_window_minutes * 60_000)
            self._world.clock.call_later(offset_ms / 1_000, self._invoke, when, priority=1)
        else:
            self._invoke(when)
        self._plan(when)

    def _invoke(self, when: datetime) -> None:
        world = self._world
        event: dict[str, Any] = eb_events.event(
            seed=self._rng, region=world.region, account_id=world.account_id, now=when.timestamp(),
            variant="scheduler" if self.scheduler else "scheduled", rule_name=self.name, event_id=world.uuid(),
        )
        payload = self.input if self.input is not None else json.dumps(event, separators=(",", ":"))
        target_arn = self.function.arn if self.qualifier is None else f"{self.function.arn}:{self.qualifier}"
        if self.scheduler:
            dead_letter = self._scheduler_dead_letter(when, target_arn, payload)
        else:
            dead_letter = events_dead_letter("RULE_ARN", self.arn, target_arn, payload)
        self.firings.append(world.clock.now)
        push = PushDelivery(self._invoker, self.function, payload.encode(), qualifier=self.qualifier,
                            source=self.arn, service="scheduler" if self.scheduler else "events",
                            policy=self.retry_policy, dead_letter_queue=self.dead_letter_queue,
                            dead_letter=dead_letter)
        self.request_ids.append(push.start())

    def _scheduler_dead_letter(self, when: datetime, target_arn: str, payload: str) -> Any:
        def dead_letter(push: PushDelivery, error: InvokeError, condition: str | None) -> tuple[str, dict[str, Any]]:
            values = {"ERROR_CODE": error.code, "ERROR_MESSAGE": error.message, "EXECUTION_ID": push.event_id}
            if condition is not None:
                values["EXHAUSTED_RETRY_CONDITION"] = condition
            values.update({"IS_PAYLOAD_TRUNCATED": "false", "RETRY_ATTEMPTS": str(push.attempts - 1),
                           "SCHEDULED_TIME": f"{when.astimezone(UTC):%Y-%m-%dT%H:%M:%S}Z",
                           "SCHEDULE_ARN": self.arn, "TARGET_ARN": target_arn})
            return payload, {"message_attributes": string_attributes(values)}

        return dead_letter

    def disable(self) -> None:
        """Stop firing (``DisableRule`` / schedule ``State`` DISABLED)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def __repr__(self) -> str:
        return f"<Schedule {self.name} {self.expression} fired={len(self.firings)}>"
