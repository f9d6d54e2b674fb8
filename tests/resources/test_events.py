"""EventBridge bus model: the envelope (docs/aws-behaviour.md §7.3), rules and targets."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest

from lambdachaos._errors import ConfigError
from lambdachaos._world import World
from lambdachaos.resources import EventBus, Queue
from lambdachaos.resources._errors import InvalidArgument, InvalidEventPatternException, MalformedDetail


@pytest.fixture
def world():
    w = World(seed=2)
    w.clock.advance(61.75)
    return w


def test_put_event_builds_the_section_7_3_envelope(world):
    bus = EventBus(world)
    event_id = bus.put_event(source="shop", detail_type="Order Placed", detail={"id": 7}, resources=["arn:x"])
    [event] = bus.history
    assert list(event) == [
        "version",
        "id",
        "detail-type",
        "source",
        "account",
        "time",
        "region",
        "resources",
        "detail",
    ]
    assert event == {
        "version": "0",
        "id": event_id,
        "detail-type": "Order Placed",
        "source": "shop",
        "account": "123456789012",
        "time": "2026-01-01T00:01:01Z",
        "region": "us-east-1",
        "resources": ["arn:x"],
        "detail": {"id": 7},
    }
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", event_id)
    assert bus.arn == "arn:aws:events:us-east-1:123456789012:event-bus/default"


def test_entry_time_is_rendered_at_second_precision(world):
    bus = EventBus(world, "custom")
    bus.put_events(
        [
            {
                "Source": "s",
                "DetailType": "d",
                "Detail": "{}",
                "Time": datetime(2030, 5, 6, 7, 8, 9, 999_000, tzinfo=UTC),
            }
        ]
    )
    assert bus.history[0]["time"] == "2030-05-06T07:08:09Z"


def test_rules_deliver_matching_events_to_queues_and_callbacks(world):
    bus = EventBus(world, "orders")
    queue = Queue(world, "q")
    seen = []
    rule = bus.add_rule(
        "paid",
        event_pattern={"source": ["shop"], "detail": {"state": ["paid"]}},
        targets=[queue, lambda event, r: seen.append((event["id"], r.name))],
    )
    assert rule.arn == "arn:aws:events:us-east-1:123456789012:rule/orders/paid"
    paid = bus.put_event(source="shop", detail_type="Order", detail={"state": "paid"})
    bus.put_event(source="shop", detail_type="Order", detail={"state": "new"})
    assert seen == [(paid, "paid")]
    [msg] = queue.messages
    assert msg.body.startswith('{"version":"0","id":"')
    assert json.loads(msg.body)["id"] == paid
    rule.enabled = False
    bus.put_event(source="shop", detail_type="Order", detail={"state": "paid"})
    assert len(seen) == 1


def test_default_bus_rule_arn(world):
    assert EventBus(world).add_rule("r", event_pattern={"source": ["x"]}).arn.endswith(":rule/r")


def test_entry_errors_use_the_eventbridge_codes(world):
    bus = EventBus(world)
    with pytest.raises(
        InvalidArgument, match=r"^Parameter Detail is not valid\. Reason: Detail is a required argument\.$"
    ):
        bus.put_entry({"Source": "s", "DetailType": "d"})
    with pytest.raises(MalformedDetail, match=r"^Detail is malformed\.$"):
        bus.put_entry({"Source": "s", "DetailType": "d", "Detail": "[1]"})
    with pytest.raises(InvalidEventPatternException, match=r"^Event pattern is not valid\. Reason: "):
        bus.add_rule("bad", event_pattern={"source": "x"})
    with pytest.raises(ConfigError, match=r"^name='bad name' is not a valid event bus name"):
        EventBus(world, "bad name")
