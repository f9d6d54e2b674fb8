"""The small details a careful reader of generated events would notice (each one pinned by a test)."""

from __future__ import annotations

import base64
import json
import random
import re

import pytest

from lambdachaos._errors import ConfigError
from lambdachaos.generators import SOURCES, _common, _payload, _words, s3_object_lambda, sqs

IAM_ID = re.compile(r"^(AIDA|AROA|AKIA|ASIA)[A-Z2-7]{16,17}$")


def _iam_ids(value: object) -> list[str]:
    if isinstance(value, str):
        return re.findall(r"\b(?:AIDA|AROA|AKIA|ASIA)[A-Z0-9]{12,}", value)
    if isinstance(value, dict):
        return [i for v in value.values() for i in _iam_ids(v)]
    if isinstance(value, list):
        return [i for v in value for i in _iam_ids(v)]
    return []


def test_iam_unique_ids_and_access_keys_use_awss_alphabet():
    found = [i for seed in range(20) for name, src in SOURCES.items() for i in _iam_ids(src.build(seed=seed))]
    assert len(found) > 200
    assert all(IAM_ID.match(i) for i in found), [i for i in found if not IAM_ID.match(i)][:5]
    # With 17 random characters per id, every letter and every digit 2-7 shows up; 0, 1, 8, 9 never do.
    assert set("".join(i[4:] for i in found)) == set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    assert _common.iam_id(random.Random(1), "AIDA").startswith("AIDA")
    assert len(s3_object_lambda.event(seed=1)["userIdentity"]["accessKeyId"]) == 20


def test_sqs_first_receive_follows_sent_and_differs_across_a_batch():
    for seed in range(20):
        records = sqs.records(10, seed=seed)
        sent = [int(r["attributes"]["SentTimestamp"]) for r in records]
        first = [int(r["attributes"]["ApproximateFirstReceiveTimestamp"]) for r in records]
        assert all(f > s for f, s in zip(first, sent, strict=True))
        assert all(f - s <= 41 for f, s in zip(first, sent, strict=True))
        assert len(set(first)) > 1 and len(set(sent)) > 1
        assert max(first) <= _common.to_ms(_common.DEFAULT_NOW)


def test_sqs_redelivered_messages_were_first_received_a_visibility_timeout_per_retry_earlier():
    now_ms = _common.to_ms(_common.DEFAULT_NOW)
    for rec in sqs.records(5, seed=3, receive_count=3):
        assert rec["attributes"]["ApproximateReceiveCount"] == "3"
        assert int(rec["attributes"]["ApproximateFirstReceiveTimestamp"]) <= now_ms - 2 * 30_000
    single = sqs.record(seed=1, receive_count=2)
    assert int(single["attributes"]["ApproximateFirstReceiveTimestamp"]) == now_ms - 30_000


def test_explicit_sqs_timestamps_are_kept_in_a_batch():
    records = sqs.records(3, seed=1, sent_timestamp=1_000, first_receive_timestamp=2_000)
    assert {
        (r["attributes"]["SentTimestamp"], r["attributes"]["ApproximateFirstReceiveTimestamp"]) for r in records
    } == {("1000", "2000")}


@pytest.mark.parametrize("seed", range(30))
def test_the_fast_order_text_is_exactly_the_json_of_the_order(seed):
    assert _payload.order_json(random.Random(seed)) == _common.dumps(_payload.order(random.Random(seed)))
    body = json.loads(_payload.payload_json(seed=seed))
    assert body == _payload.payload(seed=seed)
    assert body["total"] == round(sum(i["quantity"] * i["unitPrice"] for i in body["items"]), 2)


def test_a_generated_address_is_consistent():
    places = {(city, state): zip3 for city, state, zip3 in _words.PLACES}
    for seed in range(50):
        address = _payload.payload(seed=seed)["customer"]["address"]
        assert address["zip"][:3] == places[(address["city"], address["state"])]
        assert re.fullmatch(r"\d{5}", address["zip"])


def test_the_word_lists_hold_nothing_json_would_escape():
    # order_json writes drawn strings without escaping; this keeps that exact.
    lists = [v for v in vars(_words).values() if isinstance(v, tuple)]
    values = [x if isinstance(x, str) else "".join(x) for lst in lists for x in lst]
    assert len(values) > 500
    assert all(json.dumps(v, ensure_ascii=False) == f'"{v}"' for v in values)


def test_s3_replication_events_carry_replication_data_and_a_version():
    from lambdachaos.generators import s3

    failed = s3.record(seed=1, event_name="Replication:OperationFailedReplication", bucket="src")
    data = failed["replicationEventData"]
    assert failed["eventVersion"] == "2.2" and "versionId" in failed["s3"]["object"]
    assert data["destinationBucket"] == "arn:aws:s3:::src-replica" and data["s3Operation"] == "OBJECT_PUT"
    assert data["failureReason"] in s3.REPLICATION_FAILURE_REASONS and "threshold" not in data
    assert data["requestTime"] < failed["eventTime"]
    assert (
        failed["userIdentity"]["principalId"] == failed["requestParameters"]["sourceIPAddress"] == ("s3.amazonaws.com")
    )
    late = s3.record(seed=1, event_name="Replication:OperationReplicatedAfterThreshold")["replicationEventData"]
    assert late["threshold"] == "15" and int(late["replicationTime"]) > 15 and "failureReason" not in late
    missed = s3.record(seed=1, event_name="Replication:OperationMissedThreshold")["replicationEventData"]
    assert missed["threshold"] == "15" and "replicationTime" not in missed


def test_s3_lifecycle_tiering_and_restore_events_carry_their_data_blocks():
    from lambdachaos.generators import s3

    transition = s3.record(seed=2, event_name="LifecycleTransition")
    assert transition["eventVersion"] == "2.3"
    target = transition["lifecycleEventData"]["transitionEventData"]["destinationStorageClass"]
    assert target in s3.TRANSITION_CLASSES
    tiering = s3.record(seed=2, event_name="IntelligentTiering")["intelligentTieringEventData"]
    assert tiering["destinationAccessTier"] in ("ARCHIVE_ACCESS", "DEEP_ARCHIVE_ACCESS")
    restored = s3.record(seed=2, event_name="ObjectRestore:Completed")["glacierEventData"]["restoreEventData"]
    assert restored["lifecycleRestorationExpiryTime"] > "2024-06-01T12:00:00.000Z"
    plain = s3.record(seed=2, event_name="ObjectCreated:Put")
    assert not [k for k in plain if k.endswith("EventData")]
    assert "versionId" not in plain["s3"]["object"]


def test_s3_version_ids_appear_where_versioning_applies():
    from lambdachaos.generators import s3

    assert "versionId" in s3.record(seed=3, event_name="ObjectRemoved:DeleteMarkerCreated")["s3"]["object"]
    version = s3.record(seed=3, versioned=True)["s3"]["object"]["versionId"]
    assert re.fullmatch(r"[A-Za-z0-9._]{32}", version)
    assert s3.record(seed=3, version_id="v1")["s3"]["object"]["versionId"] == "v1"
    assert "versionId" not in s3.record(seed=3, versioned=False, event_name="ObjectCreated:Copy")["s3"]["object"]


def test_sns_message_attributes_on_request_cover_every_data_type_and_sometimes_by_default():
    from lambdachaos.generators import sns

    attrs = sns.record(seed=1, message_attributes=True)["Sns"]["MessageAttributes"]
    assert {a["Type"] for a in attrs.values()} == {"String", "Number", "Binary", "String.Array"}
    assert isinstance(json.loads(attrs["channels"]["Value"]), list)
    assert float(attrs["priority"]["Value"]) >= 1
    with_attrs = sum(1 for seed in range(300) if sns.record(seed=seed)["Sns"]["MessageAttributes"])
    assert 60 < with_attrs < 140  # about a third
    assert sns.record(seed=1, message_attributes=False)["Sns"]["MessageAttributes"] == {}
    assert sns.record(seed=1, message_attributes={"a": 1})["Sns"]["MessageAttributes"] == {
        "a": {"Type": "Number", "Value": "1"}
    }


def test_http_events_carry_api_client_user_agents_and_a_content_length_with_bodies():
    from lambdachaos.generators import _words, alb, apigateway, apigateway_http, function_url

    agents = set()
    for seed in range(60):
        for module in (apigateway, apigateway_http, function_url, alb):
            event = module.event(seed=seed, method="POST")
            headers = {k.lower(): v for k, v in event["headers"].items()}
            body = event["body"]
            assert int(headers["content-length"]) == len(body.encode()), module
            agents.add(headers["user-agent"])
        get = apigateway.event(seed=seed, method="GET")
        assert "Content-Length" not in get["headers"] and get["body"] is None
    assert agents <= set(_words.CLIENT_USER_AGENTS) | set(_words.BROWSER_USER_AGENTS)
    assert any(a.startswith("curl/") for a in agents) and any(a.startswith("Boto3/") for a in agents)
    assert any(a.startswith("Mozilla/5.0") for a in agents)
    # Browsers of this decade only: nothing older than Chrome 120 / Firefox 120 / Safari 17.
    for agent in _words.BROWSER_USER_AGENTS:
        version = re.search(r"(?:Chrome|Firefox|Version)/(\d+)", agent)
        assert version and int(version.group(1)) >= (17 if "Version/" in agent else 120), agent


def test_stage_variables_and_api_keys_appear_when_requested():
    from lambdachaos.generators import apigateway, apigateway_http

    models = pytest.importorskip("aws_lambda_powertools.utilities.parser.models")
    rest = apigateway.event(seed=1, stage_variables={"env": "beta"}, api_key="abc123")
    models.APIGatewayProxyEventModel.model_validate(rest)
    identity = rest["requestContext"]["identity"]
    assert rest["stageVariables"] == {"env": "beta"} and identity["apiKey"] == "abc123"
    assert re.fullmatch(r"[a-z0-9]{10}", identity["apiKeyId"]) and rest["headers"]["x-api-key"] == "abc123"
    plain = apigateway.event(seed=1)
    assert plain["stageVariables"] is None and "apiKey" not in plain["requestContext"]["identity"]
    http = apigateway_http.event(seed=1, stage_variables={"env": "beta"})
    models.APIGatewayProxyEventV2Model.model_validate(http)
    assert http["stageVariables"] == {"env": "beta"} and "stageVariables" not in apigateway_http.event(seed=1)


def test_the_cognito_custom_message_trigger_sends_every_trigger_source_and_client_metadata():
    from lambdachaos.generators import cognito

    seen = {cognito.event(seed=s, variant="custom_message")["triggerSource"] for s in range(80)}
    assert seen == set(cognito.ALL_TRIGGER_SOURCES["custom_message"])
    admin = cognito.event(
        seed=1,
        variant="custom_message",
        trigger_source="CustomMessage_AdminCreateUser",
        client_metadata={"campaign": "spring"},
    )
    assert admin["request"]["usernameParameter"] == "{username}"
    assert admin["request"]["clientMetadata"] == {"campaign": "spring"}
    mfa = cognito.event(
        seed=1,
        variant="custom_message",
        trigger_source="CustomMessage_Authentication",
        client_metadata={"campaign": "spring"},
    )
    assert mfa["request"]["clientMetadata"] is None  # no ClientMetadata reaches an MFA message
    with pytest.raises(ConfigError, match="trigger_source='PreSignUp_SignUp' is not sent by custom_message"):
        cognito.event(variant="custom_message", trigger_source="PreSignUp_SignUp")


def test_kinesis_partition_keys_can_come_from_the_order_id():
    from lambdachaos.generators import kinesis

    for rec in kinesis.records(5, seed=1, partition_key_field="orderId"):
        data = json.loads(base64.b64decode(rec["kinesis"]["data"]))
        assert rec["kinesis"]["partitionKey"] == data["orderId"]
    nested = kinesis.record(seed=2, partition_key_field="customer.id")
    assert nested["kinesis"]["partitionKey"].startswith("cus_")
    with pytest.raises(ConfigError, match="partition_key_field='nope' is not a field of the record data"):
        kinesis.record(seed=2, partition_key_field="nope")


def test_rabbitmq_messages_carry_header_bytes_numbers_and_ids():
    from lambdachaos.generators import mq

    (message,) = mq.event(variant="rabbitmq", seed=1)["rmqMessagesByQueue"]["orders::/"]
    props = message["basicProperties"]
    assert bytes(props["headers"]["x-source"]["bytes"]).decode() == "checkout-api"
    assert isinstance(props["headers"]["x-attempt"], int)
    assert re.fullmatch(r"[0-9a-f-]{36}", props["messageId"]) and re.fullmatch(r"[0-9a-f-]{36}", props["correlationId"])
    given = mq.record(variant="rabbitmq", seed=1, properties={"tenant": "acme", "retries": 2})["basicProperties"]
    assert given["headers"] == {"tenant": {"bytes": list(b"acme")}, "retries": 2} and given["messageId"] is None
