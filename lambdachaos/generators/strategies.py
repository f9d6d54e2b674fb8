"""Hypothesis strategies for every generated event source and for payloads.

Needs hypothesis (``pip install 'lambdachaos[hypothesis]'``), imported by :mod:`._strategy_kit` only. Each strategy
draws the overrides that matter (batch size, bodies, variant, a seed for the rest) and calls the matching
builder, so an event's shape is defined once, in its source module. Strategies compose:
``sqs_events(bodies=payloads(Order))``. Shrinking goes towards one record, the first variant, the smallest
payload and seed 0 (a realistic, readable event). :func:`register_powertools_types` makes
``st.from_type(SqsModel)`` and friends work.
"""

from __future__ import annotations

from typing import Any

from . import (
    _sources,
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
    poison,
    s3,
    s3_batch,
    s3_object_lambda,
    secrets_manager,
    ses,
    sns,
    sqs,
    vpc_lattice,
)
from ._common import JSON
from ._payload import PayloadSpec
from ._strategy_kit import SearchStrategy, bodies_of, payloads, seeds, st, variant_events

__all__ = [
    "alb_events",
    "alexa_events",
    "apigateway_authorizer_events",
    "apigateway_events",
    "apigateway_http_events",
    "apigateway_websocket_events",
    "appsync_events",
    "bedrock_agent_events",
    "cloudformation_events",
    "cloudfront_events",
    "cloudwatch_logs_events",
    "codecommit_events",
    "codedeploy_events",
    "codepipeline_events",
    "cognito_events",
    "config_rules_events",
    "connect_events",
    "documentdb_events",
    "dynamodb_streams_events",
    "dynamodb_streams_records",
    "eventbridge_events",
    "function_url_events",
    "iot_events",
    "kafka_events",
    "kinesis_events",
    "kinesis_firehose_events",
    "kinesis_records",
    "lex_events",
    "mq_events",
    "payloads",
    "poisoned_batches",
    "register_powertools_types",
    "s3_batch_events",
    "s3_events",
    "s3_object_lambda_events",
    "secrets_manager_events",
    "seeds",
    "ses_events",
    "sns_events",
    "source_events",
    "sqs_events",
    "sqs_records",
    "vpc_lattice_events",
]


def sqs_records(
    *,
    payload: PayloadSpec = None,
    bodies: SearchStrategy[JSON] | None = None,
    min_size: int = 1,
    max_size: int = 10,
    fifo: bool | None = None,
    **kwargs: Any,
) -> SearchStrategy[list[dict[str, Any]]]:
    """One SQS batch (list of records) of one queue. Varies batch size, bodies, standard/FIFO (unless
    ``fifo`` is given), ids and ``ApproximateReceiveCount`` (redeliveries 2-5 times, unless ``receive_count``
    is given); shrinks towards one first-delivery standard-queue record with the smallest body."""
    fifos = st.booleans() if fifo is None else st.just(fifo)
    counts = st.just(kwargs.pop("receive_count")) if "receive_count" in kwargs else st.integers(1, 5)
    return st.builds(
        lambda b, f, c, s: sqs.records(len(b), bodies=b, fifo=f, receive_count=c, seed=s, **kwargs),
        bodies_of(bodies, payload, min_size, max_size),
        fifos,
        counts,
        seeds(),
    )


def sqs_events(**kwargs: Any) -> SearchStrategy[dict[str, Any]]:
    """Full SQS events ``{"Records": [...]}``; keywords and shrinking as :func:`sqs_records`."""
    return sqs_records(**kwargs).map(sqs.event)


def kinesis_records(
    *,
    payload: PayloadSpec = None,
    bodies: SearchStrategy[JSON] | None = None,
    min_size: int = 1,
    max_size: int = 10,
    **kwargs: Any,
) -> SearchStrategy[list[dict[str, Any]]]:
    """One Kinesis batch of one shard. Varies batch size, data, partition keys (1-10) and sequence numbers;
    shrinks towards one record, one partition key and the smallest body."""
    return st.builds(
        lambda b, k, s: kinesis.records(len(b), bodies=b, partition_keys=k, seed=s, **kwargs),
        bodies_of(bodies, payload, min_size, max_size),
        st.integers(1, 10),
        seeds(),
    )


def kinesis_events(**kwargs: Any) -> SearchStrategy[dict[str, Any]]:
    """Full Kinesis events; keywords and shrinking as :func:`kinesis_records`."""
    return kinesis_records(**kwargs).map(kinesis.event)


def dynamodb_streams_records(
    *, payload: PayloadSpec = None, min_size: int = 1, max_size: int = 10, **kwargs: Any
) -> SearchStrategy[list[dict[str, Any]]]:
    """One DynamoDB Streams batch. Varies size, event names (INSERT/MODIFY/REMOVE), stream view type and
    items;
    shrinks towards one INSERT of a KEYS_ONLY stream."""
    return st.builds(
        lambda n, e, v, s: dynamodb_streams.records(
            n, event_name=e, stream_view_type=v, seed=s, payload=payload, **kwargs
        ),
        st.integers(min_size, max_size),
        st.sampled_from((*dynamodb_streams.EVENT_NAMES, None)),
        st.sampled_from(dynamodb_streams.STREAM_VIEW_TYPES),
        seeds(),
    )


def dynamodb_streams_events(**kwargs: Any) -> SearchStrategy[dict[str, Any]]:
    """Full DynamoDB Streams events; keywords and shrinking as :func:`dynamodb_streams_records`."""
    return dynamodb_streams_records(**kwargs).map(dynamodb_streams.event)


def s3_events(**kwargs: Any) -> SearchStrategy[dict[str, Any]]:
    """S3 notification events. Varies the event type (shrinks towards ``ObjectCreated:Put``), bucket versioning
    (unless ``versioned`` is given; shrinks towards unversioned) and the seed."""
    versioned = st.just(kwargs.pop("versioned")) if "versioned" in kwargs else st.booleans()
    return st.builds(
        lambda e, v, s: s3.event(event_name=e, versioned=v or None, seed=s, **kwargs),
        st.sampled_from(s3.EVENT_NAMES),
        versioned,
        seeds(),
    )


def sns_events(
    *, payload: PayloadSpec = None, bodies: SearchStrategy[JSON] | None = None, **kwargs: Any
) -> SearchStrategy[dict[str, Any]]:
    """SNS events (one record). Varies the message and subject; shrinks to the smallest body, no subject."""
    return st.builds(
        lambda b, subj, s: sns.event(bodies=[b], subject=subj, seed=s, **kwargs),
        bodies if bodies is not None else payloads(payload),
        st.none() | st.sampled_from(("Order update", "Alert")),
        seeds(),
    )


def eventbridge_events(**kwargs: Any) -> SearchStrategy[dict[str, Any]]:
    """EventBridge events. Varies the variant (shrinks towards ``custom``) and the seed."""
    return st.builds(
        lambda v, s: eventbridge.event(variant=v, seed=s, **kwargs),
        st.sampled_from(eventbridge.VARIANTS),
        seeds(),
    )


_METHODS = st.sampled_from(("GET", "POST", "PUT", "DELETE", "PATCH"))


def apigateway_events(**kwargs: Any) -> SearchStrategy[dict[str, Any]]:
    """REST API (payload 1.0) events. Varies method (shrinks towards GET) and seed."""
    return st.builds(lambda m, s: apigateway.event(method=m, seed=s, **kwargs), _METHODS, seeds())


def apigateway_http_events(**kwargs: Any) -> SearchStrategy[dict[str, Any]]:
    """HTTP API (payload 2.0) events. Varies method, route style and seed; shrinks to ``GET`` on a route."""
    return st.builds(
        lambda m, v, s: apigateway_http.event(method=m, variant=v, seed=s, **kwargs),
        _METHODS,
        st.sampled_from(apigateway_http.VARIANTS),
        seeds(),
    )


def function_url_events(**kwargs: Any) -> SearchStrategy[dict[str, Any]]:
    """Function URL events. Varies method, auth type (shrinks towards ``NONE``) and seed."""
    return st.builds(
        lambda m, a, s: function_url.event(method=m, auth_type=a, seed=s, **kwargs),
        _METHODS,
        st.sampled_from(function_url.VARIANTS),
        seeds(),
    )


def alb_events(**kwargs: Any) -> SearchStrategy[dict[str, Any]]:
    """ALB events. Varies method, header mode (shrinks towards single-value) and seed."""
    return st.builds(
        lambda m, mv, s: alb.event(method=m, multi_value_headers=mv, seed=s, **kwargs),
        _METHODS,
        st.booleans(),
        seeds(),
    )


kafka_events = variant_events(kafka, "Kafka events (Amazon MSK or self-managed).", batch=True)
mq_events = variant_events(mq, "Amazon MQ events (ActiveMQ or RabbitMQ).", batch=True)
apigateway_websocket_events = variant_events(apigateway_websocket, "API Gateway WebSocket API events.")
apigateway_authorizer_events = variant_events(apigateway_authorizer, "API Gateway Lambda authorizer events.")
cloudwatch_logs_events = variant_events(cloudwatch_logs, "CloudWatch Logs subscription events.", batch=True)
kinesis_firehose_events = variant_events(kinesis_firehose, "Firehose transformation events.", batch=True)
ses_events = variant_events(ses, "SES email-receiving events.")
cognito_events = variant_events(cognito, "Cognito user pool trigger events.")
cloudformation_events = variant_events(cloudformation, "CloudFormation custom resource requests.")
s3_batch_events = variant_events(s3_batch, "S3 Batch Operations invocations.")
appsync_events = variant_events(appsync, "AppSync direct Lambda resolver events.")
vpc_lattice_events = variant_events(vpc_lattice, "VPC Lattice requests.")
secrets_manager_events = variant_events(secrets_manager, "Secrets Manager rotation requests.")
s3_object_lambda_events = variant_events(s3_object_lambda, "S3 Object Lambda GetObject requests.")
iot_events = variant_events(iot, "IoT rule action payloads and custom authorizer requests.")
codepipeline_events = variant_events(codepipeline, "CodePipeline job events.")
bedrock_agent_events = variant_events(bedrock_agent, "Bedrock agent action group invocations.")
config_rules_events = variant_events(config_rules, "AWS Config rule evaluation requests.")
connect_events = variant_events(connect, "Amazon Connect contact flow invocations.")
lex_events = variant_events(lex, "Amazon Lex code hook events (V2 and V1).")
codecommit_events = variant_events(codecommit, "CodeCommit trigger events.")
cloudfront_events = variant_events(cloudfront, "CloudFront Lambda@Edge events.")
alexa_events = variant_events(alexa, "Alexa Skills Kit requests.")


def codedeploy_events(**kwargs: Any) -> SearchStrategy[dict[str, Any]]:
    """CodeDeploy lifecycle hook invocations. Varies the seed; shrinks towards seed 0."""
    return seeds().map(lambda s: codedeploy.event(seed=s, **kwargs))


def documentdb_events(
    *,
    payload: PayloadSpec = None,
    bodies: SearchStrategy[JSON] | None = None,
    min_size: int = 1,
    max_size: int = 10,
    **kwargs: Any,
) -> SearchStrategy[dict[str, Any]]:
    """DocumentDB change stream events. Varies the batch size, the documents and each change's operation type;
    shrinks towards one inserted document with the smallest body."""
    return st.builds(
        lambda b, ops, s: documentdb.event(
            records=[
                documentdb.record(seed=s + i, document=doc, operation_type=op, increment=i + 1, **kwargs)
                for i, (doc, op) in enumerate(zip(b, ops, strict=False))
            ]
        ),
        bodies_of(bodies, payload, min_size, max_size),
        st.lists(st.sampled_from(documentdb.OPERATION_TYPES), min_size=max_size, max_size=max_size),
        seeds(),
    )


def source_events(name: str | None = None) -> SearchStrategy[Any]:
    """Events of the named source from the CLI table (any source when ``None``; shrinks towards the first,
    ``sqs``).

    Batching sources vary the batch size 1-5 (shrinking towards 1).
    """
    names = st.just(name) if name is not None else st.sampled_from(tuple(_sources.SOURCES))
    return st.builds(
        lambda n, c, s: _sources.get(n).build(count=c if _sources.get(n).batching else 1, seed=s),
        names,
        st.integers(1, 5),
        seeds(),
    )


def poisoned_batches(
    source: str = "sqs",
    *,
    rate: float = 0.2,
    min_size: int = 1,
    max_size: int = 10,
    kinds: tuple[str, ...] | None = None,
) -> SearchStrategy[tuple[dict[str, Any], dict[str, str]]]:
    """``(event, {identity: poison kind})`` for a valid batch of ``source`` with about ``rate`` of it
    poisoned.

    Varies batch size, which records are poisoned and with what; shrinks towards one record and seed 0.
    """
    module = {"sqs": sqs, "kinesis": kinesis, "sns": sns, "dynamodb_streams": dynamodb_streams}[source]

    def build(n: int, s: int) -> tuple[dict[str, Any], dict[str, str]]:
        batch, tags = poison.mix(source, module.records(n, seed=s), rate=rate, seed=s, kinds=kinds)
        return {"Records": batch}, tags

    return st.builds(build, st.integers(min_size, max_size), seeds())


_MODEL_STRATEGIES = {
    "SqsModel": sqs_events,
    "KinesisDataStreamModel": kinesis_events,
    "DynamoDBStreamModel": dynamodb_streams_events,
    "S3Model": s3_events,
    "SnsModel": sns_events,
    "EventBridgeModel": eventbridge_events,
    "APIGatewayProxyEventModel": apigateway_events,
    "APIGatewayProxyEventV2Model": apigateway_http_events,
    "LambdaFunctionUrlModel": function_url_events,
}


def register_powertools_types() -> list[str]:
    """Register strategies so ``st.from_type(<powertools parser model>)`` draws realistic events.

    Covers every source in the CLI table whose events validate against a powertools model; returns the model
    names registered (empty when powertools is not installed).
    """
    try:
        from aws_lambda_powertools.utilities.parser import models
    except ImportError:
        return []
    done: list[str] = []
    for source in _sources.SOURCES.values():
        if source.model is None or source.model in done:
            continue
        model = getattr(models, source.model)
        maker = _MODEL_STRATEGIES.get(source.model)
        base = maker() if maker is not None else source_events(source.name)
        st.register_type_strategy(model, base.map(model.model_validate))
        done.append(source.model)
    return done
