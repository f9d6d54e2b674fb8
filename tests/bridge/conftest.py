"""A minimal bridge backend over sim resources, for the bridge tests."""

from __future__ import annotations

import json
from typing import Any

import pytest

from lambdachaos._world import World
from lambdachaos.resources import EventBus, Queue, Topic


class FakeBackend:
    def __init__(self, world: World | None = None) -> None:
        self.world = world or World(seed=3)
        self.queues: dict[str, Queue] = {}
        self.topics: dict[str, Topic] = {}
        self.buses: dict[str, EventBus] = {}
        self.functions: dict[str, Any] = {}
        self.invocations: list[dict[str, Any]] = []

    def queue(self, name: str, **kw: Any) -> Queue:
        q = self.queues[name] = Queue(self.world, name, **kw)
        return q

    def find_queue(self, key: str) -> Queue | None:
        for q in self.queues.values():
            if key in (q.url, q.name, q.arn):
                return q
        return None

    def find_topic(self, arn: str) -> Topic | None:
        return next((t for t in self.topics.values() if t.arn == arn), None)

    def find_bus(self, name_or_arn: str) -> EventBus | None:
        return next((b for b in self.buses.values() if name_or_arn in (b.name, b.arn)), None)

    def invoke_function(
        self, *, function_name, qualifier, invocation_type, payload, client_context, log_type
    ):
        handler = self.functions.get(function_name)
        if handler is None:
            return None
        self.invocations.append(
            {
                "function_name": function_name,
                "qualifier": qualifier,
                "invocation_type": invocation_type,
                "payload": payload,
                "client_context": client_context,
                "log_type": log_type,
            }
        )
        if invocation_type == "Event":
            return {"StatusCode": 202, "Payload": b""}
        result = handler(json.loads(payload or b"null"))
        return {"StatusCode": 200, "ExecutedVersion": "$LATEST", "Payload": json.dumps(result).encode()}


@pytest.fixture
def backend() -> FakeBackend:
    return FakeBackend()
