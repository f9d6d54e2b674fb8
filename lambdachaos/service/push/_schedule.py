"""Schedule expressions of EventBridge rules and EventBridge Scheduler: ``rate()``, ``cron()`` and ``at()``.

Supported (UTC, as AWS evaluates them):

- ``rate(N unit)``: ``N`` a positive integer, ``unit`` ``minute``/``hour``/``day`` (singular exactly when
  ``N`` is 1, as AWS requires). **[DEC]** The first firing is one period after the schedule is created.
- ``cron(minutes hours day-of-month month day-of-week year)``: six fields; ``*``, values, ranges ``a-b``,
  lists ``a,b``, increments ``a/n`` and ``*/n``; month names ``JAN``-``DEC``; day names ``SUN``-``SAT``
  (``SUN`` is 1); exactly one of day-of-month and day-of-week is ``?``. Day-of-month also takes ``L``
  (last day), ``LW`` (last weekday) and ``nW`` (weekday nearest day ``n``, within the month); day-of-week
  takes ``nL`` (last such weekday of the month) and ``d#n`` (``n``-th such weekday). Years 1970-2199.
- ``at(yyyy-mm-ddThh:mm:ss)`` (Scheduler only): one firing.

Anything else is refused with EventBridge's message ``Parameter ScheduleExpression is not valid.``
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from lambdachaos._errors import ConfigError

_RATE: Final = re.compile(r"rate\((\d+) (minute|minutes|hour|hours|day|days)\)")
_AT: Final = re.compile(r"at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)")
_UNIT_S: Final = {"minute": 60, "hour": 3_600, "day": 86_400}
_MONTHS: Final = {m.upper(): i for i, m in enumerate(calendar.month_abbr) if m}
_DAYS: Final = {d: i + 1 for i, d in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"))}
YEAR_MIN: Final = 1970
YEAR_MAX: Final = 2199

NextFiring = Callable[[datetime], "datetime | None"]
"""Given an instant, the next firing strictly after it (``None`` when there is none)."""


def invalid(expression: str, why: str) -> ConfigError:
    """EventBridge's error for a bad schedule expression, with the reason and the supported forms."""
    return ConfigError(
        f"schedule_expression={expression!r}: Parameter ScheduleExpression is not valid. ({why}; use "
        "'rate(5 minutes)', 'cron(0 12 * * ? *)' or, for EventBridge Scheduler, 'at(2026-01-01T12:00:00)')"
    )


def _field(text: str, low: int, high: int, names: dict[str, int] | None, expression: str) -> frozenset[int]:
    out: set[int] = set()

    def value(token: str) -> int:
        token = token.upper()
        if names is not None and token in names:
            return names[token]
        if not token.isdigit():
            raise invalid(expression, f"{token!r} is not a value")
        number = int(token)
        if not low <= number <= high:
            raise invalid(expression, f"{number} is outside {low}-{high}")
        return number

    for part in text.split(","):
        base, _, step_text = part.partition("/")
        step = 1
        if step_text:
            if not step_text.isdigit() or int(step_text) == 0:
                raise invalid(expression, f"increment {step_text!r} must be a positive integer")
            step = int(step_text)
        if base == "*":
            first, last = low, high
        elif "-" in base:
            a, b = base.split("-", 1)
            first, last = value(a), value(b)
        else:
            first = value(base)
            last = high if step_text else first
        if first > last:
            raise invalid(expression, f"range {base!r} runs backwards")
        out.update(range(first, last + 1, step))
    return frozenset(out)


def _weekday(day: datetime) -> int:
    """AWS day-of-week number: SUN=1 ... SAT=7."""
    return (day.weekday() + 1) % 7 + 1


def _dom_matcher(text: str, expression: str) -> Callable[[datetime], bool]:
    if text == "?":
        return lambda d: True
    if text == "L":
        return lambda d: d.day == calendar.monthrange(d.year, d.month)[1]
    if text == "LW":
        def last_weekday(d: datetime) -> bool:
            last = calendar.monthrange(d.year, d.month)[1]
            while calendar.weekday(d.year, d.month, last) >= 5:
                last -= 1
            return d.day == last
        return last_weekday
    if text.endswith("W"):
        target = next(iter(_field(text[:-1], 1, 31, None, expression)))

        def nearest(d: datetime) -> bool:
            last = calendar.monthrange(d.year, d.month)[1]
            day = min(target, last)
            wd = calendar.weekday(d.year, d.month, day)
            if wd == 5:
                day = day - 1 if day > 1 else day + 2
            elif wd == 6:
                day = day + 1 if day < last else day - 2
            return d.day == day
        return nearest
    days = _field(text, 1, 31, None, expression)
    return lambda d: d.day in days


def _dow_matcher(text: str, expression: str) -> Callable[[datetime], bool]:
    if text == "?":
        return lambda d: True
    if text == "L":
        return lambda d: _weekday(d) == 7
    if text.endswith("L"):
        wanted = next(iter(_field(text[:-1], 1, 7, _DAYS, expression)))
        return lambda d: _weekday(d) == wanted and d.day + 7 > calendar.monthrange(d.year, d.month)[1]
    if "#" in text:
        day_text, _, nth_text = text.partition("#")
        wanted = next(iter(_field(day_text, 1, 7, _DAYS, expression)))
        if not nth_text.isdigit() or not 1 <= int(nth_text) <= 5:
            raise invalid(expression, f"'#{nth_text}' must be #1 to #5")
        nth = int(nth_text)
        return lambda d: _weekday(d) == wanted and (d.day - 1) // 7 + 1 == nth
    days = _field(text, 1, 7, _DAYS, expression)
    return lambda d: _weekday(d) in days


def _cron(body: str, expression: str) -> NextFiring:
    parts = body.split()
    if len(parts) != 6:
        raise invalid(expression, f"cron() takes 6 fields (minutes hours day-of-month month day-of-week year), "
                                  f"got {len(parts)}")
    minute_f, hour_f, dom_f, month_f, dow_f, year_f = parts
    if (dom_f == "?") == (dow_f == "?"):
        raise invalid(expression, "exactly one of day-of-month and day-of-week must be '?'")
    minutes = sorted(_field(minute_f, 0, 59, None, expression))
    hours = sorted(_field(hour_f, 0, 23, None, expression))
    months = _field(month_f, 1, 12, _MONTHS, expression)
    years = _field(year_f, YEAR_MIN, YEAR_MAX, None, expression)
    dom = _dom_matcher(dom_f, expression)
    dow = _dow_matcher(dow_f, expression)

    def next_firing(after: datetime) -> datetime | None:
        day = after.replace(hour=0, minute=0, second=0, microsecond=0)
        while day.year <= YEAR_MAX:
            if day.year not in years:
                day = datetime(day.year + 1, 1, 1, tzinfo=UTC)
                continue
            if day.month not in months:
                day = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
                continue
            if dom(day) and dow(day):
                for hour in hours:
                    for minute in minutes:
                        at = day.replace(hour=hour, minute=minute)
                        if at > after:
                            return at
            day += timedelta(days=1)
        return None

    return next_firing


def in_zone(next_firing: NextFiring, timezone: str) -> NextFiring:
    """Evaluate ``cron()``/``at()`` on the wall clock of IANA ``timezone`` (Scheduler's
    ``ScheduleExpressionTimezone``). Decision: a local time skipped by a daylight-saving change fires at
    the same wall-clock reading after the change; a repeated one fires once, at its first occurrence."""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ConfigError(
            f"timezone={timezone!r}: ScheduleExpressionTimezone must be an IANA time zone such as "
            "'Europe/Paris' or 'UTC'"
        ) from None

    def local_next(after: datetime) -> datetime | None:
        local = after.astimezone(zone).replace(tzinfo=None, fold=0)
        while True:
            found = next_firing(local.replace(tzinfo=UTC))
            if found is None:
                return None
            naive = found.replace(tzinfo=None)
            real = naive.replace(tzinfo=zone).astimezone(UTC)
            if real > after:
                return real
            local = naive  # an ambiguous hour mapped back before ``after``: look further

    return local_next


def parse(expression: str, *, allow_at: bool = False, timezone: str = "UTC") -> NextFiring:
    """Compile a schedule expression to its next-firing function (module docstring lists the forms).

    ``timezone`` (Scheduler only) applies to ``cron()`` and ``at()``; ``rate()`` ignores it.
    """
    if timezone != "UTC" and isinstance(expression, str) and not expression.startswith("rate("):
        return in_zone(parse(expression, allow_at=allow_at), timezone)
    if not isinstance(expression, str):
        raise invalid(str(expression), "a schedule expression is a string")
    rate = _RATE.fullmatch(expression)
    if rate is not None:
        count, unit = int(rate[1]), rate[2]
        if count == 0:
            raise invalid(expression, "the rate value must be a positive integer")
        if (count == 1) != (not unit.endswith("s")):
            raise invalid(expression, "use the singular unit for a value of 1 and the plural otherwise")
        period = timedelta(seconds=count * _UNIT_S[unit.rstrip("s")])
        return lambda after: after + period
    if expression.startswith("cron(") and expression.endswith(")"):
        return _cron(expression[5:-1], expression)
    at = _AT.fullmatch(expression)
    if at is not None and allow_at:
        when = datetime.fromisoformat(at[1]).replace(tzinfo=UTC)
        return lambda after: when if when > after else None
    raise invalid(expression, "unrecognised expression")
