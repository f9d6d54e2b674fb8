"""Amazon DocumentDB change stream event source mappings: fact sections C1-C8 (see test_kafka_conformance)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from lambdachaos import ConfigError


class Recorder:
    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def __call__(self, event: dict[str, Any], context: Any) -> None:
        self.events.append(event)


def test_event_shape_insert(sim):
    """C1: {"eventSourceArn", "events": [{"event": change event}], "eventSource": "aws:docdb"}, rds cluster ARN."""
    cluster = sim.docdb_cluster("canary")
    orders = cluster.collection("test_database", "test_collection")
    rec = Recorder()
    sim.map(orders, sim.function(rec, name="f"))
    key = orders.insert_one({"anyField": "sampleValue"})
    sim.run()
    event = rec.events[0]
    assert list(event) == ["eventSourceArn", "events", "eventSource"]
    assert event["eventSourceArn"] == "arn:aws:rds:us-east-1:123456789012:cluster:canary"
    assert event["eventSource"] == "aws:docdb"
    (item,) = event["events"]
    change = item["event"]
    assert list(change) == ["_id", "clusterTime", "documentKey", "fullDocument", "ns", "operationType"]
    assert change["documentKey"] == {"_id": {"$oid": key.hex}} and len(key.hex) == 24
    assert change["fullDocument"] == {"_id": {"$oid": key.hex}, "anyField": "sampleValue"}
    assert change["ns"] == {"db": "test_database", "coll": "test_collection"}
    assert change["operationType"] == "insert"
    assert change["clusterTime"] == {"$timestamp": {"t": 1_767_225_600, "i": 1}}
    assert len(change["_id"]["_data"]) == 36


@pytest.mark.parametrize(("full_document", "expected"), [("Default", None), ("UpdateLookup", {"_id": 1, "qty": 3})])
def test_full_document_on_update(sim, full_document, expected):
    """C1/C2: FullDocument UpdateLookup adds the current document to update events; Default sends only the delta."""
    orders = sim.docdb_cluster("c").collection("shop", "orders")
    rec = Recorder()
    orders.insert_one({"_id": 1, "qty": 2})
    sim.map(orders, sim.function(rec, name="f"), starting_position="LATEST", full_document=full_document)
    orders.update_one({"_id": 1}, {"$set": {"qty": 3}})
    sim.run()
    change = rec.events[0]["events"][0]["event"]
    assert change["operationType"] == "update"
    assert change["updateDescription"] == {"updatedFields": {"qty": 3}, "removedFields": []}
    assert change.get("fullDocument") == expected


def test_replace_and_delete(sim):
    """C1: replace carries the new document, delete only the document key."""
    orders = sim.docdb_cluster("c").collection("shop", "orders")
    rec = Recorder()
    sim.map(orders, sim.function(rec, name="f"), maximum_batching_window_in_seconds=0)
    orders.insert_one({"_id": "a", "v": 1})
    orders.replace_one({"_id": "a"}, {"v": 2})
    orders.delete_one({"_id": "a"})
    sim.run()
    changes = [i["event"] for e in rec.events for i in e["events"]]
    assert [c["operationType"] for c in changes] == ["insert", "replace", "delete"]
    assert changes[1]["fullDocument"] == {"_id": "a", "v": 2}
    assert "fullDocument" not in changes[2]


def test_filtering_refused(sim):
    """C6: Lambda doesn't support event filtering for Amazon DocumentDB."""
    orders = sim.docdb_cluster("c").collection("shop", "orders")
    with pytest.raises(ConfigError, match="doesn't support event filtering for Amazon DocumentDB"):
        sim.map(orders, sim.function(Recorder(), name="f"), filter_criteria=[{"operationType": ["insert"]}])
    with pytest.raises(ConfigError, match="bisect_batch_on_function_error=True is not supported for Amazon DocumentDB"):
        sim.map(orders, sim.function(Recorder(), name="g"), bisect_batch_on_function_error=True)


def test_sequential_one_invocation_at_a_time(sim):
    """C3: events are processed in arrival order, one invocation at a time."""
    cluster = sim.docdb_cluster("c")
    rec = Recorder()
    sim.map(cluster.database("shop"), sim.function(rec, name="f", base_duration=2.0, timeout=10), batch_size=2,
            maximum_batching_window_in_seconds=0)
    for i in range(6):
        cluster.collection("shop", "a" if i % 2 else "b").insert_one({"_id": i})
    sim.run()
    ids = [i["event"]["documentKey"]["_id"] for e in rec.events for i in e["events"]]
    assert ids == list(range(6))
    attempts = sim.ledger.attempts
    assert all(a.end_ns <= b.start_ns for a, b in itertools.pairwise(attempts))


def test_retries_until_success(sim):
    """C4: a failed batch is retried until it succeeds."""
    orders = sim.docdb_cluster("c").collection("shop", "orders")
    calls: list[float] = []

    def handler(event: Any, context: Any) -> None:
        calls.append(sim.now)
        if len(calls) < 4:
            raise RuntimeError("down")

    sim.map(orders, sim.function(handler, name="f"), maximum_batching_window_in_seconds=0)
    orders.insert_one({"_id": 1})
    sim.run()
    assert len(calls) == 4
    fates = list(sim.ledger.fates.values())
    assert [(f.status, f.attempts) for f in fates] == [("succeeded", 4)]


def test_expired_position_disables_mapping(sim):
    """C4/C8: when the change stream no longer holds the position, the mapping is disabled (not skipped past)."""
    cluster = sim.docdb_cluster("c", change_stream_log_retention_duration=3_600)
    orders = cluster.collection("shop", "orders")

    def handler(event: Any, context: Any) -> None:
        raise RuntimeError("poison")

    mapping = sim.map(orders, sim.function(handler, name="f"), maximum_batching_window_in_seconds=0)
    orders.insert_one({"_id": 1})
    sim.run()
    assert mapping.state == "Disabled"
    assert "no longer holds this mapping's position" in mapping.state_transition_reason
    fate = next(iter(sim.ledger.fates.values()))
    assert (fate.status, fate.condition) == ("expired", "RecordExpired")
    assert 3_600 <= sim.now <= 3_620
    with pytest.raises(ConfigError, match="create a new event source mapping"):
        mapping.enable()


def test_starting_positions(sim):
    """C5: LATEST reads only new events; TRIM_HORIZON from the oldest event the log still holds."""
    orders = sim.docdb_cluster("c").collection("shop", "orders")
    orders.insert_one({"_id": 1})
    latest, horizon = Recorder(), Recorder()
    sim.map(orders, sim.function(latest, name="l"), starting_position="LATEST")
    sim.map(orders, sim.function(horizon, name="h"), starting_position="TRIM_HORIZON")
    orders.insert_one({"_id": 2})
    sim.run()
    assert [i["event"]["documentKey"]["_id"] for e in latest.events for i in e["events"]] == [2]
    assert [i["event"]["documentKey"]["_id"] for e in horizon.events for i in e["events"]] == [1, 2]


def test_database_and_collection_names_checked(sim):
    """C2: DatabaseName 1..63 without space / \\ . $ "; CollectionName 1..57, not starting with system."""
    cluster = sim.docdb_cluster("c")
    with pytest.raises(ConfigError, match="database name is 1 to 63"):
        cluster.collection("bad.db", "x")
    with pytest.raises(ConfigError, match=r"not starting with 'system\.'"):
        cluster.collection("db", "system.profile")


def test_event_over_6_mb_is_dropped_and_counted(sim):
    """C2: change events over 6 MB are dropped and counted in OversizedRecordCount."""
    orders = sim.docdb_cluster("c").collection("shop", "orders")
    rec = Recorder()
    mapping = sim.map(orders, sim.function(rec, name="f"), maximum_batching_window_in_seconds=0)
    orders.insert_one({"_id": 1, "blob": "x" * 7_000_000})
    orders.insert_one({"_id": 2})
    sim.run()
    assert mapping.oversized_record_count == 1
    statuses = sorted((f.status.value, f.condition) for f in sim.ledger.fates.values())
    assert statuses == [("dropped", "OversizedRecord"), ("succeeded", None)]
    assert [i["event"]["documentKey"]["_id"] for e in rec.events for i in e["events"]] == [2]


def test_the_default_batching_window_is_500_ms(sim):
    """C2: MaximumBatchingWindowInSeconds defaults to 500 ms: a change written at 0 s is delivered at 0.5 s."""
    orders = sim.docdb_cluster("shop").collection("shop", "orders")
    mapping = sim.map(orders, sim.function(lambda e, c: None, name="f"))
    orders.insert_one({"sku": "A-1"})
    sim.run()
    assert mapping.config.maximum_batching_window_in_seconds is None
    assert [a.start for a in sim.ledger.attempts] == [0.5]
