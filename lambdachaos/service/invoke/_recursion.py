"""Recursive loop detection (AWS developer guide: "Use Lambda recursive loop detection to prevent
infinite loops").

AWS carries lineage metadata (the ``Lineage`` field of the X-Ray trace header, no active tracing
needed) on the events a function creates through the SDK: an SQS message, an SNS publish, an S3
write, a Lambda ``Invoke``. Each hop adds one; after about 16 invocations in one chain the next one
is stopped. Decision: the chain depth is counted per originating event, the first invocation
triggered from outside any function has depth 1 and depth ``recursion_limit + 1`` (17 by default)
is stopped unless the function's ``RecursiveLoop`` is ``Allow``. DynamoDB and Kinesis are out of
scope, as in AWS.

How the depth travels here: while a handler runs, :attr:`RecursionTracker.current` is its depth;
anything created during that time is *stamped* with ``current + 1`` under its id (an async request
id, an SQS message id), as the trace header would travel with it. When the service starts an
invocation it looks the depth up from the event id and the batch's record ids. A stopped invocation
is an :class:`~lambdachaos.ledger._ledger.Attempt` with outcome ``rejected``, ``error_type``
``RecursiveInvocationException`` and ``reason`` ``"recursive loop"``; the handler never runs.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar, Final, final

from lambdachaos.ledger._ledger import Attempt, Fate, FateStatus, Outcome, Path
from lambdachaos.service.invoke import _handler_time
from lambdachaos.service.invoke._errors import LambdaAPIError
from lambdachaos.service.invoke._execution import Execution

if TYPE_CHECKING:
    from lambdachaos.service.invoke._function import Function
    from lambdachaos.service.invoke._handler_time import HandlerClock
    from lambdachaos.service.invoke._service import LambdaService

__all__ = [
    "RECURSION_LIMIT",
    "RECURSIVE_INVOCATION",
    "RecursionTracker",
    "RecursiveInvocationException",
    "check",
    "is_stopped",
    "stamp",
    "tracker",
]

RECURSION_LIMIT: Final = 16
"""Invocations allowed in one chain before the next is stopped (AWS: "about 16")."""
RECURSIVE_INVOCATION: Final = "RecursiveInvocation"
"""Decision (AWS does not document it): the async ``condition`` of an event stopped as a recursive loop."""
REASON: Final = "recursive loop"
ERROR_TYPE: Final = "RecursiveInvocationException"
ERROR_MESSAGE: Final = (
    "Lambda detected that {function} was invoked as part of a recursive loop ({depth} invocations in one "
    "chain, limit {limit}) and stopped the invocation; set RecursiveLoop=Allow "
    "(PutFunctionRecursionConfig) to allow it"
)
TERMINATE: Final = "Terminate"
ALLOW: Final = "Allow"
RECURSIVE_LOOP_VALUES: Final = (TERMINATE, ALLOW)


class RecursiveInvocationException(LambdaAPIError):
    """400: the synchronous ``Invoke`` was stopped as part of a recursive loop."""

    code: ClassVar[str] = "RecursiveInvocationException"
    http_status: ClassVar[int] = 400
    error_kind: ClassVar[str] = "User"
    sender_fault: ClassVar[bool] = True


def is_stopped(ex: Execution) -> bool:
    """True when ``ex`` is an invocation stopped by loop detection (the handler never ran)."""
    return ex.outcome is Outcome.REJECTED and ex.reason == REASON


def tracker(service: LambdaService) -> RecursionTracker:
    """The loop detector of a simulated service (``tracker(sim.service).limit`` is the ``recursion_limit`` knob)."""
    return service.recursion


def stamp(service: LambdaService, key: str) -> None:
    """Record that ``key`` (a message id, an async request id) was created by the running handler, if any."""
    if _handler_time.current() is not None:  # sent from test code (the common case): nothing to record
        service.recursion.stamp(key)


def check(
    service: LambdaService, fn: Function, qualifier: str | None, path: Path, request_id: str, event_id: str,
    attempt: int, records: tuple[str, ...], source: str | None,
) -> Execution | None:
    """Called by the service before an invocation starts: None to let it run, else the stopped execution.

    A stopped synchronous ``Invoke`` settles its request and raises :class:`RecursiveInvocationException`.
    """
    return tracker(service).check(service, fn, qualifier, path, request_id, event_id, attempt, records, source)


@final
class RecursionTracker:
    """Chain depths of pending events and of running handlers, for one simulated service.

    ``limit`` is the ``recursion_limit`` knob (16); ``dropped`` counts stopped invocations (the
    ``RecursiveInvocationsDropped`` metric; ``Allow`` functions are never stopped).
    """

    __slots__ = ("_depths", "_handlers", "_pending", "dropped", "limit")

    def __init__(self, limit: int = RECURSION_LIMIT) -> None:
        self.limit = limit
        self.dropped = 0
        self._depths: dict[str, int] = {}
        # Running handlers are known by their handler clock (the service nests them for synchronous
        # invokes); a handler is tied to the depth of the last checked invocation the first time it
        # creates something, which is always before any invocation it starts itself.
        self._handlers: list[tuple[HandlerClock, int]] = []
        self._pending = 1

    @property
    def current(self) -> int | None:
        """Depth of the invocation whose handler is running now, or None outside handlers."""
        clock = _handler_time.current()
        if clock is None:
            return None
        for known, depth in reversed(self._handlers):
            if known is clock:
                return depth
        self._handlers.append((clock, self._pending))
        return self._pending

    def may_stop(self) -> bool:
        """False when no invocation can be part of a chain (nothing was created inside a handler and no
        handler runs): the caller may then skip :meth:`check`, whose depth would be 1."""
        if self._depths or _handler_time.current() is not None:
            return True
        self._pending = 1
        self._handlers.clear()
        return False

    def stamp(self, key: str) -> None:
        """Give ``key`` the depth one past the running handler's (nothing outside handlers)."""
        if _handler_time.current() is None:  # the common case: sent from test code, not from a handler
            return
        current = self.current
        if current is not None and self._depths.get(key, 0) < current + 1:
            self._depths[key] = current + 1

    def stamp_many(self, keys: Iterable[str]) -> None:
        """:meth:`stamp` each of ``keys`` (created by the same running handler, if any)."""
        if _handler_time.current() is None:
            return
        for key in keys:
            self.stamp(key)

    def depth_of(self, key: str) -> int | None:
        """The stamped chain depth of ``key``, or None when it did not come from a handler."""
        return self._depths.get(key)

    def depth_for(self, event_id: str, records: tuple[str, ...]) -> int:
        """Depth of an invocation about to start: one past its creator (1 outside any chain)."""
        current = self.current
        if current is None:
            self._handlers.clear()  # nothing runs: every handler seen so far has returned
        depth = 1 if current is None else current + 1
        if not self._depths:  # nothing was ever created inside a handler: no chain to follow
            return depth
        get = self._depths.get
        for key in (event_id, *records):
            found = get(key)
            if found is not None and found > depth:
                depth = found
        return depth

    def check(
        self, service: LambdaService, fn: Function, qualifier: str | None, path: Path, request_id: str,
        event_id: str, attempt: int, records: tuple[str, ...], source: str | None,
    ) -> Execution | None:
        """See :func:`check`."""
        depth = self.depth_for(event_id, records)
        self._pending = depth
        if depth <= self.limit or getattr(fn, "recursive_loop", TERMINATE) == ALLOW:
            return None
        self.dropped += 1
        now = service.world.clock.now_ns
        ledger = service.ledger
        message = ERROR_MESSAGE.format(function=fn.name, depth=depth, limit=self.limit)
        ledger.add_attempt(Attempt(
            seq=ledger.next_seq(), path=path, function=fn.name, qualifier=qualifier, executed_version=None,
            request_id=request_id, event_id=event_id, attempt=attempt, outcome=Outcome.REJECTED, start_ns=now,
            end_ns=now, records=records, source=source, reason=REASON, error_type=ERROR_TYPE,
            error_message=message,
        ))
        if path is Path.SYNC:
            ledger.settle(Fate(event_id=request_id, status=FateStatus.DROPPED, at_ns=now,
                               condition=RECURSIVE_INVOCATION, attempts=0))
            raise RecursiveInvocationException(message)
        error: dict[str, Any] = {"errorType": ERROR_TYPE, "errorMessage": message}
        return Execution(Outcome.REJECTED, b"", error, request_id, None, now, now, reason=REASON)
