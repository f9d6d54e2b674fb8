"""Stream mappings with an S3 bucket as on-failure destination (docs/aws-behaviour.md §6.6)."""

from __future__ import annotations

import json
import re

import boto3
import pytest

from lambdachaos import Sim
from lambdachaos._errors import ConfigError

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"


def key_pattern(mapping, shard_id):
    return re.compile(
        rf"aws/lambda/{re.escape(mapping.uuid)}/{re.escape(shard_id)}/"
        rf"(\d{{4}})/(\d{{2}})/(\d{{2}})/\1-\2-\3T\d{{2}}\.\d{{2}}\.\d{{2}}-{UUID}"
    )


def failing(event, context):
    raise RuntimeError("nope")


def test_kinesis_failure_object_is_the_record_plus_the_invocation_event_as_a_json_string():
    with Sim(seed=1) as sim:
        stream = sim.kinesis_stream("orders")
        bucket = sim.s3_bucket("failures")
        events = []

        def handler(event, context):
            events.append(event)
            raise RuntimeError("nope")

        mapping = sim.map(stream, sim.function(handler, name="consumer"), on_failure=bucket, batch_size=2,
                          maximum_retry_attempts=1)
        records = stream.put(["a", "b"])
        sim.run()
        (key,) = bucket.keys
        shard_id = records[0].shard.shard_id
        assert key_pattern(mapping, shard_id).fullmatch(key)
        assert key.split("/")[4:7] == ["2026", "01", "01"] and "/2026-01-01T00.00.01-" in key
        body = json.loads(bucket.body(key))
        assert list(body) == ["requestContext", "responseContext", "version", "timestamp", "KinesisBatchInfo",
                              "payload"]
        assert body["requestContext"]["condition"] == "RetryAttemptsExhausted"
        assert body["requestContext"]["approximateInvokeCount"] == 2
        assert body["KinesisBatchInfo"]["batchSize"] == 2
        assert body["KinesisBatchInfo"]["shardId"] == shard_id
        assert isinstance(body["payload"], str)
        assert json.loads(body["payload"]) == events[-1]
        assert [r["eventSource"] for r in json.loads(body["payload"])["Records"]] == ["aws:kinesis"] * 2
        (delivery,) = sim.ledger.deliveries
        assert delivery.target == bucket.arn and delivery.message_id == key and delivery.ok
        assert sim.ledger.fate(records[0].event_id).destinations == (bucket.arn,)
        assert sim.ledger.fate(records[0].event_id).status == "on_failure"
        # The object is in moto too: boto3 reads the same bytes.
        got = boto3.client("s3").get_object(Bucket="failures", Key=key)["Body"].read()
        assert got == bucket.body(key)


def test_dynamodb_failure_object_carries_ddb_batch_info_and_the_stream_event():
    with Sim(seed=2) as sim:
        table = sim.dynamodb_table("Orders")
        bucket = sim.s3_bucket("ddb-failures")
        mapping = sim.map(table, sim.function(failing, name="f"), maximum_retry_attempts=0, on_failure=bucket)
        record = table.put_item({"pk": "o1"})
        sim.run()
        (key,) = bucket.keys
        assert key_pattern(mapping, record.shard.shard_id).fullmatch(key)
        body = json.loads(bucket.body(key))
        assert list(body) == ["requestContext", "responseContext", "version", "timestamp", "DDBStreamBatchInfo",
                              "payload"]
        assert body["DDBStreamBatchInfo"]["startSequenceNumber"] == record.sequence_number
        assert body["DDBStreamBatchInfo"]["approximateArrivalOfFirstRecord"] == "2026-01-01T00:00:00Z"
        (event_record,) = json.loads(body["payload"])["Records"]
        assert event_record["eventSource"] == "aws:dynamodb"
        assert event_record["dynamodb"]["SequenceNumber"] == record.sequence_number
        got = boto3.client("s3").get_object(Bucket="ddb-failures", Key=key)["Body"].read()
        assert json.loads(got) == body


def test_record_age_exceeded_object_has_no_response_context_and_renders_the_discarded_records():
    with Sim(seed=4) as sim:
        stream = sim.kinesis_stream("orders")
        bucket = sim.s3_bucket("failures")
        fn = sim.function(failing, name="consumer")
        stream.put(["old"])
        sim.advance(120)
        sim.map(stream, fn, on_failure=bucket, maximum_record_age_in_seconds=60, maximum_retry_attempts=0)
        sim.run()
        (key,) = bucket.keys
        body = json.loads(bucket.body(key))
        assert "responseContext" not in body
        assert body["requestContext"]["condition"] == "RecordAgeExceeded"
        assert len(json.loads(body["payload"])["Records"]) == 1


def test_each_discarded_batch_gets_its_own_object():
    with Sim(seed=5) as sim:
        stream = sim.kinesis_stream("orders")
        bucket = sim.s3_bucket("failures")
        sim.map(stream, sim.function(failing, name="consumer"), on_failure=bucket, batch_size=1,
                maximum_retry_attempts=0)
        stream.put(["a", "b", "c"])
        sim.run()
        assert len(bucket.keys) == 3
        assert sorted(json.loads(bucket.body(k))["KinesisBatchInfo"]["batchSize"] for k in bucket.keys) == [1] * 3


def test_the_object_reaches_a_notification_on_the_bucket():
    with Sim(seed=6) as sim:
        stream = sim.kinesis_stream("orders")
        bucket = sim.s3_bucket("failures")
        seen = []
        bucket.add_notification(lambda event, config: seen.append(event["Records"][0]["s3"]["object"]["key"]))
        sim.map(stream, sim.function(failing, name="consumer"), on_failure=bucket, maximum_retry_attempts=0)
        stream.put(["a"])
        sim.run()
        assert seen == bucket.keys


def test_a_fifo_queue_is_still_refused_as_stream_on_failure_destination():
    with Sim(seed=1) as sim:
        stream = sim.kinesis_stream("orders")
        queue = sim.sqs_queue("f.fifo")
        pattern = (r"^on_failure='arn:aws:sqs:[^']*:f\.fifo': DestinationConfig\.OnFailure for Amazon Kinesis must be "
                   r"a standard SQS queue, a standard SNS topic or an S3 bucket$")
        with pytest.raises(ConfigError, match=pattern):
            sim.map(stream, sim.function(failing, name="c"), on_failure=queue)
