"""Error messages that SQS/SNS cannot carry as they are still reach the DLQ and destinations (docs/aws-behaviour.md)."""

from __future__ import annotations

import json

import pytest

from lambdachaos import Sim


def empty_value_error(event, context):
    raise ValueError()


def bare_assert(event, context):
    raise AssertionError  # what a bare `assert` raises (pytest rewrites asserts in this module)


def surrogate_error(event, context):
    raise ValueError("bad \ud800 byte")


@pytest.mark.parametrize("handler", [empty_value_error, bare_assert], ids=["ValueError()", "assert"])
def test_an_empty_error_message_reaches_the_sqs_dlq_without_an_error_message_attribute(sim: Sim, handler):
    dlq = sim.sqs_queue("dlq")
    fn = sim.function(handler, name="empty", dead_letter_queue=dlq, maximum_retry_attempts=0)
    request_id = fn.invoke_async({"a": 1})
    sim.run()
    (message,) = dlq.receive(max_messages=10)
    assert message.body == '{"a":1}'
    assert message.message_attributes == {
        "ErrorCode": {"DataType": "Number", "StringValue": "200"},
        "RequestID": {"DataType": "String", "StringValue": request_id},
    }
    fate = sim.ledger.fate(request_id)
    assert fate.status == "dead_lettered" and fate.destinations == (dlq.arn,)
    assert [(d.kind, d.ok) for d in sim.ledger.deliveries] == [("dlq", True)]


def test_an_empty_error_message_reaches_an_sns_dlq(sim: Sim):
    topic = sim.sns_topic("dlq-topic")
    fn = sim.function(empty_value_error, name="empty", dead_letter_queue=topic, maximum_retry_attempts=0)
    request_id = fn.invoke_async({})
    sim.run()
    (notification,) = topic.history
    assert sorted(notification.message_attributes) == ["ErrorCode", "RequestID"]
    assert sim.ledger.fate(request_id).status == "dead_lettered"


def test_a_lone_surrogate_becomes_the_replacement_character_in_the_dlq_attribute(sim: Sim):
    dlq = sim.sqs_queue("dlq")
    fn = sim.function(surrogate_error, name="surrogate", dead_letter_queue=dlq, maximum_retry_attempts=0)
    request_id = fn.invoke_async({})
    sim.run()
    (message,) = dlq.receive()
    assert message.message_attributes["ErrorMessage"] == {"DataType": "String", "StringValue": "bad \ufffd byte"}
    assert sim.ledger.fate(request_id).status == "dead_lettered"


def test_a_lone_surrogate_in_the_response_reaches_the_on_failure_destination(sim: Sim):
    failures = sim.sqs_queue("failures")
    fn = sim.function(surrogate_error, name="surrogate", on_failure=failures, maximum_retry_attempts=0)
    request_id = fn.invoke_async({})
    sim.run()
    (message,) = failures.receive()
    assert json.loads(message.body)["responsePayload"]["errorMessage"] == "bad \ufffd byte"
    assert sim.ledger.fate(request_id).status == "on_failure"


def test_the_ledger_json_is_ascii_and_writable_whatever_the_handler_raised(sim: Sim, tmp_path):
    fn = sim.function(surrogate_error, name="surrogate", maximum_retry_attempts=0)
    fn.invoke_async({"name": "Zoë"})
    sim.run()
    text = sim.ledger.to_json()
    assert text.isascii()
    path = tmp_path / "ledger.json"
    path.write_text(text, encoding="utf-8")
    assert json.loads(path.read_text(encoding="utf-8")) == json.loads(text)
