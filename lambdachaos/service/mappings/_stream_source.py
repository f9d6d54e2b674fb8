"""The source table's rows for Amazon Kinesis and Amazon DynamoDB Streams."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from lambdachaos.service.mappings._rows_common import key_of, records_list
from lambdachaos.service.mappings._stream_config import NOT_ON_STREAMS
from lambdachaos.service.mappings._table import DeliveryOps, MapRequest, PollSource, ScenarioOps

_STREAM_SETTINGS: Final[Mapping[str, object]] = {
    "batch_size": None, "maximum_batching_window_in_seconds": 0, "function_response_types": (),
    "filter_criteria": None, "starting_position": None, "starting_position_timestamp": None,
    "parallelization_factor": 1, "maximum_retry_attempts": -1, "maximum_record_age_in_seconds": -1,
    "bisect_batch_on_function_error": False, "on_failure": None, "tumbling_window_in_seconds": 0,
}
_HINT: Final = {"maximum_concurrency": "ScalingConfig applies to SQS mappings; use parallelization_factor"}


def _stream_types() -> tuple[type, ...]:
    from lambdachaos.resources._kinesis import KinesisStream

    return (KinesisStream,)


def _table_types() -> tuple[type, ...]:
    from lambdachaos.resources._dynamodb_streams import DynamoDBTable

    return (DynamoDBTable,)


def _create(request: MapRequest) -> Any:
    from lambdachaos.service.invoke._validation import check_starting_position
    from lambdachaos.service.mappings._stream import StreamEventSourceMapping, StreamMappingConfig, stream_kind

    source: Any = request.resource
    kind = stream_kind(source)
    assert kind is not None
    s = dict(request.settings)
    check_starting_position(s["starting_position"], source_kind=kind.name,
                            source_arn=getattr(source, "stream_arn", getattr(source, "arn", "")), required=False)
    config = StreamMappingConfig(
        source=kind.name, batch_size=100 if s.pop("batch_size") is None else request.settings["batch_size"],
        function_response_types=tuple(s.pop("function_response_types")),
        starting_position=s.pop("starting_position") or "TRIM_HORIZON", enabled=request.enabled, **s,
    )
    return StreamEventSourceMapping(request.service, source, request.function, config,
                                    qualifier=request.qualifier, resolve=request.resolve)


def _kinesis_keys(stream: Any) -> Mapping[str, str]:
    return {r.event_id: r.partition_key for shard in stream.shards for r in shard.records}


def _table_keys(table: Any) -> Mapping[str, str]:
    return {r.event_id: r.partition_key for shard in table.shards for r in shard.records}


def _kinesis_duplicate(stream: Any, record: Any) -> str:
    return str(stream._append(record.data, record.partition_key, None).event_id)


def _kinesis_poison(stream: Any, after: Any, body: bytes) -> str:
    return str(stream._append(body, after.partition_key, None).event_id)


_KINESIS_DELIVERY: Final = DeliveryOps(
    identity=lambda record: (record.event_id, record.data.decode("utf-8", "replace")),
    duplicate=_kinesis_duplicate, duplicate_note=None, reorder_note=NOT_ON_STREAMS, poison=_kinesis_poison,
    label="Kinesis", duplicate_effect="producer retry: {original} put again as {copy}",
    notify=lambda stream: stream._notify(),
)

KINESIS_SOURCE: Final = PollSource(
    name="kinesis", title="Amazon Kinesis", event_source="aws:kinesis", resource_kind="streams",
    resource_types=_stream_types, settings=_STREAM_SETTINGS, refused_hint=_HINT, create=_create,
    records_of=records_list("aws:kinesis"), record_id=key_of("eventID"), order_key="partition_key",
    order_keys=_kinesis_keys, event_source_arn=lambda stream: str(getattr(stream, "arn", "")),
    delivery=_KINESIS_DELIVERY,
    scenario=ScenarioOps(
        key="streams", reference="stream",
        schema={"type": "object", "properties": {
            "shards": {"type": "integer", "minimum": 1, "maximum": 500, "x-aws": "ShardCount"}},
            "additionalProperties": False},
        create=lambda sim, name, spec: sim.kinesis_stream(name, **spec),
    ),
)

DYNAMODB_SOURCE: Final = PollSource(
    name="dynamodb", title="Amazon DynamoDB Streams", event_source="aws:dynamodb", resource_kind="tables",
    resource_types=_table_types, settings=_STREAM_SETTINGS, refused_hint=_HINT, create=_create,
    records_of=records_list("aws:dynamodb"), record_id=key_of("eventID"), order_key="partition_key",
    aliases=("item_key",), order_keys=_table_keys,
    event_source_arn=lambda table: str(getattr(table, "stream_arn", "")),
    scenario=ScenarioOps(
        key="tables", reference="table",
        schema={"type": "object", "properties": {
            "key_schema": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"},
                                                          "minItems": 1, "maxItems": 2}],
                           "description": "partition key attribute, or [partition key, sort key] (KeySchema)"},
            "stream_view_type": {"enum": ["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"],
                                 "x-aws": "StreamSpecification.StreamViewType"}},
            "additionalProperties": False},
        create=lambda sim, name, spec: sim.dynamodb_table(name, **spec),
    ),
    localstack="DynamoDB tables are not run on the localstack target (simulator only)",
)
