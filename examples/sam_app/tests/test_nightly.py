"""The nightly schedule (a SAM ``Schedule`` event: an EventBridge rule) and the SNS filter policy."""

from __future__ import annotations

import json

import pytest
from lambdachaos.generators import Order, payload
from ledger_views import attempts_of, bodies

DAY = 86400


def test_without_an_end_time_the_schedule_is_reported_as_skipped(lambda_sim):
    assert lambda_sim.templates[0].skipped == {
        "NightlyFunctionNightly": "ScheduleExpression rate(1 day): give schedule_until=<virtual seconds> to run "
                                  "schedules (they fire forever otherwise)"}


@pytest.mark.lambdachaos(template_schedule_until=2 * DAY)
def test_the_report_runs_each_day_and_reaches_only_the_unfiltered_subscriber(lambda_sim, lambda_events, orders_api):
    for i in range(2):
        order = payload(Order, seed=lambda_events.next_seed(f"order-{i}"))
        assert orders_api.request("POST", "/orders", body=json.dumps(order)).status == 202
    lambda_sim.run()

    nightly = attempts_of(lambda_sim, "NightlyFunction")
    assert [(a.start, a.outcome) for a in nightly] == [(DAY, "success"), (2 * DAY, "success")]
    audit = bodies(lambda_sim.resources["AuditQueue"])
    assert [m for m in audit if "report" in m] == [{"report": "daily-orders", "orders": 2}] * 2
    # NotifyFunction's FilterPolicy (kind: order-placed) keeps the reports away from it
    assert len(attempts_of(lambda_sim, "NotifyFunction")) == 2 and len(audit) == 4
