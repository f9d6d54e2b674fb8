"""The table of poll-based event sources: one row per source, read by everything that differs per source.

A row (:class:`PollSource`) says what a source's resources are, which ``Sim.map`` settings it accepts, how its
mapping is built, how the records of the events it delivers are found and identified, what orders them, how
delivery faults apply to it, how a scenario file declares its resources, and whether the LocalStack target can
run it. ``Sim.map``, resource lookup, the fault injector (delivery faults and record identity), the ordering
assertion, the scenario loader and runner and the LocalStack target read the table; nothing else names a source.

Adding a source is one module (its resource, its mapping and its row) plus one line in
:mod:`lambdachaos.service.mappings._sources`, which holds the rows; ``register`` there adds a row at run time
(tests, extensions).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, final

from lambdachaos.service.mappings._common import reject

if TYPE_CHECKING:
    from lambdachaos.service.invoke._function import Function
    from lambdachaos.service.invoke._service import LambdaService

Record = Mapping[str, Any]
"""One record of an event, as the function receives it."""


@final
@dataclass(frozen=True, kw_only=True, slots=True)
class MapRequest:
    """What a row's ``create`` gets: the accepted settings, defaults filled in, already checked for names."""

    service: LambdaService
    resource: object
    function: Function
    settings: dict[str, Any]
    qualifier: str | None
    enabled: bool
    resolve: Callable[[str], object | None]
    """A simulation resource by ARN (on-failure destinations)."""
    existing: Callable[[], tuple[Any, ...]] = tuple
    """The simulation's mappings so far (for limits that span mappings, such as a Kafka poller group's)."""


@final
@dataclass(frozen=True, kw_only=True, slots=True)
class DeliveryOps:
    """How delivery faults apply to a source's resources (``DuplicateDelivery``, ``Reorder``, ``PoisonInjection``).

    The resource calls its interceptor's ``after_put(resource, record)`` for every record it stores; the
    interceptor decides the record's faults and applies them through these functions.
    """

    identity: Callable[[Any], tuple[str, str]]
    """``record`` → (its ledger id, its body as text for the fault plan's conditions)."""
    duplicate: Callable[[Any, Any], str] | None
    """``(resource, record)`` → the id of a second copy (a producer retry or a redelivery); None: not applied."""
    duplicate_note: str | None
    """Why a duplicate is not applied (written to the ledger), when ``duplicate`` is None."""
    reorder_note: str | None
    """Why a reorder is not applied (a source that keeps order), or None when it can be."""
    poison: Callable[[Any, Any, bytes], str]
    """``(resource, after_record, body)`` → the id of the injected record (same partition/queue as the original);
    raises :class:`ConfigError` or an AWS error when the source refuses the body."""
    label: str
    """The source's short name in ledger effects (``Kinesis``)."""
    duplicate_effect: str = "redelivered: {original} delivered again as {copy}"
    """The ledger effect of a duplicate, with ``{original}`` and ``{copy}``."""
    notify: Callable[[Any], None] | None = None
    """Wakes the resource's mappings after a delayed duplicate was stored (None: storing already does)."""


@final
@dataclass(frozen=True, kw_only=True, slots=True)
class ScenarioOps:
    """How a scenario file declares a source's resources (``resources: {<key>: {name: {...}}}``)."""

    key: str
    """The key under ``resources:`` (``streams``, ``tables``, …)."""
    reference: str
    """What a reference to one is called in error messages (``stream``, ``table``, …)."""
    schema: Mapping[str, Any]
    """JSON Schema of one resource's settings."""
    create: Callable[[Any, str, dict[str, Any]], object]
    """``(sim, name, settings)`` → the resource."""
    send: Callable[[Any, Any, str | None], list[str]] | None = None
    """``(resource, payload, key)`` → the ledger ids of the records one traffic item stored, for traffic
    written ``{<reference>: name}``; None: the scenario runner has its own rule (streams, tables) or none."""


@final
@dataclass(frozen=True, kw_only=True, slots=True)
class PollSource:
    """One row of the table: everything that differs per poll-based event source."""

    name: str
    """The row's key, also its name in scenario files and on the command line (``sqs``, ``kinesis``…)."""
    title: str
    """AWS's name of the source, used in messages (``Amazon SQS``, ``Amazon Kinesis``…)."""
    event_source: str
    """The events' ``eventSource`` (``aws:sqs``, ``aws:kinesis``…)."""
    resource_kind: str
    """The registry kind its resources are kept under (``queues``, ``streams``, ``tables``…)."""
    resource_types: Callable[[], tuple[type, ...]]
    """The resource classes this row maps (a function, so their modules are imported only when needed)."""
    settings: Mapping[str, object]
    """The ``Sim.map`` keywords it accepts, each with its default."""
    refused_hint: Mapping[str, str] | str
    """Appended when a keyword it does not accept is given (one text, or one per keyword with ``""`` for the rest)."""
    precheck: Callable[[Mapping[str, object]], None] | None = None
    """Checks the given keywords before anything else (for refusals AWS words in its own way)."""
    create: Callable[[MapRequest], Any]
    """Builds the mapping (it has ``uuid``, ``function``, ``enabled``, ``disable()``, ``enable()``, ``config``)."""
    records_of: Callable[[Record], list[Record] | None]
    """The flat records of an event this source delivers, or None for an event of another shape."""
    record_id: Callable[[Record], str | None]
    """The ledger identity of one rendered record."""
    order_key: str
    """The ``by=`` name of :func:`lambdachaos.assert_ordered` for this source."""
    order_keys: Callable[[object], Mapping[str, str]]
    """``resource`` → {record id: ordering key} for every record it has held."""
    event_source_arn: Callable[[object], str]
    """The ``EventSourceArn`` of a resource."""
    delivery: DeliveryOps | None = None
    """How delivery faults apply; None: they are written to the ledger as not applied."""
    scenario: ScenarioOps | None = None
    """How scenario files declare its resources; None: they cannot."""
    localstack: str | None = None
    """None when the LocalStack target can run this source, else the reason it refuses."""
    replay: Callable[[Any, Mapping[str, Any]], list[str]] | None = None
    """``(resource, recorded Lambda event)`` → the ledger ids of the records it put back into ``resource``
    (``Sim.replay`` of a recording into one of this source's resources); None: not replayable."""
    aliases: tuple[str, ...] = field(default=())
    """Other ``by=`` names the ordering assertion accepts for this source."""

    def hint_for(self, keyword: str) -> str:
        """Why ``keyword`` is refused for this source."""
        hint = self.refused_hint
        return hint if isinstance(hint, str) else hint.get(keyword, hint.get("", ""))

    def check(self, given: Mapping[str, object]) -> dict[str, Any]:
        """The settings for ``create``: defaults, overridden by ``given``; a keyword the source does not accept
        with a value other than its neutral default is refused, naming the keyword, the value and the source."""
        out = dict(self.settings)
        for keyword, value in given.items():
            if keyword in out:
                out[keyword] = value
            elif value != NEUTRAL.get(keyword):
                raise reject(keyword, value, self.title, self.hint_for(keyword))
        return out


NEUTRAL: Final[dict[str, object]] = {
    "batch_size": None, "maximum_batching_window_in_seconds": 0, "function_response_types": (),
    "filter_criteria": None, "maximum_concurrency": None, "starting_position": None,
    "starting_position_timestamp": None, "parallelization_factor": 1, "maximum_retry_attempts": -1,
    "maximum_record_age_in_seconds": -1, "bisect_batch_on_function_error": False, "on_failure": None,
    "tumbling_window_in_seconds": 0,
}
"""Every ``Sim.map`` keyword with the value that means "not given" (a source may accept it or not)."""
