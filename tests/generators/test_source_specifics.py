"""Source-specific behaviour of the streaming, broker, WebSocket and authorizer generators."""

from __future__ import annotations

import base64
import json

import pytest

from lambdachaos._errors import ConfigError
from lambdachaos.generators import apigateway_authorizer, apigateway_websocket, kafka, mq, strategies

from .invariants import check_authorizer, check_kafka, check_mq, check_websocket

models = pytest.importorskip("aws_lambda_powertools.utilities.parser.models")


def test_kafka_records_are_grouped_by_topic_partition_with_offsets_increasing_per_partition():
    event = kafka.event(n=40, seed=3, partitions=4, topic="payments")
    assert set(event["records"]) <= {f"payments-{p}" for p in range(4)}
    assert sum(len(rs) for rs in event["records"].values()) == 40
    check_kafka(event)


def test_kafka_overrides_are_encoded_as_aws_sends_them():
    rec = kafka.record(value=b"hi", key=b"k", offset=7, timestamp=1_000, headers={"h": "é"})
    assert (rec["value"], rec["key"], rec["offset"], rec["timestamp"]) == ("aGk=", "aw==", 7, 1_000)
    # Lambda renders header values as signed Java bytes.
    assert rec["headers"] == [{"h": [-61, -87]}]
    parsed = models.KafkaMskEventModel.model_validate(kafka.event([rec], seed=1))
    assert parsed.records["orders-0"][0].headers == [{"h": "é".encode()}]


def test_kafka_event_sources_are_exact_and_self_managed_has_no_arn():
    assert kafka.event(seed=1)["eventSource"] == "aws:kafka"
    self_managed = kafka.event(seed=1, variant="self_managed", bootstrap_servers=["k1:9092", "k2:9092"])
    assert self_managed["eventSource"] == "SelfManagedKafka" and "eventSourceArn" not in self_managed
    assert self_managed["bootstrapServers"] == "k1:9092,k2:9092"


def test_kafka_msk_cluster_and_brokers_are_in_the_event_region():
    event = kafka.event(seed=2, region="eu-west-3", account_id="111122223333")
    assert event["eventSourceArn"].startswith("arn:aws:kafka:eu-west-3:111122223333:cluster/")
    check_kafka(event)


def test_unknown_variants_are_refused_with_the_choices():
    with pytest.raises(ConfigError, match=r"^variant='msq' is not a Kafka variant; use one of"):
        kafka.event(variant="msq")
    with pytest.raises(ConfigError, match=r"^variant='sqs' is not an Amazon MQ engine; use one of"):
        mq.event(variant="sqs")
    with pytest.raises(ConfigError, match=r"^variant='open' is not a WebSocket event; use one of"):
        apigateway_websocket.event(variant="open")
    with pytest.raises(ConfigError, match=r"^variant='jwt' is not an authorizer event; use one of"):
        apigateway_authorizer.event(variant="jwt")


def test_activemq_messages_name_the_broker_of_the_event_arn():
    event = mq.event(n=5, seed=4, region="ap-southeast-2", queue="invoices")
    assert event["eventSource"] == "aws:mq"
    assert {m["destination"]["physicalName"] for m in event["messages"]} == {"invoices"}
    check_mq(event)


def test_rabbitmq_messages_are_keyed_by_queue_and_virtual_host_with_the_body_size():
    event = mq.event(n=3, seed=4, variant="rabbitmq", queue="jobs", virtual_host="/prod", bodies=["a", "bc", "d"])
    (messages,) = event["rmqMessagesByQueue"].values()
    assert list(event["rmqMessagesByQueue"]) == ["jobs::/prod"]
    assert [m["basicProperties"]["bodySize"] for m in messages] == [1, 2, 1]
    check_mq(event)


def test_mq_events_load_into_the_powertools_data_classes():
    from aws_lambda_powertools.utilities.data_classes.active_mq_event import ActiveMQEvent
    from aws_lambda_powertools.utilities.data_classes.rabbit_mq_event import RabbitMQEvent

    active = ActiveMQEvent(mq.event(n=2, seed=1, bodies=[{"a": 1}, "x"]))
    assert next(iter(active.messages)).json_data == {"a": 1}
    rabbit = RabbitMQEvent(mq.event(seed=1, variant="rabbitmq", properties={"tenant": "acme"}))
    (messages,) = rabbit.rmq_messages_by_queue.values()
    assert messages[0].basic_properties.headers == {"tenant": {"bytes": list(b"acme")}}


def test_mq_timestamp_text_is_javas_medium_format():
    assert mq.java_medium_time(1_717_243_200_000) == "Jun 1, 2024, 12:00:00 PM"
    assert mq.java_medium_time(0) == "Jan 1, 1970, 12:00:00 AM"


@pytest.mark.parametrize("variant", apigateway_websocket.VARIANTS)
def test_websocket_events_keep_the_connection_and_route(variant):
    event = apigateway_websocket.event(
        variant=variant, seed=5, connection_id="L0SM9cOFvHcCIhw=", connected_at=1_717_243_000_000
    )
    ctx = event["requestContext"]
    assert (ctx["connectionId"], ctx["connectedAt"]) == ("L0SM9cOFvHcCIhw=", 1_717_243_000_000)
    check_websocket(event)


def test_websocket_messages_carry_the_action_and_disconnects_the_close_code():
    message = apigateway_websocket.event(seed=1, route_key="placeOrder")
    assert json.loads(message["body"])["action"] == "placeOrder"
    gone = apigateway_websocket.event(seed=1, variant="disconnect", disconnect_status_code=1005)
    assert gone["requestContext"]["disconnectReason"] == "Client-side close frame status not set"
    with pytest.raises(ConfigError, match=r"^disconnect_status_code=42 is not a close code"):
        apigateway_websocket.event(variant="disconnect", disconnect_status_code=42)


def test_authorizer_token_events_carry_only_the_token_and_method_arn():
    event = apigateway_authorizer.event(seed=1, authorization="allow", method="GET", path="/pets/1", stage="dev")
    assert event["authorizationToken"] == "allow"
    assert event["methodArn"].endswith(
        ":123456789012:" + event["methodArn"].split(":")[5].split("/")[0] + "/dev/GET/pets/1"
    )
    check_authorizer(event)


def test_the_default_authorizer_token_is_a_jwt_issued_at_now():
    token = apigateway_authorizer.event(seed=2, now=1_800_000_000.0)["authorizationToken"]
    scheme, jwt = token.split(" ")
    claims = json.loads(base64.urlsafe_b64decode(jwt.split(".")[1] + "=="))
    assert scheme == "Bearer" and claims["iat"] == 1_800_000_000 and claims["exp"] == 1_800_003_600


@pytest.mark.parametrize("variant", ["request", "request_v2"])
def test_request_authorizers_see_the_request_without_a_body(variant):
    event = apigateway_authorizer.event(seed=3, variant=variant, method="POST")
    assert event["type"] == "REQUEST" and "body" not in event
    check_authorizer(event)


def test_variant_strategies_say_what_varies_and_shrink_to_the_first_variant():
    from .smallest import smallest

    assert "shrinks towards ``msk``" in (strategies.kafka_events.__doc__ or "")
    event = smallest("strategies.mq_events()")
    assert event["eventSource"] == "aws:mq" and len(event["messages"]) == 1


def test_cloudwatch_logs_data_is_gzip_json_and_deterministic():
    from lambdachaos.generators import cloudwatch_logs

    event = cloudwatch_logs.event(n=6, seed=9, variant="lambda", account_id="210987654321")
    doc = cloudwatch_logs.decode(event["awslogs"]["data"])
    assert doc["owner"] == "210987654321" and doc["logGroup"] == "/aws/lambda/orders-api"
    messages = [e["message"] for e in doc["logEvents"]]
    assert messages[0].startswith("START RequestId: ") and messages[-1].startswith("REPORT RequestId: ")
    assert cloudwatch_logs.event(n=6, seed=9, variant="lambda", account_id="210987654321") == event
    assert cloudwatch_logs.decode(cloudwatch_logs.encode({"a": 1})) == {"a": 1}


def test_firehose_arrival_times_are_integer_milliseconds_and_stream_metadata_is_optional():
    from lambdachaos.generators import kinesis_firehose

    direct = kinesis_firehose.event(n=3, seed=1, region="eu-north-1")
    assert all(isinstance(r["approximateArrivalTimestamp"], int) for r in direct["records"])
    assert direct["region"] == "eu-north-1" and "sourceKinesisStreamArn" not in direct
    streamed = kinesis_firehose.event(n=3, seed=1, variant="kinesis_stream")
    assert all(r["kinesisRecordMetadata"]["subsequenceNumber"] == 0 for r in streamed["records"])


def test_ses_verdicts_follow_the_variant_and_a_dmarc_failure_names_the_policy():
    from lambdachaos.generators import ses

    receipt = ses.event(seed=1, variant="spoofed")["Records"][0]["ses"]["receipt"]
    assert (receipt["spfVerdict"], receipt["dmarcPolicy"]) == ({"status": "FAIL"}, "reject")
    clean = ses.event(seed=1, recipients=["a@example.com"])["Records"][0]["ses"]
    assert clean["receipt"]["recipients"] == clean["mail"]["destination"] == ["a@example.com"]
    assert "dmarcPolicy" not in clean["receipt"]


@pytest.mark.parametrize("variant", ["pre_sign_up", "post_confirmation", "custom_message", "define_auth_challenge"])
def test_each_cognito_trigger_validates_against_its_own_model(variant):
    from lambdachaos.generators import cognito

    event = cognito.event(seed=2, variant=variant, region="eu-west-1")
    getattr(models, cognito.MODELS[variant]).model_validate(event)
    assert event["triggerSource"] in cognito.ALL_TRIGGER_SOURCES.get(variant, (cognito.TRIGGER_SOURCES[variant],))
    assert event["userPoolId"].startswith("eu-west-1_")


def test_powertools_rejects_the_null_answer_correct_that_aws_sends_to_verify_auth_challenge():
    # AWS invokes the verify trigger with response.answerCorrect null (the function sets it); powertools
    # requires a boolean, so this variant is checked against AWS facts instead.
    from pydantic import ValidationError

    from lambdachaos.generators import cognito

    event = cognito.event(seed=1, variant="verify_auth_challenge")
    assert event["response"] == {"answerCorrect": None}
    assert event["request"]["challengeAnswer"] == event["request"]["privateChallengeParameters"]["answer"]
    with pytest.raises(ValidationError):
        models.CognitoVerifyAuthChallengeTriggerModel.model_validate(event)


def test_cloudformation_update_carries_old_properties_and_the_physical_id():
    from lambdachaos.generators import cloudformation

    event = cloudformation.event(
        seed=1, variant="Update", region="eu-west-2", properties={"Size": "3"}, physical_resource_id="p-1"
    )
    assert event["PhysicalResourceId"] == "p-1"
    assert event["OldResourceProperties"]["Size"] == "3" and event["ResourceProperties"]["Size"] == "3"
    assert "cloudformation-custom-resource-response-euwest2.s3.eu-west-2.amazonaws.com/" in event["ResponseURL"]
    assert "X-Amz-Expires=7200" in event["ResponseURL"]


def test_cloudformation_refuses_non_custom_resource_types():
    from lambdachaos.generators import cloudformation

    with pytest.raises(ConfigError, match=r"^resource_type='AWS::S3::Bucket' is not a custom resource type; "):
        cloudformation.event(resource_type="AWS::S3::Bucket")


def test_s3_batch_keys_are_url_encoded_and_user_arguments_need_schema_2():
    from lambdachaos.generators import s3_batch

    v1 = s3_batch.event(seed=1, bucket="reports", key="a b/c+d.csv", version_id="v7")
    assert v1["tasks"] == [
        {
            "taskId": v1["tasks"][0]["taskId"],
            "s3Key": "a+b/c%2Bd.csv",
            "s3VersionId": "v7",
            "s3BucketArn": "arn:aws:s3:::reports",
        }
    ]
    v2 = s3_batch.event(seed=1, variant="2.0", user_arguments={"mode": "dry-run"})
    assert v2["job"]["userArguments"] == {"mode": "dry-run"} and "s3Bucket" in v2["tasks"][0]
    with pytest.raises(ConfigError, match=r"^user_arguments needs variant='2.0'"):
        s3_batch.event(user_arguments={"a": "b"})


def test_a_secrets_manager_rotation_runs_the_four_steps_on_one_version():
    from lambdachaos.generators import secrets_manager

    steps = secrets_manager.rotation(seed=4, region="ca-central-1")
    assert [s["Step"] for s in steps] == ["createSecret", "setSecret", "testSecret", "finishSecret"]
    assert len({(s["SecretId"], s["ClientRequestToken"], s["RotationToken"]) for s in steps}) == 1
    assert steps[0]["SecretId"].startswith("arn:aws:secretsmanager:ca-central-1:")


def test_powertools_rejects_the_list_valued_headers_of_genuine_vpc_lattice_v2_events():
    # AWS sends v2 header (and query) values as lists; powertools' VpcLatticeV2Model expects strings, so v2
    # is checked against the fact sheet instead.
    from pydantic import ValidationError

    from lambdachaos.generators import vpc_lattice

    event = vpc_lattice.event(seed=1, method="GET", query={"page": "2"})
    assert event["queryStringParameters"] == {"page": ["2"]}
    assert event["requestContext"]["timeEpoch"] == "1717243200000000"
    with pytest.raises(ValidationError):
        models.VpcLatticeV2Model.model_validate(event)
    v1 = vpc_lattice.event(seed=1, variant="v1", method="GET", query={"page": "2"})
    assert v1["query_string_parameters"] == {"page": "2"} and v1["body"] == ""


def test_appsync_info_variables_follow_the_arguments():
    from lambdachaos.generators import appsync

    event = appsync.event(seed=1, variant="mutation", arguments={"input": {"sku": "SKU-1"}}, region="eu-west-1")
    assert event["info"]["variables"] == {"input": {"sku": "SKU-1"}}
    assert event["info"]["parentTypeName"] == "Mutation"
    assert event["identity"]["issuer"].startswith("https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_")


STRATEGY_PREFIXES = {
    "kafka_events": "kafka",
    "mq_events": "mq-",
    "apigateway_websocket_events": "apigateway-websocket",
    "apigateway_authorizer_events": "apigateway-authorizer",
    "cloudwatch_logs_events": "cloudwatch-logs",
    "kinesis_firehose_events": "kinesis-firehose",
    "ses_events": "ses-",
    "cognito_events": "cognito-",
    "cloudformation_events": "cloudformation-",
    "s3_batch_events": "s3-batch",
    "appsync_events": "appsync",
    "vpc_lattice_events": "vpc-lattice",
    "secrets_manager_events": "secrets-manager",
    "s3_object_lambda_events": "s3-object-lambda",
    "iot_events": "iot-",
    "codepipeline_events": "codepipeline",
    "bedrock_agent_events": "bedrock-agent",
    "config_rules_events": "config-rule",
    "connect_events": "connect-",
    "lex_events": "lex-",
    "codecommit_events": "codecommit",
    "cloudfront_events": "cloudfront",
    "codedeploy_events": "codedeploy",
    "documentdb_events": "documentdb",
    "alexa_events": "alexa",
}


@pytest.mark.parametrize("name", sorted(STRATEGY_PREFIXES))
def test_each_variant_strategy_draws_events_that_keep_the_invariants(name):
    from hypothesis import given, settings

    from .invariants import check_event

    @settings(max_examples=10, deadline=None)
    @given(getattr(strategies, name)())
    def check(event):
        check_event(STRATEGY_PREFIXES[name], event)

    check()
    assert name in strategies.__all__ and getattr(strategies, name).__name__ == name
