"""Schedules on the virtual clock (docs/aws-behaviour.md §7.3 scheduled event and Scheduler event)."""

from __future__ import annotations

import pytest

from lambdachaos import ConfigError


def _recorder(sim, name="tick"):
    seen = []
    return sim.function(lambda event, context: seen.append(event), name=name), seen


def test_rate_5_minutes_over_an_hour_fires_12_times_300_s_apart(sim):
    fn, seen = _recorder(sim)
    schedule = sim.schedule("every5", "rate(5 minutes)", target=fn, until=3600)
    sim.run()
    assert schedule.firings == [300.0 * i for i in range(1, 13)]
    assert [a.start for a in sim.ledger.attempts] == schedule.firings
    event = seen[0]
    assert (event["source"], event["detail-type"], event["detail"]) == ("aws.events", "Scheduled Event", {})
    assert event["resources"] == [schedule.arn] and schedule.arn.endswith(":rule/every5")
    assert event["time"] == "2026-01-01T00:05:00Z" and event["version"] == "0"


def test_cron_fires_at_noon_utc_each_day(sim):
    fn, _ = _recorder(sim)
    schedule = sim.schedule("noon", "cron(0 12 * * ? *)", target=fn, until=3 * 86_400)
    sim.run()
    assert schedule.firings == [43_200.0, 129_600.0, 216_000.0]


@pytest.mark.parametrize(("expression", "expected_days"), [
    ("cron(0 0 L * ? *)", [31]),          # last day of January 2026
    ("cron(0 0 ? * 2#1 *)", [5]),          # first Monday (2026-01-05)
    ("cron(0 0 ? * 6L *)", [30]),          # last Friday
    ("cron(0 0 LW * ? *)", [30]),          # last weekday (31 Jan 2026 is a Saturday)
    ("cron(0 0 3W * ? *)", [2]),           # 3 Jan 2026 is a Saturday: nearest weekday is Friday 2nd
    ("cron(0 0 ? * MON-FRI *)", [2, 5, 6, 7, 8, 9, 12, 13]),  # strictly after creation, until inclusive
])
def test_cron_special_characters(sim, expression, expected_days):
    fn, _ = _recorder(sim)
    schedule = sim.schedule("c", expression, target=fn, until=31 * 86_400 if "L" in expression else 12 * 86_400)
    sim.run()
    assert [int(t // 86_400) + 1 for t in schedule.firings] == expected_days


def test_scheduler_event_detail_is_the_string_braces(sim):
    fn, seen = _recorder(sim)
    schedule = sim.schedule("s", "rate(1 hour)", target=fn, until=3600, scheduler=True)
    sim.run()
    assert seen[0]["source"] == "aws.scheduler" and seen[0]["detail"] == "{}"
    assert schedule.arn.endswith(":schedule/default/s")


@pytest.mark.parametrize("expression", ["rate(1 minutes)", "rate(5 minute)", "rate(0 hours)", "cron(0 12 * * * *)",
                                        "cron(0 12 * *)", "cron(61 * * * ? *)", "every 5 minutes",
                                        "at(2026-01-01T00:00:00)"])
def test_invalid_expressions_use_eventbridge_wording(sim, expression):
    fn, _ = _recorder(sim)
    with pytest.raises(ConfigError, match=r"Parameter ScheduleExpression is not valid\."):
        sim.schedule("bad", expression, target=fn, until=60)


def test_until_is_required_so_run_returns(sim):
    fn, _ = _recorder(sim)
    with pytest.raises(ConfigError, match=r"^until=None: .* give until="):
        sim.schedule("forever", "rate(1 minute)", target=fn, until=None)


def test_disable_stops_firing_and_run_returns(sim):
    fn, _ = _recorder(sim)
    schedule = sim.schedule("d", "rate(1 minute)", target=fn, until=600)
    sim.run(until=150)
    schedule.disable()
    sim.run()
    assert schedule.firings == [60.0, 120.0]
