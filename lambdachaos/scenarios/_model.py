"""The typed form of a scenario file: what the loader produces and the runner consumes.

Each class mirrors one section of the file (see ``docs/scenarios.md``); fields keep the file's snake_case
names, which are the snake_case of the AWS settings. ``line`` fields point back into the file so a verdict
can say where an expectation was written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, final

from lambdachaos._errors import ConfigError
from lambdachaos.faults import FaultPlan


@final
@dataclass(frozen=True, slots=True)
class Issue:
    """One problem in a scenario file, located at ``file:line:column``."""

    file: str
    line: int
    column: int
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.path}: {self.message}"


class ScenarioError(ConfigError):
    """A scenario file is not valid; ``issues`` lists every problem found, each with its line and column."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = issues
        super().__init__("\n".join(str(i) for i in issues))


@final
@dataclass(frozen=True, slots=True, kw_only=True)
class FunctionSpec:
    """``functions.<name>``: the handler, its ``FunctionConfig`` settings and its asynchronous settings."""

    name: str
    handler: str
    code_dir: str | None
    config: Mapping[str, Any]
    reserved_concurrency: int | None = None
    dead_letter_queue: str | None = None
    async_config: Mapping[str, Any] = field(default_factory=dict)
    isolate_environments: bool = False
    layers: tuple[str, ...] = ()
    """Layer folders (absolute), imported as Lambda's ``/opt/python``."""
    line: int = 0


@final
@dataclass(frozen=True, slots=True, kw_only=True)
class MappingSpec:
    """``mappings[i]``: an event source mapping from a queue or stream to a function."""

    source: str
    function: str
    settings: Mapping[str, Any]
    line: int


@final
@dataclass(frozen=True, slots=True, kw_only=True)
class ReplaySpec:
    """``traffic[i].replay``: a recording to feed in, its format, timing mode and anonymised fields."""

    file: Path
    format: str = "auto"
    timing: str = "preserve"
    factor: float = 1.0
    anonymise: tuple[str, ...] = ()


@final
@dataclass(frozen=True, slots=True, kw_only=True)
class TrafficSpec:
    """``traffic[i]``: generated or replayed events sent to one function, queue, topic, bus or stream."""

    name: str
    kind: str
    """``function``, ``queue``, ``topic``, ``bus``, ``stream`` or ``table``."""
    target: str
    invocation: str = "async"
    source_event: str = "payload"
    start: float = 0.0
    count: int | None = None
    rate: float | None = None
    duration: float | None = None
    payload: str | Mapping[str, Any] = "order"
    poison_rate: float = 0.0
    poison_kinds: tuple[str, ...] = ()
    partition_keys: int = 1
    message_groups: int = 1
    write: str = "put"
    """Table traffic: ``put`` (PutItem), ``update`` (UpdateItem) or ``delete`` (DeleteItem) of item
    ``item-<i mod partition_keys>``."""
    replay: ReplaySpec | None = None
    line: int = 0

    def times(self) -> list[float]:
        """Virtual send times of generated traffic: ``count`` events spread at ``rate`` from ``start``
        (all at ``start`` without a rate), or ``rate`` × ``duration`` events."""
        count = self.count
        if count is None:
            count = round((self.rate or 0) * (self.duration or 0))
        if not self.rate:
            return [self.start] * count
        return [self.start + i / self.rate for i in range(count)]


@final
@dataclass(frozen=True, slots=True, kw_only=True)
class ExpectationSpec:
    """``expectations[i]``: one check of the ledger; ``kind`` is one of ``fates``, ``attempts``,
    ``delivered``, ``ordered``, ``nothing_lost``, ``latency``."""

    kind: str
    params: Mapping[str, Any]
    name: str
    line: int


@final
@dataclass(frozen=True, slots=True, kw_only=True)
class TemplateSpec:
    """``template:``: the template file, its parameters and how long its schedules run (docs/templates.md)."""

    path: Path
    parameters: Mapping[str, str] = field(default_factory=dict)
    schedule_until: float | None = None
    pools: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """The logical ids the template declares, by kind (``function``, ``queue``, ``topic``...)."""


@final
@dataclass(frozen=True, slots=True, kw_only=True)
class Scenario:
    """A whole scenario file, validated. Build it with :func:`lambdachaos.scenarios.load_scenario`."""

    name: str
    description: str = ""
    seed: int = 0
    target: str = "sim"
    settings: Mapping[str, Any] = field(default_factory=dict)
    queues: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    topics: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    buses: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    streams: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    tables: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """``resources.tables``: DynamoDB tables with a stream (``key_schema``, ``stream_view_type``)."""
    sources: Mapping[str, Mapping[str, Mapping[str, Any]]] = field(default_factory=dict)
    """Resources of further source-table rows: their ``resources:`` key → name → settings."""
    functions: Mapping[str, FunctionSpec] = field(default_factory=dict)
    mappings: tuple[MappingSpec, ...] = ()
    traffic: tuple[TrafficSpec, ...] = ()
    faults: FaultPlan = field(default_factory=FaultPlan)
    optional_faults: frozenset[str] = frozenset()
    """Ids of the fault rules marked ``optional: true``: the only rules a run may leave unfired."""
    fault_lines: Mapping[str, int] = field(default_factory=dict)
    """Fault rule id → the line of the file where the rule is written."""
    expectations: tuple[ExpectationSpec, ...] = ()
    path: Path | None = None
    template: TemplateSpec | None = None
    """``template:``: a SAM, CloudFormation or CDK template loaded before the file's own resources."""

    def __repr__(self) -> str:
        return (
            f"<Scenario {self.name!r} functions={len(self.functions)} traffic={len(self.traffic)} "
            f"faults={len(self.faults)} expectations={len(self.expectations)}>"
        )
