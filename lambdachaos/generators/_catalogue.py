"""The generator catalogue: every event-source module, defined once.

Each :class:`Generator` row names a module of :mod:`lambdachaos.generators`, says what it generates, names
its hypothesis strategy and lists the sources it offers to ``lambdachaos events`` (CLI name, builder keywords,
the powertools parser model the event validates against). Everything else is derived from this table: the
package's exports (imported on first use), the strategies in :mod:`.strategies` (their names, the per-variant
ones built from the row, ``st.from_type`` registration), :data:`._sources.SOURCES` and the CLI listing. Adding
a source module is one row here.

Nothing is imported until asked: a row holds the module's name, and its sources are computed from the module
when :func:`sources` first needs them.
"""

from __future__ import annotations

import dataclasses
import importlib
import types
from collections.abc import Callable, Iterable
from typing import Any, Literal

StrategyKind = Literal["custom", "variant", "variant-batch"]
"""How a row's strategy is made: ``custom`` (a function in :mod:`.strategies`), or built from the module's
``VARIANTS`` (``variant-batch``: a batching source, whose strategy also draws the batch)."""


@dataclasses.dataclass(frozen=True)
class Row:
    """One CLI source of a generator: its name, builder keywords and parser model (see :class:`Source`)."""

    name: str
    kwargs: dict[str, Any]
    model: str | None
    builder: str = "event"
    note: str = ""


@dataclasses.dataclass(frozen=True)
class Generator:
    """One generator module: ``module`` (its name in :mod:`lambdachaos.generators`), a one-line ``description``,
    its ``strategy`` name in :mod:`.strategies` and how that strategy is made (``kind``), and ``rows``, the CLI
    sources computed from the imported module."""

    module: str
    description: str
    strategy: str
    kind: StrategyKind
    rows: Callable[[types.ModuleType], Iterable[Row]]

    def load(self) -> types.ModuleType:
        """The imported module."""
        return importlib.import_module(f"{__package__}.{self.module}")


def _r(name: str, model: str | None, builder: str = "event", note: str = "", **kwargs: Any) -> Row:
    return Row(name, kwargs, model, builder, note)


def _variants(prefix: str, model: str | None, note: str = "", lower: bool = False) -> Callable[[Any], list[Row]]:
    """One row per ``VARIANTS`` entry, named ``<prefix>-<variant>`` (underscores as dashes)."""

    def rows(m: Any) -> list[Row]:
        return [
            _r(f"{prefix}-{(v.lower() if lower else v).replace('_', '-')}", model, note=note, variant=v)
            for v in m.VARIANTS
        ]

    return rows


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


def _dynamodb(m: Any) -> list[Row]:
    return [
        _r("dynamodb-streams", "DynamoDBStreamModel"),
        *[
            _r(f"dynamodb-streams-{e.lower()}-{v.lower().replace('_', '-')}", "DynamoDBStreamModel", event_name=e,
               stream_view_type=v)
            for e in m.EVENT_NAMES
            for v in m.STREAM_VIEW_TYPES
        ],
    ]


def _s3(m: Any) -> list[Row]:
    return [
        _r("s3", "S3Model"),
        *[_r("s3-" + e.lower().replace(":", "-"), "S3Model", event_name=e) for e in m.EVENT_NAMES],
        _r("s3-eventbridge", "S3EventNotificationEventBridgeModel", builder="eventbridge_event"),
        _r("s3-sqs", "S3SqsEventNotificationModel", builder="sqs_event"),
    ]


def _appsync(m: Any) -> list[Row]:
    legacy = [v for v in m.VARIANTS if v.startswith("legacy")]
    return [
        _r("appsync-query", "AppSyncResolverEventModel", variant="query"),
        _r("appsync-mutation", "AppSyncResolverEventModel", variant="mutation"),
        *[_r(f"appsync-{v.replace('_', '-')}", None, note=_APPSYNC_LEGACY_NOTE, variant=v) for v in legacy],
    ]


G = Generator
CATALOGUE: tuple[Generator, ...] = (
    G("sqs", "Amazon SQS messages (standard and FIFO queues).", "sqs_events", "custom",
      lambda m: [_r("sqs", "SqsModel"), _r("sqs-fifo", "SqsModel", fifo=True)]),
    G("kinesis", "Kinesis Data Streams records of one shard.", "kinesis_events", "custom",
      lambda m: [_r("kinesis", "KinesisDataStreamModel")]),
    G("dynamodb_streams", "DynamoDB Streams records (INSERT, MODIFY, REMOVE; every stream view type).",
      "dynamodb_streams_events", "custom", _dynamodb),
    G("s3", "S3 event notifications (direct, through EventBridge, through SQS).", "s3_events", "custom", _s3),
    G("sns", "SNS notifications.", "sns_events", "custom", lambda m: [_r("sns", "SnsModel")]),
    G("eventbridge", "EventBridge events (custom, scheduled and AWS service events).", "eventbridge_events", "custom",
      lambda m: [_r("eventbridge", "EventBridgeModel"),
                 *[_r(f"eventbridge-{v}", "EventBridgeModel", variant=v) for v in m.VARIANTS]]),
    G("apigateway", "API Gateway REST API proxy events (payload 1.0).", "apigateway_events", "custom",
      lambda m: [_r("apigateway-rest", "APIGatewayProxyEventModel")]),
    G("apigateway_http", "API Gateway HTTP API events (payload 2.0).", "apigateway_http_events", "custom",
      lambda m: [_r("apigateway-http", "APIGatewayProxyEventV2Model"),
                 _r("apigateway-http-default-route", "APIGatewayProxyEventV2Model", variant="default_route")]),
    G("function_url", "Lambda function URL requests.", "function_url_events", "custom",
      lambda m: [_r("function-url", "LambdaFunctionUrlModel"),
                 _r("function-url-iam", "LambdaFunctionUrlModel", auth_type="AWS_IAM")]),
    G("alb", "Application Load Balancer requests.", "alb_events", "custom",
      lambda m: [_r("alb", "AlbModel"), _r("alb-multi-value", None, note=_ALB_NOTE, multi_value_headers=True)]),
    G("kafka", "Kafka events (Amazon MSK or self-managed).", "kafka_events", "variant-batch",
      lambda m: [_r("kafka-msk", "KafkaMskEventModel", variant="msk"),
                 _r("kafka-self-managed", "KafkaSelfManagedEventModel", variant="self_managed")]),
    G("mq", "Amazon MQ events (ActiveMQ or RabbitMQ).", "mq_events", "variant-batch", _variants("mq", None, _MQ_NOTE)),
    G("apigateway_websocket", "API Gateway WebSocket API events.", "apigateway_websocket_events", "variant",
      lambda m: [_r(f"apigateway-websocket-{v}", f"APIGatewayWebSocket{v.capitalize()}EventModel", variant=v)
                 for v in m.VARIANTS]),
    G("apigateway_authorizer", "API Gateway Lambda authorizer events.", "apigateway_authorizer_events", "variant",
      lambda m: [_r(f"apigateway-authorizer-{v.replace('_', '-')}", model, variant=v)
                 for v, model in m.MODELS.items()]),
    G("cloudwatch_logs", "CloudWatch Logs subscription events.", "cloudwatch_logs_events", "variant-batch",
      lambda m: [_r("cloudwatch-logs", "CloudWatchLogsModel"),
                 _r("cloudwatch-logs-lambda", "CloudWatchLogsModel", variant="lambda")]),
    G("kinesis_firehose", "Firehose transformation events.", "kinesis_firehose_events", "variant-batch",
      lambda m: [_r("kinesis-firehose", "KinesisFirehoseModel"),
                 _r("kinesis-firehose-kinesis-stream", "KinesisFirehoseModel", variant="kinesis_stream"),
                 _r("kinesis-firehose-sqs", "KinesisFirehoseSqsModel", variant="sqs")]),
    G("ses", "SES email-receiving events.", "ses_events", "variant", _variants("ses", "SesModel")),
    G("cognito", "Cognito user pool trigger events.", "cognito_events", "variant",
      lambda m: [_r("cognito-" + v.replace("_", "-"), m.MODELS[v], note=m.MODEL_NOTES.get(v, ""), variant=v)
                 for v in m.VARIANTS]),
    G("cloudformation", "CloudFormation custom resource requests.", "cloudformation_events", "variant",
      lambda m: [_r(f"cloudformation-{v.lower()}", f"CloudFormationCustomResource{v}Model", variant=v)
                 for v in m.VARIANTS]),
    G("s3_batch", "S3 Batch Operations invocations.", "s3_batch_events", "variant",
      lambda m: [_r(f"s3-batch-{v[0]}", "S3BatchOperationModel", variant=v) for v in m.VARIANTS]),
    G("appsync", "AppSync direct Lambda resolver events.", "appsync_events", "variant", _appsync),
    G("vpc_lattice", "VPC Lattice requests.", "vpc_lattice_events", "variant",
      lambda m: [_r("vpc-lattice-v1", "VpcLatticeModel", variant="v1"),
                 _r("vpc-lattice-v2", None, note=_LATTICE_NOTE, variant="v2")]),
    G("secrets_manager", "Secrets Manager rotation requests.", "secrets_manager_events", "variant",
      _variants("secrets-manager", None, _SECRETS_NOTE, lower=True)),
    G("s3_object_lambda", "S3 Object Lambda GetObject requests.", "s3_object_lambda_events", "variant",
      _variants("s3-object-lambda", "S3ObjectLambdaEvent")),
    G("iot", "IoT rule action payloads and custom authorizer requests.", "iot_events", "variant",
      _variants("iot", None, _IOT_NOTE)),
    G("codepipeline", "CodePipeline job events.", "codepipeline_events", "variant",
      _variants("codepipeline", None, _CODEPIPELINE_NOTE)),
    G("bedrock_agent", "Bedrock agent action group invocations.", "bedrock_agent_events", "variant",
      lambda m: [_r("bedrock-agent-api", "BedrockAgentEventModel", variant="api"),
                 _r("bedrock-agent-function", "BedrockAgentFunctionEventModel", variant="function")]),
    G("config_rules", "AWS Config rule evaluation requests.", "config_rules_events", "variant",
      _variants("config-rule", None, _CONFIG_NOTE)),
    G("connect", "Amazon Connect contact flow invocations.", "connect_events", "variant",
      _variants("connect", None, _CONNECT_NOTE, lower=True)),
    G("lex", "Amazon Lex code hook events (V2 and V1).", "lex_events", "variant", _variants("lex", None, _NO_MODEL)),
    G("codecommit", "CodeCommit trigger events.", "codecommit_events", "variant",
      _variants("codecommit", None, _NO_MODEL)),
    G("codedeploy", "CodeDeploy lifecycle hook invocations.", "codedeploy_events", "custom",
      lambda m: [_r("codedeploy-lifecycle-hook", None, note=_CODEDEPLOY_NOTE)]),
    G("cloudfront", "CloudFront Lambda@Edge events.", "cloudfront_events", "variant",
      _variants("cloudfront", None, _NO_MODEL)),
    G("documentdb", "Amazon DocumentDB change stream events.", "documentdb_events", "custom",
      lambda m: [_r("documentdb", None, note=_NO_MODEL),
                 *[_r(f"documentdb-{op}", None, note=_NO_MODEL, operation_type=op) for op in m.OPERATION_TYPES[1:]],
                 _r("documentdb-update-lookup", None, note=_NO_MODEL, operation_type="update",
                    full_document_mode="UpdateLookup")]),
    G("alexa", "Alexa Skills Kit requests.", "alexa_events", "variant", _variants("alexa", None, _NO_MODEL)),
)
"""Every generator module, in the order of ``lambdachaos events --list``."""


def module_names(catalogue: Iterable[Generator] | None = None) -> list[str]:
    """The module names of ``catalogue`` (default :data:`CATALOGUE`), in table order."""
    return [g.module for g in (CATALOGUE if catalogue is None else catalogue)]


def by_strategy(name: str, catalogue: Iterable[Generator] | None = None) -> Generator | None:
    """The row of ``catalogue`` (default :data:`CATALOGUE`) whose strategy is called ``name``, or ``None``."""
    return next((g for g in (CATALOGUE if catalogue is None else catalogue) if g.strategy == name), None)
