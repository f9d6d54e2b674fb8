"""Realistic AWS Lambda events for every event source (importable as ``lambdachaos.generators``).

Each event source has its own module with the same small API (see ``docs/generators.md``):

* batching sources (``sqs``, ``kinesis``, ``dynamodb_streams``, ``s3``, ``sns``, ...): ``record(...)``,
  ``records(n, ...)``, ``event(records=None, n=1, ...)`` and ``events(n, ...)``;
* every other source: ``event(...)`` and ``events(n, ...)``.

All builders take ``seed``, ``region``, ``account_id`` and ``now`` (see :mod:`._common`) and return plain
dicts in AWS's wire shape. Hypothesis strategies live in ``lambdachaos.generators.strategies`` (needs the
``hypothesis`` extra); the poison catalogue in :mod:`.poison`.

>>> from lambdachaos.generators import sqs
>>> sqs.event(n=2, seed=7)["Records"][0]["eventSource"]
'aws:sqs'
"""

from __future__ import annotations

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
from ._common import DEFAULT_ACCOUNT_ID, DEFAULT_NOW, DEFAULT_REGION, Seed
from ._payload import Address, Customer, LineItem, Order, PayloadSpec, payload, payload_json
from ._sources import SOURCES, Source
from .poison import Poison

__all__ = [
    "DEFAULT_ACCOUNT_ID",
    "DEFAULT_NOW",
    "DEFAULT_REGION",
    "SOURCES",
    "Address",
    "Customer",
    "LineItem",
    "Order",
    "PayloadSpec",
    "Poison",
    "Seed",
    "Source",
    "alb",
    "alexa",
    "apigateway",
    "apigateway_authorizer",
    "apigateway_http",
    "apigateway_websocket",
    "appsync",
    "bedrock_agent",
    "cloudformation",
    "cloudfront",
    "cloudwatch_logs",
    "codecommit",
    "codedeploy",
    "codepipeline",
    "cognito",
    "config_rules",
    "connect",
    "documentdb",
    "dynamodb_streams",
    "eventbridge",
    "function_url",
    "iot",
    "kafka",
    "kinesis",
    "kinesis_firehose",
    "lex",
    "mq",
    "payload",
    "payload_json",
    "poison",
    "s3",
    "s3_batch",
    "s3_object_lambda",
    "secrets_manager",
    "ses",
    "sns",
    "sqs",
    "vpc_lattice",
]
