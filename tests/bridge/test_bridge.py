"""The boto3 bridge: sim resources through real boto3 clients, everything else through moto."""

from __future__ import annotations

import json
import os
import re
import threading

import boto3
import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError, ParamValidationError

from lambdachaos.resources import EventBus, QueueConfig, Topic
from lambdachaos.resources._errors import TooManyRequestsException
from lambdachaos.service.bridge._bridge import Bridge, moto_active

ORIGINAL = BaseClient.__dict__["_make_api_call"]
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def sqs():
    return boto3.client("sqs", region_name="us-east-1")


def test_sim_queue_round_trip_through_boto3_without_starting_moto(backend):
    queue = backend.queue("orders")
    with Bridge(backend) as bridge:
        client = sqs()
        sent = client.send_message(
            QueueUrl=queue.url,
            MessageBody="Test message.",
            MessageAttributes={"a": {"DataType": "String", "StringValue": "v"}},
        )
        assert sent["MD5OfMessageBody"] == "e4e68fb7bd0e697a0ae8f1bb342846b3"
        assert sent["MD5OfMessageAttributes"] == "a18cbb58171ebf4ce88d9fb787f9210b"
        assert UUID.match(sent["MessageId"])
        assert sent["ResponseMetadata"]["HTTPStatusCode"] == 200
        assert UUID.match(sent["ResponseMetadata"]["RequestId"])
        assert queue.approximate_number_of_messages == 1
        got = client.receive_message(
            QueueUrl=queue.url,
            MaxNumberOfMessages=10,
            MessageSystemAttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        [msg] = got["Messages"]
        assert msg["MessageId"] == sent["MessageId"]
        assert msg["Body"] == "Test message."
        assert msg["MD5OfBody"] == sent["MD5OfMessageBody"]
        assert msg["MessageAttributes"] == {"a": {"DataType": "String", "StringValue": "v"}}
        assert msg["Attributes"]["ApproximateReceiveCount"] == "1"
        assert set(msg["Attributes"]) == {
            "ApproximateReceiveCount",
            "SentTimestamp",
            "SenderId",
            "ApproximateFirstReceiveTimestamp",
        }
        client.delete_message(QueueUrl=queue.url, ReceiptHandle=msg["ReceiptHandle"])
        assert "Messages" not in client.receive_message(QueueUrl=queue.url)
        assert queue.approximate_number_of_messages_not_visible == 0
    assert not bridge.moto_started
    assert bridge.passthrough_calls == 0
    assert not moto_active()


def test_receive_without_attribute_names_returns_only_the_core_keys(backend):
    queue = backend.queue("q")
    queue.send("x", message_attributes={"a": {"DataType": "Number", "StringValue": "1"}})
    with Bridge(backend):
        [msg] = sqs().receive_message(QueueUrl=queue.url)["Messages"]
    assert set(msg) == {"MessageId", "ReceiptHandle", "MD5OfBody", "Body"}


def test_get_queue_url_and_attributes_of_a_sim_queue(backend):
    queue = backend.queue("orders.fifo", config=QueueConfig(fifo_queue=True, visibility_timeout=45))
    with Bridge(backend):
        client = sqs()
        assert client.get_queue_url(QueueName="orders.fifo")["QueueUrl"] == queue.url
        attrs = client.get_queue_attributes(QueueUrl=queue.url, AttributeNames=["All"])["Attributes"]
        assert attrs["VisibilityTimeout"] == "45"
        assert attrs["FifoQueue"] == "true"
        assert attrs["QueueArn"] == queue.arn
        some = client.get_queue_attributes(QueueUrl=queue.url, AttributeNames=["VisibilityTimeout"])
        assert some["Attributes"] == {"VisibilityTimeout": "45"}


def test_an_unknown_queue_fails_as_aws_does_without_starting_moto(backend):
    with Bridge(backend) as bridge:
        client = sqs()
        url = "https://sqs.us-east-1.amazonaws.com/123456789012/nope"
        with pytest.raises(client.exceptions.QueueDoesNotExist) as info:
            client.send_message(QueueUrl=url, MessageBody="x")
        error = info.value.response["Error"]
        assert error == {
            "Message": "The specified queue does not exist.",
            "Code": "AWS.SimpleQueueService.NonExistentQueue",
            "QueryErrorCode": "QueueDoesNotExist",
            "Type": "Sender",
        }
        assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
        assert str(info.value) == (
            "An error occurred (AWS.SimpleQueueService.NonExistentQueue) when calling the SendMessage "
            "operation: The specified queue does not exist."
        )
        with pytest.raises(client.exceptions.QueueDoesNotExist):
            client.get_queue_url(QueueName="nope")
    assert not bridge.moto_started


def test_sim_errors_are_client_errors_with_the_aws_code(backend):
    queue = backend.queue("q")
    with Bridge(backend):
        client = sqs()
        with pytest.raises(ClientError) as info:
            client.send_message(QueueUrl=queue.url, MessageBody="x" * 262_145)
        assert info.value.response["Error"]["Code"] == "InvalidParameterValue"
        assert info.value.response["Error"]["Message"] == (
            "One or more parameters are invalid. Reason: Message must be shorter than 262144 bytes."
        )
        with pytest.raises(client.exceptions.ReceiptHandleIsInvalid):
            client.delete_message(QueueUrl=queue.url, ReceiptHandle="garbage")
        with pytest.raises(client.exceptions.UnsupportedOperation):
            client.set_queue_attributes(QueueUrl=queue.url, Attributes={"VisibilityTimeout": "5"})
        with pytest.raises(ParamValidationError):
            client.send_message(QueueUrl=queue.url)


def test_batches_report_per_entry_results(backend):
    queue = backend.queue("q")
    with Bridge(backend):
        client = sqs()
        out = client.send_message_batch(
            QueueUrl=queue.url,
            Entries=[{"Id": "a", "MessageBody": "1"}, {"Id": "b", "MessageBody": "2", "DelaySeconds": 901}],
        )
        assert [e["Id"] for e in out["Successful"]] == ["a"]
        assert out["Failed"] == [
            {
                "Id": "b",
                "SenderFault": True,
                "Code": "InvalidParameterValue",
                "Message": "Value 901 for parameter DelaySeconds is invalid. "
                "Reason: DelaySeconds must be >= 0 and <= 900.",
            }
        ]
        [msg] = client.receive_message(QueueUrl=queue.url, MaxNumberOfMessages=10)["Messages"]
        deleted = client.delete_message_batch(
            QueueUrl=queue.url,
            Entries=[{"Id": "x", "ReceiptHandle": msg["ReceiptHandle"]}, {"Id": "y", "ReceiptHandle": "bad"}],
        )
        assert deleted["Successful"] == [{"Id": "x"}]
        assert deleted["Failed"][0]["Code"] == "ReceiptHandleIsInvalid"
        with pytest.raises(client.exceptions.BatchEntryIdsNotDistinct):
            client.send_message_batch(
                QueueUrl=queue.url, Entries=[{"Id": "a", "MessageBody": "1"}, {"Id": "a", "MessageBody": "2"}]
            )
        with pytest.raises(client.exceptions.TooManyEntriesInBatchRequest):
            client.send_message_batch(
                QueueUrl=queue.url, Entries=[{"Id": str(i), "MessageBody": "1"} for i in range(11)]
            )


def test_other_services_fall_through_to_moto_started_lazily(backend):
    with Bridge(backend) as bridge:
        assert not moto_active()
        ddb = boto3.client("dynamodb")
        ddb.create_table(
            TableName="t",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        ddb.put_item(TableName="t", Item={"pk": {"S": "1"}, "v": {"N": "2"}})
        assert ddb.get_item(TableName="t", Key={"pk": {"S": "1"}})["Item"] == {
            "pk": {"S": "1"},
            "v": {"N": "2"},
        }
        assert bridge.moto_started
        assert bridge.passthrough_calls == 3
        assert moto_active()
    assert not moto_active()


def test_a_client_created_before_the_bridge_is_routed_too(backend):
    queue = backend.queue("q")
    early = boto3.client("sqs", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
    with Bridge(backend):
        early.send_message(QueueUrl=queue.url, MessageBody="hi")
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket="bridge-bucket")
        s3.put_object(Bucket="bridge-bucket", Key="k", Body=b"v")
        assert s3.get_object(Bucket="bridge-bucket", Key="k")["Body"].read() == b"v"
    assert queue.approximate_number_of_messages == 1


def test_moto_queues_stay_reachable_once_moto_runs(backend):
    queue = backend.queue("sim-q")
    with Bridge(backend) as bridge:
        client = sqs()
        moto_url = client.create_queue(QueueName="moto-q")["QueueUrl"]
        client.send_message(QueueUrl=moto_url, MessageBody="to moto")
        client.send_message(QueueUrl=queue.url, MessageBody="to sim")
        [msg] = client.receive_message(QueueUrl=moto_url)["Messages"]
        assert msg["Body"] == "to moto"
        assert client.get_queue_url(QueueName="moto-q")["QueueUrl"] == moto_url
        with pytest.raises(client.exceptions.QueueDoesNotExist):  # moto's own answer
            client.send_message(QueueUrl=moto_url + "-nope", MessageBody="x")
    assert bridge.moto_started
    assert queue.approximate_number_of_messages == 1


def test_an_outer_mock_aws_is_reused_not_restarted(backend):
    from moto import mock_aws

    queue = backend.queue("sim-q")
    with mock_aws():
        client = sqs()
        moto_url = client.create_queue(QueueName="outer")["QueueUrl"]
        with Bridge(backend) as bridge:
            client.send_message(QueueUrl=moto_url, MessageBody="kept")
            client.send_message(QueueUrl=queue.url, MessageBody="sim")
            boto3.client("ssm").put_parameter(Name="p", Value="v", Type="String")
        assert not bridge.moto_started
        assert bridge.passthrough_calls == 2
        assert moto_active()
        assert client.receive_message(QueueUrl=moto_url)["Messages"][0]["Body"] == "kept"
        assert (
            boto3.client("ssm", region_name="us-east-1").get_parameter(Name="p")["Parameter"]["Value"] == "v"
        )
    assert queue.approximate_number_of_messages == 1


def test_nothing_stays_patched_after_exit(backend):
    before = {k: os.environ.get(k) for k in ("AWS_ACCESS_KEY_ID", "AWS_DEFAULT_REGION", "AWS_SESSION_TOKEN")}
    with Bridge(backend):
        assert BaseClient.__dict__["_make_api_call"] is not ORIGINAL
        assert os.environ["AWS_DEFAULT_REGION"] == "us-east-1"
        assert os.environ["AWS_ACCESS_KEY_ID"] == "testing"
        boto3.client("dynamodb").list_tables()
    assert BaseClient.__dict__["_make_api_call"] is ORIGINAL
    assert {k: os.environ.get(k) for k in before} == before
    assert not moto_active()


def test_bridges_nest_and_the_innermost_backend_answers_first(backend):
    from tests.bridge.conftest import FakeBackend

    inner = FakeBackend()
    outer_q = backend.queue("outer-q")
    inner_q = inner.queue("inner-q")
    with Bridge(backend):
        with Bridge(inner):
            client = sqs()
            client.send_message(QueueUrl=outer_q.url, MessageBody="1")
            client.send_message(QueueUrl=inner_q.url, MessageBody="2")
        assert BaseClient.__dict__["_make_api_call"] is not ORIGINAL
        with pytest.raises(client.exceptions.QueueDoesNotExist):
            client.send_message(QueueUrl=inner_q.url, MessageBody="3")
    assert BaseClient.__dict__["_make_api_call"] is ORIGINAL
    assert (outer_q.approximate_number_of_messages, inner_q.approximate_number_of_messages) == (1, 1)


def test_handler_threads_reach_the_sim(backend):
    queue = backend.queue("q")
    with Bridge(backend):

        def work():
            boto3.client("sqs").send_message(QueueUrl=queue.url, MessageBody="from a thread")

        thread = threading.Thread(target=work)
        thread.start()
        thread.join()
    assert [m.body for m in queue.messages] == ["from a thread"]


def test_invoke_is_delegated_to_the_backend(backend):
    backend.functions["fn"] = lambda event: {"echo": event}
    with Bridge(backend) as bridge:
        client = boto3.client("lambda")
        out = client.invoke(FunctionName="fn", Payload=b'{"a": 1}', LogType="Tail")
        assert out["StatusCode"] == 200
        assert out["ExecutedVersion"] == "$LATEST"
        assert json.loads(out["Payload"].read()) == {"echo": {"a": 1}}
        assert out["ResponseMetadata"]["HTTPStatusCode"] == 200
        queued = client.invoke(FunctionName="fn", InvocationType="Event", Payload='{"b": 2}')
        assert queued["StatusCode"] == 202
    assert [i["invocation_type"] for i in backend.invocations] == ["RequestResponse", "Event"]
    assert backend.invocations[1]["payload"] == b'{"b": 2}'
    assert backend.invocations[0]["log_type"] == "Tail"
    assert not bridge.moto_started


def test_invoke_throttles_surface_as_429_too_many_requests(backend):
    def throttled(**kw):
        raise TooManyRequestsException("Rate Exceeded.")

    backend.invoke_function = throttled
    with Bridge(backend):
        client = boto3.client("lambda")
        with pytest.raises(client.exceptions.TooManyRequestsException) as info:
            client.invoke(FunctionName="fn", Payload=b"{}")
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert info.value.response["Error"]["Message"] == "Rate Exceeded."


def test_invoke_of_a_function_the_sim_does_not_have_goes_to_moto(backend):
    with Bridge(backend) as bridge:
        client = boto3.client("lambda")
        with pytest.raises(client.exceptions.ResourceNotFoundException):
            client.invoke(FunctionName="elsewhere", Payload=b"{}")
    assert bridge.moto_started


def test_sns_publish_reaches_a_sim_topic_and_its_queue_section_7_2(backend):
    topic = backend.topics["t"] = Topic(backend.world, "t")
    queue = backend.queue("sub")
    topic.subscribe_queue(queue)
    with Bridge(backend):
        client = boto3.client("sns")
        out = client.publish(TopicArn=topic.arn, Message="hello", Subject="hi")
        assert UUID.match(out["MessageId"])
        batch = client.publish_batch(
            TopicArn=topic.arn,
            PublishBatchRequestEntries=[{"Id": "1", "Message": "a"}, {"Id": "2", "Message": ""}],
        )
        assert [e["Id"] for e in batch["Successful"]] == ["1"]
        assert batch["Failed"][0]["Code"] == "InvalidParameter"
        with pytest.raises(client.exceptions.NotFoundException):
            client.publish(TopicArn=topic.arn + "-nope", Message="x")
    body = json.loads(queue.messages[0].body)
    assert body["Type"] == "Notification"
    assert body["MessageId"] == out["MessageId"]
    assert body["Subject"] == "hi"


def test_put_events_reaches_a_sim_bus_section_7_3(backend):
    bus = backend.buses["default"] = EventBus(backend.world)
    queue = backend.queue("events")
    bus.add_rule("r", event_pattern={"source": ["shop"]}, targets=[queue])
    with Bridge(backend):
        client = boto3.client("events")
        out = client.put_events(
            Entries=[
                {"Source": "shop", "DetailType": "Order", "Detail": '{"id": 1}'},
                {"Source": "other", "DetailType": "Order", "Detail": "{}"},
                {"Source": "shop", "DetailType": "Order", "Detail": "not json"},
            ]
        )
    assert out["FailedEntryCount"] == 1
    assert [sorted(e) for e in out["Entries"]] == [["EventId"], ["EventId"], ["ErrorCode", "ErrorMessage"]]
    assert out["Entries"][2] == {"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is malformed."}
    [msg] = queue.messages
    assert json.loads(msg.body)["id"] == out["Entries"][0]["EventId"]


def test_dynamodb_streams_reads_work_through_moto_despite_the_account_endpoint(backend):
    with Bridge(backend):
        ddb = boto3.client("dynamodb")
        ddb.create_table(
            TableName="t",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
        )
        ddb.put_item(TableName="t", Item={"pk": {"S": "1"}})
        streams = boto3.client("dynamodbstreams")
        arn = streams.list_streams()["Streams"][0]["StreamArn"]
        shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
        iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
        records = streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"]
    assert [r["eventName"] for r in records] == ["INSERT"]


def test_s3_bodies_written_by_a_handler_arrive_whole_in_moto():
    import boto3

    from lambdachaos import Sim

    def handler(event, context):
        client = boto3.client("s3", region_name="us-east-1")
        client.put_object(Bucket="photos", Key="thumbs/cat.png", Body=b"x" * 10)

    with Sim() as sim:
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="photos")
        later = boto3.client("s3", region_name="us-east-1")  # created after moto started
        sim.function(handler, name="thumb").invoke({})
        later.put_object(Bucket="photos", Key="direct", Body=b"abc")
        assert s3.get_object(Bucket="photos", Key="thumbs/cat.png")["Body"].read() == b"x" * 10
        assert s3.get_object(Bucket="photos", Key="direct")["Body"].read() == b"abc"
