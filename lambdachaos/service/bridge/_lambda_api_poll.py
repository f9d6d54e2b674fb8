"""CreateEventSourceMapping for Amazon MSK, self-managed Apache Kafka, Amazon MQ and DocumentDB, and the
response shapes of those mappings (``Topics``, ``Queues``, ``SelfManagedEventSource``,
``AmazonManagedKafkaEventSourceConfig`` / ``SelfManagedKafkaEventSourceConfig``,
``SourceAccessConfigurations``, ``DocumentDBEventSourceConfig``, ``ProvisionedPollerConfig``).

Wording and defaults follow AWS's recorded responses where they exist (LocalStack's recording of AWS,
``test_create_event_source_self_managed``: the missing ``SourceAccessConfigurations`` message, the duplicate
mapping conflict, ``StartingPosition`` TRIM_HORIZON and ``ConsumerGroupId`` = UUID by default).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from lambdachaos._arn import Arn
from lambdachaos.service.invoke._errors import InvalidParameterValue, ResourceConflictException

if TYPE_CHECKING:
    from lambdachaos._world import World
    from lambdachaos.service.bridge._lambda_api_esm import MappingPlane

_COMMON: Final = {
    "BatchSize": "batch_size", "MaximumBatchingWindowInSeconds": "maximum_batching_window_in_seconds",
    "FilterCriteria": "filter_criteria", "StartingPosition": "starting_position",
}
_KAFKA: Final = {
    "MaximumRetryAttempts": "maximum_retry_attempts", "MaximumRecordAgeInSeconds": "maximum_record_age_in_seconds",
    "BisectBatchOnFunctionError": "bisect_batch_on_function_error",
    "FunctionResponseTypes": "function_response_types",
}
_EXTRA: Final = "_api_request"


def owns(p: dict[str, Any]) -> bool:
    """True for a request (or ``EventSourceArn``) of a Kafka, Amazon MQ or DocumentDB mapping."""
    if any(k in p for k in ("SelfManagedEventSource", "Topics", "Queues", "DocumentDBEventSourceConfig")):
        return True
    service = str(p.get("EventSourceArn", "")).split(":")
    return len(service) > 2 and service[2] in ("kafka", "mq", "rds")


def owns_mapping(mapping: Any) -> bool:
    """True for a mapping this module created."""
    return hasattr(mapping, _EXTRA)


def _missing(name: str) -> InvalidParameterValue:
    return InvalidParameterValue(f"Required '{name}' parameter is missing.")


def _length(name: str) -> InvalidParameterValue:
    return InvalidParameterValue(f"1 validation error detected: Value at '{name}' failed to satisfy constraint: "
                                 "Member must have length less than or equal to 1 and greater than or equal to 1")


SOURCE_ACCESS_TYPES: Final = ("BASIC_AUTH", "VPC_SUBNET", "VPC_SECURITY_GROUP", "SASL_SCRAM_512_AUTH",
                               "SASL_SCRAM_256_AUTH", "VIRTUAL_HOST", "CLIENT_CERTIFICATE_TLS_AUTH",
                               "SERVER_ROOT_CA_CERTIFICATE")
_ENDPOINT: Final = re.compile(r"(([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9\-]*[a-zA-Z0-9])\.)*"
                              r"([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9\-]*[A-Za-z0-9]):[0-9]{1,5}")


def _constraint(value: object, member: str, rule: str) -> InvalidParameterValue:
    return InvalidParameterValue(f"1 validation error detected: Value {value!r} at '{member}' failed to satisfy "
                                 f"constraint: {rule}")


def check_request(p: dict[str, Any]) -> None:
    """The API's constraints on ``SourceAccessConfigurations`` (0..22 items of a known type, URI 1..200 characters)
    and ``SelfManagedEventSource.Endpoints`` (only ``KAFKA_BOOTSTRAP_SERVERS``, 1..10 ``host:port`` entries)."""
    access = p.get("SourceAccessConfigurations") or []
    if len(access) > 22:
        raise _constraint(len(access), "sourceAccessConfigurations",
                          "Member must have length less than or equal to 22")
    for i, item in enumerate(access, 1):
        if item.get("Type") not in SOURCE_ACCESS_TYPES:
            raise _constraint(item.get("Type"), f"sourceAccessConfigurations.{i}.member.type",
                              f"Member must satisfy enum value set: [{', '.join(SOURCE_ACCESS_TYPES)}]")
        uri = item.get("URI")
        if not isinstance(uri, str) or not 1 <= len(uri) <= 200:
            raise _constraint(uri, f"sourceAccessConfigurations.{i}.member.uRI",
                              "Member must have length less than or equal to 200 and greater than or equal to 1")
    if "SelfManagedEventSource" in p:
        endpoints = p["SelfManagedEventSource"].get("Endpoints") or {}
        unknown = sorted(set(endpoints) - {"KAFKA_BOOTSTRAP_SERVERS"})
        if unknown:
            raise _constraint(unknown[0], "selfManagedEventSource.endpoints",
                              "Map keys must satisfy enum value set: [KAFKA_BOOTSTRAP_SERVERS]")
        servers = endpoints.get("KAFKA_BOOTSTRAP_SERVERS") or []
        if not 1 <= len(servers) <= 10:
            raise _constraint(len(servers), "selfManagedEventSource.endpoints.KAFKA_BOOTSTRAP_SERVERS",
                              "Member must have length less than or equal to 10 and greater than or equal to 1")
        for server in servers:
            if not isinstance(server, str) or len(server) > 300 or not _ENDPOINT.fullmatch(server):
                raise _constraint(server, "selfManagedEventSource.endpoints.KAFKA_BOOTSTRAP_SERVERS.member",
                                  "Member must satisfy regular expression pattern: host:port")


def _source(plane: MappingPlane, p: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """The mapped resource and the extra ``Sim.map`` keywords."""
    check_request(p)
    registry = plane.sim.registry
    extra: dict[str, Any] = {}
    if "SelfManagedEventSource" in p:
        servers = (p["SelfManagedEventSource"].get("Endpoints") or {}).get("KAFKA_BOOTSTRAP_SERVERS") or []
        if not p.get("SourceAccessConfigurations"):
            raise _missing("sourceAccessConfigurations")
        cluster = next((c for c in registry.all("kafka_clusters").values()
                        if c.self_managed and set(servers) & set(c.bootstrap_servers)), None)
        if cluster is None:
            raise InvalidParameterValue(f"SelfManagedEventSource: no self-managed Kafka cluster with bootstrap servers "
                                        f"{servers!r} in this simulation (sim.kafka_cluster(..., self_managed=True))")
        return _topic(cluster, p), extra
    arn = str(p.get("EventSourceArn", ""))
    found = registry.find(arn)
    kind = getattr(Arn.maybe(arn), "service", "")
    if kind == "kafka" and found is not None:
        return _topic(found, p), extra
    if kind == "mq" and found is not None:
        queues = p.get("Queues") or []
        if len(queues) != 1:
            raise _length("queues")
        vhost = next((s["URI"] for s in p.get("SourceAccessConfigurations") or [] if s.get("Type") == "VIRTUAL_HOST"),
                     "/")
        return found.queue(queues[0], vhost=vhost) if found.engine == "rabbitmq" else found.queue(queues[0]), extra
    if kind == "rds" and found is not None:
        config = p.get("DocumentDBEventSourceConfig") or {}
        database = config.get("DatabaseName")
        if not database:
            raise _missing("documentDBEventSourceConfig.databaseName")
        collection = config.get("CollectionName")
        if "FullDocument" in config:
            extra["full_document"] = config["FullDocument"]
        return (found.collection(database, collection) if collection else found.database(database)), extra
    raise InvalidParameterValue(f"EventSourceArn={arn!r}: no such MSK cluster, Amazon MQ broker or DocumentDB cluster "
                                "in this simulation")


def _topic(cluster: Any, p: dict[str, Any]) -> Any:
    topics = p.get("Topics") or []
    if len(topics) != 1:
        raise _length("topics")
    return cluster.topic(topics[0])


def virtual_seconds(world: World, value: Any) -> float | None:
    """``StartingPositionTimestamp`` as the API takes it (a datetime or Unix seconds) in the simulation's virtual
    seconds (seconds since the simulation's epoch)."""
    if value is None:
        return None
    unix = value.timestamp() if isinstance(value, datetime) else float(value)
    return unix - world.epoch_ns / 1_000_000_000


def wall_datetime(world: World, virtual_s: float) -> datetime:
    """Virtual seconds back to the UTC datetime the API answers with."""
    return datetime.fromtimestamp(world.epoch_ns / 1_000_000_000 + virtual_s, tz=UTC)


def create(plane: MappingPlane, p: dict[str, Any]) -> dict[str, Any]:
    """CreateEventSourceMapping for these sources (202, ``State: Creating``)."""
    fn, qualifier = plane.plane._split(p)
    source, kwargs = _source(plane, p)
    kafka = hasattr(source, "partitions")
    # every setting goes to the mapping's row, which refuses (naming it) what the source does not have
    kwargs.update({api: p[key] for key, api in {**_COMMON, **_KAFKA}.items() if key in p})
    if "StartingPositionTimestamp" in p:
        kwargs["starting_position_timestamp"] = virtual_seconds(plane.plane.world, p["StartingPositionTimestamp"])
    if p.get("DestinationConfig"):
        destination = p["DestinationConfig"]
        if not kafka or destination.get("OnSuccess"):
            raise InvalidParameterValue("Unsupported DestinationConfig parameter for given event source mapping type.")
        kwargs["on_failure"] = (destination.get("OnFailure") or {}).get("Destination") or None
    if kafka:
        config = p.get("AmazonManagedKafkaEventSourceConfig") or p.get("SelfManagedKafkaEventSourceConfig") or {}
        if config.get("ConsumerGroupId"):
            kwargs["consumer_group_id"] = config["ConsumerGroupId"]
        _refuse_duplicate(plane, source, fn, p)
    if "ProvisionedPollerConfig" in p:
        kwargs["provisioned_poller_config"] = p["ProvisionedPollerConfig"]
    mapping = plane.sim.map(source, fn, qualifier=qualifier, enabled=p.get("Enabled", True), **kwargs)
    setattr(mapping, _EXTRA, {k: v for k, v in p.items() if k in (
        "Topics", "Queues", "SourceAccessConfigurations", "SelfManagedEventSource", "DocumentDBEventSourceConfig",
        "ProvisionedPollerConfig")})
    plane._modified[mapping.uuid] = plane.plane.world.clock.now_ns
    return {**shape(plane, mapping, "Creating"), "ResponseMetadata": {"HTTPStatusCode": 202}}


def _refuse_duplicate(plane: MappingPlane, topic: Any, fn: Any, p: dict[str, Any]) -> None:
    """A second mapping of the same function on the same topic (ResourceConflictException, AWS's wording)."""
    mappings: Any = plane.mappings
    topic_name = topic.name
    for mapping in mappings.values():
        if getattr(mapping, "topic", None) is topic and mapping.function is fn:
            servers = (p.get("SelfManagedEventSource") or {}).get("Endpoints", {}).get("KAFKA_BOOTSTRAP_SERVERS")
            source = ",".join(servers) if servers else str(p.get("EventSourceArn"))
            raise ResourceConflictException(
                f'An event source mapping with event source ("{source}"), function ("{fn.arn}"), topics '
                f'("{topic_name}") already exists. Please update or delete the existing mapping with UUID '
                f"{mapping.uuid}")


def shape(plane: MappingPlane, mapping: Any, state: str | None = None) -> dict[str, Any]:
    """EventSourceMappingConfiguration of a Kafka, Amazon MQ or DocumentDB mapping."""
    request: dict[str, Any] = getattr(mapping, _EXTRA, {})
    cfg = mapping.config
    world = plane.plane.world
    out: dict[str, Any] = {"UUID": mapping.uuid}
    position = getattr(mapping, "starting_position", None) or getattr(cfg, "starting_position", None)
    if hasattr(cfg, "starting_position"):
        out["StartingPosition"] = position or "TRIM_HORIZON"
        if cfg.starting_position_timestamp is not None:
            out["StartingPositionTimestamp"] = wall_datetime(world, cfg.starting_position_timestamp)
    out["BatchSize"] = cfg.batch_size
    if cfg.maximum_batching_window_in_seconds is not None:  # the 500 ms default has no key (as recorded)
        out["MaximumBatchingWindowInSeconds"] = cfg.maximum_batching_window_in_seconds
    if mapping.event_source_arn is not None:
        out["EventSourceArn"] = mapping.event_source_arn
    out["FunctionArn"] = getattr(mapping, "function_arn", mapping.function.arn)
    out["LastModified"] = datetime.fromtimestamp(world.wall_ns(plane._modified.get(mapping.uuid, 0)) / 1e9, tz=UTC)
    out["LastProcessingResult"] = "OK" if getattr(mapping, "_batches", 0) else "No records processed"
    out["State"] = state or mapping.state
    out["StateTransitionReason"] = getattr(mapping, "state_transition_reason", "USER_INITIATED")
    for key in ("Topics", "Queues", "SourceAccessConfigurations", "SelfManagedEventSource",
                "DocumentDBEventSourceConfig", "ProvisionedPollerConfig"):
        if key in request:
            out[key] = request[key]
    if hasattr(mapping, "consumer_group_id"):
        group = {"ConsumerGroupId": mapping.consumer_group_id}
        if mapping.cluster.self_managed:
            out["SelfManagedKafkaEventSourceConfig"] = group
        else:
            out["AmazonManagedKafkaEventSourceConfig"] = group
        on_failure = cfg.on_failure
        out["DestinationConfig"] = {"OnFailure": {} if on_failure is None else {
            "Destination": on_failure if isinstance(on_failure, str) else on_failure.arn}}
        out.update({"MaximumRecordAgeInSeconds": cfg.maximum_record_age_in_seconds,
                    "BisectBatchOnFunctionError": cfg.bisect_batch_on_function_error,
                    "MaximumRetryAttempts": cfg.maximum_retry_attempts,
                    "FunctionResponseTypes": list(cfg.function_response_types)})
    if getattr(cfg, "filter_criteria", None):
        out["FilterCriteria"] = cfg.filter_criteria
    out["EventSourceMappingArn"] = world.arn("lambda", f"event-source-mapping:{mapping.uuid}")
    return out
