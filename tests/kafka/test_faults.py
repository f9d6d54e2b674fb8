"""Faults on Kafka and Amazon MQ mappings: delivery faults through the source table's rows, invocation faults."""

from __future__ import annotations

import base64
import json

from lambdachaos.faults import (
    DuplicateDelivery,
    FaultPlan,
    FieldMatch,
    InvocationError,
    PoisonInjection,
    Reorder,
    Target,
    When,
)


def numbers(event):
    return [json.loads(base64.b64decode(r["value"]))["n"] for rs in event["records"].values() for r in rs]


def test_poison_injected_into_a_partition_is_bisected_to_the_destination(sim):
    """A PoisonInjection lands in the matched record's partition; provisioned bisect isolates it."""
    topic = sim.kafka_cluster("c").topic("orders", partitions=2)
    failures = sim.sqs_queue("failures")
    sim.map(topic, sim.function(lambda e, c: numbers(e), name="consumer"), batch_size=10,
            bisect_batch_on_function_error=True, maximum_retry_attempts=0, on_failure=failures,
            maximum_batching_window_in_seconds=0, provisioned_poller_config={"MinimumPollers": 2})
    sim.apply_faults(FaultPlan.of(PoisonInjection(poison="truncated_json"),
                                  target=Target(records=(FieldMatch(path="n", equals=2),))))
    records = [topic.produce(json.dumps({"n": i}), partition=0) for i in range(1, 4)]
    sim.run()
    (injected,) = [f for f in sim.ledger.faults if f.effect.startswith("poison record")]
    assert injected.event_id == "orders-0:2"
    assert [r.event_id for r in records] == ["orders-0:0", "orders-0:1", "orders-0:3"]
    assert sim.ledger.fate(injected.event_id).status == "on_failure"
    assert {sim.ledger.fate(r.event_id).status for r in records} == {"succeeded"}
    (body,) = [json.loads(m.body) for m in failures.history]
    assert body["KafkaBatchInfo"]["recordsInfo"] == {"orders-0": {
        "firstRecordOffset": "2", "lastRecordOffset": "2", "firstRecordTimestamp": "2026-01-01T00:00:00.000Z",
        "lastRecordTimestamp": "2026-01-01T00:00:00.000Z"}}


def test_duplicate_is_a_producer_retry_and_reorder_is_not_applied(sim):
    """A duplicate on Kafka is the same record produced again (a new offset); a partition keeps its order."""
    topic = sim.kafka_cluster("c").topic("orders")
    sim.map(topic, sim.function(lambda e, c: None, name="consumer"))
    sim.apply_faults(FaultPlan.of(DuplicateDelivery(), Reorder()))
    record = topic.produce(b'{"n": 1}', key=b"k")
    sim.run()
    copy = topic.partitions[0].records[1]
    assert (copy.key, copy.value) == (record.key, record.value)
    effects = [f.effect for f in sim.ledger.faults]
    assert effects[1:] == ["not applied: a Kafka partition delivers its records in offset order",
                           f"producer retry: {record.event_id} produced again as {copy.event_id}"]
    assert {sim.ledger.fate(r.event_id).status for r in (record, copy)} == {"succeeded"}


def test_invocation_error_fault_blocks_the_partition_until_it_stops(sim):
    """An injected error on the first two attempts: the batch is retried whole, then succeeds."""
    topic = sim.kafka_cluster("c").topic("orders")
    sim.map(topic, sim.function(lambda e, c: None, name="consumer"), maximum_batching_window_in_seconds=0)
    sim.apply_faults(FaultPlan.of(InvocationError(error_message="chaos"), when=When(attempts=(1, 2))))
    record = topic.produce(b"x")
    sim.run()
    assert [a.outcome.value for a in sim.ledger.attempts] == ["function_error", "function_error", "success"]
    assert [a.start for a in sim.ledger.attempts] == [0.0, 1.0, 3.0]
    assert sim.ledger.fate(record.event_id).attempts == 3


def test_mq_duplicate_is_a_redelivery_of_the_same_body(sim):
    """A duplicate on Amazon MQ: the same body delivered again as another message."""
    queue = sim.mq_broker("b").queue("orders")
    seen = []
    sim.map(queue, sim.function(lambda e, c: seen.extend(m["data"] for m in e["messages"]), name="consumer"))
    sim.apply_faults(FaultPlan.of(DuplicateDelivery()))
    queue.send("hello")
    sim.run()
    assert seen == [base64.b64encode(b"hello").decode()] * 2
