"""Conformance: recursive loop detection (docs/aws-behaviour.md §4.6, §4.2 row "recursive loop stopped")."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError

from lambdachaos import Sim
from lambdachaos.service.invoke._recursion import tracker


def _attempts(sim: Sim, function: str, outcome: str) -> list:
    return [a for a in sim.ledger.attempts if a.function == function and a.outcome == outcome]

def _looping_sqs(sim: Sim, **fn_kw):
    dlq = sim.sqs_queue("loop-dlq")
    queue = sim.sqs_queue("loop", dead_letter_queue=dlq, max_receive_count=3, visibility_timeout=30)

    def handler(event, context):
        sqs = boto3.client("sqs")
        for record in event["Records"]:
            sqs.send_message(QueueUrl=queue.url, MessageBody=record["body"])

    fn = sim.function(handler, name="looper", **fn_kw)
    sim.map(queue, fn, batch_size=1)
    return queue, dlq, fn


def test_a_function_feeding_its_own_queue_runs_16_times_and_the_17th_invocation_is_stopped(sim):
    queue, dlq, _fn = _looping_sqs(sim)
    queue.send("spin")
    sim.run()
    ran = _attempts(sim, "looper", "success")
    stopped = _attempts(sim, "looper", "rejected")
    assert len(ran) == 16
    # The 17th message is blocked on every receive until maxReceiveCount (3) moves it to the DLQ.
    assert len(stopped) == 3
    assert {a.error_type for a in stopped} == {"RecursiveInvocationException"}
    assert {a.reason for a in stopped} == {"recursive loop"}
    assert [a.attempt for a in stopped] == [1, 2, 3]
    assert [a.start for a in stopped] == [0.0, 30.0, 60.0]
    last = stopped[0].records[0]
    fate = sim.ledger.fate(last)
    assert (fate.status, fate.destinations, fate.attempts) == ("dead_lettered", (dlq.arn,), 3)
    assert [m.body for m in dlq.messages] == ["spin"]
    assert tracker(sim.service).dropped == 3


def test_messages_sent_in_bulk_from_a_handler_join_its_chain(sim):
    dlq = sim.sqs_queue("bulk-dlq")
    queue = sim.sqs_queue("bulk", dead_letter_queue=dlq, max_receive_count=3, visibility_timeout=30)
    other = sim.sqs_queue("side")  # not mapped: a message there is a record of no chain

    def handler(event, context):
        queue.send_many([r["body"] for r in event["Records"]])
        other.send_many(["side effect"])

    sim.map(queue, sim.function(handler, name="bulk-looper"), batch_size=1)
    queue.send_many(["spin"])  # from test code: a new chain
    sim.run()
    assert len(_attempts(sim, "bulk-looper", "success")) == 16
    assert len(_attempts(sim, "bulk-looper", "rejected")) == 3
    assert [m.body for m in dlq.messages] == ["spin"]
    assert len(other.messages) == 16


def test_recursive_loop_allow_lets_the_chain_continue_past_the_limit(sim):
    queue = sim.sqs_queue("counter", visibility_timeout=30)

    def handler(event, context):
        n = int(event["Records"][0]["body"])
        if n < 25:
            boto3.client("sqs").send_message(QueueUrl=queue.url, MessageBody=str(n + 1))

    fn = sim.function(handler, name="looper")
    sim.map(queue, fn, batch_size=1)
    boto3.client("lambda").put_function_recursion_config(FunctionName="looper", RecursiveLoop="Allow")
    assert fn.recursive_loop == "Allow"
    assert boto3.client("lambda").get_function_recursion_config(FunctionName="looper")["RecursiveLoop"] == "Allow"
    queue.send("1")
    sim.run()
    assert len(_attempts(sim, "looper", "success")) == 25
    assert _attempts(sim, "looper", "rejected") == []
    assert tracker(sim.service).dropped == 0


def test_recursion_limit_knob_changes_the_chain_length(sim):
    tracker(sim.service).limit = 3
    queue, _dlq, _fn = _looping_sqs(sim)
    queue.send("spin")
    sim.run()
    assert len(_attempts(sim, "looper", "success")) == 3


def test_an_sns_loop_ends_in_the_function_dlq_with_condition_recursive_invocation(sim):
    fn_dlq = sim.sqs_queue("fn-dlq")
    topic = sim.sns_topic("loop-topic")

    def handler(event, context):
        boto3.client("sns").publish(TopicArn=topic.arn, Message=event["Records"][0]["Sns"]["Message"])

    fn = sim.function(handler, name="sns-looper", dead_letter_queue=fn_dlq)
    subscribe = getattr(sim, "subscribe", None)
    if subscribe is not None:
        subscribe(topic, fn)
    else:  # the push-source API is not there yet: deliver like SNS does, through the async path
        def deliver(notification, subscription):
            event = {"Records": [{"EventSource": "aws:sns", "Sns": {"Message": notification.message}}]}
            sim.async_invoker.accept(fn, json.dumps(event).encode())

        topic.subscribe(deliver, protocol="lambda", endpoint=fn.arn)
    boto3.client("sns").publish(TopicArn=topic.arn, Message="ping")
    sim.run()
    assert len(_attempts(sim, "sns-looper", "success")) == 16
    stopped = _attempts(sim, "sns-looper", "rejected")
    assert len(stopped) == 1  # never retried
    fate = sim.ledger.fate(stopped[0].event_id)
    assert (fate.status, fate.condition, fate.destinations, fate.attempts) == (
        "dead_lettered", "RecursiveInvocation", (fn_dlq.arn,), 0)
    body = fn_dlq.messages[0].body
    assert json.loads(body)["Records"][0]["Sns"]["Message"] == "ping"
    assert fn_dlq.messages[0].message_attributes["ErrorCode"] == {"DataType": "Number", "StringValue": "400"}


def test_lambda_to_lambda_async_loop_goes_to_the_on_failure_destination(sim):
    failures = sim.sqs_queue("failures")

    def handler(event, context):
        boto3.client("lambda").invoke(FunctionName="ping", InvocationType="Event",
                                      Payload=json.dumps({"n": event["n"] + 1}))

    sim.function(handler, name="ping", on_failure=failures)
    boto3.client("lambda").invoke(FunctionName="ping", InvocationType="Event", Payload=b'{"n": 1}')
    sim.run()
    ran = _attempts(sim, "ping", "success")
    assert len(ran) == 16
    record = json.loads(failures.messages[0].body)
    assert record["requestContext"]["condition"] == "RecursiveInvocation"
    assert record["requestContext"]["approximateInvokeCount"] == 0
    assert record["requestPayload"] == {"n": 17}
    assert "responseContext" not in record


def test_a_synchronous_lambda_to_lambda_loop_raises_recursive_invocation_exception_in_the_17th_caller(sim):
    errors: list[str] = []

    def handler(event, context):
        try:
            boto3.client("lambda").invoke(FunctionName="self-caller", Payload=b"{}")
        except ClientError as exc:
            errors.append(exc.response["Error"]["Code"])
        return "ok"

    sim.function(handler, name="self-caller")
    result = boto3.client("lambda").invoke(FunctionName="self-caller", Payload=b"{}")
    assert result["StatusCode"] == 200
    assert errors == ["RecursiveInvocationException"]
    assert len(_attempts(sim, "self-caller", "success")) == 16


def test_invocations_from_test_code_start_new_chains(sim):
    calls = []
    fn = sim.function(lambda event, context: calls.append(1), name="plain")
    for _ in range(20):
        fn.invoke({})
    assert len(calls) == 20


@pytest.mark.parametrize("value", ["Forever", ""])
def test_put_function_recursion_config_rejects_unknown_values(sim, value):
    sim.function(lambda e, c: None, name="f")
    with pytest.raises(ClientError, match=r"^An error occurred \(ValidationException\) .* at .recursiveLoop. failed"):
        boto3.client("lambda").put_function_recursion_config(FunctionName="f", RecursiveLoop=value)


def test_an_s3_loop_through_real_put_object_calls_ends_in_the_function_dlq(sim):
    fn_dlq = sim.sqs_queue("s3-dlq")

    def handler(event, context):
        key = event["Records"][0]["s3"]["object"]["key"]
        boto3.client("s3").put_object(Bucket="loop-bucket", Key=key + "x", Body=b"1")

    fn = sim.function(handler, name="s3-looper", dead_letter_queue=fn_dlq)
    sim.s3_bucket("loop-bucket").add_notification(fn, events=["s3:ObjectCreated:*"])
    boto3.client("s3").put_object(Bucket="loop-bucket", Key="k", Body=b"1")
    sim.run()
    assert len(_attempts(sim, "s3-looper", "success")) == 16
    stopped = _attempts(sim, "s3-looper", "rejected")
    assert len(stopped) == 1
    fate = sim.ledger.fate(stopped[0].event_id)
    assert (fate.status, fate.condition) == ("dead_lettered", "RecursiveInvocation")
    assert json.loads(fn_dlq.messages[0].body)["Records"][0]["s3"]["object"]["key"] == "k" + "x" * 16


def test_the_recursion_limit_is_a_sim_setting_with_a_clear_error():
    import pytest

    from lambdachaos import ConfigError, Sim
    from lambdachaos.service.invoke._recursion import tracker

    with Sim(recursion_limit=4) as sim:
        assert tracker(sim.service).limit == 4
    with pytest.raises(ConfigError, match=r"^recursion_limit=0 must be a positive integer"):
        Sim(recursion_limit=0)
