"""The source table's row for Apache Kafka: Amazon MSK and self-managed clusters (one row; the cluster says which).

A mapping reads one topic (``Topics`` holds exactly one), so the mapped resource is the topic:
``sim.map(cluster.topic("orders"), fn, ...)``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

from lambdachaos._errors import ConfigError
from lambdachaos.service.mappings._common import check_poller_timeout
from lambdachaos.service.mappings._table import DeliveryOps, MapRequest, PollSource, Record, ScenarioOps

KAFKA_SETTINGS: Final[Mapping[str, object]] = {
    "batch_size": None, "maximum_batching_window_in_seconds": None, "filter_criteria": None,
    "starting_position": None, "starting_position_timestamp": None, "consumer_group_id": None,
    "provisioned_poller_config": None, "maximum_retry_attempts": -1, "maximum_record_age_in_seconds": -1,
    "bisect_batch_on_function_error": False, "function_response_types": (), "on_failure": None,
}
KAFKA_HINT: Final = {
    "maximum_concurrency": "Kafka pollers scale with offset lag; use provisioned_poller_config={'MinimumPollers': "
                           "n, 'MaximumPollers': m}",
    "": "Kafka mappings read each partition in order, one batch per partition at a time",
}
NOT_REORDERED: Final = "not applied: a Kafka partition delivers its records in offset order"
LOCALSTACK_REFUSAL: Final = ("LocalStack's community edition has no Kafka event source poller (no MSK or "
                             "self-managed Kafka mappings run there); run this scenario on the simulator")


def _types() -> tuple[type, ...]:
    from lambdachaos.resources._kafka import KafkaTopic

    return (KafkaTopic,)


def _create(request: MapRequest) -> Any:
    from lambdachaos.service.mappings._kafka import KafkaEventSourceMapping
    from lambdachaos.service.mappings._kafka_config import KafkaMappingConfig, check_poller_group
    from lambdachaos.service.mappings._stream_config import BATCH_SIZE_DEFAULT
    check_poller_timeout(request.function, "Kafka")

    s = dict(request.settings)
    if s["batch_size"] is None:
        s["batch_size"] = BATCH_SIZE_DEFAULT
    s["function_response_types"] = tuple(s["function_response_types"])
    config = KafkaMappingConfig(enabled=request.enabled, **s)
    existing = request.existing()
    check_poller_group(config, existing)
    group = config.consumer_group_id
    holder = next((m for m in existing if group is not None and getattr(m, "consumer_group_id", None) == group
                   and getattr(m, "cluster", None) is not getattr(request.resource, "cluster", None)), None)
    if holder is not None:  # unique among all Kafka event sources, not only the cluster's (claim_group checks that)
        raise ConfigError(f"consumer_group_id={group!r}: ConsumerGroupId must be unique among your Kafka event "
                          f"sources; event source mapping {holder.uuid} uses it (delete that mapping first)")
    return KafkaEventSourceMapping(request.service, request.resource, request.function,  # type: ignore[arg-type]
                                   config, qualifier=request.qualifier, resolve=request.resolve)


def records_of(event: Record) -> list[Record] | None:
    """Every record of a Kafka event, partition lists in key order."""
    if not isinstance(event, dict) or event.get("eventSource") not in ("aws:kafka", "SelfManagedKafka"):
        return None
    grouped = event.get("records")
    if not isinstance(grouped, dict):
        return None
    return [r for records in grouped.values() if isinstance(records, list) for r in records if isinstance(r, dict)]


def record_id(record: Record) -> str | None:
    """``<topic>-<partition>:<offset>``."""
    topic, partition, offset = record.get("topic"), record.get("partition"), record.get("offset")
    if isinstance(topic, str) and isinstance(partition, int) and isinstance(offset, int):
        return f"{topic}-{partition}:{offset}"
    return None


def _order_keys(topic: Any) -> Mapping[str, str]:
    return {r.event_id: f"{topic.name}-{log.index}" for log in topic.partitions for r in log.records}


def _identity(record: Any) -> tuple[str, str]:
    return record.event_id, (record.value or b"").decode("utf-8", "replace")


def _duplicate(topic: Any, record: Any) -> str:
    """A producer retry: the same key, value and headers appended again to the same partition."""
    copy = topic._append(record.value, record.key, record.headers, record.partition, record.timestamp_ms,
                         record.timestamp_type)
    return str(copy.event_id)


def _poison(topic: Any, after: Any, body: bytes) -> str:
    return str(topic._append(body, after.key, None, after.partition, None, "CREATE_TIME").event_id)


def _send_topic(topic: Any, payload: Any, key: str | None) -> list[str]:
    """One scenario traffic item: a record produced with ``key`` (text payloads as is, others as JSON)."""
    value = payload if isinstance(payload, str | bytes) else json.dumps(payload, separators=(",", ":"))
    return [str(topic.produce(value, key=key).event_id)]


def _scenario_topic(sim: Any, name: str, spec: dict[str, Any]) -> object:
    cluster_name = spec.pop("cluster", "kafka")
    self_managed = spec.pop("self_managed", False)
    cluster = sim.registry.get("kafka_clusters", cluster_name) or sim.kafka_cluster(cluster_name,
                                                                                     self_managed=self_managed)
    return cluster.topic(name, **spec)


def _replay(resource: Any, event: Mapping[str, Any]) -> list[str]:
    from lambdachaos.service.mappings._kafka_records import produce_recorded

    return produce_recorded(resource, dict(event))


KAFKA_SOURCE: Final = PollSource(
    name="kafka", title="Apache Kafka", event_source="aws:kafka", resource_kind="kafka_topics",
    resource_types=_types, settings=KAFKA_SETTINGS, refused_hint=KAFKA_HINT, create=_create,
    records_of=records_of, record_id=record_id, order_key="partition", order_keys=_order_keys,
    event_source_arn=lambda topic: str(getattr(topic, "arn", "")),
    delivery=DeliveryOps(identity=_identity, duplicate=_duplicate, duplicate_note=None, reorder_note=NOT_REORDERED,
                         poison=_poison, label="Kafka", duplicate_effect="producer retry: {original} produced again "
                         "as {copy}", notify=lambda topic: topic._notify()),
    replay=_replay,
    scenario=ScenarioOps(
        key="kafka_topics", reference="kafka_topic",
        schema={"type": "object", "additionalProperties": False, "properties": {
            "partitions": {"type": "integer", "minimum": 1, "maximum": 10_000},
            "retention_ms": {"type": "integer", "minimum": 1, "x-aws": "retention.ms"},
            "cluster": {"type": "string", "description": "the cluster's name (created on first use)"},
            "self_managed": {"type": "boolean", "description": "a self-managed cluster instead of Amazon MSK"}}},
        create=_scenario_topic, send=_send_topic,
    ),
    localstack=LOCALSTACK_REFUSAL,
)
