"""The Kinesis consumer applies records per customer in order and stops at a poison record.

Batches are generated Kinesis events handed to the function directly (``fn.invoke``); the stream and its
mapping move to ``sim.kinesis_stream`` / ``sim.map`` once the simulator's stream mapping is available.
"""

from __future__ import annotations

import base64

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
