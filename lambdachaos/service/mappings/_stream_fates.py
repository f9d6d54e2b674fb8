"""How a stream mapping ends its records: succeeded, expired, or discarded to the on-failure destination with the
``KinesisBatchInfo`` / ``DDBStreamBatchInfo`` record (docs/mappings.md, "Stream on-failure records")."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lambdachaos.ledger._ledger import Delivery, Fate, FateStatus
from lambdachaos.service.invoke import _destinations as dest
from lambdachaos.service.mappings._stream_config import RECORD_AGE_EXCEEDED, failure_record

if TYPE_CHECKING:
    from collections.abc import Callable

    from lambdachaos._clock import Clock
    from lambdachaos._world import World
    from lambdachaos.ledger._ledger import Ledger
    from lambdachaos.service.invoke._service import Execution
    from lambdachaos.service.mappings._stream_config import SourceKind, StreamMappingConfig
    from lambdachaos.service.mappings._stream_lanes import Sub

RECORD_EXPIRED = "RecordExpired"


class StreamFates:
    """The fate-settling half of :class:`~lambdachaos.service.mappings._stream.StreamEventSourceMapping`."""

    if TYPE_CHECKING:
        config: StreamMappingConfig
        kind: SourceKind
        uuid: str
        function_arn: str
        event_source_arn: str
        _world: World
        _clock: Clock
        _ledger: Ledger
        _status_of: Callable[[str], FateStatus | None]
        _resolve: Callable[[str], object | None]

        def _render(self, record: Any) -> dict[str, Any]: ...

    # ---- fates --------------------------------------------------------------------------------
    def _sequence(self, record: Any) -> str:
        return str(record.sequence_number)

    def _settle(self, record: Any, status: FateStatus, condition: str | None, attempts: int,
                destinations: tuple[str, ...] = ()) -> None:
        if self._status_of(record.event_id) is FateStatus.PENDING:
            self._ledger.settle(Fate(event_id=record.event_id, status=status, at_ns=self._clock.now_ns,
                                     condition=condition, destinations=destinations, attempts=attempts))

    def _succeed(self, sub: Sub, records: list[Any]) -> None:
        attempts = sub.prior + sub.invokes
        for record in records:
            self._settle(record, FateStatus.SUCCEEDED, None, attempts)

    def _expire(self, records: list[Any], _unused: object) -> None:
        for record in records:
            self._settle(record, FateStatus.DROPPED, RECORD_EXPIRED, 0)

    def _discard(self, sub: Sub, records: list[Any], condition: str, ex: Execution | None,
                 function_error: str | None, request_id: str | None) -> None:
        count = sub.prior + sub.invokes
        if condition == RECORD_AGE_EXCEEDED:
            count = max(1, count)
        target = self.config.on_failure
        destinations: tuple[str, ...] = ()
        if target is not None:
            world = self._world
            first, last = records[0], records[-1]
            arrival = world.iso_ms if self.kind.arrival_ms else world.iso_s
            record = failure_record(
                kind=self.kind, request_id=request_id or world.uuid(), function_arn=self.function_arn,
                condition=condition, invoke_count=count, executed_version=ex.executed_version if ex else None,
                function_error=function_error, timestamp=world.iso_ms(), shard_id=first.shard.shard_id,
                start=self._sequence(first), end=self._sequence(last), first_arrival=arrival(first.arrival_ns),
                last_arrival=arrival(last.arrival_ns), batch_size=len(records), stream_arn=self.event_source_arn,
            )
            arn = dest.arn_of(target)
            ok, detail, message_id, key = True, None, None, None
            if dest.service_of(arn) == "s3":  # §6.6: the object also carries the invocation's whole event
                record["payload"] = dest.dumps(sub.event or {"Records": [self._render(r) for r in records]})
                prefix = dest.S3_STREAM_PREFIX.format(uuid=self.uuid, shard_id=first.shard.shard_id)
                key = dest.s3_key(prefix, world.wall_ns(), world.uuid())
            try:
                message_id = dest.send(target, dest.dumps(record), resolve=self._resolve, s3_key=key)
            except dest.DeliveryError as exc:
                ok, detail = False, str(exc)
            ledger = self._ledger
            ledger.add_delivery(Delivery(seq=ledger.next_seq(), kind="on_failure", target=arn,
                                         event_id=first.event_id, at_ns=self._clock.now_ns, condition=condition,
                                         message_id=message_id, ok=ok, detail=detail))
            if ok:
                destinations = (arn,)
        status = FateStatus.ON_FAILURE if destinations else FateStatus.DROPPED
        for r in records:
            self._settle(r, status, condition, count, destinations)
