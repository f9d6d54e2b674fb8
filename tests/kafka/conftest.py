"""Helpers of the Kafka, Amazon MQ and DocumentDB event source tests."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from lambdachaos import Sim
from lambdachaos.resources._kafka import KafkaCluster, KafkaTopic
from lambdachaos.service.mappings._kafka import KafkaEventSourceMapping
from lambdachaos.service.mappings._kafka_config import KafkaMappingConfig

PROVISIONED = {"MinimumPollers": 1, "MaximumPollers": 10}


@pytest.fixture
def sim():
    with Sim(seed=1) as s:
        yield s


def cluster(sim: Sim, name: str = "demo", **kwargs: Any) -> KafkaCluster:
    """A Kafka cluster in ``sim``'s world."""
    return KafkaCluster(sim.world, name, **kwargs)


def kafka_map(sim: Sim, topic: KafkaTopic, fn: Any, **settings: Any) -> KafkaEventSourceMapping:
    """A Kafka mapping built directly (what ``sim.map(topic, fn, ...)`` builds through the source table)."""
    qualifier = settings.pop("qualifier", None)
    return KafkaEventSourceMapping(sim.service, topic, fn, KafkaMappingConfig(**settings), qualifier=qualifier,
                                   resolve=sim.find_resource)


def values(event: dict[str, Any]) -> list[tuple[str, int, bytes]]:
    """``(partition key, offset, value)`` of every record of a Kafka event, in delivery order."""
    return [(key, r["offset"], base64.b64decode(r.get("value", "")))
            for key, records in event["records"].items() for r in records]


class Recorder:
    """A handler that records events and fails on records whose value is ``b"poison"``."""

    def __init__(self, poison: bytes = b"poison") -> None:
        self.events: list[dict[str, Any]] = []
        self.poison = poison

    def __call__(self, event: dict[str, Any], context: Any) -> Any:
        self.events.append(event)
        if any(v == self.poison for _, _, v in values(event)):
            raise RuntimeError("poison record")
        return None

    def seen(self) -> list[tuple[str, int, bytes]]:
        return [item for event in self.events for item in values(event)]
