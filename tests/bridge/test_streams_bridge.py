"""Conformance: the boto3 bridge on sim Kinesis streams (docs/aws-behaviour.md §6, §11, Kinesis)."""

from __future__ import annotations

import base64
import json
from datetime import datetime

import boto3
import pytest
from botocore.exceptions import ClientError

from lambdachaos import Sim


@pytest.fixture
def sim():
    with Sim(seed=5) as s:
        yield s


def test_put_record_answers_with_the_shard_and_a_56_digit_sequence_number(sim):
    stream = sim.kinesis_stream("clicks", shards=2)
    out = boto3.client("kinesis").put_record(StreamName="clicks", Data=b"hello", PartitionKey="user-1")
    assert set(out) == {"ShardId", "SequenceNumber", "ResponseMetadata"}
    assert out["ShardId"] == stream.shard_for("user-1").shard_id
    assert len(out["SequenceNumber"]) == 56 and out["SequenceNumber"].isdigit()
    assert [r.data for r in stream.shard_for("user-1").records] == [b"hello"]


def test_put_records_keeps_order_within_a_shard_and_reports_no_failures(sim):
    sim.kinesis_stream("clicks")
    entries = [{"Data": json.dumps({"n": i}).encode(), "PartitionKey": "k"} for i in range(5)]
    out = boto3.client("kinesis").put_records(StreamARN=sim.world.arn("kinesis", "stream/clicks"), Records=entries)
    assert out["FailedRecordCount"] == 0
    sequences = [r["SequenceNumber"] for r in out["Records"]]
    assert sequences == sorted(sequences) and len(set(sequences)) == 5
    assert {r["ShardId"] for r in out["Records"]} == {"shardId-000000000000"}


def test_get_records_returns_bytes_datetimes_and_millis_behind_latest(sim):
    sim.kinesis_stream("clicks")
    kinesis = boto3.client("kinesis")
    kinesis.put_record(StreamName="clicks", Data=b"a", PartitionKey="k")
    sim.run(until=2.5)
    kinesis.put_record(StreamName="clicks", Data="b", PartitionKey="k")
    iterator = kinesis.get_shard_iterator(StreamName="clicks", ShardId="shardId-000000000000",
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    page = kinesis.get_records(ShardIterator=iterator, Limit=1)
    assert [r["Data"] for r in page["Records"]] == [b"a"]
    record = page["Records"][0]
    assert isinstance(record["ApproximateArrivalTimestamp"], datetime)
    assert record["ApproximateArrivalTimestamp"].timestamp() == sim.world.epoch_ns / 1e9
    assert record["PartitionKey"] == "k"
    assert page["MillisBehindLatest"] == 2500
    rest = kinesis.get_records(ShardIterator=page["NextShardIterator"])
    assert [r["Data"] for r in rest["Records"]] == [b"b"]
    assert rest["MillisBehindLatest"] == 0
    empty = kinesis.get_records(ShardIterator=rest["NextShardIterator"])
    assert empty["Records"] == []


def test_shard_iterator_types_after_sequence_number_and_at_timestamp(sim):
    sim.kinesis_stream("clicks")
    kinesis = boto3.client("kinesis")
    first = kinesis.put_record(StreamName="clicks", Data=b"1", PartitionKey="k")["SequenceNumber"]
    sim.run(until=10)
    kinesis.put_record(StreamName="clicks", Data=b"2", PartitionKey="k")

    def read(**kw):
        it = kinesis.get_shard_iterator(StreamName="clicks", ShardId="shardId-000000000000", **kw)["ShardIterator"]
        return [r["Data"] for r in kinesis.get_records(ShardIterator=it)["Records"]]

    assert read(ShardIteratorType="AT_SEQUENCE_NUMBER", StartingSequenceNumber=first) == [b"1", b"2"]
    assert read(ShardIteratorType="AFTER_SEQUENCE_NUMBER", StartingSequenceNumber=first) == [b"2"]
    at = datetime.fromtimestamp(sim.world.epoch_ns / 1e9 + 5)
    assert read(ShardIteratorType="AT_TIMESTAMP", Timestamp=at) == [b"2"]
    assert read(ShardIteratorType="LATEST") == []


def test_describe_stream_summary_and_list_shards_describe_the_sim_stream(sim):
    stream = sim.kinesis_stream("clicks", shards=3, retention_period_hours=48)
    kinesis = boto3.client("kinesis")
    summary = kinesis.describe_stream_summary(StreamName="clicks")["StreamDescriptionSummary"]
    assert (summary["StreamARN"], summary["StreamStatus"], summary["OpenShardCount"], summary["RetentionPeriodHours"]) \
        == (stream.arn, "ACTIVE", 3, 48)
    shards = kinesis.list_shards(StreamName="clicks")["Shards"]
    assert [s["ShardId"] for s in shards] == [f"shardId-{i:012d}" for i in range(3)]
    assert shards[0]["HashKeyRange"]["StartingHashKey"] == "0"
    assert shards[-1]["HashKeyRange"]["EndingHashKey"] == str(2**128 - 1)
    description = kinesis.describe_stream(StreamName="clicks")["StreamDescription"]
    assert description["Shards"] == shards and description["HasMoreShards"] is False


def test_an_unknown_stream_fails_with_aws_resource_not_found_when_moto_is_not_running(sim):
    with pytest.raises(ClientError, match=r"^An error occurred \(ResourceNotFoundException\) when calling the "
                                          r"PutRecord operation: Stream nope under account 123456789012 not found\.$"):
        boto3.client("kinesis").put_record(StreamName="nope", Data=b"x", PartitionKey="k")
    assert not sim._bridge.moto_started


def test_a_handler_putting_records_feeds_a_kinesis_mapping(sim):
    stream = sim.kinesis_stream("out")
    seen = []
    producer = sim.function(
        lambda event, context: boto3.client("kinesis").put_record(StreamName="out", Data=b"x", PartitionKey="p")
        and None, name="producer")
    consumer = sim.function(lambda event, context: seen.extend(r["kinesis"]["data"] for r in event["Records"]),
                            name="consumer")
    sim.map(stream, consumer, batch_size=10)
    producer.invoke({})
    sim.run()
    assert [base64.b64decode(d) for d in seen] == [b"x"]
