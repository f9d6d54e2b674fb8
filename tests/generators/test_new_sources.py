"""The sources added for full coverage of the Lambda event sources AWS documents, read through powertools'
data classes where powertools has one, and their specific AWS rules."""

from __future__ import annotations

import base64
import json

import pytest

from lambdachaos._errors import ConfigError
from lambdachaos.generators import (
    SOURCES,
    appsync,
    cloudfront,
    codecommit,
    codedeploy,
    config_rules,
    connect,
    documentdb,
    iot,
    kinesis_firehose,
    lex,
)

data_classes = pytest.importorskip("aws_lambda_powertools.utilities.data_classes")


def test_config_rule_events_read_through_the_powertools_data_class():
    change = data_classes.AWSConfigRuleEvent(config_rules.event(seed=1, instance_type="m6i.large"))
    item = change.invoking_event.configuration_item
    assert change.invoking_event.message_type == "ConfigurationItemChangeNotification"
    assert item.resource_type == "AWS::EC2::Instance" and item.configuration["instanceType"] == "m6i.large"
    assert change.rule_parameters == {
        "desiredInstanceType": json.loads(change["ruleParameters"])["desiredInstanceType"]
    }
    periodic = data_classes.AWSConfigRuleEvent(config_rules.event(seed=1, variant="periodic"))
    assert periodic.invoking_event.message_type == "ScheduledNotification"
    assert periodic.invoking_event.accountid == periodic.accountid == "123456789012"


def test_connect_and_codedeploy_events_read_through_the_powertools_data_classes():
    voice = data_classes.ConnectContactFlowEvent(connect.event(seed=2, attributes={"tier": "gold"}))
    assert voice.contact_data.channel.name == "VOICE" and voice.contact_data.attributes == {"tier": "gold"}
    assert voice.contact_data.media_streams.customer.audio.stream_arn.startswith("arn:aws:kinesisvideo:")
    chat = connect.event(seed=2, variant="CHAT")["Details"]["ContactData"]
    assert chat["CustomerEndpoint"] is None and chat["InitiationMethod"] == "API"
    hook = data_classes.CodeDeployLifecycleHookEvent(codedeploy.event(seed=3))
    assert hook.deployment_id.startswith("d-") and hook.lifecycle_event_hook_execution_id


def test_firehose_sqs_records_hold_sqs_messages_that_the_powertools_model_parses():
    models = pytest.importorskip("aws_lambda_powertools.utilities.parser.models")
    event = kinesis_firehose.event(n=3, seed=4, variant="sqs", bodies=["a", "b", "c"])
    parsed = models.KinesisFirehoseSqsModel.model_validate(event)
    assert [r.data.body for r in parsed.records] == ["a", "b", "c"]
    for rec in event["records"]:
        message = json.loads(base64.b64decode(rec["data"]))
        assert int(message["attributes"]["ApproximateFirstReceiveTimestamp"]) <= rec["approximateArrivalTimestamp"]


def test_lex_v1_and_v2_fulfilment_hooks_have_the_slot_filled():
    v2 = lex.event(seed=5, invocation_source="FulfillmentCodeHook")
    slot = v2["sessionState"]["intent"]["slots"]["OrderNumber"]
    assert slot["shape"] == "Scalar" and slot["value"]["interpretedValue"] in v2["inputTranscript"]
    v1 = lex.event(seed=5, variant="v1", invocation_source="FulfillmentCodeHook")
    assert v1["currentIntent"]["slots"]["OrderNumber"] in v1["inputTranscript"]
    with pytest.raises(ConfigError, match="invocation_source='Hook' is not valid"):
        lex.event(invocation_source="Hook")


def test_lambda_at_edge_events_have_their_trigger_specific_parts():
    origin = cloudfront.event(seed=6, variant="origin_request", origin="s3", region="eu-west-1")
    cf = origin["Records"][0]["cf"]
    assert cf["config"]["eventType"] == "origin-request" and cf["request"]["origin"]["s3"]["region"] == "eu-west-1"
    assert cf["request"]["headers"]["x-forwarded-for"][0]["value"] == cf["request"]["clientIp"]
    viewer = cloudfront.event(seed=6, variant="viewer_response")["Records"][0]["cf"]
    assert viewer["response"]["status"] == "200" and "origin" not in viewer["request"]


def test_codecommit_documentdb_iot_button_and_older_appsync_shapes():
    new_branch = codecommit.event(seed=7, variant="branch_created")["Records"][0]
    assert new_branch["codecommit"]["references"][0]["created"] is True
    assert new_branch["eventSourceARN"].endswith(":orders-service")
    deleted = documentdb.record(seed=8, operation_type="delete")["event"]
    assert "fullDocument" not in deleted and deleted["operationType"] == "delete"
    batch = documentdb.event(n=3, seed=8)
    assert [e["event"]["clusterTime"]["$timestamp"]["i"] for e in batch["events"]] == [1, 2, 3]
    assert iot.event(seed=9, variant="button")["clickType"] in iot.CLICK_TYPES
    legacy = appsync.event(seed=10, variant="legacy_mutation")
    assert (legacy["typeName"], legacy["fieldName"]) == ("Mutation", "createOrder") and "info" not in legacy


def test_every_lambda_event_source_aws_documents_has_a_cli_entry():
    # "Invoking Lambda with events from other AWS services" (Lambda Developer Guide): one entry per service.
    documented = [
        "kafka-msk", "kafka-self-managed", "apigateway-rest", "apigateway-http", "cloudformation-create",
        "cloudwatch-logs", "codecommit-push", "codepipeline-initial", "cognito-pre-sign-up",
        "config-rule-configuration-change", "config-rule-periodic", "connect-voice", "documentdb",
        "dynamodb-streams", "alb", "eventbridge", "iot-rule", "kinesis", "kinesis-firehose", "lex-v1", "lex-v2",
        "mq-activemq", "mq-rabbitmq", "s3", "s3-batch-1", "secrets-manager-createsecret", "ses-pass", "sns", "sqs",
        "vpc-lattice-v1", "cloudfront-viewer-request", "cloudfront-origin-request", "cloudfront-origin-response",
        "cloudfront-viewer-response", "function-url", "bedrock-agent-function", "codedeploy-lifecycle-hook",
        "alexa-intent", "iot-button", "cognito-user-migration", "cognito-custom-email-sender",
        "cognito-custom-sms-sender", "s3-object-lambda-assumed-role", "appsync-query", "appsync-legacy-query",
    ]  # fmt: skip
    assert [name for name in documented if name not in SOURCES] == []
