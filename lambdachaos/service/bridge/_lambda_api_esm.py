"""Event source mappings through boto3: Create/Get/Update/Delete/ListEventSourceMappings answered by
the simulation with AWS's response shapes, through ``Sim.map`` (one validation layer)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any, Final

from lambdachaos.ledger._ledger import Outcome
from lambdachaos.service.bridge import _lambda_api_poll as poll
from lambdachaos.service.bridge._lambda_api import ControlPlane
from lambdachaos.service.bridge._lambda_api_layers import OPERATIONS as LAYER_OPERATIONS
from lambdachaos.service.bridge._paging import page
from lambdachaos.service.invoke._errors import InvalidParameterValue, ResourceNotFoundException
from lambdachaos.service.invoke._validation import (
    UNSUPPORTED_DESTINATION_CONFIG,
    check_sqs_mapping_destination,
    check_starting_position,
)

NO_RECORDS: Final = "No records processed"
OK: Final = "OK"
FUNCTION_CALL_FAILED: Final = "PROBLEM: Function call failed"
_SETTINGS: Final = {
    "BatchSize": "batch_size", "MaximumBatchingWindowInSeconds": "maximum_batching_window_in_seconds",
    "FunctionResponseTypes": "function_response_types", "FilterCriteria": "filter_criteria",
    "StartingPositionTimestamp": "starting_position_timestamp", "ParallelizationFactor": "parallelization_factor",
    "MaximumRetryAttempts": "maximum_retry_attempts", "MaximumRecordAgeInSeconds": "maximum_record_age_in_seconds",
    "BisectBatchOnFunctionError": "bisect_batch_on_function_error",
    "TumblingWindowInSeconds": "tumbling_window_in_seconds", "StartingPosition": "starting_position",
}


class MappingPlane:
    """The event source mappings of one simulation, by UUID."""

    def __init__(self, plane: ControlPlane) -> None:
        self.plane = plane
        self.sim = plane.sim
        self.mappings: Any = self.sim.registry.all("mappings")
        self._modified: dict[str, int] = {}

    def _source(self, arn: str) -> Any:
        parts = arn.split(":", 5)
        service = parts[2] if len(parts) == 6 else ""
        name = parts[5] if len(parts) == 6 else ""
        if service == "sqs":
            source = self.sim.queues.get(name)
        elif service == "kinesis":
            source = self.sim.registry.get("streams", name.split("/", 1)[-1])
        elif service == "dynamodb":
            parts = name.split("/")
            source = self.sim.registry.get("tables", parts[1]) if len(parts) > 1 else None
        else:
            source = None
        if source is None:
            raise InvalidParameterValue(
                f"EventSourceArn={arn!r}: no such SQS queue, Kinesis stream or DynamoDB table stream in this "
                "simulation (create it with sim.sqs_queue, sim.kinesis_stream or sim.dynamodb_table)"
            )
        return source

    def shape(self, mapping: Any, state: str | None = None) -> dict[str, Any]:
        """EventSourceMappingConfiguration in AWS's key order."""
        if poll.owns_mapping(mapping):
            return poll.shape(self, mapping, state)
        cfg = mapping.config
        stream = hasattr(cfg, "starting_position")
        world = self.plane.world
        out: dict[str, Any] = {"UUID": mapping.uuid}
        if stream:
            out["StartingPosition"] = cfg.starting_position
            if cfg.starting_position_timestamp is not None:
                out["StartingPositionTimestamp"] = poll.wall_datetime(world, cfg.starting_position_timestamp)
        out.update({"BatchSize": cfg.batch_size,
                    "MaximumBatchingWindowInSeconds": cfg.maximum_batching_window_in_seconds})
        if stream:
            out["ParallelizationFactor"] = cfg.parallelization_factor
        modified_ns = self._modified.get(mapping.uuid, 0)
        out.update({"EventSourceArn": mapping.event_source_arn, "FunctionArn": mapping.function_arn,
                    "LastModified": datetime.fromtimestamp(world.wall_ns(modified_ns) / 1e9, tz=UTC)})
        if stream:
            out["LastProcessingResult"] = self.last_processing_result(mapping)
        out.update({"State": state or mapping.state,
                    "StateTransitionReason": "User action" if stream else "USER_INITIATED"})
        if stream:
            on_failure = cfg.on_failure
            out["DestinationConfig"] = {"OnFailure": {} if on_failure is None else {
                "Destination": on_failure if isinstance(on_failure, str) else on_failure.arn}}
            out.update({"MaximumRecordAgeInSeconds": cfg.maximum_record_age_in_seconds,
                        "BisectBatchOnFunctionError": cfg.bisect_batch_on_function_error,
                        "MaximumRetryAttempts": cfg.maximum_retry_attempts,
                        "TumblingWindowInSeconds": cfg.tumbling_window_in_seconds})
        if cfg.filter_criteria:
            out["FilterCriteria"] = cfg.filter_criteria
        out["FunctionResponseTypes"] = list(cfg.function_response_types)
        if getattr(cfg, "maximum_concurrency", None) is not None:
            out["ScalingConfig"] = {"MaximumConcurrency": cfg.maximum_concurrency}
        out["EventSourceMappingArn"] = world.arn("lambda", f"event-source-mapping:{mapping.uuid}")
        return out

    def last_processing_result(self, mapping: Any) -> str:
        """``LastProcessingResult``: how the mapping's last invocation of its function ended."""
        last = self.plane.service.last_outcome.get((mapping.function.name, mapping.event_source_arn))
        if last is None:
            return NO_RECORDS
        return OK if last is Outcome.SUCCESS else FUNCTION_CALL_FAILED

    def _mapping(self, uuid: str) -> Any:
        mapping = self.mappings.get(uuid)
        if mapping is None:
            raise ResourceNotFoundException(f"The resource you requested does not exist. (Service: Lambda, "
                                            f"Status Code: 404, Request ID: {self.plane.world.uuid('ids')})")
        return mapping

    def create_event_source_mapping(self, p: dict[str, Any]) -> dict[str, Any]:
        """CreateEventSourceMapping (202, ``State: Creating``)."""
        if poll.owns(p):
            return poll.create(self, p)
        fn, qualifier = self.plane._split(p)
        source = self._source(str(p["EventSourceArn"]))
        kwargs: dict[str, Any] = {api: p[key] for key, api in _SETTINGS.items() if key in p}
        if "starting_position_timestamp" in kwargs:
            kwargs["starting_position_timestamp"] = poll.virtual_seconds(self.plane.world,
                                                                         kwargs["starting_position_timestamp"])
        destination = p.get("DestinationConfig")
        if not hasattr(source, "url"):  # a stream: StartingPosition has no default on the API
            check_starting_position(p.get("StartingPosition"), source_kind="dynamodb" if hasattr(
                source, "stream_arn") else "kinesis", source_arn=str(p["EventSourceArn"]), required=True)
            if destination:
                kwargs["on_failure"] = (destination.get("OnFailure") or {}).get("Destination")
                if destination.get("OnSuccess"):
                    raise InvalidParameterValue(UNSUPPORTED_DESTINATION_CONFIG)
        elif destination is not None:
            kwargs["on_failure"] = destination
        if "ScalingConfig" in p:
            kwargs["scaling_config"] = p["ScalingConfig"]
        mapping = self.sim.map(source, fn, qualifier=qualifier, enabled=p.get("Enabled", True), **kwargs)
        self._modified[mapping.uuid] = self.plane.world.clock.now_ns
        return {**self.shape(mapping, "Creating"), "ResponseMetadata": {"HTTPStatusCode": 202}}

    def get_event_source_mapping(self, p: dict[str, Any]) -> dict[str, Any]:
        """GetEventSourceMapping."""
        return self.shape(self._mapping(str(p["UUID"])))

    def update_event_source_mapping(self, p: dict[str, Any]) -> dict[str, Any]:
        """UpdateEventSourceMapping (202): ``Enabled``, the batching settings and (streams) the on-failure
        destination, in force for later batches; ``State: Updating``, ``Enabling`` or ``Disabling`` in the answer."""
        mapping = self._mapping(str(p["UUID"]))
        changes = {api: p[key] for key, api in _SETTINGS.items() if key in p and key != "StartingPosition"}
        if "DestinationConfig" in p:
            destination = p["DestinationConfig"] or {}
            if not hasattr(mapping.config, "starting_position"):  # SQS: failed messages follow the redrive policy
                check_sqs_mapping_destination(destination)
            if destination.get("OnSuccess"):
                raise InvalidParameterValue(UNSUPPORTED_DESTINATION_CONFIG)
            changes["on_failure"] = (destination.get("OnFailure") or {}).get("Destination")
        if "ScalingConfig" in p:
            changes["maximum_concurrency"] = (p["ScalingConfig"] or {}).get("MaximumConcurrency")
        if changes:
            accepted = {f.name for f in dataclasses.fields(mapping.config)}
            refused = sorted(api for api in changes if api not in accepted)
            if refused:
                raise InvalidParameterValue(f"{', '.join(refused)}: not a setting of this event source mapping's "
                                            "source (docs/mappings.md lists each source's settings)")
            mapping.config = dataclasses.replace(mapping.config, **changes)
            if hasattr(mapping, "_rbif"):
                mapping._rbif = "ReportBatchItemFailures" in mapping.config.function_response_types
        state = "Updating"
        if "Enabled" in p:
            if p["Enabled"] and mapping.state != "Enabled":
                mapping.enable()
                state = "Enabling"
            elif not p["Enabled"] and mapping.state != "Disabled":
                mapping.disable()
                state = "Disabling"
        self._modified[mapping.uuid] = self.plane.world.clock.now_ns
        return {**self.shape(mapping, state), "ResponseMetadata": {"HTTPStatusCode": 202}}

    def delete_event_source_mapping(self, p: dict[str, Any]) -> dict[str, Any]:
        """DeleteEventSourceMapping (202, ``State: Deleting``)."""
        mapping = self._mapping(str(p["UUID"]))
        delete = getattr(mapping, "delete", None)
        if delete is not None:
            delete()
        else:
            mapping.disable()
            unsubscribe = getattr(mapping, "_unsubscribe", None)
            if callable(unsubscribe):
                unsubscribe()
        self.sim.registry.remove("mappings", mapping.uuid)
        return {**self.shape(mapping, "Deleting"), "ResponseMetadata": {"HTTPStatusCode": 202}}

    def list_event_source_mappings(self, p: dict[str, Any]) -> dict[str, Any]:
        """ListEventSourceMappings, filtered by ``EventSourceArn`` and ``FunctionName``."""
        arn = p.get("EventSourceArn")
        fn = self.plane.function(str(p["FunctionName"])) if "FunctionName" in p else None
        found = [m for m in self.mappings.values()
                 if (arn is None or m.event_source_arn == arn) and (fn is None or m.function is fn)]
        return page("ListEventSourceMappings", p, found, "EventSourceMappings", self.shape)


OPERATIONS: Final = frozenset({
    "CreateFunction", "GetFunction", "GetFunctionConfiguration", "UpdateFunctionConfiguration",
    "UpdateFunctionCode", "DeleteFunction", "ListFunctions", "PublishVersion", "ListVersionsByFunction",
    "CreateAlias", "UpdateAlias", "GetAlias", "DeleteAlias", "ListAliases",
    "PutFunctionConcurrency", "GetFunctionConcurrency", "DeleteFunctionConcurrency", "PutProvisionedConcurrencyConfig",
    "PutFunctionEventInvokeConfig", "UpdateFunctionEventInvokeConfig", "GetFunctionEventInvokeConfig",
    "DeleteFunctionEventInvokeConfig", "ListFunctionEventInvokeConfigs",
    "CreateEventSourceMapping", "GetEventSourceMapping", "UpdateEventSourceMapping", "DeleteEventSourceMapping",
    "ListEventSourceMappings", *LAYER_OPERATIONS,
})
"""The Lambda operations the simulation answers (besides ``Invoke`` and the recursion settings)."""
_MAPPING_OPERATIONS: Final = frozenset(op for op in OPERATIONS if "EventSourceMapping" in op)


def _snake(op: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in op).lstrip("_")


def answer(plane: ControlPlane, mappings: MappingPlane, op: str, p: dict[str, Any]) -> dict[str, Any]:
    """Run one Lambda API operation on the simulation."""
    target: Any = mappings if op in _MAPPING_OPERATIONS else plane.layers if op in LAYER_OPERATIONS else plane
    result: dict[str, Any] = getattr(target, _snake(op))(p)
    return result
