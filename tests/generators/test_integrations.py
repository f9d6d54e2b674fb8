"""S3 Object Lambda, IoT, CodePipeline and Bedrock agent generators, and authorizers refusing a body."""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs, urlsplit

import pytest

from lambdachaos._errors import ConfigError
from lambdachaos.generators import (
    SOURCES,
    apigateway_authorizer,
    bedrock_agent,
    codepipeline,
    iot,
    s3_object_lambda,
)

from .invariants_integrations import (
    check_bedrock_agent,
    check_codepipeline,
    check_iot_authorizer,
    check_iot_rule,
    check_s3_object_lambda,
)

models = pytest.importorskip("aws_lambda_powertools.utilities.parser.models")


def test_s3_object_lambda_urls_share_the_encoded_key_and_name_both_access_points():
    event = s3_object_lambda.event(
        seed=1, region="eu-west-2", account_id="111122223333", key="in box/a+b.json", access_point="raw"
    )
    source = urlsplit(event["getObjectContext"]["inputS3Url"])
    assert source.netloc == "raw-111122223333.s3-accesspoint.eu-west-2.amazonaws.com"
    assert source.path == urlsplit(event["userRequest"]["url"]).path == "/in%20box/a%2Bb.json"
    assert event["configuration"]["supportingAccessPointArn"] == "arn:aws:s3:eu-west-2:111122223333:accesspoint/raw"
    assert event["getObjectContext"]["outputRoute"].startswith("io-euw2-")
    check_s3_object_lambda(event)


def test_s3_object_lambda_urls_are_signed_with_the_callers_keys():
    role = s3_object_lambda.event(seed=2, now=1_800_000_000.0)
    query = parse_qs(urlsplit(role["getObjectContext"]["inputS3Url"]).query)
    assert query["X-Amz-Credential"][0].startswith(role["userIdentity"]["accessKeyId"] + "/20270115/")
    assert query["X-Amz-Date"] == ["20270115T080000Z"] and "X-Amz-Security-Token" in query
    user = s3_object_lambda.event(seed=2, variant="iam_user")
    assert "X-Amz-Security-Token" not in parse_qs(urlsplit(user["getObjectContext"]["inputS3Url"]).query)
    assert user["userIdentity"]["accessKeyId"].startswith("AKIA") and "sessionContext" not in user["userIdentity"]


def test_s3_object_lambda_sends_the_mfa_flag_as_a_string_which_powertools_coerces():
    # AWS sends mfaAuthenticated as "false" (CloudTrail style); powertools types it bool and pydantic's lax mode
    # converts it, so the event validates while the wire value stays a string.
    event = s3_object_lambda.event(seed=3)
    assert event["userIdentity"]["sessionContext"]["attributes"]["mfaAuthenticated"] == "false"
    parsed = models.S3ObjectLambdaEvent.model_validate(event)
    assert parsed.userIdentity.sessionContext is not None
    assert parsed.userIdentity.sessionContext.attributes.mfaAuthenticated is False


def test_s3_object_lambda_events_load_into_the_powertools_data_class():
    from aws_lambda_powertools.utilities.data_classes.s3_object_event import S3ObjectLambdaEvent

    raw = s3_object_lambda.event(seed=4, configuration_payload='{"mask":"*"}')
    wrapped = S3ObjectLambdaEvent(raw)
    assert wrapped.request_route == raw["getObjectContext"]["outputRoute"]
    assert wrapped.request_token == raw["getObjectContext"]["outputToken"]
    assert wrapped.configuration.payload == '{"mask":"*"}' and wrapped.protocol_version == "1.00"


def test_an_iot_rule_adds_exactly_the_selected_sql_functions_to_the_message():
    full = iot.event(seed=1, thing_name="pump-1", topic="plant/a/pump-1", now=1_717_243_201.25)
    assert (full["clientid"], full["topic"], full["timestamp"]) == ("pump-1", "plant/a/pump-1", 1_717_243_201_250)
    assert full["deviceId"] == "pump-1"
    bare = iot.event(seed=1, select=())
    assert not {"clientid", "topic", "timestamp"} & set(bare)
    schema = {"type": "object", "required": ["rpm"], "properties": {"rpm": {"type": "integer"}}}
    shaped = iot.event(seed=1, payload=schema)
    assert set(shaped) == {"rpm", "clientid", "topic", "timestamp"}
    check_iot_rule(full)


def test_iot_rule_arguments_that_cannot_be_rendered_are_refused():
    with pytest.raises(ConfigError, match=r"^select=\['principal'\] names \['principal'\]; pick from the rule SQL"):
        iot.event(select=["principal"])
    with pytest.raises(ConfigError, match=r"^payload=.* does not describe a JSON object; 'SELECT \*, clientid\(\)"):
        iot.event(payload={"type": "string"})


def test_iot_authorizers_carry_a_token_only_when_signing_is_enabled():
    signed = iot.event(seed=2, variant="authorizer_http", device_token="tok-1")
    assert signed["token"] == "tok-1" and signed["signatureVerified"] is True
    assert signed["protocols"] == ["tls", "http"]
    assert signed["protocolData"]["http"]["headers"][iot.TOKEN_KEY_NAME] == "tok-1"
    unsigned = iot.event(seed=2, variant="authorizer_mqtt", signing=False, username="pump-1", password=b"\x00pw")
    assert "token" not in unsigned and unsigned["signatureVerified"] is False
    mqtt = unsigned["protocolData"]["mqtt"]
    assert mqtt["username"] == "pump-1" and base64.b64decode(mqtt["password"]) == b"\x00pw"
    for event in (signed, unsigned):
        check_iot_authorizer(event)


def test_iot_authorizers_refuse_a_payload_because_they_never_see_a_message():
    with pytest.raises(ConfigError, match=r"^payload=.* cannot shape an IoT custom authorizer event: the authorizer"):
        iot.event(variant="authorizer_mqtt", payload={"type": "object"})


def test_codepipeline_jobs_load_into_the_powertools_data_class():
    from aws_lambda_powertools.utilities.data_classes import CodePipelineJobEvent

    raw = codepipeline.event(
        seed=1,
        pipeline_name="orders-service-release-pipeline",
        user_parameters='{"env":"prod"}',
        account_id="111122223333",
    )
    job = CodePipelineJobEvent(raw)
    assert job.get_id == raw["CodePipeline.job"]["id"] and job.account_id == "111122223333"
    assert job.decoded_user_parameters == {"env": "prod"}
    assert job.input_bucket_name.startswith("codepipeline-us-east-1-")
    assert job.input_object_key.startswith("orders-service-relea/SourceArti/")
    assert job.data.artifact_credentials.expiration_time == 1_717_243_200_000 + codepipeline.CREDENTIALS_TTL * 1000
    assert job.data.continuation_token is None and job.data.encryption_key is None
    check_codepipeline(raw)


def test_codepipeline_continuations_carry_the_token_and_first_runs_refuse_one():
    job = codepipeline.event(seed=2, variant="continuation", continuation_token="deploy-42", user_parameters="")
    data = job["CodePipeline.job"]["data"]
    assert data["continuationToken"] == "deploy-42"
    assert "UserParameters" not in data["actionConfiguration"]["configuration"]
    with pytest.raises(ConfigError, match=r"^continuation_token needs variant='continuation'; a job's first run"):
        codepipeline.event(continuation_token="x")


def test_codepipeline_artifacts_share_one_bucket_and_only_inputs_have_a_revision():
    key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    job = codepipeline.event(seed=3, input_artifacts=("Src", "Build"), output_artifacts=(), encryption_key_arn=key)
    data = job["CodePipeline.job"]["data"]
    assert [a["name"] for a in data["inputArtifacts"]] == ["Src", "Build"] and data["outputArtifacts"] == []
    assert data["encryptionKey"] == {"id": key, "type": "KMS"}
    check_codepipeline(job)


def test_bedrock_agent_request_bodies_follow_the_payload_and_values_are_strings():
    event = bedrock_agent.event(
        seed=1, payload={"type": "object", "required": ["qty"], "properties": {"qty": {"type": "integer"}}}
    )
    assert event["httpMethod"] == "POST"
    (prop,) = event["requestBody"]["content"]["application/json"]["properties"]
    assert prop["name"] == "qty" and prop["type"] == "integer" and str(int(prop["value"])) == prop["value"]
    models.BedrockAgentEventModel.model_validate(event)
    check_bedrock_agent(event)


def test_bedrock_agent_get_operations_send_path_parameters_and_no_body():
    event = bedrock_agent.event(seed=2, http_method="get", parameters={"orderId": "o-1", "verbose": True})
    assert event["httpMethod"] == "GET" and "requestBody" not in event
    assert event["parameters"] == [
        {"name": "orderId", "type": "string", "value": "o-1"},
        {"name": "verbose", "type": "boolean", "value": "true"},
    ]
    with pytest.raises(ConfigError, match=r"^payload=.* shapes a request body, but http_method='GET' sends none; "):
        bedrock_agent.event(http_method="GET", payload={"type": "object"})


def test_bedrock_agent_test_alias_runs_the_draft_version_only():
    draft = bedrock_agent.event(seed=3)["agent"]
    published = bedrock_agent.event(seed=3, agent_version="4")["agent"]
    assert (draft["alias"], draft["version"]) == (bedrock_agent.TEST_ALIAS_ID, "DRAFT")
    assert published["alias"] != bedrock_agent.TEST_ALIAS_ID and published["version"] == "4"


def test_bedrock_agent_function_events_validate_against_the_function_model():
    event = bedrock_agent.event(seed=4, variant="function", function="refund", session_attributes={"tier": "gold"})
    assert event["function"] == "refund" and "apiPath" not in event
    parsed = models.BedrockAgentFunctionEventModel.model_validate(event)
    assert parsed.session_attributes == {"tier": "gold"}
    check_bedrock_agent(event)


@pytest.mark.parametrize("variant", apigateway_authorizer.VARIANTS)
@pytest.mark.parametrize("keyword", apigateway_authorizer.NO_BODY_KEYWORDS)
def test_api_gateway_authorizers_refuse_a_body_instead_of_dropping_it(variant, keyword):
    value = {"type": "object"} if keyword == "payload" else "{}"
    with pytest.raises(
        ConfigError,
        match=rf"^{keyword}= was given, but API Gateway never sends the request body to a Lambda authorizer; "
        rf"drop {keyword} \(--body-schema on the command line\)",
    ):
        apigateway_authorizer.event(variant=variant, **{keyword: value})


def test_a_body_schema_for_an_authorizer_source_is_refused_by_the_table():
    with pytest.raises(ConfigError, match=r"^payload= was given, but API Gateway never sends the request body"):
        SOURCES["apigateway-authorizer-request"].build(payload={"type": "object"})


def test_new_sources_are_json_and_deterministic():
    for name in [n for n in SOURCES if n.startswith(("s3-object-lambda", "iot-", "codepipeline", "bedrock-agent"))]:
        first = SOURCES[name].build(seed=9)
        assert json.loads(json.dumps(first)) == first == SOURCES[name].build(seed=9)
