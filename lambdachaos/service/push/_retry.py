"""What a pushing service does when its ``Invoke`` of a function fails, before Lambda accepts the event.

SNS, EventBridge rules and EventBridge Scheduler hand each event to Lambda with an asynchronous
``Invoke``. When that call fails the service itself retries, by its own policy, and finally sends the
event to the subscription's or target's dead-letter queue, or drops it (docs/aws-behaviour.md, "Push
delivery"). Once Lambda accepts the event, Lambda's asynchronous path (:mod:`._async`) takes over.

Why a hand-off fails, checked at each attempt: the function no longer exists in the simulation
(``ResourceNotFoundException``), or a :class:`lambdachaos.faults.PushInvokeFailure` window is in force
(function missing, permission denied, throttled). Missing functions and permissions are client errors:
no service retries them. Throttles are retried.

The ledger: the event's id is minted at the first hand-off and becomes Lambda's request id when Lambda
accepts it. Every failed hand-off is a :class:`~lambdachaos.ledger._ledger.Delivery` of kind ``"push"``
(``ok=False``, ``detail`` the error), as is the successful one that follows failures; the dead-letter
message is a Delivery of kind ``"push_dlq"``. An event that never reaches Lambda settles with fate
``dead_lettered`` (the DLQ took it) or ``dropped``, ``attempts=0`` and ``condition`` the exhausted retry
condition (``MaximumRetryAttempts``, ``MaximumEventAgeInSeconds``, SNS's ``DeliveryPolicyExhausted``)
or, for a client error, the error code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, final

from lambdachaos._errors import ConfigError
from lambdachaos.ledger._ledger import Delivery, Fate, FateStatus

if TYPE_CHECKING:
    from lambdachaos.resources._sqs import Queue
    from lambdachaos.service.invoke._async import AsyncInvoker
    from lambdachaos.service.invoke._function import Function

_NS: Final = 1_000_000_000

# ---- errors of the Invoke call --------------------------------------------------------------------


@final
@dataclass(frozen=True, slots=True)
class InvokeError:
    """Why Lambda refused a pushing service's ``Invoke``: the Lambda API error and whether it is retried."""

    code: str
    """Lambda's error code (``ResourceNotFoundException``, ``AccessDeniedException``, ``TooManyRequestsException``)."""
    status: int
    message: str
    retryable: bool
    """False for client errors (function gone, permission missing): no pushing service retries them."""
    events_code: str
    """The ``ERROR_CODE`` EventBridge writes on its dead-letter message for this error."""


def invoke_error(kind: str, function: Function, service: str) -> InvokeError:
    """The :class:`InvokeError` of a failure ``kind`` (``function-missing``, ``permission-denied``,
    ``throttled``) when ``service`` (``sns``, ``events``, ``scheduler``) invokes ``function``."""
    principal = f"{service}.amazonaws.com"
    if kind == "function-missing":
        return InvokeError("ResourceNotFoundException", 404, f"Function not found: {function.arn}", False,
                           "NO_RESOURCE")
    if kind == "permission-denied":
        return InvokeError(
            "AccessDeniedException", 403,
            f"User: {principal} is not authorized to perform: lambda:InvokeFunction on resource: {function.arn} "
            "because no resource-based policy allows the lambda:InvokeFunction action", False, "NO_PERMISSIONS")
    if kind == "throttled":
        return InvokeError("TooManyRequestsException", 429, "Rate Exceeded.", True, "THROTTLING")
    raise ConfigError(f"kind={kind!r}: a push Invoke fails as function-missing, permission-denied or throttled")


# ---- retry policies -------------------------------------------------------------------------------
SNS_IMMEDIATE: Final = 3
"""SNS delivery policy for AWS-managed endpoints (Lambda, SQS): attempts without delay."""
SNS_PRE_BACKOFF: Final = 2
"""Then attempts 1 second apart."""
SNS_BACKOFF: Final = 10
"""Then attempts with exponential backoff from 1 s to 20 s."""
SNS_POST_BACKOFF: Final = 100_000
"""Then attempts 20 seconds apart."""
SNS_TOTAL_ATTEMPTS: Final = SNS_IMMEDIATE + SNS_PRE_BACKOFF + SNS_BACKOFF + SNS_POST_BACKOFF  # 100,015
SNS_MAX_DELAY_S: Final = 20
SNS_EXHAUSTED: Final = "DeliveryPolicyExhausted"
"""Decision: the fate condition of an SNS message whose delivery policy ran out."""

RETRY_ATTEMPTS_MAX: Final = 185
EVENT_AGE_MIN_S: Final = 60
EVENT_AGE_MAX_S: Final = 86_400
EVENTS_BACKOFF_CAP_S: Final = 300
"""Decision: EventBridge and Scheduler retry after 1 s, doubling, capped at 300 s (AWS: "exponential back
off and jitter", no figures)."""
MAXIMUM_RETRY_ATTEMPTS: Final = "MaximumRetryAttempts"
MAXIMUM_EVENT_AGE: Final = "MaximumEventAgeInSeconds"


def sns_delay_ns(attempts: int) -> int | None:
    """Nanoseconds SNS waits after its ``attempts``-th failed delivery (None: the policy is exhausted).

    Decision: the first delivery is the first of the three immediate attempts (the phases add up to
    AWS's 100,015 attempts); the ten backoff delays grow geometrically from 1 s to 20 s, in whole ms.
    """
    if attempts >= SNS_TOTAL_ATTEMPTS:
        return None
    if attempts < SNS_IMMEDIATE:
        return 0
    if attempts < SNS_IMMEDIATE + SNS_PRE_BACKOFF:
        return _NS
    step = attempts - SNS_IMMEDIATE - SNS_PRE_BACKOFF
    if step < SNS_BACKOFF:
        return round(SNS_MAX_DELAY_S ** (step / (SNS_BACKOFF - 1)) * 1_000) * 1_000_000
    return SNS_MAX_DELAY_S * _NS


@final
@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """An EventBridge target's or a Scheduler schedule's ``RetryPolicy``.

    ``maximum_retry_attempts`` 0–185 (default 185), ``maximum_event_age_in_seconds`` 60–86,400 (default
    86,400). A retry waits 1 s, 2 s, 4 s … capped at 300 s (decision); a retry that would start after the
    event's maximum age is not made (the event is dead-lettered at the failure before it).
    """

    maximum_retry_attempts: int = RETRY_ATTEMPTS_MAX
    maximum_event_age_in_seconds: int = EVENT_AGE_MAX_S

    def __post_init__(self) -> None:
        for name, value, low, high, api in (
            ("maximum_retry_attempts", self.maximum_retry_attempts, 0, RETRY_ATTEMPTS_MAX, "MaximumRetryAttempts"),
            ("maximum_event_age_in_seconds", self.maximum_event_age_in_seconds, EVENT_AGE_MIN_S, EVENT_AGE_MAX_S,
             "MaximumEventAgeInSeconds"),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ConfigError(f"{name}={value!r}: RetryPolicy.{api} must be an integer from {low} to {high}")

    @classmethod
    def of(cls, value: RetryPolicy | dict[str, Any] | None) -> RetryPolicy:
        """A policy from itself, the API shape (``{"MaximumRetryAttempts": 3, ...}``) or None (defaults)."""
        if value is None:
            return cls()
        if isinstance(value, RetryPolicy):
            return value
        if not isinstance(value, dict) or set(value) - {MAXIMUM_RETRY_ATTEMPTS, MAXIMUM_EVENT_AGE}:
            raise ConfigError(f"retry_policy={value!r}: give MaximumRetryAttempts and/or MaximumEventAgeInSeconds")
        return cls(value.get(MAXIMUM_RETRY_ATTEMPTS, RETRY_ATTEMPTS_MAX), value.get(MAXIMUM_EVENT_AGE, EVENT_AGE_MAX_S))

    def to_api(self) -> dict[str, int]:
        """The API shape."""
        return {MAXIMUM_EVENT_AGE: self.maximum_event_age_in_seconds,
                MAXIMUM_RETRY_ATTEMPTS: self.maximum_retry_attempts}


def events_delay_ns(retry: int) -> int:
    """Nanoseconds before EventBridge's or Scheduler's ``retry``-th retry (1-based)."""
    return int(min(EVENTS_BACKOFF_CAP_S, 2 ** min(retry - 1, 16))) * _NS


# ---- one event on its way -----------------------------------------------------------------------
DeadLetter = Callable[["PushDelivery", InvokeError, "str | None"], tuple[str, dict[str, Any]]]
"""``(delivery, last error, exhausted condition or None) -> (body, keyword arguments of Queue.send)``."""


@final
class PushDelivery:
    """One event a pushing service hands to one function, with that service's retries and DLQ."""

    def __init__(
        self, invoker: AsyncInvoker, function: Function, payload: bytes, *, qualifier: str | None, source: str,
        service: str, policy: RetryPolicy | None, dead_letter_queue: Queue | None, dead_letter: DeadLetter,
    ) -> None:
        self.invoker = invoker
        self.function = function
        self.payload = payload
        self.qualifier = qualifier
        self.source = source
        """ARN of the topic, rule or schedule (``Attempt.source`` once Lambda accepts the event)."""
        self.service = service
        """``sns`` (SNS's fixed delivery policy), ``events`` or ``scheduler`` (``policy``)."""
        self.policy = policy
        self.dead_letter_queue = dead_letter_queue
        self._dead_letter = dead_letter
        world = invoker.service.world
        self.event_id = world.uuid()
        """The event's ledger id; Lambda's request id once it is accepted."""
        self.first_ns = world.clock.now_ns
        self.attempts = 0
        """Hand-offs made so far."""

    def start(self) -> str:
        """Make the first hand-off now (synchronously); returns the event id."""
        self.invoker.service.check_async_payload(self.payload)
        self.invoker.service.ledger.open(self.event_id, self.first_ns)
        self._attempt()
        return self.event_id

    def _refusal(self, now_ns: int) -> InvokeError | None:
        service = self.invoker.service
        fn = self.function
        if service.functions.get(fn.name) is not fn:
            return invoke_error("function-missing", fn, self.service)
        injector = service.injector
        kind = injector.push_failure(fn, self.service, now_ns=now_ns, event_id=self.event_id) if injector else None
        return invoke_error(kind, fn, self.service) if kind is not None else None

    def _record(self, now_ns: int, *, ok: bool, detail: str | None) -> None:
        ledger = self.invoker.service.ledger
        target = self.function.arn if self.qualifier is None else f"{self.function.arn}:{self.qualifier}"
        ledger.add_delivery(Delivery(seq=ledger.next_seq(), kind="push", target=target, event_id=self.event_id,
                                     at_ns=now_ns, message_id=self.event_id if ok else None, ok=ok, detail=detail))

    def _attempt(self) -> None:
        clock = self.invoker.service.world.clock
        now = clock.now_ns
        self.attempts += 1
        error = self._refusal(now)
        if error is None:
            if self.attempts > 1:
                self._record(now, ok=True, detail=None)
            self.invoker.accept(self.function, self.payload, qualifier=self.qualifier, source=self.source,
                                request_id=self.event_id)
            return
        self._record(now, ok=False, detail=f"{error.code}: {error.message}")
        if not error.retryable:
            self._fail(error, None)
            return
        if self.policy is None:  # SNS
            delay = sns_delay_ns(self.attempts)
            if delay is None:
                self._fail(error, SNS_EXHAUSTED)
                return
        else:
            if self.attempts > self.policy.maximum_retry_attempts:
                self._fail(error, MAXIMUM_RETRY_ATTEMPTS)
                return
            delay = events_delay_ns(self.attempts)
            if now + delay - self.first_ns > self.policy.maximum_event_age_in_seconds * _NS:
                self._fail(error, MAXIMUM_EVENT_AGE)
                return
        clock.call_at(now + delay, self._attempt, priority=1)

    def _fail(self, error: InvokeError, condition: str | None) -> None:
        service = self.invoker.service
        ledger = service.ledger
        now = service.world.clock.now_ns
        destinations: tuple[str, ...] = ()
        queue = self.dead_letter_queue
        if queue is not None:
            body, send_kwargs = self._dead_letter(self, error, condition)
            message_id = None
            detail = None
            try:
                message_id = queue.send(body, **send_kwargs).message_id
            except Exception as exc:  # an over-size or refused message: AWS counts it as a failed DLQ send
                detail = str(exc)
            ledger.add_delivery(Delivery(seq=ledger.next_seq(), kind="push_dlq", target=queue.arn,
                                         event_id=self.event_id, at_ns=now, condition=condition or error.code,
                                         message_id=message_id, ok=message_id is not None, detail=detail))
            if message_id is not None:
                destinations = (queue.arn,)
        ledger.settle(Fate(event_id=self.event_id, status=FateStatus.DEAD_LETTERED if destinations else
                           FateStatus.DROPPED, at_ns=now, condition=condition or error.code,
                           destinations=destinations, attempts=0))


def string_attributes(values: dict[str, str]) -> dict[str, dict[str, str]]:
    """SQS message attributes of type ``String`` in the API shape."""
    return {name: {"DataType": "String", "StringValue": value} for name, value in values.items()}
