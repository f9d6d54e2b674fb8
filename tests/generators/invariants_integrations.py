"""Realism checks for the service-integration sources: S3 Object Lambda, IoT, CodePipeline and Bedrock agents.

Kept apart from :mod:`.invariants` (which dispatches here) so each checks module stays small. Every check is an
AWS fact or a cross-field rule; powertools models check neither.
"""

from __future__ import annotations

import base64
import hashlib
import re
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .invariants import UUID


def _arn_parts(arn: str) -> tuple[str, str, str, str]:
    _, _, service, region, account, resource = arn.split(":", 5)
    return service, region, account, resource


def check_s3_object_lambda(event: dict[str, Any]) -> None:
    assert event["protocolVersion"] == "1.00" and event["xAmzRequestId"]
    config, context, request = event["configuration"], event["getObjectContext"], event["userRequest"]
    olap_service, region, account, olap = _arn_parts(config["accessPointArn"])
    ap_service, ap_region, ap_account, ap = _arn_parts(config["supportingAccessPointArn"])
    assert (olap_service, ap_service) == ("s3-object-lambda", "s3")
    assert (ap_region, ap_account) == (region, account) and olap.startswith("accesspoint/")
    assert isinstance(config["payload"], str)
    source, user = urlsplit(context["inputS3Url"]), urlsplit(request["url"])
    assert source.scheme == user.scheme == "https"
    assert source.netloc == f"{ap.split('/', 1)[1]}-{account}.s3-accesspoint.{region}.amazonaws.com"
    assert user.netloc == request["headers"]["Host"]
    assert user.netloc == f"{olap.split('/', 1)[1]}-{account}.s3-object-lambda.{region}.amazonaws.com"
    assert source.path == user.path and " " not in source.path
    query = {k: v[0] for k, v in parse_qs(source.query).items()}
    identity = event["userIdentity"]
    key_id, date, cred_region, service, terminator = query["X-Amz-Credential"].split("/")
    assert key_id == identity["accessKeyId"] and (cred_region, service, terminator) == (region, "s3", "aws4_request")
    assert query["X-Amz-Date"].startswith(date) and query["X-Amz-Expires"] == "61"
    assert re.match(r"^[0-9a-f]{64}$", query["X-Amz-Signature"])
    assert ("X-Amz-Security-Token" in query) == key_id.startswith("ASIA")
    assert re.match(r"^io-[a-z0-9]+-\d{3}$", context["outputRoute"]) and context["outputToken"]
    assert request["headers"]["X-Amz-Content-SHA256"] == hashlib.sha256(b"").hexdigest()
    assert identity["accountId"] == _arn_parts(identity["arn"])[2]
    if identity["type"] == "AssumedRole":
        session = identity["sessionContext"]
        session_name = identity["arn"].rsplit("/", 1)[1]
        assert identity["principalId"] == f"{session['sessionIssuer']['principalId']}:{session_name}"
        assert session["attributes"]["mfaAuthenticated"] in ("true", "false")  # a string, CloudTrail style
        time.strptime(session["attributes"]["creationDate"], "%a %b %d %H:%M:%S UTC %Y")
    else:
        assert identity["type"] == "IAMUser" and identity["accessKeyId"].startswith("AKIA")
        assert identity["arn"].endswith(":user/" + identity["userName"])


def check_iot_rule(event: dict[str, Any]) -> None:
    assert isinstance(event, dict)
    if "timestamp" in event:
        assert isinstance(event["timestamp"], int) and 1e12 < event["timestamp"] < 1e13  # epoch ms
    if "topic" in event:
        assert event["topic"] and not set(event["topic"]) & {"+", "#"}  # a publish topic, never a filter
    if "clientid" in event:
        assert isinstance(event["clientid"], str) and event["clientid"]


def check_iot_authorizer(event: dict[str, Any]) -> None:
    assert set(event) <= {"token", "signatureVerified", "protocols", "protocolData", "connectionMetadata"}
    assert isinstance(event["signatureVerified"], bool)
    if event["signatureVerified"]:
        assert event["token"]  # a signature is verified over the token
    protocols = event["protocols"]
    assert "tls" in protocols and set(protocols) <= {"tls", "http", "mqtt"}
    data = event["protocolData"]
    assert set(data) == set(protocols)
    assert re.match(r"^[a-z0-9]+-ats\.iot\.[a-z0-9-]+\.amazonaws\.com$", data["tls"]["serverName"])
    if "mqtt" in data:
        if "password" in data["mqtt"]:
            base64.b64decode(data["mqtt"]["password"], validate=True)
        assert data["mqtt"]["clientId"]
    if "http" in data:
        assert all(isinstance(v, str) for v in data["http"]["headers"].values())
        assert data["http"]["queryString"] == "" or data["http"]["queryString"].startswith("?")
    assert UUID.match(event["connectionMetadata"]["id"])


def check_codepipeline(event: dict[str, Any]) -> None:
    (job,) = event.values()
    assert list(event) == ["CodePipeline.job"]
    assert UUID.match(job["id"]) and re.match(r"^\d{12}$", job["accountId"])
    data = job["data"]
    config = data["actionConfiguration"]["configuration"]
    assert set(config) <= {"FunctionName", "UserParameters"} and config["FunctionName"]
    assert isinstance(config.get("UserParameters", ""), str)
    buckets = set()
    for kind in ("inputArtifacts", "outputArtifacts"):
        for artifact in data[kind]:
            location = artifact["location"]
            assert location["type"] == "S3"
            s3 = location["s3Location"]
            buckets.add(s3["bucketName"])
            pipeline, name, suffix = s3["objectKey"].split("/")
            assert len(pipeline) <= 20 and name == artifact["name"][:10] and re.match(r"^[A-Za-z0-9]{7}$", suffix)
            assert (artifact["revision"] is None) == (kind == "outputArtifacts")
    assert len(buckets) <= 1
    credentials = data["artifactCredentials"]
    assert re.match(r"^ASIA[A-Z0-9]{16}$", credentials["accessKeyId"]) and len(credentials["secretAccessKey"]) == 40
    base64.b64decode(credentials["sessionToken"], validate=True)
    expires = credentials.get("expirationTime")
    assert expires is None or (isinstance(expires, int) and 1e12 < expires < 1e13)
    if "continuationToken" in data:
        assert isinstance(data["continuationToken"], str) and data["continuationToken"]
    if "encryptionKey" in data:
        assert data["encryptionKey"]["type"] == "KMS" and data["encryptionKey"]["id"]


def check_bedrock_agent(event: dict[str, Any]) -> None:
    assert event["messageVersion"] == "1.0"
    agent = event["agent"]
    assert re.match(r"^[A-Z0-9]{10}$", agent["id"]) and re.match(r"^[A-Z0-9]{10}$", agent["alias"])
    assert (agent["alias"] == "TSTALIASID") == (agent["version"] == "DRAFT")
    assert event["inputText"] and event["sessionId"] and event["actionGroup"]
    assert ("apiPath" in event) != ("function" in event)
    entries = list(event.get("parameters") or [])
    if "apiPath" in event:
        assert event["apiPath"].startswith("/") and event["httpMethod"] == event["httpMethod"].upper()
        has_body = event["httpMethod"] in ("POST", "PUT", "PATCH")
        assert ("requestBody" in event) == has_body
        names = {p["name"] for p in entries}
        assert set(re.findall(r"\{([^}]+)\}", event["apiPath"])) <= names  # path parameters are always sent
        if has_body:
            entries += event["requestBody"]["content"]["application/json"]["properties"]
    else:
        assert "requestBody" not in event and "httpMethod" not in event
    for entry in entries:
        assert set(entry) == {"name", "type", "value"} and isinstance(entry["value"], str)
        assert entry["type"] in ("string", "number", "integer", "boolean", "array", "object")
    for key in ("sessionAttributes", "promptSessionAttributes"):
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in event[key].items())


def check_integration(name: str, event: dict[str, Any]) -> None:
    """Dispatch on the CLI source name (one of this module's sources)."""
    if name.startswith("s3-object-lambda"):
        check_s3_object_lambda(event)
    elif name.startswith("iot"):
        # A rule sends whatever its SELECT produced; only an authorizer request has connection metadata.
        if "clickType" in event:
            from .invariants_more import check_iot_button

            check_iot_button(event)
        else:
            (check_iot_authorizer if "connectionMetadata" in event else check_iot_rule)(event)
    elif name.startswith("codepipeline"):
        check_codepipeline(event)
    else:
        assert name.startswith("bedrock-agent"), name
        check_bedrock_agent(event)
