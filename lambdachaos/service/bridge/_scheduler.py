"""The boto3 ``scheduler`` client on the simulation: schedules whose target is a sim function.

``CreateSchedule``, ``GetSchedule``, ``UpdateSchedule``, ``DeleteSchedule`` and ``ListSchedules`` on
the default schedule group (or any group name: groups are not modelled beyond the ARN). A schedule whose
target is not a sim function, or a call about a schedule the simulation does not hold, goes to moto.
A recurring schedule created through boto3 without ``EndDate`` fires for as long as the simulation runs:
drive it with ``sim.run(until=...)`` or ``sim.advance(...)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final

from lambdachaos.resources._errors import AWSError

OPERATIONS: Final = frozenset({"CreateSchedule", "GetSchedule", "UpdateSchedule", "DeleteSchedule", "ListSchedules"})
_FOREVER: Final = 1 << 62


class SchedulerNotFound(AWSError):
    """Scheduler's 404 for an unknown schedule."""

    code = "ResourceNotFoundException"
    http_status = 404


class SchedulerConflict(AWSError):
    """Scheduler's 409 for a schedule name already in use."""

    code = "ConflictException"
    http_status = 409


class SchedulerValidation(AWSError):
    """Scheduler's 400 for a setting it refuses."""

    code = "ValidationException"


def _date(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, tz=UTC)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _function(context: Any, arn: Any) -> tuple[Any, str | None] | None:
    if not isinstance(arn, str) or ":lambda:" not in arn or ":function:" not in arn:
        return None
    parts = arn.split(":")
    fn = context.service.functions.get(parts[6]) if len(parts) > 6 else None
    return (fn, parts[7] if len(parts) > 7 else None) if fn is not None else None


def _create(context: Any, p: Mapping[str, Any], *, replace: bool) -> dict[str, Any] | None:
    target = p.get("Target") or {}
    hit = _function(context, target.get("Arn"))
    if hit is None:
        return None
    name, group = p["Name"], p.get("GroupName") or "default"
    existing = context.find_schedule(name, group)
    if replace and existing is None:
        raise SchedulerNotFound(f"Schedule {name} does not exist.")
    if not replace and existing is not None:
        raise SchedulerConflict(f"Schedule {name} already exists.")
    window = p.get("FlexibleTimeWindow") or {"Mode": "OFF"}
    minutes = window.get("MaximumWindowInMinutes") if window.get("Mode") == "FLEXIBLE" else None
    if window.get("Mode") == "FLEXIBLE" and minutes is None:
        raise SchedulerValidation("MaximumWindowInMinutes is required when Mode is FLEXIBLE.")
    dlq_arn = (target.get("DeadLetterConfig") or {}).get("Arn")
    dlq = context.find_resource(dlq_arn) if dlq_arn else None
    if dlq_arn and dlq is None:
        raise SchedulerValidation(f"The dead-letter queue {dlq_arn} does not exist in the simulation.")
    if existing is not None:
        existing.disable()
        context.forget_schedule(name, group)
    schedule = context.schedule(
        name, p["ScheduleExpression"], target=hit[0], qualifier=hit[1], until=_FOREVER / 1e9, scheduler=True,
        retry_policy=target.get("RetryPolicy"), dead_letter_queue=dlq, input=target.get("Input"),
        timezone=p.get("ScheduleExpressionTimezone") or "UTC", flexible_window_minutes=minutes,
        start_date=_date(p.get("StartDate")), end_date=_date(p.get("EndDate")), group=group,
    )
    schedule.api = {key: value for key, value in p.items() if key != "ClientToken"}
    schedule.api.setdefault("State", "ENABLED")
    schedule.created = context.world.wall_ns()
    if schedule.api["State"] == "DISABLED":
        schedule.disable()
    return {"ScheduleArn": schedule.arn}


def _describe(schedule: Any) -> dict[str, Any]:
    api = schedule.api
    when = datetime.fromtimestamp(schedule.created / 1e9, tz=UTC)
    out: dict[str, Any] = {"Arn": schedule.arn, "Name": schedule.name, "GroupName": schedule.group,
                           "ScheduleExpression": schedule.expression,
                           "ScheduleExpressionTimezone": schedule.timezone, "State": api["State"],
                           "FlexibleTimeWindow": api.get("FlexibleTimeWindow") or {"Mode": "OFF"},
                           "CreationDate": when, "LastModificationDate": when}
    target = dict(api["Target"])
    target["RetryPolicy"] = schedule.retry_policy.to_api()
    out["Target"] = target
    for key in ("StartDate", "EndDate", "Description"):
        if api.get(key) is not None:
            out[key] = _date(api[key]) if key != "Description" else api[key]
    return out


def call(context: Any, op: str, p: Mapping[str, Any]) -> dict[str, Any] | None:
    """Answer one ``scheduler`` call on ``context`` (the bridge backend of a Sim, or the Sim); None when the
    call belongs to moto."""
    context = getattr(context, "sim", context)
    find = getattr(context, "find_schedule", None)
    if find is None:
        return None
    if op in ("CreateSchedule", "UpdateSchedule"):
        return _create(context, p, replace=op == "UpdateSchedule")
    if op == "ListSchedules":
        items = [s for s in context.sim_schedules() if getattr(s, "api", None) is not None
                 and (p.get("GroupName") in (None, s.group)) and s.name.startswith(p.get("NamePrefix") or "")]
        return {"Schedules": [{key: value for key, value in _describe(s).items() if key in (
            "Arn", "Name", "GroupName", "State", "CreationDate", "LastModificationDate")} | {
            "Target": {"Arn": s.api["Target"]["Arn"]}} for s in items]}
    schedule = find(p.get("Name"), p.get("GroupName") or "default")
    if schedule is None or getattr(schedule, "api", None) is None:
        return None
    if op == "GetSchedule":
        return _describe(schedule)
    schedule.disable()
    context.forget_schedule(schedule.name, schedule.group)
    return {}
