"""Amazon MQ (ActiveMQ and RabbitMQ) event source mappings: fact sections B1-B8 (see test_kafka_conformance)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from lambdachaos import ConfigError


def data(event: dict[str, Any]) -> list[bytes]:
    messages = event.get("messages") or [m for ms in event["rmqMessagesByQueue"].values() for m in ms]
    return [base64.b64decode(m["data"]) for m in messages]


class Recorder:
    def __init__(self, fail: bool = False) -> None:
        self.events: list[dict[str, Any]] = []
        self.fail = fail

    def __call__(self, event: dict[str, Any], context: Any) -> None:
        self.events.append(event)
        if self.fail or b"poison" in data(event):
            raise RuntimeError("poison")


def test_activemq_event_shape(sim):
    """B1: ActiveMQ events carry eventSource aws:mq, the broker ARN and a flat messages list."""
    broker = sim.mq_broker("orders-broker")
    queue = broker.queue("orders")
    rec = Recorder()
    sim.map(queue, sim.function(rec, name="f"))
    message = queue.send("ABC:AAAA", properties={"index": 1}, correlation_id="myJMSCoID")
    sim.run()
    event = rec.events[0]
    assert list(event) == ["eventSource", "eventSourceArn", "messages"]
    assert event["eventSource"] == "aws:mq"
    assert event["eventSourceArn"] == broker.arn
    assert broker.arn.startswith("arn:aws:mq:us-east-1:123456789012:broker:orders-broker:b-")
    (m,) = event["messages"]
    assert list(m) == ["messageID", "messageType", "deliveryMode", "replyTo", "type", "expiration", "priority",
                       "correlationId", "redelivered", "destination", "data", "timestamp", "brokerInTime",
                       "brokerOutTime", "properties"]
    assert m["messageID"] == message.event_id and m["messageID"].startswith(f"ID:{broker.broker_id}-1.mq.")
    assert m["messageType"] == "jms/text-message"
    assert m["destination"] == {"physicalName": "orders"}
    assert m["data"] == base64.b64encode(b"ABC:AAAA").decode()
    assert m["properties"] == {"index": "1"} and m["redelivered"] is False


def test_rabbitmq_event_shape(sim):
    """B1: RabbitMQ events carry aws:rmq and rmqMessagesByQueue keyed "<queue>::<vhost>", string headers as bytes."""
    broker = sim.mq_broker("pizza", engine="rabbitmq")
    queue = broker.queue("pizzaQueue")
    rec = Recorder()
    sim.map(queue, sim.function(rec, name="f"))
    queue.send("hi", properties={"header1": "value1", "numberInHeader": 10})
    sim.run()
    event = rec.events[0]
    assert list(event) == ["eventSource", "eventSourceArn", "rmqMessagesByQueue"]
    assert event["eventSource"] == "aws:rmq"
    (m,) = event["rmqMessagesByQueue"]["pizzaQueue::/"]
    assert m["basicProperties"]["headers"] == {"header1": {"bytes": [118, 97, 108, 117, 101, 49]},
                                               "numberInHeader": 10}
    assert m["basicProperties"]["timestamp"] == "Jan 1, 2026, 12:00:00 AM"
    assert m["basicProperties"]["bodySize"] == 2
    assert list(m) == ["basicProperties", "redelivered", "data"]


def test_batch_size_and_window(sim):
    """B2: BatchSize 1..10,000 (default 100); the window defaults to 500 ms."""
    queue = sim.mq_broker("b").queue("q")
    rec = Recorder()
    sim.map(queue, sim.function(rec, name="f"))
    queue.send("a")
    sim.run()
    assert [a.start for a in sim.ledger.attempts] == [0.5]
    with pytest.raises(ConfigError, match="BatchSize must be between 1 and 10,000"):
        sim.map(queue, sim.function(rec, name="g"), batch_size=10_001)


def test_destination_and_retry_controls_refused(sim):
    """B2/B4: no DestinationConfig, retry controls or partial batch responses for Amazon MQ."""
    queue = sim.mq_broker("b").queue("q")
    fn = sim.function(Recorder(), name="f")
    with pytest.raises(ConfigError, match=r"on_failure=.*not supported for Amazon MQ.*Unsupported DestinationConfig"):
        sim.map(queue, fn, on_failure=sim.sqs_queue("dlq"))
    with pytest.raises(ConfigError, match="maximum_retry_attempts=3 is not supported for Amazon MQ"):
        sim.map(queue, fn, maximum_retry_attempts=3)


@pytest.mark.parametrize(("engine", "limit"), [("activemq", 5), ("rabbitmq", 1)])
def test_concurrency_limit(sim, engine, limit):
    """B3: at most 5 concurrent invocations per ActiveMQ mapping, 1 per RabbitMQ mapping."""
    queue = sim.mq_broker("b", engine=engine).queue("q")
    sim.map(queue, sim.function(lambda e, c: None, name="f", base_duration=5.0, timeout=10), batch_size=1,
            maximum_batching_window_in_seconds=0)
    for i in range(12):
        queue.send(f"m{i}")
    sim.run()
    attempts = sim.ledger.attempts
    peak = max(sum(1 for b in attempts if b.start_ns <= a.start_ns < b.end_ns) for a in attempts)
    assert peak == limit


def test_activemq_redelivery_limit_then_dlq(sim):
    """B4/B8 and decision: the whole batch is retried; each failure counts one redelivery per message; after 6
    redeliveries the broker moves the message to ActiveMQ.DLQ."""
    broker = sim.mq_broker("b")
    queue = broker.queue("orders")
    rec = Recorder()
    sim.map(queue, sim.function(rec, name="f"), maximum_batching_window_in_seconds=0)
    good = queue.send("good")
    bad = queue.send("poison")
    sim.run()
    assert len(rec.events) == 7
    assert all(data(e) == [b"good", b"poison"] for e in rec.events)
    assert [e["messages"][0]["redelivered"] for e in rec.events] == [False] + [True] * 6
    dlq = broker.queues[("/", "ActiveMQ.DLQ")]
    assert [m.event_id for m in dlq.dead_lettered] == [good.event_id, bad.event_id]
    fate = sim.ledger.fate(bad.event_id)
    assert (fate.status, fate.attempts) == ("dead_lettered", 7)


def test_activemq_individual_dlq(sim):
    """B4: a queue's own DLQ (ActiveMQ's individual dead-letter strategy) replaces ActiveMQ.DLQ."""
    broker = sim.mq_broker("b")
    own = broker.queue("orders.DLQ")
    queue = broker.queue("orders", dead_letter_queue=own)
    sim.map(queue, sim.function(Recorder(fail=True), name="f"), maximum_batching_window_in_seconds=0)
    sent = queue.send("x")
    sim.run()
    assert [m.event_id for m in own.dead_lettered] == [sent.event_id]
    assert sim.ledger.fate(sent.event_id).destinations == (f"{broker.arn}:queue:orders.DLQ",)


def test_rabbitmq_redelivers_until_delivery_limit(sim):
    """B4/B8: RabbitMQ requeues until a quorum queue's delivery limit dead-letters the message."""
    broker = sim.mq_broker("b", engine="rabbitmq")
    dead = broker.queue("dead")
    queue = broker.queue("orders", delivery_limit=3, dead_letter_queue=dead)
    rec = Recorder(fail=True)
    sim.map(queue, sim.function(rec, name="f"), maximum_batching_window_in_seconds=0)
    sent = queue.send("x")
    sim.run()
    assert len(rec.events) == 4
    assert sim.ledger.fate(sent.event_id).status == "dead_lettered"


def test_rabbitmq_without_limit_loops(sim):
    """B8: without dead-lettering or a delivery limit, RabbitMQ redelivers a failing message indefinitely."""
    queue = sim.mq_broker("b", engine="rabbitmq").queue("orders")
    rec = Recorder(fail=True)
    sim.map(queue, sim.function(rec, name="f"), maximum_batching_window_in_seconds=0)
    sent = queue.send("x")
    sim.run(until=120)
    assert len(rec.events) > 100
    assert sim.ledger.fate(sent.event_id).status == "pending"


def test_filter_on_data_acks_unmatched(sim):
    """B6: only data can be filtered; unmatched messages are acknowledged when filtered (fate filtered)."""
    queue = sim.mq_broker("b").queue("q")
    rec = Recorder()
    sim.map(queue, sim.function(rec, name="f"),
            filter_criteria={"Filters": [{"Pattern": json.dumps({"data": {"kind": ["order"]}})}]})
    keep = queue.send(json.dumps({"kind": "order"}))
    drop = queue.send(json.dumps({"kind": "ping"}))
    sim.run()
    assert sim.ledger.fate(drop.event_id).status == "filtered"
    assert sim.ledger.fate(keep.event_id).status == "succeeded"
    assert not queue.ready


def test_message_over_6_mb_is_dropped(sim):
    """B4: records Lambda drops for their size (6 MB) go unprocessed."""
    queue = sim.mq_broker("b").queue("q")
    rec = Recorder()
    sim.map(queue, sim.function(rec, name="f"), maximum_batching_window_in_seconds=0)
    big = queue.send(b"x" * 5_000_000)
    small = queue.send("ok")
    sim.run()
    fate = sim.ledger.fate(big.event_id)
    assert (fate.status, fate.condition) == ("dropped", "MaximumPayloadSizeExceeded")
    assert [data(e) for e in rec.events] == [[b"ok"]]
    assert sim.ledger.fate(small.event_id).status == "succeeded"
