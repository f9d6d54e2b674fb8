"""Checks of the realism invariants of docs/aws-behaviour.md §11, shared by the generator tests."""

from __future__ import annotations

import base64
import gzip
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
        by_s3 = r["eventName"].startswith(("Replication:", "Lifecycle", "IntelligentTiering"))
        if by_s3:  # S3 itself acted: AWS names the service as the principal and the source
            assert r["userIdentity"]["principalId"] == r["requestParameters"]["sourceIPAddress"] == "s3.amazonaws.com"
        else:
            ipaddress.ip_address(r["requestParameters"]["sourceIPAddress"])
        assert r["eventVersion"] in ("2.1", "2.2", "2.3")
        blocks = {k for k in r if k.endswith("EventData")}
        expected = {
            "2.2": {"replicationEventData"},
            "2.3": {"lifecycleEventData"} if r["eventName"] == "LifecycleTransition" else set(),
        }.get(r["eventVersion"], {"glacierEventData"} if r["eventName"] == "ObjectRestore:Completed" else set())
        if r["eventName"] == "IntelligentTiering":
            expected = {"intelligentTieringEventData"}
        assert blocks == expected, (r["eventName"], blocks)
        if r["eventName"].startswith("Replication:") or r["eventName"].endswith("DeleteMarkerCreated"):
            assert "versionId" in obj


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


def _b64(value: str) -> bytes:
    return base64.b64decode(value, validate=True)


def _epoch_ms(value: Any) -> None:
    assert isinstance(value, int) and 1e12 < value < 1e13, value


def check_kafka(event: dict[str, Any]) -> None:
    assert event["eventSource"] in ("aws:kafka", "SelfManagedKafka")
    servers = event["bootstrapServers"].split(",")
    assert servers and all(re.match(r"^[a-z0-9.-]+:\d+$", s) for s in servers)
    if event["eventSource"] == "aws:kafka":
        arn = event["eventSourceArn"]
        assert re.match(r"^arn:aws[a-z-]*:kafka:[a-z0-9-]+:\d{12}:cluster/[^/]+/[0-9a-f-]+-\d+$", arn)
        assert all(f".kafka.{region_of(arn)}.amazonaws.com:" in s for s in servers)
    else:
        assert "eventSourceArn" not in event
    for group, records in event["records"].items():
        previous_offset, previous_time = -1, 0
        for r in records:
            assert group == f"{r['topic']}-{r['partition']}"
            assert r["offset"] > previous_offset
            previous_offset = r["offset"]
            _epoch_ms(r["timestamp"])
            assert r["timestamp"] >= previous_time
            previous_time = r["timestamp"]
            assert r["timestampType"] == "CREATE_TIME"
            _b64(r["key"])
            _b64(r["value"])
            for header in r["headers"]:
                ((name, values),) = header.items()
                assert isinstance(name, str) and all(-128 <= b <= 127 for b in values)


def check_mq(event: dict[str, Any]) -> None:
    arn = event["eventSourceArn"]
    assert re.match(r"^arn:aws[a-z-]*:mq:[a-z0-9-]+:\d{12}:broker:[^:]+:b-[0-9a-f-]{36}$", arn)
    broker = arn.rsplit(":", 1)[1]
    if event["eventSource"] == "aws:mq":
        assert "rmqMessagesByQueue" not in event
        previous = 0
        for m in event["messages"]:
            assert m["messageID"].startswith(f"ID:{broker}-1.mq.{region_of(arn)}.amazonaws.com-")
            assert m["messageType"] in ("jms/text-message", "jms/bytes-message")
            _b64(m["data"])
            assert m["destination"]["physicalName"]
            for key in ("timestamp", "brokerInTime", "brokerOutTime"):
                _epoch_ms(m[key])
            assert previous <= m["timestamp"] <= m["brokerInTime"] <= m["brokerOutTime"]
            previous = m["timestamp"]
    else:
        assert event["eventSource"] == "aws:rmq" and "messages" not in event
        for queue, messages in event["rmqMessagesByQueue"].items():
            assert re.match(r"^[^:]+::/.*$", queue)
            for m in messages:
                body = _b64(m["data"])
                assert m["basicProperties"]["bodySize"] == len(body)
                time.strptime(m["basicProperties"]["timestamp"], "%b %d, %Y, %I:%M:%S %p")
                assert isinstance(m["redelivered"], bool)


def check_websocket(event: dict[str, Any]) -> None:
    ctx = event["requestContext"]
    kind = ctx["eventType"]
    assert ctx["routeKey"] == {"CONNECT": "$connect", "DISCONNECT": "$disconnect"}.get(kind, ctx["routeKey"])
    assert ("messageId" in ctx) == (kind == "MESSAGE") == ("body" in event)
    assert ("headers" in event) == (kind != "MESSAGE")
    assert ctx["connectedAt"] <= ctx["requestTimeEpoch"]
    _epoch_ms(ctx["connectedAt"])
    assert ctx["domainName"] == f"{ctx['apiId']}.execute-api.{ctx['domainName'].split('.')[2]}.amazonaws.com"
    assert re.match(r"^[A-Za-z0-9]{15}=$", ctx["connectionId"])
    ipaddress.ip_address(ctx["identity"]["sourceIp"])
    if kind == "DISCONNECT":
        assert ctx["disconnectStatusCode"] in (1000, 1001, 1005, 1006) and ctx["disconnectReason"]


def check_authorizer(event: dict[str, Any]) -> None:
    assert event["type"] in ("TOKEN", "REQUEST")
    resource_arn = event.get("methodArn") or event["routeArn"]
    assert re.match(r"^arn:aws[a-z-]*:execute-api:[a-z0-9-]+:\d{12}:[a-z0-9]+/[^/]+/[A-Z]+/", resource_arn)
    if event["type"] == "TOKEN":
        assert set(event) == {"type", "authorizationToken", "methodArn"}
        return
    assert "body" not in event and "isBase64Encoded" not in event
    if event.get("version") == "2.0":
        assert event["rawPath"] == event["requestContext"]["http"]["path"]
        assert event["routeArn"].endswith(event["rawPath"])
        assert event["identitySource"] == [event["headers"]["authorization"]]
    else:
        assert event["methodArn"].endswith(event["path"])
        assert event["methodArn"].split(":")[3] == event["requestContext"]["domainName"].split(".")[2]


def check_cloudwatch_logs(event: dict[str, Any]) -> None:
    (data,) = event["awslogs"].values()
    doc = json.loads(gzip.decompress(_b64(data)))
    assert list(doc) == ["messageType", "owner", "logGroup", "logStream", "subscriptionFilters", "logEvents"]
    assert doc["messageType"] == "DATA_MESSAGE" and re.match(r"^\d{12}$", doc["owner"])
    assert doc["logGroup"].startswith("/") and doc["subscriptionFilters"]
    previous = 0
    for e in doc["logEvents"]:
        assert re.match(r"^[1-9]\d{55}$", e["id"])
        _epoch_ms(e["timestamp"])
        assert e["timestamp"] >= previous
        previous = e["timestamp"]
        assert isinstance(e["message"], str)
    if doc["logGroup"].startswith("/aws/lambda/"):
        assert re.match(r"^\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}$", doc["logStream"])


def check_firehose(event: dict[str, Any]) -> None:
    assert UUID.match(event["invocationId"])
    assert re.match(r"^arn:aws[a-z-]*:firehose:[a-z0-9-]+:\d{12}:deliverystream/.+$", event["deliveryStreamArn"])
    assert event["region"] == region_of(event["deliveryStreamArn"])
    from_stream = "sourceKinesisStreamArn" in event
    if from_stream:
        assert region_of(event["sourceKinesisStreamArn"]) == event["region"]
    ids = [r["recordId"] for r in event["records"]]
    assert len(set(ids)) == len(ids)
    previous = 0
    for r in event["records"]:
        _b64(r["data"])
        _epoch_ms(r["approximateArrivalTimestamp"])  # int ms, unlike Kinesis Data Streams
        assert r["approximateArrivalTimestamp"] >= previous
        previous = r["approximateArrivalTimestamp"]
        assert ("kinesisRecordMetadata" in r) == from_stream
        if from_stream:
            meta = r["kinesisRecordMetadata"]
            assert re.match(r"^shardId-\d{12}$", meta["shardId"]) and re.match(r"^\d{56}$", meta["sequenceNumber"])
            _epoch_ms(meta["approximateArrivalTimestamp"])


def check_ses(event: dict[str, Any]) -> None:
    (record,) = event["Records"]
    assert (record["eventSource"], record["eventVersion"]) == ("aws:ses", "1.0")
    mail, receipt = record["ses"]["mail"], record["ses"]["receipt"]
    assert ISO_MS.match(mail["timestamp"]) and ISO_MS.match(receipt["timestamp"])
    assert receipt["timestamp"] >= mail["timestamp"]
    assert receipt["processingTimeMillis"] > 0
    assert set(receipt["recipients"]) <= set(mail["destination"])
    statuses = {receipt[k]["status"] for k in ("spamVerdict", "virusVerdict", "spfVerdict", "dkimVerdict")}
    assert statuses <= {"PASS", "FAIL", "GRAY", "PROCESSING_FAILED"}
    assert ("dmarcPolicy" in receipt) == (receipt["dmarcVerdict"]["status"] == "FAIL")
    assert receipt["action"]["type"] == "Lambda" and receipt["action"]["invocationType"] == "Event"
    common = mail["commonHeaders"]
    assert common["returnPath"] == mail["source"]
    headers = {h["name"]: h["value"] for h in mail["headers"]}
    assert headers["Message-ID"] == common["messageId"] and headers["Date"] == common["date"]


def check_cognito(event: dict[str, Any]) -> None:
    assert event["version"] == "1"
    assert event["userPoolId"].startswith(event["region"] + "_")
    assert re.match(r"^[A-Z][A-Za-z]+_[A-Za-z]+$", event["triggerSource"])
    attributes = event["request"].get("userAttributes")
    assert (attributes is None) == event["triggerSource"].startswith("UserMigration_")
    assert all(isinstance(v, str) for v in (attributes or {}).values())
    assert set(event["callerContext"]) == {"awsSdkVersion", "clientId"}
    assert ("response" in event) != event["triggerSource"].startswith(("CustomEmailSender_", "CustomSMSSender_"))


def check_cloudformation(event: dict[str, Any]) -> None:
    kind = event["RequestType"]
    assert kind in ("Create", "Update", "Delete")
    region = region_of(event["StackId"])
    assert re.match(r"^arn:aws[a-z-]*:cloudformation:[a-z0-9-]+:\d{12}:stack/[^/]+/[0-9a-f-]{36}$", event["StackId"])
    assert event["ServiceToken"] == event["ResourceProperties"]["ServiceToken"]
    assert region_of(event["ServiceToken"]) == region
    assert event["ResponseURL"].startswith("https://cloudformation-custom-resource-response-")
    assert f".s3.{region}.amazonaws.com/" in event["ResponseURL"]
    assert UUID.match(event["RequestId"])
    assert event["ResourceType"].startswith("Custom::") or event["ResourceType"] == (
        "AWS::CloudFormation::CustomResource"
    )
    assert ("PhysicalResourceId" in event) == (kind != "Create")
    assert ("OldResourceProperties" in event) == (kind == "Update")


def check_s3_batch(event: dict[str, Any]) -> None:
    version = event["invocationSchemaVersion"]
    assert version in ("1.0", "2.0") and UUID.match(event["job"]["id"])
    (task,) = event["tasks"]
    assert " " not in task["s3Key"]
    if version == "1.0":
        assert re.match(r"^arn:aws[a-z-]*:s3:::[a-z0-9.-]+$", task["s3BucketArn"])
        assert "userArguments" not in event["job"]
    else:
        assert "s3BucketArn" not in task and task["s3Bucket"]
        assert isinstance(event["job"]["userArguments"], dict)


def check_appsync(event: dict[str, Any]) -> None:
    if "typeName" in event:  # the older shape: the field at the top level, no info
        assert list(event)[:2] == ["typeName", "fieldName"] and "info" not in event
        event = {**event, "info": {"parentTypeName": event["typeName"], "variables": event["arguments"]}}
    identity, info = event["identity"], event["info"]
    assert isinstance(identity["sourceIp"], list)
    for ip in identity["sourceIp"]:
        ipaddress.ip_address(ip)
    assert identity["claims"]["sub"] == identity["sub"] and identity["claims"]["iss"] == identity["issuer"]
    assert info["parentTypeName"] in ("Query", "Mutation", "Subscription")
    assert info["variables"] == event["arguments"]
    region = identity["issuer"].split(".")[1]
    assert event["request"]["headers"]["host"].endswith(f".appsync-api.{region}.amazonaws.com")


def check_vpc_lattice(event: dict[str, Any]) -> None:
    if "version" not in event:
        assert set(event) == {
            "raw_path",
            "method",
            "headers",
            "query_string_parameters",
            "body",
            "is_base64_encoded",
        }
        assert all(isinstance(v, str) for v in event["headers"].values())
        return
    assert event["version"] == "2.0"
    assert all(isinstance(v, list) for v in event["headers"].values())
    ctx = event["requestContext"]
    assert re.match(r"^\d{16}$", ctx["timeEpoch"])  # microseconds, as a string
    for key in ("serviceNetworkArn", "serviceArn", "targetGroupArn"):
        assert region_of(ctx[key]) == ctx["region"]
    assert ctx["identity"]["principal"].endswith("/" + ctx["identity"]["sessionName"])


def check_secrets_manager(event: dict[str, Any]) -> None:
    assert set(event) == {"Step", "SecretId", "ClientRequestToken", "RotationToken"}
    assert event["Step"] in ("createSecret", "setSecret", "testSecret", "finishSecret")
    assert re.match(r"^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+-[A-Za-z0-9]{6}$", event["SecretId"])
    assert UUID.match(event["ClientRequestToken"])


NEW_SOURCES = (
    "config-rule",
    "connect-",
    "lex-",
    "codecommit",
    "codedeploy",
    "cloudfront",
    "documentdb",
    "iot-button",
    "alexa",
)


def check_event(name: str, event: Any) -> None:
    """Dispatch on the CLI source name."""
    if isinstance(event, list):
        for e in event:
            check_event(name, e)
        return
    json.dumps(event)
    if name.startswith(NEW_SOURCES):
        from .invariants_more import check_more  # imports this module, so not at the top

        check_more(name, event)
    elif name.startswith(("s3-object-lambda", "iot-", "codepipeline", "bedrock-agent")):
        from .invariants_integrations import check_integration  # imports this module, so not at the top

        check_integration(name, event)
    elif name.startswith("kafka"):
        check_kafka(event)
    elif name.startswith("mq-"):
        check_mq(event)
    elif name.startswith("apigateway-websocket"):
        check_websocket(event)
    elif name.startswith("apigateway-authorizer"):
        check_authorizer(event)
    elif name.startswith("cloudwatch-logs"):
        check_cloudwatch_logs(event)
    elif name.startswith("kinesis-firehose"):
        check_firehose(event)
    elif name.startswith("ses-"):
        check_ses(event)
    elif name.startswith("cognito-"):
        check_cognito(event)
    elif name.startswith("cloudformation-"):
        check_cloudformation(event)
    elif name.startswith("s3-batch"):
        check_s3_batch(event)
    elif name.startswith("appsync"):
        check_appsync(event)
    elif name.startswith("vpc-lattice"):
        check_vpc_lattice(event)
    elif name.startswith("secrets-manager"):
        check_secrets_manager(event)
    elif name.startswith("sqs") or name == "s3-sqs":
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
    else:
        raise AssertionError(f"no invariants for source {name!r}")
