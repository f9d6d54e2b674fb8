"""API -> queue -> worker -> table stream -> fulfilment -> SNS fan-out, all wired by template.yaml.

The tests post generated orders (``lambdachaos.generators``) and inject faults (``lambdachaos.faults``);
every resource comes from the template through the ``lambdachaos_template`` ini setting.
"""

from __future__ import annotations

import json

import boto3
import pytest
from lambdachaos.faults import DownstreamError, FaultPlan, InvocationError, Target, When
from lambdachaos.generators import Order, payload, poison
from ledger_views import attempts_of, bodies


def _orders(lambda_events, n):
    return [payload(Order, seed=lambda_events.next_seed(f"order-{i}")) for i in range(n)]


def test_a_posted_order_is_stored_fulfilled_and_fanned_out(lambda_sim, lambda_events, orders_api):
    (order,) = _orders(lambda_events, 1)
    response = orders_api.request("POST", "/orders", body=json.dumps(order))
    lambda_sim.run()

    assert response.status == 202 and response.json()["orderId"] == order["orderId"]
    table = lambda_sim.resources["OrdersTable"].name
    item = boto3.client("dynamodb").get_item(TableName=table, Key={"orderId": {"S": order["orderId"]}})["Item"]
    assert item["status"] == {"S": "PLACED"}
    # one attempt per hop, in order: the API, the queue's worker, the stream's fulfilment, the topic's notifier
    hops = [(a.function.split("-")[2], a.outcome) for a in lambda_sim.ledger.attempts]
    assert hops == [("ApiFunction", "success"), ("WorkerFunction", "success"), ("FulfilmentFunction", "success"),
                    ("NotifyFunction", "success")]
    (sent,) = attempts_of(lambda_sim, "NotifyFunction")
    assert sent.source == lambda_sim.resources["OrderEventsTopic"].arn
    # the raw-delivery SQS subscription receives the same event, without SNS's envelope
    assert bodies(lambda_sim.resources["AuditQueue"]) == [
        {"orderId": order["orderId"], "email": order["customer"]["email"], "total": order["total"]}]


@pytest.mark.parametrize("kind", ["truncated_json", "missing_fields", "wrong_types"])
def test_an_invalid_order_is_refused_at_the_door_and_never_queued(lambda_sim, lambda_events, orders_api, kind):
    bad = poison.make(kind, seed=lambda_events.seed)
    response = orders_api.request("POST", "/orders", body=bad.text)
    lambda_sim.run()

    assert response.status == 400 and set(response.json()) == {"message"}
    assert [a.function.split("-")[2] for a in lambda_sim.ledger.attempts] == ["ApiFunction"]
    assert lambda_sim.resources["OrdersQueue"].messages == []


def test_a_poison_message_is_retried_alone_until_max_receive_count_then_dead_lettered(lambda_sim, lambda_events):
    queue, dlq = lambda_sim.resources["OrdersQueue"], lambda_sim.resources["OrdersDLQ"]
    good = [queue.send(json.dumps(order)) for order in _orders(lambda_events, 3)]
    bad = queue.send(poison.make("truncated_json", seed=lambda_events.seed).text)
    lambda_sim.run()

    # partial batch response: only the poison message returns, each time its 60 s visibility timeout ends
    assert [lambda_sim.ledger.fate(m.message_id).attempts for m in good] == [1, 1, 1]
    assert [a.start for a in lambda_sim.ledger.attempts_for(bad.message_id)] == [0.0, 60.0, 120.0]
    fate = lambda_sim.ledger.fate(bad.message_id)
    assert (fate.status, fate.attempts) == ("dead_lettered", 3) and fate.sent_to(dlq)  # maxReceiveCount: 3
    assert [m.message_id for m in dlq.messages] == [bad.message_id]
    table = lambda_sim.resources["OrdersTable"].name
    assert boto3.client("dynamodb").scan(TableName=table, Select="COUNT")["Count"] == 3


@pytest.mark.lambdachaos(faults=FaultPlan.of(
    DownstreamError(error_code="ProvisionedThroughputExceededException",
                    error_message="The level of configured provisioned throughput for the table was exceeded."),
    target=Target(function_name="*-WorkerFunction-*", outbound_service="dynamodb"), when=When(first=1)))
def test_a_throttled_table_fails_the_whole_batch_which_is_received_again(lambda_sim, lambda_events):
    queue = lambda_sim.resources["OrdersQueue"]
    sent = [queue.send(json.dumps(order)) for order in _orders(lambda_events, 4)]
    lambda_sim.run()

    (failed, retried) = attempts_of(lambda_sim, "WorkerFunction")
    # the handler does not catch the throttle (boto3 raises it as its own ClientError subclass): the invocation
    # fails and no partial batch response is read
    assert (failed.outcome, failed.error_type, len(failed.records)) == ("function_error", "ProvisionedThroughputExceededException", 4)
    assert (retried.start, retried.outcome, len(retried.records)) == (60.0, "success", 4)
    assert [lambda_sim.ledger.fate(m.message_id).attempts for m in sent] == [2, 2, 2, 2]
    armed = [f for f in lambda_sim.ledger.faults if f.effect.startswith("armed")]
    assert [(f.function, f.attempt) for f in armed] == [(lambda_sim.functions["WorkerFunction"].name, 1)]  # first=1


def test_a_discontinued_item_is_bisected_out_of_its_stream_batch_and_sent_to_the_failure_queue(
        lambda_sim, lambda_events, orders_api):
    orders = _orders(lambda_events, 4)
    orders[2]["items"][0]["sku"] = "SKU-RETIRED"  # the template's DiscontinuedSkus default
    for order in orders:
        assert orders_api.request("POST", "/orders", body=json.dumps(order)).status == 202
    lambda_sim.run()

    runs = [(a.start, len(a.records), a.bisect_depth, a.outcome) for a in attempts_of(lambda_sim, "FulfilmentFunction")]
    assert runs == [
        (0.0, 1, 0, "success"),            # the first order, alone in the first poll
        (0.25, 3, 0, "function_error"),    # orders 2-4: order 3 is discontinued
        (0.25, 2, 1, "function_error"),    # BisectBatchOnFunctionError: first half [2, 3]
        (0.25, 1, 2, "success"),           # [2]
        (0.25, 1, 2, "function_error"),    # [3]
        (1.25, 1, 2, "function_error"),    # [3] again: MaximumRetryAttempts 1, then the on-failure destination
        (1.25, 1, 1, "success"),           # the second half [4]
    ]
    (record,) = bodies(lambda_sim.resources["StreamFailuresQueue"])
    assert record["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 4
    assert record["requestContext"]["functionArn"] == lambda_sim.functions["FulfilmentFunction"].arn
    assert record["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"}
    info = record["DDBStreamBatchInfo"]
    assert (info["batchSize"], info["startSequenceNumber"]) == (1, info["endSequenceNumber"])
    assert info["streamArn"] == lambda_sim.resources["OrdersTable"].stream_arn
    # at-least-once: order 2 was announced by every failing batch that held it, before the failure
    announced = [m["orderId"] for m in bodies(lambda_sim.resources["AuditQueue"])]
    ids = [o["orderId"] for o in orders]
    assert announced == [ids[0], ids[1], ids[1], ids[1], ids[3]]


@pytest.mark.lambdachaos(faults=FaultPlan.of(
    InvocationError(error_type="SMTPServerDisconnected", error_message="Connection unexpectedly closed"),
    target=Target(function_name="*-NotifyFunction-*")))
def test_a_failing_subscriber_is_retried_by_lambda_while_the_queue_subscriber_gets_its_copy(
        lambda_sim, lambda_events, orders_api):
    (order,) = _orders(lambda_events, 1)
    orders_api.request("POST", "/orders", body=json.dumps(order))
    lambda_sim.run()

    # SNS invokes asynchronously: Lambda retries twice (default), 1 then 2 minutes apart, then drops the event
    notify = attempts_of(lambda_sim, "NotifyFunction")
    assert [(a.start, a.attempt, a.error_type) for a in notify] == [
        (0.0, 1, "SMTPServerDisconnected"), (60.0, 2, "SMTPServerDisconnected"), (180.0, 3, "SMTPServerDisconnected")]
    assert lambda_sim.ledger.fate(notify[0].event_id).status == "dropped"  # no DLQ or on-failure destination
    assert [m["orderId"] for m in bodies(lambda_sim.resources["AuditQueue"])] == [order["orderId"]]
