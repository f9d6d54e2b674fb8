"""Templates in scenario files: the logical ids a template declares (for checking references) and the
objects a loaded template holds, by the pool a scenario names them in."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

_KINDS = {
    "AWS::Lambda::Function": "function", "AWS::SQS::Queue": "queue", "AWS::SNS::Topic": "topic",
    "AWS::Events::EventBus": "bus", "AWS::Kinesis::Stream": "stream", "AWS::DynamoDB::Table": "table",
}


def pools_of(resources: Mapping[str, Any], types: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """``{"function": {logical id: object}, "queue": {...}, ...}`` from simulated resources and their types."""
    pools: dict[str, dict[str, Any]] = {kind: {} for kind in _KINDS.values()}
    for logical, obj in resources.items():
        kind = _KINDS.get(types.get(logical, ""))
        if kind is not None:
            pools[kind][logical] = obj
    return pools


def template_pools(path: Path, parameters: Mapping[str, str], region: str | None) -> dict[str, dict[str, Any]]:
    """Load the template once into a throwaway simulation and list its simulated logical ids by kind."""
    from lambdachaos import Sim
    from lambdachaos._world import DEFAULT_REGION

    with Sim(region=region or DEFAULT_REGION) as sim:
        load = sim.load_template(path, parameters=parameters)
        types = {lid: e.type for lid, e in load.entries.items()}
        return {kind: dict.fromkeys(ids) for kind, ids in pools_of(load.resources, types).items()}
