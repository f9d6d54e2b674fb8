"""The Kinesis consumer applies records per customer in order and stops at a poison record: unit-style
with generated batch events (``fn.invoke``), and end to end through a stream and its mapping."""

from __future__ import annotations

import base64
import json

import pytest
from lambdachaos.generators import Order
from lambdachaos.plugins import assert_ordered
from orders_service import stream_consumer


@pytest.fixture
def consumer(lambda_sim):
    stream_consumer.TOTALS.clear()
    stream_consumer.APPLIED.clear()
    return lambda_sim.function(stream_consumer.handler, name="order-stream", timeout=60)


def test_a_clean_batch_is_applied_in_order(lambda_sim, lambda_events, consumer):
    event = lambda_events.kinesis.event(n=20, payload=Order, partition_keys=4)
    result = consumer.invoke(event)

    assert result.payload == {"batchItemFailures": []}
    assert [r["kinesis"]["sequenceNumber"] for r in event["Records"]] == stream_consumer.APPLIED
    keys = {r["kinesis"]["sequenceNumber"]: r["kinesis"]["partitionKey"] for r in event["Records"]}
    assert len(set(keys.values())) <= 4
    assert_ordered(lambda_sim.ledger, by="partition_key", keys=keys)


def test_a_poison_record_stops_the_batch_at_its_sequence_number(lambda_events, consumer):
    records = lambda_events.kinesis.records(6, payload=Order)
    records[3]["kinesis"]["data"] = base64.b64encode(b'{"total": ').decode()
    result = consumer.invoke(lambda_events.kinesis.event(records))

    poison_seq = records[3]["kinesis"]["sequenceNumber"]
    assert result.payload == {"batchItemFailures": [{"itemIdentifier": poison_seq}]}
    assert [r["kinesis"]["sequenceNumber"] for r in records[:3]] == stream_consumer.APPLIED


def test_through_the_stream_a_poison_record_takes_the_rest_of_its_batch_to_the_failure_queue(lambda_sim, consumer):
    failures = lambda_sim.sqs_queue("order-stream-failures")
    stream = lambda_sim.kinesis_stream("orders", shards=1)
    lambda_sim.map(stream, consumer, batch_size=10, maximum_retry_attempts=2,
                   function_response_types=["ReportBatchItemFailures"], on_failure=failures)
    for i in range(6):
        stream.put_record(json.dumps({"orderId": f"o-{i}", "total": 10}).encode(), partition_key="c-1")
    poison = stream.put_record(b'{"total": ', partition_key="c-1")  # truncated JSON
    after = stream.put_record(json.dumps({"orderId": "o-7", "total": 5}).encode(), partition_key="c-1")
    lambda_sim.run()

    # Lambda retries from the reported record, so the retried batch is [poison, o-7]; when retries are
    # exhausted the whole retried batch is skipped: o-7 is never applied and is only named in the record.
    assert stream_consumer.TOTALS == {"c-1": 60.0}
    assert [len(a.records) for a in lambda_sim.ledger.attempts] == [8, 2, 2]
    (message,) = failures.receive()
    record = json.loads(message.body)
    assert record["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 3
    assert record["responseContext"]["functionError"] is None  # exhausted through partial batch responses
    info = record["KinesisBatchInfo"]
    assert (info["startSequenceNumber"], info["endSequenceNumber"], info["batchSize"]) == (
        poison["SequenceNumber"], after["SequenceNumber"], 2)
