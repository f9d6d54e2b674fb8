"""Kafka event source mappings against AWS's facts and the project's decisions, one test each.

Each docstring names the fact section it checks: A1-A8 Kafka, B1-B8 Amazon MQ, C1-C8 DocumentDB (event shape,
batching, order and concurrency, errors, starting position, filtering, validation, poison behaviour), as
summarised with their AWS pages in docs/aws-behaviour.md, "Kafka, Amazon MQ and DocumentDB event sources";
"decision" marks a row of that table that lambdachaos decides.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from lambdachaos import ConfigError
from tests.kafka.conftest import PROVISIONED, Recorder, cluster, kafka_map, values


def ok(event: Any, context: Any) -> None:
    return None


def test_msk_event_shape(sim):
    """A1: MSK event keys and order, records under "<topic>-<partition>", base64 key/value, signed header bytes."""
    c = cluster(sim)
    topic = c.topic("orders", partitions=2)
    rec = Recorder()
    kafka_map(sim, topic, sim.function(rec, name="f"))
    topic.produce(b"hello", key=b"k1", partition=1, headers=[("h", bytes([118, 220, 0, 127, 128]))],
                  timestamp_ms=1_545_084_650_987)
    sim.run()
    event = rec.events[0]
    assert list(event) == ["eventSource", "eventSourceArn", "bootstrapServers", "records"]
    assert event["eventSource"] == "aws:kafka"
    assert event["eventSourceArn"] == c.arn and c.arn.startswith("arn:aws:kafka:us-east-1:123456789012:cluster/demo/")
    assert event["bootstrapServers"] == ",".join(c.bootstrap_servers)
    assert event["records"] == {"orders-1": [{
        "topic": "orders", "partition": 1, "offset": 0, "timestamp": 1_545_084_650_987,
        "timestampType": "CREATE_TIME", "key": base64.b64encode(b"k1").decode(),
        "value": base64.b64encode(b"hello").decode(), "headers": [{"h": [118, -36, 0, 127, -128]}]}]}


def test_self_managed_event_has_no_arn(sim):
    """A1: self-managed Kafka sends eventSource "SelfManagedKafka" and no eventSourceArn; a null key is left out."""
    c = cluster(sim, self_managed=True, bootstrap_servers=["kafka-1.example.com:9092", "kafka-2.example.com:9092"])
    topic = c.topic("orders")
    rec = Recorder()
    mapping = kafka_map(sim, topic, sim.function(rec, name="f"))
    topic.produce(b"v")
    sim.run()
    event = rec.events[0]
    assert list(event) == ["eventSource", "bootstrapServers", "records"]
    assert event["eventSource"] == "SelfManagedKafka"
    assert event["bootstrapServers"] == "kafka-1.example.com:9092,kafka-2.example.com:9092"
    assert "key" not in event["records"]["orders-0"][0]
    assert mapping.event_source_arn is None


@pytest.mark.parametrize("size", [0, 10_001, True])
def test_batch_size_range(sim, size):
    """A2: BatchSize is 1..10,000."""
    topic = cluster(sim).topic("t")
    with pytest.raises(ConfigError, match=r"batch_size=.*BatchSize must be between 1 and 10,000"):
        kafka_map(sim, topic, sim.function(ok, name="f"), batch_size=size)


def test_default_window_is_500_ms(sim):
    """A2: MaximumBatchingWindowInSeconds defaults to 500 ms; a set window is 0..300 whole seconds."""
    topic = cluster(sim).topic("t")
    rec = Recorder()
    kafka_map(sim, topic, sim.function(rec, name="f"))
    topic.produce(b"a")
    sim.run()
    assert [a.start for a in sim.ledger.attempts] == [0.5]
    with pytest.raises(ConfigError, match="MaximumBatchingWindowInSeconds must be between 0 and 300"):
        kafka_map(sim, topic, sim.function(ok, name="g"), maximum_batching_window_in_seconds=301)


def test_batch_stays_within_6_mb(sim):
    """A2: Lambda gathers records until 6 MB; each batch's records fit in one synchronous payload."""
    topic = cluster(sim).topic("t")
    rec = Recorder()
    kafka_map(sim, topic, sim.function(rec, name="f"), batch_size=100, maximum_batching_window_in_seconds=0)
    for _ in range(5):
        topic.produce(b"x" * 2_000_000)
    sim.run()
    assert [len(values(e)) for e in rec.events] == [2, 2, 1]
    assert all(len(json.dumps(e)) <= 6_291_456 for e in rec.events)


def test_batch_spans_partitions_each_contiguous(sim):
    """A2 and decision: a batch may hold several partitions, each run contiguous and in offset order."""
    topic = cluster(sim).topic("t", partitions=3)
    rec = Recorder()
    kafka_map(sim, topic, sim.function(rec, name="f"), batch_size=9, maximum_batching_window_in_seconds=0)
    for i in range(9):
        topic.produce(f"v{i}", partition=i % 3)
    sim.run()
    assert len(rec.events) == 1
    assert {k: [r["offset"] for r in v] for k, v in rec.events[0]["records"].items()} == {
        "t-0": [0, 1, 2], "t-1": [0, 1, 2], "t-2": [0, 1, 2]}


def test_offsets_committed_after_success(sim):
    """A3/A5: offsets are committed to the consumer group (default ConsumerGroupId: the UUID) after each batch."""
    c = cluster(sim)
    topic = c.topic("t", partitions=2)
    mapping = kafka_map(sim, topic, sim.function(ok, name="f"), batch_size=2, maximum_batching_window_in_seconds=0)
    for i in range(5):
        topic.produce(f"v{i}", partition=0)
    sim.run()
    assert mapping.consumer_group_id == mapping.uuid
    assert c.committed(mapping.uuid, "t", 0) == 5
    assert c.committed(mapping.uuid, "t", 1) is None


def test_on_demand_pollers_scale_with_lag(sim):
    """A3: on-demand mode starts with one poller and, evaluated every minute, grows to one per lagging partition."""
    topic = cluster(sim).topic("t", partitions=4)
    mapping = kafka_map(sim, topic, sim.function(lambda e, c: None, name="f", base_duration=10.0, timeout=60),
                        batch_size=1, maximum_batching_window_in_seconds=0)
    for i in range(40):
        topic.produce(f"v{i}", partition=i % 4)
    sim.run()
    assert mapping.pollers_history[:2] == [(0.0, 1), (60.0, 4)]


def test_provisioned_starts_at_minimum_pollers(sim):
    """A3: provisioned mode starts with MinimumPollers; MinimumPollers 1..200, MaximumPollers 1..2,000."""
    topic = cluster(sim).topic("t", partitions=4)
    mapping = kafka_map(sim, topic, sim.function(ok, name="f"),
                        provisioned_poller_config={"MinimumPollers": 3, "MaximumPollers": 5})
    assert mapping.pollers == 3
    with pytest.raises(ConfigError, match=r"MaximumPollers must be between 1 and 2,000"):
        kafka_map(sim, topic, sim.function(ok, name="g"),
                  provisioned_poller_config={"MaximumPollers": 2001})
    with pytest.raises(ConfigError, match=r"MinimumPollers must be between 1 and 200"):
        kafka_map(sim, topic, sim.function(ok, name="h"), provisioned_poller_config={"MinimumPollers": 0})


@pytest.mark.parametrize("setting", [
    {"maximum_retry_attempts": 2}, {"maximum_record_age_in_seconds": 60}, {"bisect_batch_on_function_error": True},
    {"function_response_types": ["ReportBatchItemFailures"]}, {"on_failure": "kafka://failures"},
])
def test_error_controls_need_provisioned_mode(sim, setting):
    """A4 and decision: retry controls and destinations are refused in on-demand mode (message names
    ProvisionedPollerConfig)."""
    topic = cluster(sim).topic("t")
    with pytest.raises(ConfigError, match=r"needs provisioned mode.*ProvisionedPollerConfig"):
        kafka_map(sim, topic, sim.function(ok, name="f"), **setting)


def test_maximum_retry_attempts(sim):
    """A4: MaximumRetryAttempts counts retries after the first attempt; then the batch is discarded."""
    topic = cluster(sim).topic("t")
    kafka_map(sim, topic, sim.function(Recorder(), name="f"), provisioned_poller_config=PROVISIONED,
              maximum_retry_attempts=2)
    poison = topic.produce(b"poison")
    sim.run()
    assert len(sim.ledger.attempts) == 3
    fate = sim.ledger.fate(poison.event_id)
    assert (fate.status, fate.condition, fate.attempts) == ("dropped", "RetryAttemptsExhausted", 3)


def test_infinite_retries_with_destination_cap_at_10(sim):
    """A4: infinite retries together with an on-failure destination are capped at 10 retries."""
    topic = cluster(sim).topic("t")
    failures = sim.sqs_queue("failures")
    kafka_map(sim, topic, sim.function(Recorder(), name="f"), provisioned_poller_config=PROVISIONED,
              on_failure=failures)
    poison = topic.produce(b"poison")
    sim.run()
    assert len(sim.ledger.attempts) == 11
    assert sim.ledger.fate(poison.event_id).status == "on_failure"


def test_record_age_condition(sim):
    """A4 and decision: MaximumRecordAgeInSeconds discards with condition RecordAgeExceeded (responseContext null)."""
    topic = cluster(sim).topic("t")
    failures = sim.sqs_queue("failures")
    kafka_map(sim, topic, sim.function(Recorder(), name="f"), provisioned_poller_config=PROVISIONED,
              maximum_record_age_in_seconds=60, on_failure=failures)
    poison = topic.produce(b"poison")
    sim.run()
    fate = sim.ledger.fate(poison.event_id)
    assert (fate.status, fate.condition) == ("on_failure", "RecordAgeExceeded")
    record = json.loads(failures.history[0].body)
    assert record["requestContext"]["condition"] == "RecordAgeExceeded"
    assert record["responseContext"] is None
    assert all(a.start < 60 for a in sim.ledger.attempts)


def test_sqs_failure_record_shape(sim):
    """A4: the SQS/SNS on-failure record: requestContext, responseContext, KafkaBatchInfo with recordsInfo."""
    c = cluster(sim)
    topic = c.topic("t", partitions=2)
    failures = sim.sqs_queue("failures")
    fn = sim.function(Recorder(), name="f")
    kafka_map(sim, topic, fn, provisioned_poller_config=PROVISIONED, maximum_retry_attempts=0, on_failure=failures,
              maximum_batching_window_in_seconds=0)
    topic.produce(b"a", partition=0, timestamp_ms=1_767_225_600_000)
    topic.produce(b"poison", partition=1, timestamp_ms=1_767_225_600_500)
    sim.run()
    record = json.loads(failures.history[0].body)
    assert list(record) == ["requestContext", "responseContext", "version", "timestamp", "KafkaBatchInfo"]
    assert record["requestContext"] == {"requestId": sim.ledger.attempts[0].request_id, "functionArn": fn.arn,
                                        "condition": "RetryAttemptsExhausted", "approximateInvokeCount": 1}
    assert record["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"}
    info = record["KafkaBatchInfo"]
    assert list(info) == ["batchSize", "eventSourceArn", "bootstrapServers", "payloadSize", "recordsInfo"]
    assert info["batchSize"] == 2 and info["eventSourceArn"] == c.arn
    assert info["recordsInfo"] == {
        "t-0": {"firstRecordOffset": "0", "lastRecordOffset": "0", "firstRecordTimestamp": "2026-01-01T00:00:00.000Z",
                "lastRecordTimestamp": "2026-01-01T00:00:00.000Z"},
        "t-1": {"firstRecordOffset": "0", "lastRecordOffset": "0", "firstRecordTimestamp": "2026-01-01T00:00:00.500Z",
                "lastRecordTimestamp": "2026-01-01T00:00:00.500Z"}}


def test_s3_failure_object_carries_whole_event(sim):
    """A4: an S3 destination gets the same record plus "payload", the whole event as a JSON string."""
    topic = cluster(sim).topic("t")
    bucket = sim.s3_bucket("failures")
    rec = Recorder()
    mapping = kafka_map(sim, topic, sim.function(rec, name="f"), provisioned_poller_config=PROVISIONED,
                        maximum_retry_attempts=0, on_failure=bucket)
    topic.produce(b"poison")
    sim.run()
    (key,) = bucket.keys
    assert key.startswith(f"aws/lambda/{mapping.uuid}/t-0/2026/01/01/")
    body = json.loads(bucket.body(key) or b"")
    assert json.loads(body["payload"]) == rec.events[0]


def test_kafka_topic_destination_message(sim):
    """A4: a kafka:// destination gets one message per failed record, condition RetriesExhausted, payload an object."""
    c = cluster(sim)
    topic = c.topic("t")
    failures = c.topic("failures", partitions=2)
    fn = sim.function(Recorder(), name="f")
    kafka_map(sim, topic, fn, provisioned_poller_config=PROVISIONED, maximum_retry_attempts=1,
              on_failure="kafka://failures", maximum_batching_window_in_seconds=0, batch_size=2)
    topic.produce(b"poison", key=b"k")
    topic.produce(b"other")
    sim.run()
    sent = [r for p in failures.partitions for r in p.records]
    assert len(sent) == 2
    first = next(r for r in sent if r.key == b"k")
    message = json.loads(first.value or b"")
    assert message["requestContext"]["condition"] == "RetriesExhausted"
    assert message["requestContext"]["functionArn"] == f"{fn.arn}:$LATEST"
    assert message["requestContext"]["approximateInvokeCount"] == 2
    assert message["KafkaBatchInfo"]["batchSize"] == 1
    assert message["KafkaBatchInfo"]["recordInfo"]["offset"] == "0"
    assert message["payload"]["records"]["t-0"][0]["value"] == base64.b64encode(b"poison").decode()
    assert list(message["payload"]["records"]["t-0"][0]) == sorted(message["payload"]["records"]["t-0"][0])
    assert sim.ledger.fate("t-0:0").destinations == ("kafka://failures",)
    # the documented message's keys, in its order
    assert list(message) == ["requestContext", "responseContext", "version", "timestamp", "KafkaBatchInfo", "payload"]
    assert list(message["requestContext"]) == ["requestId", "functionArn", "condition", "approximateInvokeCount"]
    assert message["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST",
                                          "functionError": "Unhandled"}
    assert message["version"] == "1.0"
    assert list(message["KafkaBatchInfo"]) == ["batchSize", "eventSourceArn", "bootstrapServers", "payloadSize",
                                               "recordInfo"]
    assert list(message["KafkaBatchInfo"]["recordInfo"]) == ["offset", "timestamp"]
    assert list(message["payload"]) == ["bootstrapServers", "eventSource", "eventSourceArn", "records"]
    assert list(message["payload"]["records"]) == ["t-0"] and len(message["payload"]["records"]["t-0"]) == 1


def test_partial_batch_restarts_each_partition_at_lowest_failed_offset(sim):
    """A4 and decision: after a partial failure each partition restarts at its lowest failed offset."""
    topic = cluster(sim).topic("t", partitions=2)
    calls: list[list[tuple[str, int, bytes]]] = []

    def handler(event: Any, context: Any) -> Any:
        calls.append(values(event))
        if len(calls) == 1:
            return {"batchItemFailures": [{"itemIdentifier": {"partition": "t-0", "offset": 1}},
                                          {"itemIdentifier": {"partition": "t-0", "offset": 2}}]}
        return {"batchItemFailures": []}

    kafka_map(sim, topic, sim.function(handler, name="f"), provisioned_poller_config=PROVISIONED,
              function_response_types=["ReportBatchItemFailures"], maximum_batching_window_in_seconds=0)
    for i in range(3):
        topic.produce(f"a{i}", partition=0)
    topic.produce(b"b0", partition=1)
    sim.run()
    assert [(k, o) for k, o, _ in calls[1]] == [("t-0", 1), ("t-0", 2)]
    assert [sim.ledger.fate(f"t-0:{i}").attempts for i in range(3)] == [1, 2, 2]
    assert sim.ledger.fate("t-1:0").attempts == 1


@pytest.mark.parametrize("response", [
    {"batchItemFailures": [{"itemIdentifier": {"partition": "t-9", "offset": 0}}]},
    {"batchItemFailures": [{"itemIdentifier": {"partition": "t-0", "offset": 99}}]},
    {"batchItemFailures": [{"itemIdentifier": "t-0:0"}]},
    {"batchItemFailures": [{"itemIdentifier": {"partition": "t-0", "offset": "0"}}]},  # the offset is a number
])
def test_unknown_item_identifier_fails_whole_batch(sim, response):
    """A4: an itemIdentifier not present in the invoked event fails the entire batch."""
    topic = cluster(sim).topic("t")
    kafka_map(sim, topic, sim.function(lambda e, c: response, name="f"), provisioned_poller_config=PROVISIONED,
              function_response_types=["ReportBatchItemFailures"], maximum_retry_attempts=1)
    topic.produce(b"a")
    sim.run()
    assert len(sim.ledger.attempts) == 2
    assert sim.ledger.fate("t-0:0").status == "dropped"


@pytest.mark.parametrize("response", [None, {}, {"batchItemFailures": None}, {"batchItemFailures": []}])
def test_empty_or_null_response_is_success(sim, response):
    """A4: an empty valid JSON or null means the batch was processed successfully."""
    topic = cluster(sim).topic("t")
    kafka_map(sim, topic, sim.function(lambda e, c: response, name="f"), provisioned_poller_config=PROVISIONED,
              function_response_types=["ReportBatchItemFailures"])
    topic.produce(b"a")
    sim.run()
    assert sim.ledger.fate("t-0:0").status == "succeeded"


def test_destination_must_be_kafka_topic_or_arn(sim):
    """A4: OnFailure is SQS, SNS, S3 or kafka://<topic>."""
    topic = cluster(sim).topic("t")
    with pytest.raises(ConfigError, match=r"DestinationConfig\.OnFailure for Kafka"):
        kafka_map(sim, topic, sim.function(ok, name="f"), provisioned_poller_config=PROVISIONED,
                  on_failure="arn:aws:events:us-east-1:123456789012:event-bus/default")


def test_starting_positions(sim):
    """A5: LATEST skips what is already there, TRIM_HORIZON (the default) reads from the oldest retained record."""
    topic = cluster(sim).topic("t")
    topic.produce(b"old")
    latest, horizon = Recorder(), Recorder()
    kafka_map(sim, topic, sim.function(latest, name="latest"), starting_position="LATEST")
    default = kafka_map(sim, topic, sim.function(horizon, name="horizon"))
    topic.produce(b"new")
    sim.run()
    assert [v for _, _, v in latest.seen()] == [b"new"]
    assert [v for _, _, v in horizon.seen()] == [b"old", b"new"]
    assert default.starting_position == "TRIM_HORIZON"


def test_at_timestamp(sim):
    """A5: AT_TIMESTAMP starts at the first record at or after StartingPositionTimestamp."""
    topic = cluster(sim).topic("t")
    topic.produce(b"early")
    sim.advance(10)
    topic.produce(b"late")
    rec = Recorder()
    kafka_map(sim, topic, sim.function(rec, name="f"), starting_position="AT_TIMESTAMP",
              starting_position_timestamp=5.0)
    sim.run()
    assert [v for _, _, v in rec.seen()] == [b"late"]


def test_existing_consumer_group_offsets_win(sim):
    """A5: with a consumer group that has committed offsets, StartingPosition is ignored; a group id serves one
    mapping at a time."""
    c = cluster(sim)
    topic = c.topic("t")
    first = kafka_map(sim, topic, sim.function(ok, name="f"), consumer_group_id="billing")
    topic.produce(b"a")
    sim.run()
    topic.produce(b"b")
    with pytest.raises(ConfigError, match="ConsumerGroupId must be unique among your Kafka event sources"):
        kafka_map(sim, topic, sim.function(ok, name="h"), consumer_group_id="billing")
    first.delete()
    rec = Recorder()
    kafka_map(sim, topic, sim.function(rec, name="g"), consumer_group_id="billing", starting_position="TRIM_HORIZON")
    sim.run()
    assert [v for _, _, v in rec.seen()] == [b"b"]


def test_filter_on_value_only(sim):
    """A6: only the value key can be filtered; filtered records get fate filtered and are committed with the next
    successful batch."""
    c = cluster(sim)
    topic = c.topic("t")
    rec = Recorder()
    mapping = kafka_map(sim, topic, sim.function(rec, name="f"),
                        filter_criteria={"Filters": [{"Pattern": json.dumps({"value": {"kind": ["order"]}})}]})
    topic.produce(json.dumps({"kind": "ping"}))
    sim.run()
    assert sim.ledger.fate("t-0:0").status == "filtered"
    assert c.committed(mapping.uuid, "t", 0) is None  # nothing invoked yet: the commit waits
    topic.produce(json.dumps({"kind": "order"}))
    sim.run()
    assert [v for _, _, v in rec.seen()] == [b'{"kind": "order"}']
    assert c.committed(mapping.uuid, "t", 0) == 2
    with pytest.raises(ConfigError, match="filtering on the 'value' key only"):
        kafka_map(sim, topic, sim.function(ok, name="g"), filter_criteria=[{"key": ["k"]}])


def test_poison_blocks_partition_until_retention_then_expired(sim):
    """A8 and decision: a failing record blocks its partition until it leaves retention; the partition then skips
    to the earliest retained offset and the skipped records get the fate expired."""
    topic = cluster(sim).topic("t", partitions=2, retention_ms=600_000)
    rec = Recorder()
    kafka_map(sim, topic, sim.function(rec, name="f"), batch_size=1, maximum_batching_window_in_seconds=0,
              provisioned_poller_config={"MinimumPollers": 2, "MaximumPollers": 2})
    topic.produce(b"poison", partition=0)
    topic.produce(b"after", partition=0)
    for i in range(3):
        topic.produce(f"ok{i}", partition=1)
    sim.advance(300)
    assert [sim.ledger.fate(f"t-1:{i}").status for i in range(3)] == ["succeeded"] * 3
    assert sim.ledger.fate("t-0:1").status == "pending"
    sim.advance(400)
    fates = [sim.ledger.fate(f"t-0:{i}") for i in range(2)]
    assert [(f.status, f.condition) for f in fates] == [("expired", "RecordExpired")] * 2
    topic.produce(b"fresh", partition=0)
    sim.run()
    assert sim.ledger.fate("t-0:2").status == "succeeded"


def test_single_record_over_6_mb_is_discarded_with_payload_condition(sim):
    """A8 and A4: a record too large for any 6 MB invocation goes unprocessed; with a destination the record says
    MaximumPayloadSizeExceeded and responseContext is null."""
    topic = cluster(sim).topic("t")
    failures = sim.sqs_queue("failures")
    rec = Recorder()
    kafka_map(sim, topic, sim.function(rec, name="f"), provisioned_poller_config=PROVISIONED, on_failure=failures,
              maximum_batching_window_in_seconds=0)
    big = topic.produce(b"x" * 5_000_000)
    small = topic.produce(b"ok")
    sim.run()
    fate = sim.ledger.fate(big.event_id)
    assert (fate.status, fate.condition, fate.attempts) == ("on_failure", "MaximumPayloadSizeExceeded", 0)
    assert [v for _, _, v in rec.seen()] == [b"ok"]
    assert sim.ledger.fate(small.event_id).status == "succeeded"
    record = json.loads(failures.messages[0].body)
    assert record["requestContext"]["condition"] == "MaximumPayloadSizeExceeded"
    assert record["responseContext"] is None


def test_timestamp_in_future_and_destination_equal_to_source_refused(sim):
    """A5: StartingPositionTimestamp cannot be in the future; A4: the kafka:// destination must not be the source
    topic."""
    topic = cluster(sim).topic("t")
    with pytest.raises(ConfigError, match="cannot be in the future"):
        kafka_map(sim, topic, sim.function(ok, name="f"), starting_position="AT_TIMESTAMP",
                  starting_position_timestamp=10.0)
    with pytest.raises(ConfigError, match="must not be the source topic 't'"):
        kafka_map(sim, topic, sim.function(ok, name="g"), provisioned_poller_config=PROVISIONED,
                  on_failure="kafka://t")


def test_throttles_take_a_poller_away(sim):
    """A3: Lambda reduces pollers when the function is throttled (one fewer at the next evaluation)."""
    topic = cluster(sim).topic("t", partitions=4)
    fn = sim.function(lambda e, c: None, name="f", base_duration=30.0, timeout=60, reserved_concurrency=2)
    mapping = kafka_map(sim, topic, fn, batch_size=1, maximum_batching_window_in_seconds=0,
                        provisioned_poller_config={"MinimumPollers": 1, "MaximumPollers": 4})
    for i in range(40):
        topic.produce(f"v{i}", partition=i % 4)
    sim.run()
    counts = [n for _, n in mapping.pollers_history]
    assert counts[:2] == [1, 4]
    assert 3 in counts[2:]
    assert all(f.status == "succeeded" for f in sim.ledger.fates.values())


def test_a_poller_group_holds_100_mappings_and_2000_pollers_at_most(sim):
    """A poller group (``PollerGroupName``) shares capacity: up to 100 mappings whose MaximumPollers add up to at
    most 2,000 (docs/aws-behaviour.md, Kafka provisioned mode)."""
    import pytest

    from lambdachaos import ConfigError

    topic = sim.kafka_cluster("c").topic("t")

    def group(maximum: int) -> dict[str, object]:
        return {"MinimumPollers": 1, "MaximumPollers": maximum, "PollerGroupName": "shared"}

    sim.map(topic, sim.function(lambda e, c: None, name="big"), provisioned_poller_config=group(1_500))
    with pytest.raises(ConfigError, match=r"MaximumPollers=600 takes PollerGroupName='shared' to 2100 pollers; "
                                          r"the MaximumPollers of a poller group's mappings add up to at most 2000"):
        sim.map(topic, sim.function(lambda e, c: None, name="over"), provisioned_poller_config=group(600))
    for i in range(99):
        sim.map(topic, sim.function(lambda e, c: None, name=f"f{i}"), provisioned_poller_config=group(5))
    with pytest.raises(ConfigError, match=r"PollerGroupName='shared' already holds 100 event source mappings; "
                                          r"a poller group holds at most 100"):
        sim.map(topic, sim.function(lambda e, c: None, name="f100"), provisioned_poller_config=group(1))
    sim.map(topic, sim.function(lambda e, c: None, name="other"),
            provisioned_poller_config={"MaximumPollers": 1_000, "PollerGroupName": "second"})


def test_the_events_a_kafka_mapping_delivers_validate_against_powertools_models(sim):
    """The delivered MSK and self-managed events parse with aws-lambda-powertools' Kafka models."""
    import pytest

    models = pytest.importorskip("aws_lambda_powertools.utilities.parser.models")
    seen: list[dict] = []
    msk = sim.kafka_cluster("msk").topic("orders", partitions=2)
    own = sim.kafka_cluster("own", self_managed=True, bootstrap_servers=["b-1.example:9092"]).topic("orders")
    sim.map(msk, sim.function(lambda e, c: seen.append(e), name="msk"))
    sim.map(own, sim.function(lambda e, c: seen.append(e), name="own"))
    msk.produce(b'{"id": 1}', key=b"k1", headers=[("trace", b"\xff\x01")])
    own.produce(b'{"id": 2}')
    sim.run()
    by_source = {e["eventSource"]: e for e in seen}
    parsed = models.KafkaMskEventModel.model_validate(by_source["aws:kafka"])
    assert [r.value for rs in parsed.records.values() for r in rs] == ['{"id": 1}']
    own_parsed = models.KafkaSelfManagedEventModel.model_validate(by_source["SelfManagedKafka"])
    assert [r.value for rs in own_parsed.records.values() for r in rs] == ['{"id": 2}']


@pytest.mark.parametrize("source", ["kafka", "mq", "docdb"])
def test_functions_with_a_timeout_over_14_minutes_are_refused(sim, source):
    """A2: Kafka, MQ and DocumentDB mappings support functions with a timeout of 14 minutes at most."""
    resource = {"kafka": lambda: cluster(sim).topic("t"), "mq": lambda: sim.mq_broker("b").queue("q"),
                "docdb": lambda: sim.docdb_cluster("d").collection("db", "c")}[source]()
    slow = sim.function(ok, name="slow", timeout=841)
    with pytest.raises(ConfigError, match=r"function 'slow' has Timeout=841 s: .* event source mappings support "
                                          r"functions with a timeout of at most 840 s \(14 minutes\)"):
        sim.map(resource, slow)
    sim.map(resource, sim.function(ok, name="fits", timeout=840))


def test_a_consumer_group_id_is_unique_across_all_kafka_event_sources(sim):
    """A5: ConsumerGroupId must be unique among all your Kafka event sources, whichever cluster they read."""
    first = sim.kafka_cluster("one").topic("t")
    second = sim.kafka_cluster("two").topic("t")
    mapping = sim.map(first, sim.function(ok, name="a"), consumer_group_id="orders")
    with pytest.raises(ConfigError, match=rf"consumer_group_id='orders': ConsumerGroupId must be unique among your "
                                          rf"Kafka event sources; event source mapping {mapping.uuid} uses it"):
        sim.map(second, sim.function(ok, name="b"), consumer_group_id="orders")
    sim.map(second, sim.function(ok, name="c"), consumer_group_id="billing")


@pytest.mark.parametrize(("setting", "value", "ok"), [
    ("maximum_retry_attempts", -1, True), ("maximum_retry_attempts", 0, True), ("maximum_retry_attempts", 10_000, True),
    ("maximum_retry_attempts", -2, False), ("maximum_retry_attempts", 10_001, False),
    ("maximum_record_age_in_seconds", -1, True), ("maximum_record_age_in_seconds", 60, True),
    ("maximum_record_age_in_seconds", 604_800, True), ("maximum_record_age_in_seconds", 59, False),
    ("maximum_record_age_in_seconds", 0, False), ("maximum_record_age_in_seconds", 604_801, False),
])
def test_error_control_ranges(sim, setting, value, ok):
    """A4: MaximumRetryAttempts -1 or 0..10,000; MaximumRecordAgeInSeconds -1 or 60..604,800."""
    topic = cluster(sim).topic("t")
    fn = sim.function(lambda e, c: None, name="f")
    if ok:
        assert getattr(kafka_map(sim, topic, fn, provisioned_poller_config=PROVISIONED, **{setting: value}).config,
                       setting) == value
    else:
        with pytest.raises(ConfigError, match=rf"{setting}={value}"):
            kafka_map(sim, topic, fn, provisioned_poller_config=PROVISIONED, **{setting: value})


def test_at_timestamp_without_a_timestamp_is_refused_in_aws_wording(sim):
    """A7: AT_TIMESTAMP without StartingPositionTimestamp: "Need to specify a timestamp" (recorded)."""
    with pytest.raises(ConfigError, match="Need to specify a timestamp"):
        sim.map(cluster(sim).topic("t"), sim.function(ok, name="f"), starting_position="AT_TIMESTAMP")
