"""The source table's row for Amazon DocumentDB change streams.

The mapped resource is a collection (``DocumentDBEventSourceConfig.CollectionName``) or a database (all
its collections): ``sim.map(cluster.collection("shop", "orders"), fn, full_document="UpdateLookup")``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from lambdachaos._errors import ConfigError
from lambdachaos.service.mappings._common import check_poller_timeout
from lambdachaos.service.mappings._table import MapRequest, PollSource, Record, ScenarioOps

DOCDB_SETTINGS: Final[Mapping[str, object]] = {
    "batch_size": None, "maximum_batching_window_in_seconds": None, "starting_position": None,
    "starting_position_timestamp": None, "full_document": "Default",
}
DOCDB_HINT: Final = ("Amazon DocumentDB mappings retry a failed batch until it succeeds (no retry or age limits, "
                     "bisect, partial batch responses or destinations)")
NO_FILTERING: Final = ("Lambda doesn't support event filtering for Amazon DocumentDB: filter in the function or "
                       "map a single collection")
LOCALSTACK_REFUSAL: Final = ("LocalStack's community edition has no Amazon DocumentDB event source poller; run this "
                             "scenario on the simulator")


def _types() -> tuple[type, ...]:
    from lambdachaos.resources._docdb import Collection, Database

    return (Collection, Database)


def _precheck(given: Mapping[str, object]) -> None:
    value = given.get("filter_criteria")
    if value is not None:
        raise ConfigError(f"filter_criteria={value!r}: {NO_FILTERING}")


def _create(request: MapRequest) -> Any:
    from lambdachaos.service.mappings._docdb import DocDbEventSourceMapping, DocDbMappingConfig
    check_poller_timeout(request.function, "Amazon DocumentDB")

    s = dict(request.settings)
    if s["batch_size"] is None:
        s["batch_size"] = 100
    return DocDbEventSourceMapping(request.service, request.resource, request.function,  # type: ignore[arg-type]
                                   DocDbMappingConfig(enabled=request.enabled, **s), qualifier=request.qualifier)


def records_of(event: Record) -> list[Record] | None:
    """The change events (``events[*].event``) of a DocumentDB event."""
    if not isinstance(event, dict) or event.get("eventSource") != "aws:docdb":
        return None
    items = event.get("events")
    if not isinstance(items, list):
        return None
    return [i["event"] for i in items if isinstance(i, dict) and isinstance(i.get("event"), dict)]


def record_id(record: Record) -> str | None:
    """The change event's resume token ``_id._data``."""
    token = record.get("_id")
    data = token.get("_data") if isinstance(token, dict) else None
    return data if isinstance(data, str) else None


def _order_keys(source: Any) -> Mapping[str, str]:
    cluster = source.cluster
    return {e.event_id: e.collection.namespace for e in cluster.log}


def _scenario_collection(sim: Any, name: str, spec: dict[str, Any]) -> object:
    """``resources: {docdb_collections: {orders: {cluster: shop, database: shop}}}``: the collection ``orders``
    (its cluster is made on first use)."""
    cluster_name = spec.pop("cluster", "docdb")
    database = spec.pop("database", cluster_name)
    retention = spec.pop("change_stream_log_retention_duration", None)
    cluster = sim.registry.get("docdb_clusters", cluster_name)
    if cluster is None:
        cluster = sim.docdb_cluster(cluster_name) if retention is None else sim.docdb_cluster(
            cluster_name, change_stream_log_retention_duration=retention)
    return cluster.collection(database, name)


def _send_document(collection: Any, payload: Any, key: str | None) -> list[str]:
    """One scenario traffic item: the payload inserted as a document (``{"value": text}`` when not an object);
    the ledger id is the change event's resume token."""
    document = dict(payload) if isinstance(payload, Mapping) else {"value": payload}
    collection.insert_one(document)
    return [collection.cluster.log[-1].event_id]  # an insert appends exactly one change event


DOCDB_SOURCE: Final = PollSource(
    name="docdb", title="Amazon DocumentDB", event_source="aws:docdb", resource_kind="docdb_collections",
    resource_types=_types, settings=DOCDB_SETTINGS, refused_hint=DOCDB_HINT, precheck=_precheck, create=_create,
    records_of=records_of, record_id=record_id, order_key="collection", order_keys=_order_keys,
    event_source_arn=lambda source: str(getattr(source, "arn", "")), localstack=LOCALSTACK_REFUSAL,
    scenario=ScenarioOps(
        key="docdb_collections", reference="docdb_collection",
        schema={"type": "object", "properties": {
            "cluster": {"type": "string", "description": "the cluster (made on first use; default docdb)"},
            "database": {"type": "string", "description": "the database (default: the cluster's name)"},
            "change_stream_log_retention_duration": {"type": "integer", "minimum": 3600, "maximum": 604_800,
                                                     "x-aws": "change_stream_log_retention_duration"}},
            "additionalProperties": False},
        create=_scenario_collection, send=_send_document,
    ),
)
