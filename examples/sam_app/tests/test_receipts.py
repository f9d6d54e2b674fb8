"""Receipts uploaded to the template's bucket invoke ReceiptsFunction asynchronously; its EventInvokeConfig
(one retry, success and failure destinations) decides what happens next."""

from __future__ import annotations

import boto3
import pytest
from lambdachaos.faults import FaultPlan, InvocationError, Target, When
from lambdachaos.generators import Order, payload
from ledger_views import attempts_of, bodies


def _receipt_csv(order):
    rows = [f"{item['sku']},{item['quantity']},{item['unitPrice']}" for item in order["items"]]
    return "sku,quantity,unit_price\n" + "\n".join(rows) + "\n"


def _upload(sim, key, body):
    boto3.client("s3").put_object(Bucket=sim.resources["UploadsBucket"].name, Key=key, Body=body.encode())


def test_a_good_receipt_sends_a_success_record_to_the_on_success_queue(lambda_sim, lambda_events):
    order = payload(Order, seed=lambda_events.seed)
    _upload(lambda_sim, f"receipts/{order['orderId']}.csv", _receipt_csv(order))
    lambda_sim.run()

    (attempt,) = attempts_of(lambda_sim, "ReceiptsFunction")
    assert (attempt.start, attempt.outcome) == (0.0, "success")
    (record,) = bodies(lambda_sim.resources["ReceiptsDoneQueue"])
    function = lambda_sim.functions["ReceiptsFunction"]
    assert record["version"] == "1.0" and record["timestamp"] == "2026-01-01T00:00:00.000Z"
    assert record["requestContext"] == {"requestId": attempt.request_id, "functionArn": f"{function.arn}:$LATEST",
                                        "condition": "Success", "approximateInvokeCount": 1}
    assert record["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST"}
    expected = round(sum(i["quantity"] * i["unitPrice"] for i in order["items"]), 2)
    assert record["responsePayload"] == {"receipts": [{"key": f"receipts/{order['orderId']}.csv",
                                                       "total": expected}]}
    (s3_record,) = record["requestPayload"]["Records"]
    assert (s3_record["eventName"], s3_record["s3"]["object"]["key"]) == (
        "ObjectCreated:Put", f"receipts/{order['orderId']}.csv")
    assert bodies(lambda_sim.resources["ReceiptsFailedQueue"]) == []


def test_a_bad_receipt_is_retried_once_then_sent_to_the_on_failure_queue(lambda_sim):
    _upload(lambda_sim, "receipts/broken.csv", "not,a,receipt\n")
    lambda_sim.run()

    attempts = attempts_of(lambda_sim, "ReceiptsFunction")
    assert [(a.start, a.attempt, a.error_type) for a in attempts] == [(0.0, 1, "ReceiptError"),
                                                                       (60.0, 2, "ReceiptError")]
    (record,) = bodies(lambda_sim.resources["ReceiptsFailedQueue"])
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 2  # MaximumRetryAttempts: 1
    assert record["timestamp"] == "2026-01-01T00:01:00.000Z"
    assert record["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"}
    assert record["responsePayload"]["errorType"] == "ReceiptError"
    assert record["responsePayload"]["errorMessage"] == (
        "receipts/broken.csv: expected the header sku,quantity,unit_price and at least one row")
    fate = lambda_sim.ledger.fate(attempts[0].event_id)
    assert (fate.status, fate.destinations) == ("on_failure", (lambda_sim.resources["ReceiptsFailedQueue"].arn,))


@pytest.mark.parametrize("key", ["uploads/receipt.csv", "receipts/receipt.txt"])
def test_objects_outside_the_notification_filter_invoke_nothing(lambda_sim, key):
    _upload(lambda_sim, key, "sku,quantity,unit_price\nSKU-1,1,1.0\n")
    lambda_sim.run()
    assert lambda_sim.ledger.attempts == ()


@pytest.mark.lambdachaos(faults=FaultPlan.of(
    InvocationError(error_type="Runtime.ExitError", error_message="RequestId: killed Error: Runtime exited"),
    target=Target(function_name="*-ReceiptsFunction-*"), when=When(attempts=[1])))
def test_a_crash_on_the_first_attempt_succeeds_on_the_retry_and_the_record_counts_both(lambda_sim, lambda_events):
    order = payload(Order, seed=lambda_events.seed)
    _upload(lambda_sim, "receipts/a.csv", _receipt_csv(order))
    lambda_sim.run()

    attempts = attempts_of(lambda_sim, "ReceiptsFunction")
    assert [(a.start, a.outcome) for a in attempts] == [(0.0, "function_error"), (60.0, "success")]
    (record,) = bodies(lambda_sim.resources["ReceiptsDoneQueue"])
    assert (record["requestContext"]["condition"], record["requestContext"]["approximateInvokeCount"]) == (
        "Success", 2)
    assert record["requestContext"]["requestId"] == attempts[0].request_id  # one event, one request id
