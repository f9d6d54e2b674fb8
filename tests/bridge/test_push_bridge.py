"""S3 notifications after real writes, SNS subscriptions on sim topics (docs/aws-behaviour.md §7.1, §7.2)."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError

from lambdachaos import Sim


class StubBucket:
    """Stands in for the sim bucket: records ``notify`` calls."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def notify(self, event_name, key, *, size=None, etag=None, version_id=None):
        self.calls.append((event_name, key, size, etag, version_id))


@pytest.fixture
def sim():
    with Sim(seed=2) as s:
        yield s


@pytest.fixture
def bucket(sim, monkeypatch):
    stub = StubBucket()
    monkeypatch.setattr(type(sim._bridge.context), "find_bucket", lambda self, name: stub if name == "photos" else None)
    boto3.client("s3").create_bucket(Bucket="photos")
    return stub


def test_writes_that_reach_moto_notify_the_sim_bucket_with_size_and_etag(sim, bucket):
    s3 = boto3.client("s3")
    put = s3.put_object(Bucket="photos", Key="a b.jpg", Body=b"12345")
    s3.copy_object(Bucket="photos", Key="copy.jpg", CopySource={"Bucket": "photos", "Key": "a b.jpg"})
    s3.delete_object(Bucket="photos", Key="a b.jpg")
    s3.delete_objects(Bucket="photos", Delete={"Objects": [{"Key": "copy.jpg"}]})
    etag = put["ETag"].strip('"')
    assert bucket.calls == [
        ("ObjectCreated:Put", "a b.jpg", 5, etag, None),
        ("ObjectCreated:Copy", "copy.jpg", 5, etag, None),
        ("ObjectRemoved:Delete", "a b.jpg", None, None, None),
        ("ObjectRemoved:Delete", "copy.jpg", None, None, None),
    ]
    # moto holds the objects: the copy was readable before it was deleted, now both are gone.
    assert s3.list_objects_v2(Bucket="photos")["KeyCount"] == 0


def test_complete_multipart_upload_notifies_once_with_the_object_size(sim, bucket):
    s3 = boto3.client("s3")
    upload = s3.create_multipart_upload(Bucket="photos", Key="big")
    part = s3.upload_part(Bucket="photos", Key="big", UploadId=upload["UploadId"], PartNumber=1, Body=b"x" * 10)
    s3.complete_multipart_upload(Bucket="photos", Key="big", UploadId=upload["UploadId"],
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
    assert [(c[0], c[1], c[2]) for c in bucket.calls] == [("ObjectCreated:CompleteMultipartUpload", "big", 10)]


def test_a_real_put_on_a_sim_bucket_invokes_its_notification_function(sim):
    events = []
    fn = sim.function(lambda event, context: events.append(event["Records"][0]), name="thumbs")
    bucket = sim.s3_bucket("uploads")
    bucket.add_notification(fn, events=["s3:ObjectCreated:*"])
    # moto has never seen the bucket: the bridge creates it there on first use.
    boto3.client("s3").put_object(Bucket="uploads", Key="dir/a b.png", Body=b"png!")
    sim.run()
    assert [(e["eventName"], e["s3"]["object"]["key"], e["s3"]["object"]["size"]) for e in events] == [
        ("ObjectCreated:Put", "dir/a+b.png", 4)]
    assert boto3.client("s3").get_object(Bucket="uploads", Key="dir/a b.png")["Body"].read() == b"png!"


def test_buckets_the_sim_does_not_know_are_moto_only(sim, bucket):
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="other")
    s3.put_object(Bucket="other", Key="k", Body=b"v")
    assert bucket.calls == []


def test_subscribe_a_sim_queue_then_publish_then_unsubscribe(sim):
    topic = sim.sns_topic("news")
    queue = sim.sqs_queue("inbox")
    sns = boto3.client("sns")
    arn = sns.subscribe(TopicArn=topic.arn, Protocol="sqs", Endpoint=queue.arn,
                        Attributes={"RawMessageDelivery": "true"})["SubscriptionArn"]
    assert arn.startswith(topic.arn + ":")
    listed = sns.list_subscriptions_by_topic(TopicArn=topic.arn)["Subscriptions"]
    assert listed == [{"SubscriptionArn": arn, "Owner": "123456789012", "Protocol": "sqs",
                       "Endpoint": queue.arn, "TopicArn": topic.arn}]
    sns.publish(TopicArn=topic.arn, Message="hello")
    assert [m.body for m in queue.messages] == ["hello"]
    sns.unsubscribe(SubscriptionArn=arn)
    assert sns.list_subscriptions_by_topic(TopicArn=topic.arn)["Subscriptions"] == []


def test_subscribing_the_same_endpoint_twice_returns_the_same_subscription(sim):
    topic = sim.sns_topic("news")
    queue = sim.sqs_queue("inbox")
    sns = boto3.client("sns")
    first = sns.subscribe(TopicArn=topic.arn, Protocol="sqs", Endpoint=queue.arn)["SubscriptionArn"]
    assert sns.subscribe(TopicArn=topic.arn, Protocol="sqs", Endpoint=queue.arn)["SubscriptionArn"] == first
    assert len(topic.subscriptions) == 1


def test_lambda_subscriptions_go_through_sim_subscribe(sim):
    topic = sim.sns_topic("news")
    received = []
    fn = sim.function(lambda event, context: received.append(event["Records"][0]["Sns"]["Message"]), name="reader")
    sns = boto3.client("sns")
    if getattr(sim, "subscribe", None) is None:
        with pytest.raises(ClientError, match=r"^An error occurred \(InvalidParameter\) .*sim\.subscribe is not "
                                              r"available\)$"):
            sns.subscribe(TopicArn=topic.arn, Protocol="lambda", Endpoint=fn.arn)
        return
    sns.subscribe(TopicArn=topic.arn, Protocol="lambda", Endpoint=fn.arn)
    sns.publish(TopicArn=topic.arn, Message=json.dumps({"n": 1}))
    sim.run()
    assert received == [json.dumps({"n": 1})]


def test_unsupported_protocols_are_refused_in_sns_wording(sim):
    topic = sim.sns_topic("news")
    with pytest.raises(ClientError, match=r"^An error occurred \(InvalidParameter\) when calling the Subscribe "
                                          r"operation: Invalid parameter: Protocol 'email'"):
        boto3.client("sns").subscribe(TopicArn=topic.arn, Protocol="email", Endpoint="a@example.com")


def test_a_sim_bucket_exists_for_boto3_before_any_write(sim):
    sim.s3_bucket("declared")
    s3 = boto3.client("s3")
    assert s3.head_bucket(Bucket="declared")["ResponseMetadata"]["HTTPStatusCode"] == 200
    listing = s3.list_objects_v2(Bucket="declared")
    assert (listing["Name"], listing["KeyCount"]) == ("declared", 0)


def test_objects_written_either_way_are_visible_both_ways(sim):
    bucket = sim.s3_bucket("shared")
    bucket.put_object("sim.txt", b"from the sim")
    s3 = boto3.client("s3")
    assert s3.get_object(Bucket="shared", Key="sim.txt")["Body"].read() == b"from the sim"
    s3.put_object(Bucket="shared", Key="boto.txt", Body=b"from boto3")
    assert bucket.keys == ["boto.txt", "sim.txt"]
    assert bucket.head("boto.txt").size == 10 and bucket.body("boto.txt") is None
    assert [o["Key"] for o in s3.list_objects_v2(Bucket="shared")["Contents"]] == ["boto.txt", "sim.txt"]
    bucket.delete_object("sim.txt")
    s3.delete_object(Bucket="shared", Key="boto.txt")
    assert bucket.keys == [] and s3.list_objects_v2(Bucket="shared")["KeyCount"] == 0


def test_a_lambda_subscription_made_through_boto3_takes_a_redrive_policy(sim):
    fn = sim.function(lambda event, context: None, name="audit")
    topic = sim.sns_topic("orders")
    dlq = sim.sqs_queue("orders-dlq")
    sns = boto3.client("sns")
    sns.subscribe(TopicArn=topic.arn, Protocol="lambda", Endpoint=fn.arn,
                  Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq.arn})})
    del sim.service.functions["audit"]
    message_id = sns.publish(TopicArn=topic.arn, Message="lost")["MessageId"]
    sim.run()
    [moved] = boto3.client("sqs").receive_message(QueueUrl=dlq.url)["Messages"]
    assert json.loads(moved["Body"])["MessageId"] == message_id
    with pytest.raises(ClientError) as info:
        sns.subscribe(TopicArn=topic.arn, Protocol="lambda", Endpoint=fn.arn + "x",
                      Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq.arn + "-missing"})})
    assert info.value.response["Error"]["Code"] == "InvalidParameter"
