"""The Amazon DocumentDB change stream event source mapping.

Lambda reads the change stream sequentially, in the order events arrive, with one invocation at a
time ("Process Amazon DocumentDB events with Lambda"). A failed batch is retried (1 s doubling to 12 s,
as stream mappings) until it succeeds; when the change stream log no longer holds the mapping's
position, Lambda disables the mapping ("Using AWS Lambda with change streams", DocumentDB Developer
Guide): ``state`` becomes ``Disabled`` with a ``state_transition_reason``, and the events that left
the log get the fate ``expired``. Events over 6 MB are dropped (``OversizedRecordCount``). There is no
filtering, no retry or age control, no bisect, no partial batch response and no destination.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, final

from lambdachaos._errors import ConfigError
from lambdachaos.ledger._ledger import Fate, FateStatus, Outcome, Path
from lambdachaos.resources._docdb import Collection, extended_json
from lambdachaos.service.mappings._common import SYNC_PAYLOAD_LIMIT
from lambdachaos.service.mappings._kafka_config import check_batching, check_created, check_position
from lambdachaos.service.mappings._stream_config import retry_delay_ns

if TYPE_CHECKING:
    from lambdachaos._clock import Timer
    from lambdachaos.resources._docdb import ChangeEvent, Database
    from lambdachaos.service.invoke._function import Function
    from lambdachaos.service.invoke._service import Execution, LambdaService

__all__ = ["DocDbEventSourceMapping", "DocDbMappingConfig"]

_NS: Final = 1_000_000_000
FULL_DOCUMENT: Final = ("Default", "UpdateLookup")
EXPIRED_REASON: Final = ("PROBLEM: the change stream no longer holds this mapping's position (the events left the "
                         "change stream log); create a new event source mapping with the starting position you want")
OVERSIZED: Final = "OversizedRecord"


@final
@dataclass(frozen=True, kw_only=True, slots=True)
class DocDbMappingConfig:
    """``batch_size`` 1–10,000 (default 100); ``maximum_batching_window_in_seconds`` 0–300 or None for 500 ms (the
    API's default); ``starting_position`` TRIM_HORIZON (the default here), LATEST or AT_TIMESTAMP with
    ``starting_position_timestamp`` (virtual seconds); ``full_document`` ``Default`` or ``UpdateLookup``."""

    batch_size: int = 100
    maximum_batching_window_in_seconds: int | None = None
    starting_position: str | None = None
    starting_position_timestamp: float | None = None
    full_document: str = "Default"
    enabled: bool = True

    def __post_init__(self) -> None:
        check_batching(self.batch_size, self.maximum_batching_window_in_seconds)
        check_position(self.starting_position, self.starting_position_timestamp)
        if self.full_document not in FULL_DOCUMENT:
            raise ConfigError(f"full_document={self.full_document!r}: DocumentDBEventSourceConfig.FullDocument must be "
                              "Default or UpdateLookup")

    @property
    def window_ns(self) -> int:
        """The batching window in virtual nanoseconds."""
        w = self.maximum_batching_window_in_seconds
        return _NS // 2 if w is None else w * _NS


@final
class DocDbEventSourceMapping:
    """One DocumentDB mapping on a collection (``CollectionName``) or a whole database."""

    def __init__(self, service: LambdaService, source: Collection | Database, function: Function,
                 config: DocDbMappingConfig, *, qualifier: str | None = None) -> None:
        world = service.world
        self.service = service
        self.source = source
        self.cluster = source.cluster
        self.function = function
        self.qualifier = qualifier
        self.config = config
        self.uuid = world.uuid("esm")
        self.event_source_arn = self.cluster.arn
        self.database_name = source.database if isinstance(source, Collection) else source.name
        self.collection_name = source.name if isinstance(source, Collection) else None
        self.state = "Enabled" if config.enabled else "Disabled"
        self.state_transition_reason = "USER_INITIATED"
        self.oversized_record_count = 0
        """The ``OversizedRecordCount`` metric: events dropped for being over 6 MB."""
        self._world = world
        self._clock = world.clock
        self._ledger = service.ledger
        self._busy = False
        self._timer: Timer | None = None
        self._window_end: int | None = None
        self._batches = 0
        cluster = self.cluster
        cluster.trim()
        check_created(timestamp=config.starting_position_timestamp, now_s=world.clock.now_ns / _NS)
        position = config.starting_position or "TRIM_HORIZON"
        if position == "LATEST":
            self._pos = len(cluster.log)
        elif position == "AT_TIMESTAMP":
            at = round((config.starting_position_timestamp or 0.0) * _NS)
            self._pos = next((i for i in range(cluster.trimmed, len(cluster.log)) if cluster.log[i].arrival_ns >= at),
                             len(cluster.log))
        else:
            self._pos = cluster.trimmed
        self._opened = self._pos
        self._unsubscribe = cluster.on_records(self._on_records)
        self._on_records(cluster)

    @property
    def enabled(self) -> bool:
        """True while the mapping reads."""
        return self.state == "Enabled"

    def disable(self) -> None:
        """Stop reading."""
        self.state = "Disabled"
        self.state_transition_reason = "USER_INITIATED"

    def enable(self) -> None:
        """Resume reading (a mapping disabled because its position expired cannot resume: make a new one)."""
        if self.state_transition_reason == EXPIRED_REASON:
            raise ConfigError(f"mapping {self.uuid}: {EXPIRED_REASON}")
        self.state = "Enabled"
        self._wake()

    def _mine(self, event: ChangeEvent) -> bool:
        c = event.collection
        return c.database == self.database_name and (self.collection_name is None or c.name == self.collection_name)

    def _on_records(self, cluster: object) -> None:
        log = self.cluster.log
        ledger = self._ledger
        for event in log[self._opened:]:
            if self._mine(event):
                ledger.open(event.event_id, event.arrival_ns)
        self._opened = len(log)
        self._wake()

    def _wake(self) -> None:
        if not self._busy and self._timer is None and self.state == "Enabled" and self._pos < len(self.cluster.log):
            self._timer = self._clock.call_at(self._clock.now_ns, self._poll, priority=1)

    def render(self, event: ChangeEvent) -> dict[str, Any]:
        """One change event as ``{"event": {...}}`` in MongoDB extended JSON."""
        body: dict[str, Any] = {"_id": {"_data": event.event_id},
                                "clusterTime": {"$timestamp": {"t": event.seconds, "i": event.increment}},
                                "documentKey": {"_id": extended_json(event.document_key)}}
        full = event.full_document
        if event.operation == "update" and self.config.full_document == "UpdateLookup":
            current = event.collection.documents.get(event.document_key)
            full = None if current is None else current
            body["fullDocument"] = None if full is None else extended_json(full)
        elif full is not None:
            body["fullDocument"] = extended_json(full)
        body["ns"] = {"db": event.collection.database, "coll": event.collection.name}
        body["operationType"] = event.operation
        if event.update_description is not None:
            body["updateDescription"] = extended_json(event.update_description)
        return {"event": body}

    def _poll(self) -> None:
        self._timer = None
        if self._busy or self.state != "Enabled":
            return
        cluster, config = self.cluster, self.config
        cluster.trim()
        if self._pos < cluster.trimmed:
            self._expire_and_disable(cluster.log[self._pos:cluster.trimmed])
            return
        log = cluster.log
        batch: list[tuple[ChangeEvent, dict[str, Any]]] = []
        budget = SYNC_PAYLOAD_LIMIT - 200
        i = self._pos
        while i < len(log) and len(batch) < config.batch_size:
            event = log[i]
            if not self._mine(event):
                i += 1
                continue
            rendered = self.render(event)
            cost = len(json.dumps(rendered, separators=(",", ":")))
            if cost > budget:
                if cost > SYNC_PAYLOAD_LIMIT - 200:  # events over 6 MB are dropped
                    self.oversized_record_count += 1
                    self._settle(event, FateStatus.DROPPED, OVERSIZED, 0)
                    i += 1
                    continue
                break
            budget -= cost
            batch.append((event, rendered))
            i += 1
        if not batch:
            self._pos = i
            return
        if len(batch) < config.batch_size and budget > 0 and config.window_ns:
            now = self._clock.now_ns
            if self._window_end is None:
                self._window_end = now + config.window_ns
            if now < self._window_end:
                self._timer = self._clock.call_at(self._window_end, self._poll, priority=1)
                return
        self._window_end = None
        self._busy = True
        self._deliver([e for e, _ in batch], i, 0, 0)

    def _deliver(self, events: list[ChangeEvent], end: int, retries: int, throttles: int) -> None:
        cluster = self.cluster
        cluster.trim()
        if self._pos < cluster.trimmed:  # the retried position left the log: the mapping is disabled
            self._busy = False
            self._expire_and_disable(cluster.log[self._pos:cluster.trimmed])
            return
        service = self.service
        self._batches += 1
        batch_id = f"{self.uuid}:{self._batches}"
        event = {"eventSourceArn": self.event_source_arn, "events": [self.render(e) for e in events],
                 "eventSource": "aws:docdb"}
        ex = service.execute(self.function, self.qualifier, b"", path=Path.ESM, request_id=service.world.uuid(),
                             event_id=batch_id, attempt=retries + 1, records=tuple(e.event_id for e in events),
                             source=self.event_source_arn, event=event, batch_id=batch_id)
        clock = self._clock
        if ex.outcome is Outcome.THROTTLED or ex.outcome is Outcome.SYSTEM_ERROR:
            clock.call_at(clock.now_ns + retry_delay_ns(throttles + 1), self._deliver, events, end, retries,
                          throttles + 1, priority=1)
            return
        clock.call_at(ex.end_ns, self._complete, events, end, retries, ex)

    def _complete(self, events: list[ChangeEvent], end: int, retries: int, ex: Execution) -> None:
        if ex.failed:
            clock = self._clock
            clock.call_at(clock.now_ns + retry_delay_ns(retries + 1), self._deliver, events, end, retries + 1, 0,
                          priority=1)
            return
        for e in events:
            self._settle(e, FateStatus.SUCCEEDED, None, retries + 1)
        self._pos = end
        self._busy = False
        self._wake()

    def _expire_and_disable(self, gone: list[ChangeEvent]) -> None:
        for e in gone:
            if self._mine(e):
                self._settle(e, FateStatus.EXPIRED, "RecordExpired", 0)
        self._pos = self.cluster.trimmed
        self.state = "Disabled"
        self.state_transition_reason = EXPIRED_REASON

    def _settle(self, event: ChangeEvent, status: FateStatus, condition: str | None, attempts: int) -> None:
        if self._ledger.status(event.event_id) is FateStatus.PENDING:
            self._ledger.settle(Fate(event_id=event.event_id, status=status, at_ns=self._clock.now_ns,
                                     condition=condition, attempts=attempts))

    def __repr__(self) -> str:
        return f"<DocDbEventSourceMapping {self.uuid} {self.database_name} -> {self.function.name} {self.state}>"
