"""Helpers of the Kafka, Amazon MQ and DocumentDB event source tests."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from lambdachaos import Sim
from lambdachaos._sim_sources import PollSourceFactories
from lambdachaos.resources._kafka import KafkaCluster, KafkaTopic
from lambdachaos.service.mappings._kafka import KafkaEventSourceMapping

PROVISIONED = {"MinimumPollers": 1, "MaximumPollers": 10}


class SourceSim(Sim, PollSourceFactories):  # type: ignore[misc]
    """``Sim`` with the poll-source factories (``Sim`` itself has them once they are among its bases)."""


def make_sim(seed: int = 1) -> Sim:
    """A ``Sim`` that has ``kafka_cluster``, ``mq_broker`` and ``docdb_cluster``."""
    return Sim(seed=seed) if isinstance(Sim, type) and issubclass(Sim, PollSourceFactories) else SourceSim(seed=seed)


@pytest.fixture
def sim():
    with make_sim() as s:
        yield s


def cluster(sim: Any, name: str = "demo", **kwargs: Any) -> KafkaCluster:
    """A Kafka cluster made by ``sim.kafka_cluster``."""
    made: KafkaCluster = sim.kafka_cluster(name, **kwargs)
    return made


def kafka_map(sim: Sim, topic: KafkaTopic, fn: Any, **settings: Any) -> KafkaEventSourceMapping:
    """A Kafka mapping made by ``sim.map`` through the source table."""
    mapping: KafkaEventSourceMapping = sim.map(topic, fn, **settings)
    return mapping


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
