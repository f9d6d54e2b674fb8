"""The scenario file format as a JSON Schema, and the small validator that checks a file against it.

The schema is published next to this module as ``scenario.schema.json`` (editors use it for completion);
:data:`SCHEMA` is the source and a test keeps the file equal to it. The validator understands the subset
of JSON Schema the scenario format uses (``type``, ``properties``, ``required``, ``additionalProperties``,
``propertyNames``, ``enum``, ``const``, ``minimum``, ``maximum``, ``exclusiveMinimum``, ``items``,
``minItems``, ``maxItems``, ``pattern``, ``anyOf``) plus two annotations of its own: ``x-aws`` names the
AWS setting a range comes from, ``x-exactly-one`` lists keys of which exactly one must be given. Every
error carries the dotted path of the offending value, so the loader can put a file, line and column on it.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, Final

from lambdachaos.generators.poison import KINDS as POISON_KINDS
from lambdachaos.scenarios._validate import SchemaIssue, check
from lambdachaos.service.mappings._sources import BUILT_IN, sources

SCHEMA_ID: Final = "https://lambdachaos.dev/schemas/scenario-1.json"
SCHEMA_PATH: Final = Path(__file__).with_name("scenario.schema.json")
FORMAT_VERSION: Final = 1

REPLAY_FORMATS: Final = (
    "auto", "lambda-events", "sqs-messages", "lambda-dlq", "destination-records", "eventbridge",
    "kinesis", "dynamodb",
)
TIMING_MODES: Final = ("preserve", "compress", "fast")
TABLE_WRITES: Final = ("put", "update", "delete")
EXPECTATION_KINDS: Final = ("fates", "attempts", "delivered", "ordered", "nothing_lost", "latency")
FATES: Final = ("succeeded", "filtered", "dead_lettered", "on_failure", "dropped", "pending", "expired")
SHAPES: Final = ("lambda-dlq", "async-destination", "stream-destination", "sqs-redrive")
SOURCE_EVENTS: Final = ("payload", "s3", "sns", "sqs", "eventbridge", "apigateway", "apigateway_http", "function_url")

_NAME = {"type": "string", "pattern": r"^[A-Za-z0-9_.:-]{1,80}$"}
_COUNT = {
    "description": "An exact number, 'all', 'none', or a comparison such as '>= 5', '<= 2%', '> 0'.",
    "anyOf": [
        {"type": "integer", "minimum": 0},
        {"type": "string", "pattern": r"^(all|none|(==|>=|<=|>|<)\s*\d+(\.\d+)?%?)$"},
    ],
}


def _int(low: int, high: int, aws: str | None = None, description: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "integer", "minimum": low, "maximum": high}
    if aws:
        out["x-aws"] = aws
    if description:
        out["description"] = description
    return out


def _num(low: float, high: float | None = None, aws: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "number", "minimum": low}
    if high is not None:
        out["maximum"] = high
    if aws:
        out["x-aws"] = aws
    return out


def _obj(props: dict[str, Any], required: tuple[str, ...] = (), **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "object", "properties": props, "additionalProperties": False}
    if required:
        out["required"] = list(required)
    out.update(extra)
    return out


def _map_of(value: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "propertyNames": _NAME, "additionalProperties": value}


_QUEUE = _obj({
    "visibility_timeout": _int(0, 43_200, "VisibilityTimeout"),
    "delay_seconds": _int(0, 900, "DelaySeconds"),
    "message_retention_period": _int(60, 1_209_600, "MessageRetentionPeriod"),
    "content_based_deduplication": {"type": "boolean"},
    "dead_letter_queue": {"type": "string", "description": "name of another queue (RedrivePolicy)"},
    "max_receive_count": _int(1, 1000, "RedrivePolicy maxReceiveCount"),
})
_ASYNC = _obj({
    "maximum_retry_attempts": _int(0, 2, "MaximumRetryAttempts"),
    "maximum_event_age_in_seconds": _int(60, 21_600, "MaximumEventAgeInSeconds"),
    "on_success": {"type": "string", "description": "queue, topic, bus or function name"},
    "on_failure": {"type": "string", "description": "queue, topic, bus or function name"},
})
_FUNCTION = _obj({
    "handler": {"type": "string", "pattern": r"^[A-Za-z_][\w.]*\.[A-Za-z_]\w*$",
                "description": "module.function, importable from code_dir"},
    "code_dir": {"type": "string", "description": "directory of the handler module, relative to the file"},
    "layers": {"type": "array", "items": {"type": "string"}, "maxItems": 5,
               "description": "layer folders (each with a python/ folder), relative to the file"},
    "memory_size": _int(128, 10_240, "MemorySize"),
    "timeout": _num(1, 900, "Timeout"),
    "ephemeral_storage": _int(512, 10_240, "EphemeralStorage"),
    "environment": {"type": "object", "additionalProperties": {"type": "string"}},
    "architecture": {"enum": ["x86_64", "arm64"]},
    "runtime": {"type": "string"},
    "base_duration": _num(0),
    "init_duration": _num(0),
    "reserved_concurrency": _int(0, 10_000, "ReservedConcurrentExecutions"),
    "dead_letter_queue": {"type": "string", "description": "queue or topic name (DeadLetterConfig)"},
    "isolate_environments": {"type": "boolean"},
    "async": _ASYNC,
}, ("handler",))
_MAPPING = _obj({
    "source": {"type": "string", "description": "queue, stream or table name (a table: its stream)"},
    "function": {"type": "string"},
    "batch_size": _int(1, 10_000, "BatchSize"),
    "maximum_batching_window_in_seconds": _int(0, 300, "MaximumBatchingWindowInSeconds"),
    "starting_position": {"enum": ["TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"]},
    "maximum_retry_attempts": _int(-1, 10_000, "MaximumRetryAttempts"),
    "maximum_record_age_in_seconds": _int(-1, 604_800, "MaximumRecordAgeInSeconds"),
    "bisect_batch_on_function_error": {"type": "boolean"},
    "parallelization_factor": _int(1, 10, "ParallelizationFactor"),
    "report_batch_item_failures": {"type": "boolean"},
    "maximum_concurrency": _int(2, 1000, "ScalingConfig.MaximumConcurrency"),
    "on_failure": {"type": "string", "description": "queue or topic name (DestinationConfig.OnFailure)"},
    "enabled": {"type": "boolean"},
    "consumer_group_id": {"type": "string", "description": "Kafka: AmazonManagedKafkaEventSourceConfig / "
                          "SelfManagedKafkaEventSourceConfig ConsumerGroupId"},
    "provisioned_poller_config": _obj({"MinimumPollers": _int(1, 200, "ProvisionedPollerConfig.MinimumPollers"),
                                       "MaximumPollers": _int(1, 2000, "ProvisionedPollerConfig.MaximumPollers"),
                                       "PollerGroupName": {"type": "string"}}),
    "full_document": {"enum": ["Default", "UpdateLookup"],
                      "x-aws": "DocumentDBEventSourceConfig.FullDocument"},
}, ("source", "function"))
_REPLAY = _obj({
    "file": {"type": "string", "description": "recording, relative to the scenario file"},
    "format": {"enum": list(REPLAY_FORMATS)},
    "timing": {"enum": list(TIMING_MODES)},
    "factor": {"type": "number", "exclusiveMinimum": 0, "description": "compress: divide gaps by this"},
    "anonymise": {"type": "array", "items": {"type": "string"}},
}, ("file",))
_TRAFFIC = _obj({
    "name": _NAME,
    "function": {"type": "string"},
    "invocation": {"enum": ["async", "sync"]},
    "queue": {"type": "string"},
    "topic": {"type": "string"},
    "bus": {"type": "string"},
    "stream": {"type": "string"},
    "table": {"type": "string", "description": "a table of resources.tables: the traffic writes items"},
    "write": {"enum": list(TABLE_WRITES), "description": "table traffic: PutItem, UpdateItem or DeleteItem"},
    "source_event": {"enum": list(SOURCE_EVENTS)},
    "start": _num(0),
    "count": _int(1, 1_000_000),
    "rate": {"type": "number", "exclusiveMinimum": 0, "description": "events per virtual second"},
    "duration": {"type": "number", "exclusiveMinimum": 0},
    "payload": {"anyOf": [{"enum": ["order"]}, {"type": "object"}],
                "description": "'order' or a JSON Schema of the body"},
    "poison_rate": _num(0, 1),
    "poison_kinds": {"type": "array", "items": {"enum": list(POISON_KINDS)}, "minItems": 1},
    "partition_keys": _int(1, 100_000),
    "message_groups": _int(1, 100_000),
    "replay": _REPLAY,
}, (), **{"x-exactly-one": ["function", "queue", "topic", "bus", "stream", "table"]})
for _row in BUILT_IN:  # built-in rows that take traffic through their own send (Kafka topics, broker queues)
    if _row.scenario is not None and _row.scenario.send is not None:
        _TRAFFIC["properties"][_row.scenario.reference] = {"type": "string"}
        _TRAFFIC["x-exactly-one"].append(_row.scenario.reference)
_SCOPE = {"traffic": {"type": "string"}, "function": {"type": "string"},
          "poison": {"type": "boolean", "description": "only poisoned (true) or only clean (false) records"}}
_EXPECTATION = _obj({
    "name": {"type": "string"},
    "fates": _obj({**_SCOPE, **{f: _COUNT for f in FATES}}),
    "attempts": _obj({**_SCOPE, "per_event_max": _int(1, 100_000), "per_event_min": _int(0, 100_000),
                      "total": _COUNT}),
    "delivered": _obj({"to": {"type": "string"}, "count": _COUNT, "shape": {"enum": list(SHAPES)},
                       "condition": {"type": "string"}, "within_seconds": _num(0)}, ("to",)),
    "ordered": _obj({**_SCOPE, "by": {"enum": list(dict.fromkeys(
        ["partition_key", "message_group", "event", *(row.order_key for row in BUILT_IN)]))}}),
    "nothing_lost": {"anyOf": [{"const": True}, _obj(_SCOPE)]},
    "latency": _obj({**_SCOPE, "p50_ms": _num(0), "p95_ms": _num(0), "p99_ms": _num(0), "max_ms": _num(0),
                     "end_to_end_p95_seconds": _num(0), "end_to_end_max_seconds": _num(0)}),
}, (), **{"x-exactly-one": list(EXPECTATION_KINDS)})
_TIMELINE = _obj({
    "id": {"type": "string"},
    "from": _num(0),
    "to": _num(0),
    "fault": {"type": "object", "required": ["kind"]},
    "target": {"type": "object"},
    "when": {"type": "object"},
    "optional": {"type": "boolean", "description": "the rule need not fire (otherwise a run that never fires it "
                 "fails, or is not evaluated where the target cannot inject it)"},
}, ("fault",))

SCHEMA: Final[dict[str, Any]] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": SCHEMA_ID,
    "title": "lambdachaos scenario",
    **_obj({
        "version": {"const": FORMAT_VERSION},
        "name": {"type": "string"},
        "description": {"type": "string"},
        "seed": _int(0, 2**63 - 1),
        "target": {"enum": ["sim", "localstack", "aws"]},
        "settings": _obj({
            "account_concurrency": _int(1, 1_000_000, "ConcurrentExecutions"),
            "async_retry_delays": {"type": "array", "items": _int(0, 3600), "minItems": 2, "maxItems": 2},
            "region": {"type": "string", "pattern": r"^[a-z]{2}(-[a-z]+)+-\d$"},
            "horizon_seconds": {"type": "number", "exclusiveMinimum": 0,
                                "description": "stop the virtual clock here even if work remains"},
        }),
        "resources": _obj({
            "queues": _map_of(_QUEUE),
            "topics": _map_of(_obj({"subscribers": {"type": "array", "items": {"type": "string"}}})),
            "buses": _map_of(_obj({"rules": _map_of(_obj({
                "pattern": {"type": "object"}, "targets": {"type": "array", "items": {"type": "string"}},
            }, ("pattern", "targets")))})),
            **{row.scenario.key: _map_of(dict(row.scenario.schema)) for row in BUILT_IN if row.scenario is not None},
        }),
        "functions": _map_of(_FUNCTION),
        "template": _obj({
            "path": {"type": "string", "description": "a SAM, CloudFormation or CDK template (docs/templates.md)"},
            "parameters": {"type": "object", "additionalProperties": {"type": ["string", "number", "boolean"]}},
            "schedule_until": {"type": "number", "exclusiveMinimum": 0},
        }, ("path",)),
        "mappings": {"type": "array", "items": _MAPPING},
        "traffic": {"type": "array", "items": _TRAFFIC, "minItems": 1},
        "faults": _obj({
            "rules": {"type": "array", "items": {"type": "object"}},
            "timeline": {"type": "array", "items": _TIMELINE},
        }),
        "expectations": {"type": "array", "items": _EXPECTATION},
    }, ("version", "name", "traffic")),
}


def current_schema() -> dict[str, Any]:
    """:data:`SCHEMA`, plus the resources and traffic keys of source-table rows registered at run time."""
    extra = [row for row in sources().values() if row.scenario is not None and row not in BUILT_IN]
    if not extra:
        return SCHEMA
    schema = copy.deepcopy(SCHEMA)
    traffic = schema["properties"]["traffic"]["items"]
    for row in extra:
        assert row.scenario is not None
        schema["properties"]["resources"]["properties"][row.scenario.key] = _map_of(dict(row.scenario.schema))
        if row.scenario.send is not None:
            traffic["properties"][row.scenario.reference] = {"type": "string"}
            traffic["x-exactly-one"].append(row.scenario.reference)
    return schema


def validate(data: Any, schema: dict[str, Any] | None = None) -> list[SchemaIssue]:
    """Every violation of ``schema`` (default: :func:`current_schema`) in ``data``, in document order."""
    return check(data, current_schema() if schema is None else schema)


def schema_json() -> str:
    """The published schema text (what ``scenario.schema.json`` holds)."""
    return json.dumps(SCHEMA, indent=2, sort_keys=False) + "\n"
