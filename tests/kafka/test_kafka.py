"""The Kafka cluster resource and the Kafka mapping's engine: poison records, bisect, ordering, determinism."""

from __future__ import annotations

import itertools
import json
from collections import defaultdict
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lambdachaos import ConfigError, Sim
from lambdachaos.resources._kafka import murmur2, partition_for_key
from tests.kafka.conftest import Recorder, cluster, kafka_map, make_sim, values


@pytest.mark.parametrize(("data", "expected"), [
    (b"21", -973932308), (b"foobar", -790332482), (b"a-little-bit-long-string", -985981536),
    (b"a-little-bit-longer-string", -1486304829), (b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971),
    (b"abc", 479470107),
])
def test_murmur2_matches_kafka(data, expected):
    """Keyed records are placed by Kafka's murmur2 (the vectors of Kafka's own UtilsTest)."""
    assert murmur2(data) == expected


def test_keyed_records_share_a_partition_unkeyed_go_round_robin(sim):
    topic = cluster(sim).topic("t", partitions=4)
    keyed = [topic.produce(f"v{i}", key=b"customer-7") for i in range(3)]
    assert {r.partition for r in keyed} == {partition_for_key(b"customer-7", 4)}
    assert [r.offset for r in keyed] == [0, 1, 2]
    assert [topic.produce("x").partition for _ in range(4)] == [0, 1, 2, 3]
    with pytest.raises(ConfigError, match="partitions 0 to 3"):
        topic.produce("x", partition=4)


def test_log_append_time_replaces_producer_timestamp(sim):
    topic = cluster(sim).topic("t")
    sim.advance(2)
    record = topic.produce("x", timestamp_ms=5, timestamp_type="LOG_APPEND_TIME")
    assert record.timestamp_ms == sim.world.epoch_ms()


def test_poison_blocks_only_its_partition(sim):
    """A8: one poison record blocks its partition on the virtual clock while the other partitions complete."""
    topic = cluster(sim).topic("orders", partitions=4, retention_ms=24 * 3_600_000)
    rec = Recorder()
    kafka_map(sim, topic, sim.function(rec, name="f"), batch_size=10,
              provisioned_poller_config={"MinimumPollers": 4, "MaximumPollers": 4})
    for i in range(200):
        topic.produce("poison" if i == 42 else f"v{i}", partition=i % 4)
    sim.advance(3_600)
    fates = sim.ledger.fates
    blocked = 42 % 4
    for p in range(4):
        statuses = {fates[f"orders-{p}:{o}"].status.value for o in range(50)}
        assert statuses == ({"succeeded", "pending"} if p == blocked else {"succeeded"})
    assert fates[f"orders-{blocked}:{42 // 4 - 1}"].status == "succeeded"
    assert all(fates[f"orders-{blocked}:{o}"].status == "pending" for o in range(42 // 4, 50))
    retried = [a for a in sim.ledger.attempts if f"orders-{blocked}:{42 // 4}" in a.records]
    assert len(retried) > 100 and all(a.outcome == "function_error" for a in retried)


def test_bisect_isolates_poison_and_on_failure_record_is_documented(sim):
    """A4/A8: with provisioned controls, bisect isolates the poison record; the SQS record has the documented shape."""
    c = cluster(sim)
    topic = c.topic("orders", partitions=2)
    failures = sim.sqs_queue("failures")
    rec = Recorder()
    fn = sim.function(rec, name="f")
    kafka_map(sim, topic, fn, batch_size=8, maximum_batching_window_in_seconds=0, bisect_batch_on_function_error=True,
              maximum_retry_attempts=0, on_failure=failures,
              provisioned_poller_config={"MinimumPollers": 2, "MaximumPollers": 2})
    for i in range(16):
        topic.produce("poison" if i == 6 else f"v{i}", partition=i % 2)
    sim.run()
    fates = sim.ledger.fates
    failed = [k for k, f in fates.items() if f.status != "succeeded"]
    assert failed == ["orders-0:3"]
    assert fates["orders-0:3"].status == "on_failure"
    (message,) = failures.history
    record = json.loads(message.body)
    assert record["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert record["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"}
    assert record["KafkaBatchInfo"]["batchSize"] == 1
    assert record["KafkaBatchInfo"]["recordsInfo"] == {"orders-0": {
        "firstRecordOffset": "3", "lastRecordOffset": "3", "firstRecordTimestamp": "2026-01-01T00:00:00.000Z",
        "lastRecordTimestamp": "2026-01-01T00:00:00.000Z"}}
    depths = [a.bisect_depth for a in sim.ledger.attempts if "orders-0:3" in a.records]
    assert depths == [0, 1, 2, 3]


def test_partition_never_in_two_batches_in_flight(sim):
    """A3: a partition is in at most one in-flight batch, with many pollers and slow invocations."""
    topic = cluster(sim).topic("t", partitions=3)
    kafka_map(sim, topic, sim.function(lambda e, c: None, name="f", base_duration=2.0, timeout=10), batch_size=5,
              maximum_batching_window_in_seconds=0,
              provisioned_poller_config={"MinimumPollers": 6, "MaximumPollers": 6})
    for i in range(90):
        topic.produce(f"v{i}", partition=i % 3)
    sim.run()
    spans: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for a in sim.ledger.attempts:
        for p in {r.split(":")[0] for r in a.records}:
            spans[p].append((a.start_ns, a.end_ns))
    for runs in spans.values():
        runs.sort()
        assert all(prev[1] <= nxt[0] for prev, nxt in itertools.pairwise(runs))


def _run(seed: int) -> str:
    with make_sim(seed) as sim:
        topic = cluster(sim).topic("t", partitions=3, retention_ms=120_000)
        kafka_map(sim, topic, sim.function(Recorder(), name="f"), batch_size=4)
        for i in range(30):
            topic.produce("poison" if i == 7 else f"v{i}", key=f"k{i % 5}")
        sim.run()
        return json.dumps([(k, f.status.value, f.attempts, f.at_ns) for k, f in sorted(sim.ledger.fates.items())])


def test_same_seed_same_ledger():
    assert _run(3) == _run(3)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    partitions=st.integers(1, 4),
    plan=st.lists(st.tuples(st.integers(0, 3), st.booleans()), min_size=1, max_size=40),
    batch_size=st.integers(1, 6),
    provisioned=st.booleans(),
    bisect=st.booleans(),
    retries=st.integers(-1, 3),
    partial=st.booleans(),
)
def test_property_order_and_one_fate(partitions, plan, batch_size, provisioned, bisect, retries, partial):
    """Per partition, the first successful processing follows offset order; every record has exactly one fate."""
    partial = partial and provisioned
    first_ok: dict[int, list[int]] = defaultdict(list)
    done: set[tuple[int, int]] = set()

    def handler(event: Any, context: Any) -> Any:
        bad = [(k, o) for k, o, v in values(event) if v.startswith(b"bad")]
        if bad and not partial:
            raise RuntimeError("bad record")
        failed = {k: min(o for kk, o in bad if kk == k) for k, _ in bad}
        for k, o, _ in values(event):
            p = int(k.rsplit("-", 1)[1])
            if (k not in failed or o < failed[k]) and (p, o) not in done:
                done.add((p, o))
                first_ok[p].append(o)
        return {"batchItemFailures": [{"itemIdentifier": {"partition": k, "offset": o}} for k, o in bad]}

    with make_sim(5) as sim:
        topic = cluster(sim).topic("t", partitions=partitions, retention_ms=300_000)
        extra: dict[str, Any] = {}
        if provisioned:
            extra = {"provisioned_poller_config": {"MinimumPollers": 2, "MaximumPollers": 4},
                     "bisect_batch_on_function_error": bisect, "maximum_retry_attempts": retries}
            if partial:
                extra["function_response_types"] = ["ReportBatchItemFailures"]
        kafka_map(sim, topic, sim.function(handler, name="f"), batch_size=batch_size,
                  maximum_batching_window_in_seconds=0, **extra)
        produced = [topic.produce(("bad" if bad else "ok") + str(i), partition=p % partitions)
                    for i, (p, bad) in enumerate(plan)]
        sim.run()
        fates = sim.ledger.fates
        assert sorted(fates) == sorted(r.event_id for r in produced)
        assert all(f.status != "pending" for f in fates.values())
        for p, offsets in first_ok.items():
            assert offsets == sorted(offsets), (p, offsets)
        succeeded = {(int(k.split(":")[0].rsplit("-", 1)[1]), int(k.split(":")[1]))
                     for k, f in fates.items() if f.status == "succeeded"}
        assert succeeded <= done


@pytest.mark.skipif(not hasattr(Sim, "kafka_cluster"), reason="Sim gets PollSourceFactories among its bases")
def test_sim_kafka_cluster_and_map():
    """``sim.kafka_cluster`` on ``Sim`` itself, mapped through ``sim.map`` (the source table's Kafka row)."""
    with Sim(seed=1) as sim:
        topic = sim.kafka_cluster("payments").topic("orders", partitions=3)  # type: ignore[attr-defined]
        sim.map(topic, sim.function(lambda e, c: None, name="f"), batch_size=10)
        record = topic.produce(b"x", key=b"k")
        sim.run()
        assert sim.ledger.fate(record.event_id).status == "succeeded"


def test_map_refuses_settings_kafka_lacks(sim):
    """``sim.map`` refuses a setting Kafka does not have, naming it and the source."""
    topic = cluster(sim).topic("t")
    with pytest.raises(ConfigError, match=r"parallelization_factor=2 is not supported for Apache Kafka"):
        sim.map(topic, sim.function(lambda e, c: None, name="f"), parallelization_factor=2)
    with pytest.raises(ConfigError, match="a Kafka cluster with this name already exists"):
        sim.kafka_cluster("demo")


def test_assertions_per_partition_and_expired_counts_as_lost(sim):
    """``assert_ordered(by="partition", keys=topic)`` checks each partition's order; an expired record is lost."""
    from lambdachaos.plugins import assert_nothing_lost, assert_ordered

    topic = cluster(sim).topic("t", partitions=3, retention_ms=120_000)
    kafka_map(sim, topic, sim.function(Recorder(), name="f"), batch_size=3)
    for i in range(12):
        topic.produce(f"v{i}", key=f"k{i % 4}")
    sim.run()
    assert_ordered(sim.ledger, by="partition", keys=topic)
    topic.produce("poison")
    sim.run()
    with pytest.raises(AssertionError, match="expired"):
        assert_nothing_lost(sim.ledger)


def test_summary_ledger_keeps_expired_fates():
    with Sim(seed=1, ledger="summary") as sim:
        sim_topic = cluster(sim).topic("t", retention_ms=60_000)  # type: ignore[arg-type]
        kafka_map(sim, sim_topic, sim.function(Recorder(), name="f"))
        record = sim_topic.produce("poison")
        sim.run()
        assert sim.ledger.fate(record.event_id).status == "expired"
        assert [f.event_id for f in sim.ledger.failed_fates()] == [record.event_id]


def test_html_report_shows_expired_records(sim):
    """The HTML report draws a Kafka run whose blocked partition expired."""
    from lambdachaos.reports import Figures, render_page

    topic = cluster(sim).topic("t", partitions=2, retention_ms=60_000)
    kafka_map(sim, topic, sim.function(Recorder(), name="f"), batch_size=2)
    topic.produce("poison", partition=0)
    topic.produce("fine", partition=1)
    sim.run()
    page = render_page("kafka", "passed", 1, [sim.ledger], Figures())
    assert "✗ expired" in page and "t-0:0" in page
