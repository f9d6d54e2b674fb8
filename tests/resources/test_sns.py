"""SNS topic model: envelopes and the Lambda record (docs/aws-behaviour.md §7.2, §11)."""

from __future__ import annotations

import base64
import json
import re

import pytest

from lambdachaos._errors import ConfigError
from lambdachaos._world import World
from lambdachaos.resources import Queue, QueueConfig, Topic
from lambdachaos.resources._errors import InvalidParameter, SNSInvalidParameterValue


@pytest.fixture
def world():
    w = World(seed=11)
    w.clock.advance(1.5)
    return w


def test_sqs_subscription_gets_the_json_envelope_with_url_casing_section_7_2(world):
    topic = Topic(world, "orders")
    queue = Queue(world, "sub")
    sub = topic.subscribe_queue(queue)
    assert re.fullmatch(re.escape(topic.arn) + r":[0-9a-f-]{36}", sub.arn)
    message_id = topic.publish(
        "hello", subject="greeting", message_attributes={"k": {"DataType": "String", "StringValue": "v"}}
    )
    [msg] = queue.messages
    body = json.loads(msg.body)
    assert list(body) == [
        "Type",
        "MessageId",
        "TopicArn",
        "Subject",
        "Message",
        "Timestamp",
        "SignatureVersion",
        "Signature",
        "SigningCertURL",
        "UnsubscribeURL",
        "MessageAttributes",
    ]
    assert body["Type"] == "Notification"
    assert body["MessageId"] == message_id
    assert body["TopicArn"] == "arn:aws:sns:us-east-1:123456789012:orders"
    assert body["Timestamp"] == "2026-01-01T00:00:01.500Z"
    assert body["SignatureVersion"] == "1"
    assert len(base64.b64decode(body["Signature"])) == 256
    assert re.fullmatch(
        r"https://sns\.us-east-1\.amazonaws\.com/SimpleNotificationService-[0-9a-f]{32}\.pem",
        body["SigningCertURL"],
    )
    assert body["UnsubscribeURL"] == (
        f"https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={sub.arn}"
    )
    assert body["MessageAttributes"] == {"k": {"Type": "String", "Value": "v"}}
    assert msg.body.startswith('{\n  "Type" : "Notification",\n  "MessageId" : ')


def test_subject_is_omitted_from_the_envelope_when_not_given(world):
    topic = Topic(world, "t")
    queue = Queue(world, "q")
    topic.subscribe_queue(queue)
    topic.publish("x")
    assert "Subject" not in json.loads(queue.messages[0].body)
    assert "MessageAttributes" not in json.loads(queue.messages[0].body)


def test_raw_delivery_sends_the_message_and_attributes_as_is(world):
    topic = Topic(world, "t")
    queue = Queue(world, "q")
    topic.subscribe_queue(queue, raw_message_delivery=True)
    topic.publish("raw body", message_attributes={"n": {"DataType": "Number", "StringValue": "5"}})
    [msg] = queue.messages
    assert msg.body == "raw body"
    assert msg.message_attributes == {"n": {"DataType": "Number", "StringValue": "5"}}


def test_callback_subscribers_render_the_lambda_record_with_url_casing(world):
    topic = Topic(world, "t")
    seen = []
    sub = topic.subscribe(lambda note, s: seen.append(note.lambda_event(s.arn)))
    topic.publish("m", message_attributes={"b": {"DataType": "Binary", "BinaryValue": b"\x00\x01"}})
    [event] = seen
    [record] = event["Records"]
    assert record["EventSource"] == "aws:sns"
    assert record["EventVersion"] == "1.0"
    assert record["EventSubscriptionArn"] == sub.arn
    sns = record["Sns"]
    assert list(sns) == [
        "Type",
        "MessageId",
        "TopicArn",
        "Subject",
        "Message",
        "Timestamp",
        "SignatureVersion",
        "Signature",
        "SigningCertUrl",
        "UnsubscribeUrl",
        "MessageAttributes",
    ]
    assert sns["Subject"] is None
    assert sns["MessageAttributes"] == {"b": {"Type": "Binary", "Value": "AAE="}}


def test_message_structure_json_picks_the_protocol_message(world):
    topic = Topic(world, "t")
    queue = Queue(world, "q")
    topic.subscribe_queue(queue)
    seen = []
    topic.subscribe(lambda note, s: seen.append(note.lambda_record(s.arn)["Sns"]["Message"]))
    topic.publish(json.dumps({"default": "d", "sqs": "for sqs"}), message_structure="json")
    assert json.loads(queue.messages[0].body)["Message"] == "for sqs"
    assert seen == ["d"]
    with pytest.raises(InvalidParameter, match=r"^Invalid parameter: Message Structure - No default entry"):
        topic.publish(json.dumps({"sqs": "x"}), message_structure="json")


def test_fifo_topic_to_fifo_queue_keeps_group_and_sequence(world):
    topic = Topic(world, "t.fifo", content_based_deduplication=True)
    queue = Queue(world, "q.fifo", QueueConfig(fifo_queue=True))
    topic.subscribe_queue(queue)
    first = topic.publish("a", message_group_id="g")
    assert topic.publish("a", message_group_id="g") == first  # deduplicated within 5 minutes
    topic.publish("b", message_group_id="g")
    bodies = [json.loads(m.body) for m in queue.messages]
    assert [b["Message"] for b in bodies] == ["a", "b"]
    assert int(bodies[0]["SequenceNumber"]) < int(bodies[1]["SequenceNumber"])
    assert queue.messages[0].message_group_id == "g"
    with pytest.raises(
        InvalidParameter, match=r"^Invalid parameter: The MessageGroupId parameter is required"
    ):
        topic.publish("c")


def test_publish_validation_uses_the_sns_wording(world):
    topic = Topic(world, "t")
    with pytest.raises(InvalidParameter, match=r"^Invalid parameter: Empty message$"):
        topic.publish("")
    with pytest.raises(InvalidParameter, match=r"^Invalid parameter: Message too long$"):
        topic.publish("x" * 262_145)
    with pytest.raises(InvalidParameter, match=r"^Invalid parameter: Subject$"):
        topic.publish("x", subject="line\nbreak")
    with pytest.raises(
        SNSInvalidParameterValue, match=r"^Could not cast message attribute 'n' value to number\.$"
    ):
        topic.publish("x", message_attributes={"n": {"DataType": "Number", "StringValue": "abc"}})
    with pytest.raises(InvalidParameter, match=r"^Invalid parameter: MessageDeduplicationId"):
        topic.publish("x", message_deduplication_id="d")
    with pytest.raises(ConfigError, match=r"^content_based_deduplication=True needs a FIFO topic"):
        Topic(world, "std", content_based_deduplication=True)


def test_history_and_determinism():
    def run():
        w = World(seed=5)
        t = Topic(w, "t")
        return [t.publish(str(i)) for i in range(3)], [n.signature for n in t.history]

    assert run() == run()
