"""The table of event sources: CLI name, module, builder keywords and the matching powertools parser model.

One table drives the CLI (``lambdachaos events --list``), the generic strategy
:func:`strategies.source_events`, the powertools ``st.from_type`` registration and the validation tests, so
adding a source is one row.
"""

from __future__ import annotations

import dataclasses
import inspect
import types
from typing import Any

from lambdachaos._errors import ConfigError

from . import (
    alb,
    alexa,
    apigateway,
    apigateway_authorizer,
    apigateway_http,
    apigateway_websocket,
    appsync,
    bedrock_agent,
    cloudformation,
    cloudfront,
    cloudwatch_logs,
    codecommit,
    codedeploy,
    codepipeline,
    cognito,
    config_rules,
    connect,
    documentdb,
    dynamodb_streams,
    eventbridge,
    function_url,
    iot,
    kafka,
    kinesis,
    kinesis_firehose,
    lex,
    mq,
    s3,
    s3_batch,
    s3_object_lambda,
    secrets_manager,
    ses,
    sns,
    sqs,
    vpc_lattice,
)
from ._common import Seed, as_rng, check_count
from ._payload import PayloadSpec


@dataclasses.dataclass(frozen=True)
class Source:
    """One generated event source or variant.

    ``model`` is the dotted name of the powertools parser model the event validates against, under
    ``aws_lambda_powertools.utilities.parser.models`` (``None``: powertools has none, or it is wrong for this
    variant -- then ``model_note`` says why).
    """

    name: str
    module: types.ModuleType
    kwargs: dict[str, Any]
    model: str | None
    builder: str = "event"
    model_note: str = ""

    @property
    def batching(self) -> bool:
        """Whether one Lambda event carries a batch of records."""
        return bool(getattr(self.module, "BATCHING", False)) and self.builder == "event"

    def build(self, *, count: int = 1, seed: Seed = None, payload: PayloadSpec = None) -> Any:
        """One event (``count`` records for batching sources), or a list of ``count`` events otherwise."""
        check_count(count, name="count", high=10_000)
        fn = getattr(self.module, self.builder)
        kw = dict(self.kwargs)
        params = inspect.signature(fn).parameters
        if payload is not None:
            if "payload" not in params and not _accepts_http(params):
                raise ConfigError(f"source {self.name!r} has no body to shape; drop the body schema")
            kw["payload"] = payload
        if self.batching:
            return fn(n=count, seed=seed, **kw)
        if "n" in params:
            kw["n"] = 1
        if count == 1:
            return fn(seed=seed, **kw)
        rng = as_rng(seed, self.module.__name__.rpartition(".")[2])
        return [fn(seed=rng, **kw) for _ in range(count)]


def _accepts_http(params: Any) -> bool:
    return any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())


def _s(
    name: str,
    module: types.ModuleType,
    model: str | None,
    builder: str = "event",
    note: str = "",
    **kwargs: Any,
) -> Source:
    return Source(name, module, kwargs, model, builder, note)


_MQ_NOTE = "powertools has no parser model for Amazon MQ events (only data classes); checked against AWS"
_LATTICE_NOTE = "powertools VpcLatticeV2Model wants single-value headers; AWS sends v2 header values as lists"
_SECRETS_NOTE = "powertools has no parser model for Secrets Manager rotation (only a data class)"
_IOT_NOTE = "powertools has parser models only for IoT registry events, none for rule actions or custom authorizers"
_CODEPIPELINE_NOTE = "powertools has no parser model for CodePipeline jobs (only the CodePipelineJobEvent data class)"
_CONFIG_NOTE = "powertools has no parser model for AWS Config rule events (only the AWSConfigRuleEvent data class)"
_CONNECT_NOTE = "powertools has no parser model for Amazon Connect (only the ConnectContactFlowEvent data class)"
_CODEDEPLOY_NOTE = "powertools has no parser model for CodeDeploy hooks (only a data class)"
_NO_MODEL = "powertools has no model or data class for this source; checked against the AWS documentation"
_APPSYNC_LEGACY_NOTE = "powertools AppSyncResolverEventModel requires info; the older shape has typeName/fieldName"
_ALB_NOTE = "powertools AlbModel requires single-value headers and rejects genuine multi-value ALB events"

SOURCES: dict[str, Source] = {
    s.name: s
    for s in [
        _s("sqs", sqs, "SqsModel"),
        _s("sqs-fifo", sqs, "SqsModel", fifo=True),
        _s("kinesis", kinesis, "KinesisDataStreamModel"),
        _s("dynamodb-streams", dynamodb_streams, "DynamoDBStreamModel"),
        *[
            _s(
                f"dynamodb-streams-{e.lower()}-{v.lower().replace('_', '-')}",
                dynamodb_streams,
                "DynamoDBStreamModel",
                event_name=e,
                stream_view_type=v,
            )
            for e in dynamodb_streams.EVENT_NAMES
            for v in dynamodb_streams.STREAM_VIEW_TYPES
        ],
        _s("s3", s3, "S3Model"),
        *[_s("s3-" + e.lower().replace(":", "-"), s3, "S3Model", event_name=e) for e in s3.EVENT_NAMES],
        _s("s3-eventbridge", s3, "S3EventNotificationEventBridgeModel", builder="eventbridge_event"),
        _s("s3-sqs", s3, "S3SqsEventNotificationModel", builder="sqs_event"),
        _s("sns", sns, "SnsModel"),
        _s("eventbridge", eventbridge, "EventBridgeModel"),
        *[_s(f"eventbridge-{v}", eventbridge, "EventBridgeModel", variant=v) for v in eventbridge.VARIANTS],
        _s("apigateway-rest", apigateway, "APIGatewayProxyEventModel"),
        _s("apigateway-http", apigateway_http, "APIGatewayProxyEventV2Model"),
        _s(
            "apigateway-http-default-route",
            apigateway_http,
            "APIGatewayProxyEventV2Model",
            variant="default_route",
        ),
        _s("function-url", function_url, "LambdaFunctionUrlModel"),
        _s("function-url-iam", function_url, "LambdaFunctionUrlModel", auth_type="AWS_IAM"),
        _s("alb", alb, "AlbModel"),
        _s("alb-multi-value", alb, None, note=_ALB_NOTE, multi_value_headers=True),
        _s("kafka-msk", kafka, "KafkaMskEventModel", variant="msk"),
        _s("kafka-self-managed", kafka, "KafkaSelfManagedEventModel", variant="self_managed"),
        *[_s(f"mq-{v}", mq, None, note=_MQ_NOTE, variant=v) for v in mq.VARIANTS],
        *[
            _s(
                f"apigateway-websocket-{v}",
                apigateway_websocket,
                f"APIGatewayWebSocket{v.capitalize()}EventModel",
                variant=v,
            )
            for v in apigateway_websocket.VARIANTS
        ],
        *[
            _s(f"apigateway-authorizer-{v.replace('_', '-')}", apigateway_authorizer, m, variant=v)
            for v, m in apigateway_authorizer.MODELS.items()
        ],
        _s("cloudwatch-logs", cloudwatch_logs, "CloudWatchLogsModel"),
        _s("cloudwatch-logs-lambda", cloudwatch_logs, "CloudWatchLogsModel", variant="lambda"),
        _s("kinesis-firehose", kinesis_firehose, "KinesisFirehoseModel"),
        _s(
            "kinesis-firehose-kinesis-stream",
            kinesis_firehose,
            "KinesisFirehoseModel",
            variant="kinesis_stream",
        ),
        *[_s(f"ses-{v}", ses, "SesModel", variant=v) for v in ses.VARIANTS],
        *[
            _s(
                "cognito-" + v.replace("_", "-"),
                cognito,
                cognito.MODELS[v],
                note=cognito.MODEL_NOTES.get(v, ""),
                variant=v,
            )
            for v in cognito.VARIANTS
        ],
        *[
            _s(
                f"cloudformation-{v.lower()}",
                cloudformation,
                f"CloudFormationCustomResource{v}Model",
                variant=v,
            )
            for v in cloudformation.VARIANTS
        ],
        *[_s(f"s3-batch-{v[0]}", s3_batch, "S3BatchOperationModel", variant=v) for v in s3_batch.VARIANTS],
        _s("appsync-query", appsync, "AppSyncResolverEventModel", variant="query"),
        _s("appsync-mutation", appsync, "AppSyncResolverEventModel", variant="mutation"),
        _s("vpc-lattice-v1", vpc_lattice, "VpcLatticeModel", variant="v1"),
        _s("vpc-lattice-v2", vpc_lattice, None, note=_LATTICE_NOTE, variant="v2"),
        *[
            _s(f"secrets-manager-{v.lower()}", secrets_manager, None, note=_SECRETS_NOTE, variant=v)
            for v in secrets_manager.VARIANTS
        ],
        *[
            _s(f"s3-object-lambda-{v.replace('_', '-')}", s3_object_lambda, "S3ObjectLambdaEvent", variant=v)
            for v in s3_object_lambda.VARIANTS
        ],
        *[_s(f"iot-{v.replace('_', '-')}", iot, None, note=_IOT_NOTE, variant=v) for v in iot.VARIANTS],
        *[
            _s(f"codepipeline-{v}", codepipeline, None, note=_CODEPIPELINE_NOTE, variant=v)
            for v in codepipeline.VARIANTS
        ],
        _s("bedrock-agent-api", bedrock_agent, "BedrockAgentEventModel", variant="api"),
        _s("bedrock-agent-function", bedrock_agent, "BedrockAgentFunctionEventModel", variant="function"),
        *[
            _s(f"appsync-{v.replace('_', '-')}", appsync, None, note=_APPSYNC_LEGACY_NOTE, variant=v)
            for v in appsync.VARIANTS
            if v.startswith("legacy")
        ],
        _s("kinesis-firehose-sqs", kinesis_firehose, "KinesisFirehoseSqsModel", variant="sqs"),
        *[
            _s(f"config-rule-{v.replace('_', '-')}", config_rules, None, note=_CONFIG_NOTE, variant=v)
            for v in config_rules.VARIANTS
        ],
        *[_s(f"connect-{v.lower()}", connect, None, note=_CONNECT_NOTE, variant=v) for v in connect.VARIANTS],
        *[_s(f"lex-{v}", lex, None, note=_NO_MODEL, variant=v) for v in lex.VARIANTS],
        *[
            _s(f"codecommit-{v.replace('_', '-')}", codecommit, None, note=_NO_MODEL, variant=v)
            for v in codecommit.VARIANTS
        ],
        _s("codedeploy-lifecycle-hook", codedeploy, None, note=_CODEDEPLOY_NOTE),
        *[
            _s(f"cloudfront-{v.replace('_', '-')}", cloudfront, None, note=_NO_MODEL, variant=v)
            for v in cloudfront.VARIANTS
        ],
        _s("documentdb", documentdb, None, note=_NO_MODEL),
        *[_s(f"alexa-{v.replace('_', '-')}", alexa, None, note=_NO_MODEL, variant=v) for v in alexa.VARIANTS],
    ]
}
"""Every source and variant, by CLI name."""


def get(name: str) -> Source:
    """The source called ``name``; the error lists the valid names."""
    try:
        return SOURCES[name]
    except KeyError:
        raise ConfigError(f"unknown event source {name!r}; valid sources: {', '.join(SOURCES)}") from None
