"""Benchmarks of the Kafka event source mapping.

- ``kafka_esm_records_per_s``: 100,000 records on 8 partitions through an MSK mapping (batch 100, the
  default 500 ms window, no-op handler): records per wall second of ``sim.run()``.
- ``kafka_blocked_partition_ratio``: records per wall second of 7 partitions (40,000 records each run)
  while the 8th is blocked by a poison record (retried until it leaves retention), divided by the same
  figure with no partition blocked; provisioned mode with 8 pollers.
"""

from __future__ import annotations

import base64
import time
from typing import Any

from lambdachaos import Sim
from lambdachaos._sim_sources import PollSourceFactories

N_RECORDS = 100_000
PARTITIONS = 8
RATIO_RECORDS = 40_000


class _SourceSim(Sim, PollSourceFactories):  # type: ignore[misc]
    """``Sim`` with the poll-source factories, until ``Sim`` has them among its bases."""


def _sim(seed: int) -> Any:
    return Sim(seed=seed) if issubclass(Sim, PollSourceFactories) else _SourceSim(seed=seed)


def noop(event: Any, context: Any) -> None:
    return None


def records_per_s(n: int = N_RECORDS) -> float:
    """Wall-clock records per second of one mapping draining ``n`` records on 8 partitions."""
    with _sim(1) as sim:
        topic = sim.kafka_cluster("bench").topic("orders", partitions=PARTITIONS)
        sim.map(topic, sim.function(noop, name="bench"))
        topic.produce_many((f'{{"order": {i}}}' for i in range(n)), key=lambda i: f"customer-{i % 997}")
        t0 = time.perf_counter()
        sim.run()
        elapsed = time.perf_counter() - t0
        assert sum(1 for f in sim.ledger.fates.values() if f.status == "succeeded") == n
    return n / elapsed


def _flowing_rate(blocked: bool) -> float:
    """Records per wall second of partitions 1..7 (partition 0 holds a poison record when ``blocked``)."""
    done = [0]
    target = RATIO_RECORDS * (PARTITIONS - 1) // PARTITIONS

    def handler(event: Any, context: Any) -> None:
        for key, records in event["records"].items():
            if key.endswith("-0"):
                if any(base64.b64decode(r["value"]) == b"poison" for r in records):
                    raise RuntimeError("poison record")
                continue
            done[0] += len(records)

    with _sim(2) as sim:
        topic = sim.kafka_cluster("bench").topic("orders", partitions=PARTITIONS)
        sim.map(topic, sim.function(handler, name="bench"),
                provisioned_poller_config={"MinimumPollers": PARTITIONS, "MaximumPollers": PARTITIONS})
        for i in range(RATIO_RECORDS):
            partition = i % PARTITIONS
            topic.produce(b"poison" if blocked and i == 0 else f'{{"order": {i}}}', partition=partition)
        t0 = time.perf_counter()
        sim.run(until=lambda: done[0] >= target)
        elapsed = time.perf_counter() - t0
        assert done[0] >= target
    return done[0] / elapsed


def run() -> dict[str, dict[str, Any]]:
    """The Kafka figures."""
    records_per_s(10_000)  # warm-up
    rate = records_per_s()
    _flowing_rate(False)
    baseline = _flowing_rate(False)
    blocked = _flowing_rate(True)
    return {
        "kafka_esm_records_per_s": {"value": rate, "unit": "records/s"},
        "kafka_blocked_partition_ratio": {"value": blocked / baseline, "unit": "ratio",
                                          "baseline": baseline, "ratio": blocked / baseline},
    }
