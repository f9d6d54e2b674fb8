"""Push sources that invoke asynchronously: S3 notifications, SNS subscriptions, EventBridge rules and schedules.

Each hands its event to Lambda's asynchronous path (:class:`._async.AsyncInvoker`, docs/aws-behaviour.md §4.5), so
retries at 60 s and 180 s, event age, the DLQ and destinations all apply after acceptance. Before that,
SNS, EventBridge rules and Scheduler make the hand-off through :class:`._push_retry.PushDelivery`: when
the ``Invoke`` fails (function gone, permission missing, throttled) the service retries by its own policy
and then uses the subscription's or target's dead-letter queue. A payload over the async limit raises
``RequestEntityTooLargeException`` out of the publish/put that caused it. S3 hands events over directly.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from lambdachaos._errors import ConfigError
from lambdachaos.resources._patterns import compile_pattern
from lambdachaos.service.invoke._async import AsyncInvoker
from lambdachaos.service.push._input import renderer
from lambdachaos.service.push._retry import InvokeError, PushDelivery, RetryPolicy, string_attributes

if TYPE_CHECKING:
    from lambdachaos.resources._events import EventBus, Rule
    from lambdachaos.resources._sns import Notification, Subscription, Topic
    from lambdachaos.resources._sqs import Queue
    from lambdachaos.service.invoke._function import Function

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
"""The Unix epoch: wall-clock nanoseconds of virtual instants count from it."""


def accept(invoker: AsyncInvoker, function: Function, event: Any, *, qualifier: str | None, source: str) -> str:
    """Hand ``event`` to Lambda's asynchronous path; returns the request id (the event's ledger id).

    ``source`` (the push source's ARN) is recorded on every attempt as ``Attempt.source``.
    """
    payload = json.dumps(event, separators=(",", ":")).encode()
    return invoker.accept(function, payload, qualifier=qualifier, source=source)


# ---- SNS ------------------------------------------------------------------------------------------
def _attribute_view(note: Notification) -> dict[str, Any]:
    """Message attributes as an SNS filter policy sees them (Binary attributes are ignored, as SNS does)."""
    view: dict[str, Any] = {}
    for name, spec in note.message_attributes.items():
        data_type = spec["DataType"]
        if data_type.startswith("Binary"):
            continue
        text = spec["StringValue"]
        if data_type.startswith("Number"):
            try:
                view[name] = int(text)
            except ValueError:
                view[name] = float(text)
        elif data_type == "String.Array":
            try:
                view[name] = json.loads(text)
            except ValueError:
                view[name] = text
        else:
            view[name] = text
    return view


def _payload(event: Any) -> bytes:
    return json.dumps(event, separators=(",", ":")).encode()


def check_dead_letter_queue(queue: Queue | None, *, fifo: bool, owner: str) -> None:
    """A push DLQ is an SQS queue of the right type: FIFO for a FIFO topic, standard otherwise."""
    if queue is None:
        return
    if not hasattr(queue, "send") or not hasattr(queue, "fifo"):
        raise ConfigError(f"dead_letter_queue={queue!r}: {owner} dead-letter queue must be an SQS queue")
    if queue.fifo != fifo:
        kind = "a FIFO" if fifo else "a standard"
        raise ConfigError(f"dead_letter_queue={queue.name!r}: {owner} needs {kind} SQS queue as dead-letter queue")


def subscribe_function(
    invoker: AsyncInvoker, topic: Topic, function: Function, *, qualifier: str | None,
    filter_policy: str | Mapping[str, Any] | None, filter_policy_scope: str, dead_letter_queue: Queue | None = None,
) -> Subscription:
    """Subscribe ``function`` (protocol ``lambda``): every matching publish is one async invoke of the §7.2 event.

    ``filter_policy`` uses EventBridge pattern syntax on the message attributes (``MessageAttributes``
    scope) or on the JSON message (``MessageBody`` scope); a non-JSON message never matches a body policy.
    ``dead_letter_queue`` is the subscription's ``RedrivePolicy`` target: a message SNS cannot hand to
    Lambda (client error, or its delivery policy exhausted) arrives there as the JSON envelope SNS
    delivers to SQS subscribers.
    """
    check_dead_letter_queue(dead_letter_queue, fifo=topic.fifo, owner="an SNS subscription of this topic")
    if filter_policy_scope not in ("MessageAttributes", "MessageBody"):
        raise ConfigError(
            f"filter_policy_scope={filter_policy_scope!r}: FilterPolicyScope is 'MessageAttributes' or 'MessageBody'"
        )
    pattern = None if filter_policy is None else compile_pattern(filter_policy, dialect="eventbridge")

    def deliver(note: Notification, sub: Subscription) -> None:
        if pattern is not None:
            if filter_policy_scope == "MessageAttributes":
                view: Any = _attribute_view(note)
            else:
                try:
                    view = json.loads(note.message_for("lambda"))
                except ValueError:
                    return
            if not isinstance(view, dict) or not pattern.matches(view):
                return

        def dead_letter(push: PushDelivery, error: InvokeError, condition: str | None) -> tuple[str, dict[str, Any]]:
            if note.message_group_id is None:
                return note.envelope_text(sub.arn), {}
            return note.envelope_text(sub.arn), {
                "message_group_id": note.message_group_id,
                "message_deduplication_id": note.message_deduplication_id or note.message_id}

        push = PushDelivery(invoker, function, _payload(note.lambda_event(sub.arn)), qualifier=qualifier,
                            source=topic.arn, service="sns", policy=None, dead_letter_queue=sub.dead_letter_queue,
                            dead_letter=dead_letter)
        sub.event_ids.append(push.start())

    endpoint = function.arn if qualifier is None else f"{function.arn}:{qualifier}"
    sub = topic.subscribe(deliver, protocol="lambda", endpoint=endpoint)
    sub.dead_letter_queue = dead_letter_queue
    return sub


# ---- EventBridge rules --------------------------------------------------------------------------------
def events_dead_letter(source_attribute: str, source_arn: str, target_arn: str, body: str
                       ) -> Callable[[PushDelivery, InvokeError, str | None], tuple[str, dict[str, Any]]]:
    """The dead-letter message of an EventBridge target (``source_attribute`` ``RULE_ARN``): the event,
    with the attributes EventBridge adds (EXHAUSTED_RETRY_CONDITION only when retries ran out)."""

    def dead_letter(push: PushDelivery, error: InvokeError, condition: str | None) -> tuple[str, dict[str, Any]]:
        values = {source_attribute: source_arn, "TARGET_ARN": target_arn, "ERROR_CODE": error.events_code,
                  "ERROR_MESSAGE": error.message, "RETRY_ATTEMPTS": str(push.attempts - 1)}
        if condition is not None:
            values["EXHAUSTED_RETRY_CONDITION"] = condition
        return body, {"message_attributes": string_attributes(values)}

    return dead_letter


def add_rule(
    invoker: AsyncInvoker, bus: EventBus, name: str, function: Function, *, event_pattern: str | Mapping[str, Any],
    qualifier: str | None, retry_policy: RetryPolicy | dict[str, Any] | None = None,
    dead_letter_queue: Queue | None = None, input: str | None = None, input_path: str | None = None,
    input_transformer: Mapping[str, Any] | None = None,
) -> Rule:
    """``PutRule`` + ``PutTargets`` with the function as target: each matching event is one async invoke.

    The target's ``RetryPolicy`` and ``DeadLetterConfig`` (a standard queue) apply when the ``Invoke``
    fails; ``input``/``input_path``/``input_transformer`` shape what the function receives. The
    dead-letter message body is the matched event (decision), not the transformed input.
    """
    policy = RetryPolicy.of(retry_policy)
    check_dead_letter_queue(dead_letter_queue, fifo=False, owner="an EventBridge target")
    render = renderer(input=input, input_path=input_path, input_transformer=input_transformer)
    target_arn = function.arn if qualifier is None else f"{function.arn}:{qualifier}"

    def deliver(event: dict[str, Any], rule: Rule) -> None:
        body = json.dumps(event, separators=(",", ":"))
        push = PushDelivery(invoker, function, render(event, rule.name, rule.arn).encode(), qualifier=qualifier,
                            source=rule.arn, service="events", policy=policy, dead_letter_queue=dead_letter_queue,
                            dead_letter=events_dead_letter("RULE_ARN", rule.arn, target_arn, body))
        rule.event_ids.append(push.start())

    rule = bus.add_rule(name, event_pattern=event_pattern, targets=[deliver])
    rule.retry_policy = policy
    rule.dead_letter_queue = dead_letter_queue
    return rule
