"""Realism invariants of the sources powertools has no parser model for: Config rules, Connect, Lex,
CodeCommit, CodeDeploy, CloudFront Lambda@Edge, DocumentDB and the IoT button (AWS documentation shapes)."""

from __future__ import annotations

import base64
import ipaddress
import json
import re
from typing import Any

from .invariants import UUID, region_of

ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def check_config_rule(event: dict[str, Any]) -> None:
    assert event["version"] == "1.0" and event["evaluationMode"] == "DETECTIVE"
    invoking = json.loads(event["invokingEvent"])  # JSON text, not an object
    assert isinstance(json.loads(event["ruleParameters"]), dict)
    json.loads(base64.b64decode(event["resultToken"], validate=True))
    assert event["configRuleArn"].endswith("config-rule/" + event["configRuleId"])
    assert event["configRuleArn"].split(":")[4] == event["accountId"]
    assert ISO_MS.match(invoking["notificationCreationTime"])
    if invoking["messageType"] == "ScheduledNotification":
        assert set(invoking) == {"awsAccountId", "notificationCreationTime", "messageType", "recordVersion"}
        return
    assert invoking["messageType"] == "ConfigurationItemChangeNotification"
    item = invoking["configurationItem"]
    assert item["ARN"].endswith("/" + item["resourceId"]) and item["awsRegion"] == region_of(event["configRuleArn"])
    assert item["availabilityZone"].startswith(item["awsRegion"])
    change = invoking["configurationItemDiff"]["changedProperties"]["Configuration.InstanceType"]
    assert change["updatedValue"] == item["configuration"]["instanceType"] != change["previousValue"]


def check_connect(event: dict[str, Any]) -> None:
    assert event["Name"] == "ContactFlowEvent"
    data = event["Details"]["ContactData"]
    assert UUID.match(data["ContactId"]) and data["InitialContactId"] == data["ContactId"]
    assert data["Queue"]["ARN"].startswith(data["InstanceARN"] + "/queue/")
    assert all(isinstance(v, str) for v in {**data["Attributes"], **event["Details"]["Parameters"]}.values())
    voice = data["Channel"] == "VOICE"
    assert (data["CustomerEndpoint"] is not None) == voice == (data["MediaStreams"]["Customer"]["Audio"] is not None)
    if voice:
        assert re.match(r"^\+1\d{10}$", data["CustomerEndpoint"]["Address"])


def check_lex(event: dict[str, Any]) -> None:
    assert event["messageVersion"] == "1.0"
    assert event["invocationSource"] in ("DialogCodeHook", "FulfillmentCodeHook")
    if "currentIntent" in event:  # V1
        slots = event["currentIntent"]["slots"]
        assert set(event["bot"]) == {"name", "alias", "version"}
        assert (slots["OrderNumber"] is None) == (event["currentIntent"]["slotDetails"] == {})
        return
    intent = event["sessionState"]["intent"]
    assert event["interpretations"][0]["intent"] == intent
    assert 0 <= event["interpretations"][0]["nluConfidence"] <= 1
    slot = intent["slots"]["OrderNumber"]
    assert slot is None or slot["value"]["interpretedValue"] in event["inputTranscript"]
    if event["invocationSource"] == "FulfillmentCodeHook":
        assert intent["state"] == "ReadyForFulfillment" and slot is not None


def check_codecommit(event: dict[str, Any]) -> None:
    (record,) = event["Records"]
    assert record["eventSource"] == "aws:codecommit" and record["awsRegion"] == region_of(record["eventSourceARN"])
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$", record["eventTime"])
    for ref in record["codecommit"]["references"]:
        assert re.match(r"^[0-9a-f]{40}$", ref["commit"]) and ref["ref"].startswith("refs/")
    assert record["eventPartNumber"] <= record["eventTotalParts"]


def check_codedeploy(event: dict[str, Any]) -> None:
    assert set(event) == {"DeploymentId", "LifecycleEventHookExecutionId"}
    assert re.match(r"^d-[A-Z0-9]{9}$", event["DeploymentId"])
    json.loads(base64.b64decode(event["LifecycleEventHookExecutionId"], validate=True))


def check_cloudfront(event: dict[str, Any]) -> None:
    (record,) = event["Records"]
    cf = record["cf"]
    kind = cf["config"]["eventType"]
    assert kind in ("viewer-request", "origin-request", "origin-response", "viewer-response")
    ipaddress.ip_address(cf["request"]["clientIp"])
    for name, values in cf["request"]["headers"].items():
        assert name == name.lower() and all(v["key"].lower() == name for v in values)
    assert cf["request"]["headers"]["host"][0]["value"] == cf["config"]["distributionDomainName"]
    assert ("origin" in cf["request"]) == (kind == "origin-request")
    assert ("response" in cf) == kind.endswith("response")
    if "response" in cf:
        assert isinstance(cf["response"]["status"], str) and cf["response"]["status"].isdigit()


def check_documentdb(event: dict[str, Any]) -> None:
    assert event["eventSource"] == "aws:docdb" and ":rds:" in event["eventSourceArn"]
    increments = []
    for item in event["events"]:
        change = item["event"]
        oid = change["documentKey"]["_id"]["$oid"]
        assert re.match(r"^[0-9a-f]{24}$", oid)
        ts = change["clusterTime"]["$timestamp"]
        assert int(oid[:8], 16) <= ts["t"]
        increments.append(ts["i"])
        kind = change["operationType"]
        if kind in ("insert", "replace") or "fullDocument" in change:
            assert kind != "delete" and change["fullDocument"]["_id"] == {"$oid": oid}
        assert ("updateDescription" in change) == (kind == "update")
    assert increments == sorted(increments)


def check_iot_button(event: dict[str, Any]) -> None:
    assert set(event) == {"serialNumber", "clickType", "batteryVoltage"}
    assert re.match(r"^G030[A-Z0-9]{12}$", event["serialNumber"]) and event["clickType"] in ("SINGLE", "DOUBLE", "LONG")
    assert re.match(r"^\d{4}mV$", event["batteryVoltage"])


def check_alexa(event: dict[str, Any]) -> None:
    assert event["version"] == "1.0"
    session, system, request = event["session"], event["context"]["System"], event["request"]
    assert session["application"] == system["application"] and session["user"] == system["user"]
    assert session["application"]["applicationId"].startswith("amzn1.ask.skill.")
    assert request["requestId"].startswith("amzn1.echo-api.request.")
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", request["timestamp"])
    assert session["new"] == (request["type"] == "LaunchRequest")
    if request["type"] == "IntentRequest":
        assert all(slot["name"] == name for name, slot in request["intent"]["slots"].items())


def check_more(name: str, event: dict[str, Any]) -> None:
    """Dispatch on the CLI source name (one of this module's sources)."""
    for prefix, check in (
        ("config-rule", check_config_rule),
        ("connect-", check_connect),
        ("lex-", check_lex),
        ("codecommit", check_codecommit),
        ("codedeploy", check_codedeploy),
        ("cloudfront", check_cloudfront),
        ("documentdb", check_documentdb),
        ("iot-button", check_iot_button),
        ("alexa", check_alexa),
    ):
        if name.startswith(prefix):
            check(event)
            return
    raise AssertionError(name)
