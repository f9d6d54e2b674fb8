"""What the facade lends the rest of the package: the activation of a simulation (its clock and
garbage-collector settings while it runs) and the backend the boto3 bridge reads resources from."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from lambdachaos._errors import ConfigError
from lambdachaos._gc import Relaxed
from lambdachaos._world import World
from lambdachaos.resources import Queue, Topic
from lambdachaos.service.invoke._logs import tail

if TYPE_CHECKING:
    from lambdachaos._sim import Sim
    from lambdachaos.resources import EventBus

class _Activation:
    """A run's activation: the bridge on, and the cycle collector relaxed (:mod:`lambdachaos._gc`)."""

    __slots__ = ("gc", "sim")

    def __init__(self, sim: Sim) -> None:
        self.sim = sim
        self.gc = Relaxed()

    def __enter__(self) -> None:
        if self.sim._closed:
            raise ConfigError("this Sim was closed; create a new Sim for another scenario")
        self.sim._ensure_bridge()
        self.gc.__enter__()

    def __exit__(self, *exc: object) -> None:
        self.gc.__exit__()


class _Backend:
    """What the boto3 bridge needs from a simulation."""

    def __init__(self, sim: Sim) -> None:
        self.sim = sim
        self._planes: Any = None

    @property
    def world(self) -> World:
        return self.sim.world

    def find_queue(self, key: str) -> Queue | None:
        sim = self.sim
        name = key.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
        queue = sim.queues.get(name)
        if queue is None:
            return None
        if key.startswith("http") and queue.url != key and not key.endswith(f"/{queue.world.account_id}/{name}"):
            return None
        return queue

    def find_topic(self, arn: str) -> Topic | None:
        found = self.sim.registry.find(arn)
        return found if isinstance(found, Topic) else None

    def find_bus(self, name_or_arn: str) -> EventBus | None:
        return self.sim.buses.get(name_or_arn.rsplit("/", 1)[-1] if name_or_arn.startswith("arn:") else name_or_arn)

    def find_stream(self, name_or_arn: str) -> Any:
        if name_or_arn.startswith("arn:"):
            return self.sim.registry.find(name_or_arn)
        return self.sim.registry.get("streams", name_or_arn)

    def find_table(self, name_or_arn: str) -> Any:
        name = name_or_arn.split("/")[1] if name_or_arn.startswith("arn:") and "/" in name_or_arn else name_or_arn
        return self.sim.registry.get("tables", name)

    def find_bucket(self, name: str) -> Any:
        buckets = getattr(self.sim, "buckets", None)
        return buckets.get(name) if isinstance(buckets, dict) else None

    def subscribe_function(self, topic: Topic, function_arn: str) -> Any:
        from lambdachaos.resources._errors import InvalidParameter

        subscribe = getattr(self.sim, "subscribe", None)
        try:
            fn = self.sim.service.get(function_arn)
        except Exception:
            raise InvalidParameter(f"Invalid parameter: Lambda function {function_arn} does not exist") from None
        if subscribe is None:
            raise InvalidParameter(
                f"Invalid parameter: this simulation cannot deliver {topic.arn} to {fn.name} yet "
                "(sim.subscribe is not available)"
            )
        return subscribe(topic, fn)

    def lambda_api(self, operation: str, params: dict[str, Any]) -> dict[str, Any] | None:
        """A Lambda control-plane call on this simulation; None when it names a function the sim lacks."""
        from lambdachaos.service.bridge import _lambda_api as api
        from lambdachaos.service.bridge import _lambda_api_esm as api_esm
        if self._planes is None:
            plane = api.ControlPlane(self.sim)
            self._planes = (plane, api_esm.MappingPlane(plane))
        name = params.get("FunctionName")
        if operation != "CreateFunction" and isinstance(name, str) and not self._has_function(name):
            return None
        try:
            plane, mappings = self._planes
            return api_esm.answer(plane, mappings, operation, params)
        except ConfigError as error:
            raise api.as_api_error(error) from None

    def _has_function(self, name: str) -> bool:
        try:
            self.sim.service.get(name)
        except Exception:
            return False
        return True

    def recursion_config(self, function_name: str, recursive_loop: str | None) -> str | None:
        try:
            fn = self.sim.service.get(function_name)
        except Exception:
            return None
        if recursive_loop is not None:
            fn.recursive_loop = recursive_loop
        return str(fn.recursive_loop)

    def invoke_function(
        self, *, function_name: str, qualifier: str | None, invocation_type: str, payload: bytes,
        client_context: str | None, log_type: str | None,
    ) -> dict[str, Any] | None:
        sim = self.sim
        try:
            fn = sim.service.get(function_name)
        except Exception:
            return None
        if qualifier is None and function_name.count(":") in (1, 7):
            qualifier = function_name.rsplit(":", 1)[-1]
        if invocation_type == "Event":
            request_id = sim.async_invoker.accept(fn, payload, qualifier=qualifier)
            return {"StatusCode": 202, "Payload": b"", "ResponseMetadata": {"RequestId": request_id,
                                                                              "HTTPStatusCode": 202}}
        if invocation_type == "DryRun":
            return {"StatusCode": 204, "Payload": b"", "ResponseMetadata": {"HTTPStatusCode": 204}}
        ex = sim.service.invoke_sync(fn, payload, qualifier=qualifier, client_context=client_context,
                                     log=log_type == "Tail")
        out: dict[str, Any] = {
            "StatusCode": 200,
            "ExecutedVersion": ex.executed_version,
            "Payload": ex.payload,
            "ResponseMetadata": {"RequestId": ex.request_id, "HTTPStatusCode": 200},
        }
        if ex.failed:
            out["FunctionError"] = "Unhandled"
        if log_type == "Tail":
            out["LogResult"] = base64.b64encode(tail(ex.log)).decode()
        return out
