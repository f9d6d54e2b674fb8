"""Scenario files, replay readers and game days (importable as ``lambdachaos.scenarios``).

A scenario file (YAML, schema ``scenario.schema.json`` beside this module) names the resources, functions,
mappings, traffic, fault timeline and expectations of one chaos run; ``lambdachaos run FILE`` runs it. See
``docs/scenarios.md`` and ``docs/game-days.md``.
"""

from __future__ import annotations

from pathlib import Path

from lambdachaos.replay._read import Recorded, place, read
from lambdachaos.scenarios._anonymise import anonymise
from lambdachaos.scenarios._expect import SentRecord, Verdict
from lambdachaos.scenarios._loader import load_scenario, loads_scenario
from lambdachaos.scenarios._model import (
    ExpectationSpec,
    FunctionSpec,
    Issue,
    MappingSpec,
    ReplaySpec,
    Scenario,
    ScenarioError,
    TrafficSpec,
)
from lambdachaos.scenarios._runner import Progress, RunResult, run_scenario
from lambdachaos.scenarios._schema import SCHEMA, SCHEMA_PATH

__all__ = [
    "SCHEMA",
    "SCHEMA_PATH",
    "ExpectationSpec",
    "FunctionSpec",
    "Issue",
    "MappingSpec",
    "Progress",
    "Recorded",
    "ReplaySpec",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "SentRecord",
    "TrafficSpec",
    "Verdict",
    "anonymise",
    "bundled",
    "bundled_names",
    "load_scenario",
    "loads_scenario",
    "place",
    "read",
    "run_scenario",
]

_HERE = Path(__file__).resolve().parent


def bundled_names() -> list[str]:
    """Names of the scenarios shipped with lambdachaos (``lambdachaos run --bundled NAME``)."""
    return sorted(p.stem.removeprefix("bundled_").replace("_", "-") for p in _HERE.glob("bundled_*.yaml"))


def bundled(name: str) -> Path:
    """The path of a bundled scenario file by name (``"async-retries"``)."""
    path = _HERE / f"bundled_{name.replace('-', '_')}.yaml"
    if not path.is_file():
        raise FileNotFoundError(f"no bundled scenario {name!r}; bundled: {', '.join(bundled_names())}")
    return path
