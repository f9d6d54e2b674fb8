"""EventBridge Scheduler schedules from templates: AWS::Scheduler::Schedule and SAM ScheduleV2 events."""

from __future__ import annotations

from pathlib import Path

import pytest

from lambdachaos import Sim
from lambdachaos.faults import FaultPlan, PushInvokeFailure

TEMPLATE = Path(__file__).parent / "scheduler_app" / "template.yaml"
DAY = 86_400


@pytest.fixture
def sim():
    with Sim.from_template(TEMPLATE, seed=4, schedule_until=2 * DAY) as loaded:
        yield loaded


def _schedules(sim):
    return {entry.object.name: entry.object for entry in sim.templates[0].entries.values()
            if entry.type == "AWS::Scheduler::Schedule"}


def test_schedules_fire_in_their_time_zone_with_their_input(sim):
    schedules = _schedules(sim)
    assert sorted(schedules) == ["nightly", "once"]
    sim.run()
    # the simulation starts at 2026-01-01T00:00:00Z; 02:00 in Paris (UTC+1 in winter) is 01:00 UTC
    assert schedules["nightly"].firings == [3_600.0, DAY + 3_600.0]
    assert schedules["once"].firings == [1_800.0]
    assert [a.outcome for a in sim.ledger.attempts] == ["success"] * 3
    assert [a.start for a in sim.ledger.attempts] == [1_800.0, 3_600.0, DAY + 3_600.0]


def test_a_failing_hand_off_follows_the_schedules_retry_policy_into_its_dlq(sim):
    sim.apply_faults(FaultPlan.of(PushInvokeFailure(error="throttled", services=["scheduler"])))
    sim.run(until=2 * 3_600)
    nightly = _schedules(sim)["nightly"]
    [event_id] = nightly.request_ids
    tries = [d.at_ns / 1e9 for d in sim.ledger.deliveries if d.kind == "push" and d.event_id == event_id]
    assert len(tries) == 3  # the first hand-off and MaximumRetryAttempts 2 retries
    dlq = sim.resources["TickDLQ"]
    bodies = sorted(m.body for m in dlq.receive(max_messages=10))
    assert '{"job": "nightly"}' in bodies
    assert sim.ledger.fate(event_id).status == "dead_lettered"
