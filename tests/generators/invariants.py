"""Checks of the realism invariants of AWS-SEMANTICS.md section 11, shared by the generator tests."""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import json
import re
import time
from typing import Any

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
ISO_S = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def region_of(arn: str) -> str:
    return arn.split(":")[3]


def check_sqs(records: list[dict[str, Any]]) -> None:
    ids = [r["messageId"] for r in records]
    assert len(set(ids)) == len(ids)
    last_seq: dict[str, int] = {}
    for r in records:
        assert UUID.match(r["messageId"])
        assert r["receiptHandle"].startswith("AQEB")
        assert isinstance(r["body"], str)
        assert r["md5OfBody"] == hashlib.md5(r["body"].encode("utf-8", "surrogatepass")).hexdigest()
        attrs = r["attributes"]
        assert all(isinstance(v, str) for v in attrs.values())
        assert int(attrs["ApproximateFirstReceiveTimestamp"]) >= int(attrs["SentTimestamp"])
        assert len(attrs["SentTimestamp"]) == 13
        assert int(attrs["ApproximateReceiveCount"]) >= 1
        assert re.match(r"^(AIDA[A-Z0-9]{17}|AROA[A-Z0-9]{17}:.+)$", attrs["SenderId"])
        assert "DeadLetterQueueSourceArn" not in attrs
        assert r["eventSource"] == "aws:sqs"
        assert r["awsRegion"] == region_of(r["eventSourceARN"])
        assert len(r["messageAttributes"]) <= 10
        if r["eventSourceARN"].endswith(".fifo"):
            group = attrs["MessageGroupId"]
            seq = int(attrs["SequenceNumber"])
            assert seq > last_seq.get(group, -1)
            last_seq[group] = seq
            assert re.match(r"^[0-9a-f]{64}$", attrs["MessageDeduplicationId"])
        else:
            assert "SequenceNumber" not in attrs


def check_kinesis(records: list[dict[str, Any]]) -> None:
    shards = {r["eventID"].split(":")[0] for r in records}
    assert len(shards) == 1
    previous_seq, previous_arrival = -1, 0.0
    for r in records:
        k = r["kinesis"]
        base64.b64decode(k["data"], validate=True)
        assert re.match(r"^\d{56}$", k["sequenceNumber"])
        assert int(k["sequenceNumber"]) > previous_seq
        previous_seq = int(k["sequenceNumber"])
        assert isinstance(k["approximateArrivalTimestamp"], float)
        assert k["approximateArrivalTimestamp"] >= previous_arrival
        assert 1e9 < k["approximateArrivalTimestamp"] < 1e10  # seconds, not ms
        previous_arrival = k["approximateArrivalTimestamp"]
        assert re.match(r"^shardId-\d{12}:\d{56}$", r["eventID"])
        assert r["eventID"].endswith(":" + k["sequenceNumber"])
        assert (r["eventVersion"], k["kinesisSchemaVersion"], r["eventName"]) == (
            "1.0",
            "1.0",
            "aws:kinesis:record",
        )
        assert r["eventSource"] == "aws:kinesis"
        assert r["invokeIdentityArn"].split(":")[2] == "iam"
        assert r["awsRegion"] == region_of(r["eventSourceARN"])


def check_dynamodb(records: list[dict[str, Any]]) -> None:
    previous = -1
    for r in records:
        assert re.match(r"^[0-9a-f]{32}$", r["eventID"])
        assert r["eventName"] in ("INSERT", "MODIFY", "REMOVE")
        assert r["eventSource"] == "aws:dynamodb"
        assert re.match(
            r"^arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:\d{12}:table/[^/]+/stream/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$",
            r["eventSourceARN"],
        )
        assert r["awsRegion"] == region_of(r["eventSourceARN"])
        d = r["dynamodb"]
        assert isinstance(d["ApproximateCreationDateTime"], int)
        assert re.match(r"^\d{21,28}$", d["SequenceNumber"])
        assert int(d["SequenceNumber"]) > previous
        previous = int(d["SequenceNumber"])
        assert d["SizeBytes"] > 0
        view, name = d["StreamViewType"], r["eventName"]
        want_new = view in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES") and name != "REMOVE"
        want_old = view in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES") and name != "INSERT"
        assert ("NewImage" in d) == want_new
        assert ("OldImage" in d) == want_old
        for image in ("NewImage", "OldImage"):
            if image in d:
                for key, value in d["Keys"].items():
                    assert d[image][key] == value
        _check_attribute_values(d["Keys"])


def _check_attribute_values(image: dict[str, Any]) -> None:
    for value in image.values():
        ((tag, inner),) = value.items()
        if tag == "N":
            assert isinstance(inner, str)
            float(inner)
        elif tag == "B":
            base64.b64decode(inner, validate=True)
        elif tag == "NULL":
            assert inner is True


def check_s3(records: list[dict[str, Any]]) -> None:
    for r in records:
        assert ISO_MS.match(r["eventTime"])
        assert not r["eventName"].startswith("s3:")
        obj = r["s3"]["object"]
        assert " " not in obj["key"]
        assert re.match(r"^[0-9A-F]+$", obj["sequencer"])
        deleting = r["eventName"].startswith(("ObjectRemoved:", "LifecycleExpiration:"))
        assert ("size" in obj) == (not deleting) and ("eTag" in obj) == (not deleting)
        assert re.match(r"^[0-9A-F]{16}$", r["responseElements"]["x-amz-request-id"])
        ipaddress.ip_address(r["requestParameters"]["sourceIPAddress"])
        assert r["eventVersion"] in ("2.1", "2.2", "2.3")


def check_sns(records: list[dict[str, Any]]) -> None:
    assert len(records) == 1
    for r in records:
        s = r["Sns"]
        assert r["EventSubscriptionArn"].startswith(s["TopicArn"] + ":")
        assert ISO_MS.match(s["Timestamp"])
        base64.b64decode(s["Signature"], validate=True)
        region = region_of(s["TopicArn"])
        assert s["SigningCertUrl"].startswith(f"https://sns.{region}.amazonaws.com/")
        assert s["UnsubscribeUrl"].startswith(f"https://sns.{region}.amazonaws.com/")
        assert "SigningCertURL" not in s and "UnsubscribeURL" not in s


def check_eventbridge(event: dict[str, Any]) -> None:
    assert event["version"] == "0"
    assert ISO_S.match(event["time"])
    assert UUID.match(event["id"])
    if event["source"] == "aws.scheduler":
        assert event["detail"] == "{}"


def check_http(event: dict[str, Any]) -> None:
    if event.get("isBase64Encoded"):
        base64.b64decode(event["body"], validate=True)
    ctx = event["requestContext"]
    if event.get("version") == "2.0":
        assert event["rawPath"] == ctx["http"]["path"]
        ipaddress.ip_address(ctx["http"]["sourceIp"])
        parsed = time.strptime(ctx["time"], "%d/%b/%Y:%H:%M:%S +0000")
        assert ctx["timeEpoch"] // 1000 == int(time.mktime(parsed) - time.timezone)
        assert "cookie" not in event["headers"]
        assert all(k == k.lower() for k in event["headers"])
    elif "elb" in ctx:
        assert ("headers" in event) != ("multiValueHeaders" in event)
        assert ("queryStringParameters" in event) != ("multiValueQueryStringParameters" in event)
        assert isinstance(event["body"], str)
    else:
        ipaddress.ip_address(ctx["identity"]["sourceIp"])
        assert ctx["path"].endswith(event["path"])
        assert ctx["requestTimeEpoch"] // 1000 == int(
            time.mktime(time.strptime(ctx["requestTime"], "%d/%b/%Y:%H:%M:%S +0000")) - time.timezone
        )


def check_event(name: str, event: Any) -> None:
    """Dispatch on the CLI source name."""
    if isinstance(event, list):
        for e in event:
            check_event(name, e)
        return
    json.dumps(event)
    if name.startswith("sqs") or name == "s3-sqs":
        check_sqs(event["Records"])
        if name == "s3-sqs":
            for r in event["Records"]:
                check_s3(json.loads(r["body"])["Records"])
    elif name == "kinesis":
        check_kinesis(event["Records"])
    elif name.startswith("dynamodb"):
        check_dynamodb(event["Records"])
    elif name == "s3-eventbridge" or name.startswith("eventbridge"):
        check_eventbridge(event)
    elif name.startswith("s3"):
        check_s3(event["Records"])
    elif name == "sns":
        check_sns(event["Records"])
    elif name.startswith(("apigateway", "function-url", "alb")):
        check_http(event)
