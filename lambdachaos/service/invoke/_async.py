"""The asynchronous invocation path (AWS developer guide: "Asynchronous invocation";
docs/aws-behaviour.md, the async rows).

Lambda accepts the event (202) into an internal queue. A function error is retried after 60 s and
then 120 s (decision A2), measured from the end of the failed attempt, while the event's age allows
it (look-ahead A3). Throttles and system errors are retried with backoff 1 s, 2 s, 4 s … capped at
300 s (A4) without using retry attempts, until the event is older than MaximumEventAgeInSeconds.
Reserved concurrency 0 sends new events straight to the DLQ / on-failure destination. Every event
ends with one fate; the DLQ and the on-failure destination both fire when both are set. An S3 bucket
is an on-failure destination only: it gets the record as one JSON object under
``aws/lambda/async/<function>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<random UUID>`` ([UNV] key, see
:data:`~lambdachaos.service.invoke._destinations.S3_ASYNC_PREFIX`); S3 as on-success is refused.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, final

from lambdachaos.ledger._ledger import Delivery, Fate, FateStatus, Outcome, Path
from lambdachaos.service.invoke import _destinations as dest
from lambdachaos.service.invoke import _recursion
from lambdachaos.service.invoke._function import Function
from lambdachaos.service.invoke._isolation_worker import forwarded

if TYPE_CHECKING:
    from lambdachaos.service.invoke._execution import Execution
    from lambdachaos.service.invoke._service import LambdaService

RETRY_DELAYS_S: Final = (60, 120)
THROTTLE_BACKOFF_CAP_S: Final = 300


@final
@dataclass(slots=True, eq=False)
class AsyncEvent:
    """One accepted event in the function's internal queue."""

    function: Function
    qualifier: str | None
    payload: bytes
    request_id: str
    accepted_ns: int
    attempts: int = 0
    backoffs: int = 0
    last: Execution | None = None
    last_rejection: str | None = None
    source: str | None = None


@final
@forwarded("async")
class AsyncInvoker:
    """The internal queue and retry machinery of asynchronous invocation."""

    def __init__(self, service: LambdaService, *, retry_delays: tuple[int, int] = RETRY_DELAYS_S) -> None:
        self.service = service
        self.retry_delays = retry_delays
        self.in_queue = 0

    def accept(
        self, fn: Function, payload: bytes, *, qualifier: str | None = None, source: str | None = None,
        request_id: str | None = None,
    ) -> str:
        """InvocationType=Event: validate, queue, and return the request id (status 202).

        ``request_id`` is the id a pushing service already gave the event in the ledger (default: a new one).
        """
        service = self.service
        service.check_async_payload(payload)
        cfg = fn.event_invoke_config(qualifier)
        dest.check_async_destinations(cfg.on_success, cfg.on_failure)
        clock = service.world.clock
        if request_id is None:
            request_id = service.world.uuid()
        service.ledger.open(request_id, clock.now_ns)
        _recursion.stamp(service, request_id)  # an event sent from a handler joins its chain
        item = AsyncEvent(fn, qualifier, payload, request_id, clock.now_ns, source=source)
        self.in_queue += 1
        if service.reserved_in_force(fn) == 0:
            clock.call_later(0, self._finish, item, dest.ZERO_RESERVED, "429", "Rate Exceeded.", priority=1)
        else:
            clock.call_later(0, self._attempt, item, priority=1)
        return request_id

    # ---- attempts ---------------------------------------------------------------------------
    def _attempt(self, item: AsyncEvent) -> None:
        service = self.service
        clock = service.world.clock
        fn = item.function
        cfg = fn.event_invoke_config(item.qualifier)
        max_age_ns = cfg.maximum_event_age_in_seconds * 1_000_000_000
        ex = service.execute(
            fn, item.qualifier, item.payload, path=Path.ASYNC, request_id=item.request_id,
            event_id=item.request_id, attempt=item.attempts + 1, source=item.source,
        )
        if _recursion.is_stopped(ex):  # a recursive loop: never retried; straight to the DLQ / on-failure destination
            message = str((ex.error or {}).get("errorMessage", ""))
            self._finish(item, _recursion.RECURSIVE_INVOCATION, "400", message)
            return
        if ex.outcome in (Outcome.THROTTLED, Outcome.SYSTEM_ERROR):
            item.backoffs += 1
            item.last_rejection = "429" if ex.outcome is Outcome.THROTTLED else "500"
            delay_ns = min(THROTTLE_BACKOFF_CAP_S, 2 ** (item.backoffs - 1)) * 1_000_000_000
            expires_ns = item.accepted_ns + max_age_ns
            if clock.now_ns + delay_ns >= expires_ns:
                message = "Rate Exceeded." if ex.outcome is Outcome.THROTTLED else "Lambda service error"
                clock.call_at(expires_ns, self._finish, item, dest.EVENT_AGE_EXCEEDED, item.last_rejection,
                              message, priority=1)
            else:
                clock.call_at(clock.now_ns + delay_ns, self._attempt, item, priority=1)
            return
        item.attempts += 1
        item.last = ex
        clock.call_at(ex.end_ns, self._after, item, priority=0)

    def _after(self, item: AsyncEvent) -> None:
        ex = item.last
        assert ex is not None
        if not ex.failed:
            self._finish(item, dest.SUCCESS)
            return
        clock = self.service.world.clock
        cfg = item.function.event_invoke_config(item.qualifier)
        message = str((ex.error or {}).get("errorMessage", ""))
        if item.attempts >= cfg.maximum_retry_attempts + 1:
            self._finish(item, dest.RETRIES_EXHAUSTED, "200", message)
            return
        delay_ns = self.retry_delays[min(item.attempts - 1, len(self.retry_delays) - 1)] * 1_000_000_000
        age_ns = clock.now_ns - item.accepted_ns
        if age_ns + delay_ns < cfg.maximum_event_age_in_seconds * 1_000_000_000:
            clock.call_at(clock.now_ns + delay_ns, self._attempt, item, priority=1)
        else:
            self._finish(item, dest.EVENT_AGE_EXCEEDED, "200", message)

    # ---- results ----------------------------------------------------------------------------
    def _finish(self, item: AsyncEvent, condition: str, error_code: str = "", error_message: str = "") -> None:
        """Settle ``item``: destinations, the DLQ (with ``error_code``/``error_message``) and its fate."""
        self.in_queue -= 1
        service = self.service
        world = service.world
        fn = item.function
        cfg = fn.event_invoke_config(item.qualifier)
        now = world.clock.now_ns
        ok = condition == dest.SUCCESS
        destinations: list[str] = []
        target = cfg.on_success if ok else cfg.on_failure
        if target is not None:
            record = self._record(item, condition)
            if self._deliver(item, "on_success" if ok else "on_failure", target, record, condition, now):
                destinations.append(dest.arn_of(target))
        dead_lettered = False
        if not ok and fn.dead_letter_target is not None:
            attributes = dest.dlq_attributes(item.request_id, error_code, error_message)
            body = item.payload.decode("utf-8", errors="replace")
            if self._deliver(item, "dlq", fn.dead_letter_target, None, condition, now, body=body,
                             attributes=attributes):
                dead_lettered = True
                destinations.insert(0, dest.arn_of(fn.dead_letter_target))
        if ok:
            status = FateStatus.SUCCEEDED
        elif dead_lettered:
            status = FateStatus.DEAD_LETTERED
        elif destinations:
            status = FateStatus.ON_FAILURE
        else:
            status = FateStatus.DROPPED
        service.ledger.settle(Fate(
            event_id=item.request_id, status=status, at_ns=now, condition=condition,
            destinations=tuple(destinations), attempts=item.attempts,
        ))

    def _record(self, item: AsyncEvent, condition: str) -> dict[str, Any]:
        world = self.service.world
        fn = item.function
        ex = item.last
        ran = ex is not None and condition != dest.ZERO_RESERVED
        response: Any = None
        if ex is not None and ran:
            response = json.loads(ex.payload) if ex.payload else None
        return dest.destination_record(
            timestamp=world.iso_ms(),
            request_id=item.request_id,
            function_arn=f"{fn.arn}:{item.qualifier or '$LATEST'}",
            condition=condition,
            invoke_count=item.attempts,
            request_payload=json.loads(item.payload) if item.payload else {},
            executed_version=ex.executed_version if ex is not None else None,
            response_payload=response,
            function_error=ex is not None and ex.failed,
            ran=ran,
        )

    def _deliver(
        self, item: AsyncEvent, kind: str, target: Any, record: dict[str, Any] | None, condition: str, now: int,
        *, body: str | None = None, attributes: dict[str, dict[str, str]] | None = None,
    ) -> bool:
        service = self.service
        arn = dest.arn_of(target)
        bus_entry = None
        if record is not None:
            body = dest.dumps(record)
            if dest.service_of(arn) == "events":
                bus_entry = {
                    "Source": "lambda",
                    "DetailType": dest.DETAIL_TYPE[condition == dest.SUCCESS],
                    "Resources": [arn, record["requestContext"]["functionArn"]],
                }
        assert body is not None
        key = None
        if kind == "on_failure" and dest.service_of(arn) == "s3":
            world = service.world
            prefix = dest.S3_ASYNC_PREFIX.format(function=item.function.name)
            key = dest.s3_key(prefix, world.wall_ns(), world.uuid())
        message_id = None
        ok = True
        detail = None
        try:
            message_id = dest.send(
                target, body, resolve=service.resolve, attributes=attributes, bus_entry=bus_entry,
                invoke_async=lambda fn, payload: self.accept(fn, payload), s3_key=key,
            )
        except dest.DeliveryError as exc:
            ok = False
            detail = str(exc)
        ledger = service.ledger
        ledger.add_delivery(Delivery(
            seq=ledger.next_seq(), kind=kind, target=arn, event_id=item.request_id, at_ns=now,
            condition=condition, message_id=message_id, ok=ok, detail=detail,
        ))
        return ok
