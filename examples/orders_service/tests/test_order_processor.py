"""The SQS order processor's partial batch responses: unit-style with generated batch events
(``fn.invoke``), and end to end through a queue, its event source mapping and its dead-letter queue."""

from __future__ import annotations

import boto3
import pytest
from lambdachaos.faults import DownstreamError, FaultPlan, Target
from lambdachaos.generators import Order, poison
from orders_service import order_processor


@pytest.fixture
def processor(lambda_sim, orders_table):
    return lambda_sim.function(
        order_processor.handler, name="order-processor", timeout=30, environment={"ORDERS_TABLE": "orders"}
    )


def test_every_valid_order_is_stored_and_nothing_is_reported(lambda_events, processor, orders_table):
    event = lambda_events.sqs.event(n=10, payload=Order)
    result = processor.invoke(event)

    assert result.function_error is None
    assert result.payload == {"batchItemFailures": []}
    assert orders_table.scan()["Count"] == 10


@pytest.mark.parametrize("kind", ["truncated_json", "wrong_types", "missing_fields"])
def test_a_poison_message_is_the_only_one_reported(lambda_events, processor, orders_table, kind):
    records = lambda_events.sqs.records(5, payload=Order)
    bad = poison.make(kind, seed=lambda_events.seed)
    records[2]["body"] = bad.text
    result = processor.invoke(lambda_events.sqs.event(records))

    assert result.payload == {"batchItemFailures": [{"itemIdentifier": records[2]["messageId"]}]}
    assert orders_table.scan()["Count"] == 4


@pytest.mark.lambdachaos(
    faults=FaultPlan.of(
        DownstreamError(
            error_code="ProvisionedThroughputExceededException", error_message="Throughput exceeded"
        ),
        target=Target(outbound_service="dynamodb"),
    )
)
def test_a_dynamodb_throttle_reports_the_whole_batch_for_retry(lambda_sim, lambda_events, processor):
    event = lambda_events.sqs.event(n=3, payload=Order)
    result = processor.invoke(event)

    failed = [f["itemIdentifier"] for f in result.payload["batchItemFailures"]]
    assert failed == [r["messageId"] for r in event["Records"]]
    assert lambda_sim.ledger.faults, "the throttle fired"
    boto3.client("dynamodb", region_name="us-east-1")  # the table itself is untouched


def test_through_the_queue_a_poison_message_ends_in_the_dlq_and_the_rest_are_stored(
    lambda_sim, lambda_events, processor, orders_table
):
    dlq = lambda_sim.sqs_queue("orders-dlq")
    queue = lambda_sim.sqs_queue("orders", visibility_timeout=180, dead_letter_queue=dlq, max_receive_count=3)
    lambda_sim.map(queue, processor, batch_size=10, function_response_types=["ReportBatchItemFailures"])
    for record in lambda_events.sqs.records(9, payload=Order):
        queue.send(record["body"])
    bad = queue.send(poison.make("truncated_json", seed=lambda_events.seed).text)
    lambda_sim.run()

    assert orders_table.scan()["Count"] == 9
    fate = lambda_sim.ledger.fate(bad.message_id)
    assert fate.status == "dead_lettered" and fate.sent_to(dlq)
    # the poison message was received three times, 180 s apart (its visibility timeout), then redriven
    receives = [a.start for a in lambda_sim.ledger.attempts_for(bad.message_id)]
    assert receives == [0.0, 180.0, 360.0]
    (dead,) = dlq.receive()
    assert dead.message_id == bad.message_id
