"""Answers of the boto3 bridge for the services the simulation owns outright: SQS, SNS, EventBridge
and Lambda (Kinesis, DynamoDB Streams and the scheduler: :mod:`lambdachaos.service.bridge._routes`).

Each function returns ``(bridge, answer)`` when a sim resource answered, or :data:`PASS` when the call
belongs to moto.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from lambdachaos.resources import _push_api as push_api
from lambdachaos.resources import _sqs_api as sqs_api
from lambdachaos.resources._errors import AWSError, NotFound, QueueDoesNotExist, UnsupportedOperation
from lambdachaos.service.bridge import _lambda_api_esm as lambda_api_esm
from lambdachaos.service.bridge import _push as bridge_push
from lambdachaos.service.bridge import _routes as routes
from lambdachaos.service.invoke._errors import ResourceNotFoundException

if TYPE_CHECKING:
    from lambdachaos.service.bridge._bridge import Bridge

def moto_active() -> bool:
    """True when a moto mock (ours or a test's own ``mock_aws``) is running in this process."""
    models = sys.modules.get("moto.core.models")
    return models is not None and getattr(models.MockAWS, "_nested_count", 0) > 0


PASS: Final = object()


def _resolve(bridges: tuple[Bridge, ...], find: Callable[[Bridge], Any]) -> tuple[Bridge, Any] | None:
    for bridge in reversed(bridges):
        found = find(bridge)
        if found is not None:
            return bridge, found
    return None


def missing(error: AWSError) -> object:
    """Unknown to the sim: moto answers when it runs; otherwise fail as AWS would, without starting moto."""
    if moto_active():
        return PASS
    raise error


def sqs(bridges: tuple[Bridge, ...], op: str, p: dict[str, Any]) -> tuple[Bridge, Any] | object:
    """SQS calls on a sim queue."""
    if op == "GetQueueUrl":
        name = p.get("QueueName", "")
        owner = p.get("QueueOwnerAWSAccountId")
        hit = _resolve(
            bridges, lambda b: b.context.find_queue(name) if owner in (None, b.world.account_id) else None
        )
        if hit is None:
            return missing(QueueDoesNotExist("The specified queue does not exist."))
        return hit[0], sqs_api.get_queue_url(hit[1], p)
    url = p.get("QueueUrl")
    if not isinstance(url, str):
        return PASS
    hit = _resolve(bridges, lambda b: b.context.find_queue(url))
    action = sqs_api.OPERATIONS.get(op)
    if hit is None:
        return missing(QueueDoesNotExist("The specified queue does not exist.")) if action else PASS
    if action is None:
        raise UnsupportedOperation(
            f"lambdachaos does not model {op} on the sim queue {hit[1].name}; configure sim queues "
            "through the "
            "sim (for example queue.configure(...)) instead of boto3"
        )
    return hit[0], action(hit[1], p)


def sns(bridges: tuple[Bridge, ...], op: str, p: dict[str, Any]) -> tuple[Bridge, Any] | object:
    """SNS calls on a sim topic."""
    if op in bridge_push.SNS_SUBSCRIPTION_OPERATIONS:
        routed = routes.sns_subscription_call(bridges, op, p)
        return PASS if routed is routes.PASS else routed
    action = push_api.SNS_OPERATIONS.get(op)
    arn = p.get("TopicArn") or p.get("TargetArn")
    if action is None or not isinstance(arn, str):
        return PASS
    hit = _resolve(bridges, lambda b: b.context.find_topic(arn))
    if hit is None:
        return missing(NotFound("Topic does not exist"))
    return hit[0], action(hit[1], p)


def _find_bus(bridges: tuple[Bridge, ...], name: str) -> tuple[Bridge, Any] | None:
    return _resolve(bridges, lambda b: b.context.find_bus(name))


def events(
    bridges: tuple[Bridge, ...], client: Any, op: str, p: dict[str, Any], passthrough: Callable[..., Any]
) -> tuple[Bridge, Any] | object:
    """EventBridge ``PutEvents`` on sim buses (entries for other buses go to moto through ``passthrough``)."""
    if op != "PutEvents" or p.get("EndpointId"):
        return PASS
    entries = list(p.get("Entries") or [])
    buses = [_find_bus(bridges, e.get("EventBusName") or "default") for e in entries]
    if not entries or not any(buses):
        return PASS
    push_api.check_put_events(entries)
    others = [e for e, hit in zip(entries, buses, strict=True) if hit is None]
    passed: list[dict[str, Any]] = []
    if others:
        if moto_active():
            response = passthrough(bridges[-1], client, op, {**p, "Entries": others})
            passed = list(response.get("Entries", []))
        else:
            passed = [push_api.missing_bus_entry(e.get("EventBusName") or "default") for e in others]
    results = []
    for entry, hit in zip(entries, buses, strict=True):
        results.append(push_api.put_entry(hit[1], entry) if hit is not None else passed.pop(0))
    failed = sum(1 for r in results if "ErrorCode" in r)
    first = next(hit for hit in buses if hit is not None)
    return first[0], {"FailedEntryCount": failed, "Entries": results}


def lambda_(bridges: tuple[Bridge, ...], op: str, p: dict[str, Any]) -> tuple[Bridge, Any] | object:
    """Lambda ``Invoke``, the recursion settings and the control plane on sim functions."""
    if op in bridge_push.RECURSION_OPERATIONS:
        routed = routes.recursion_call(bridges, op, p)
        return PASS if routed is routes.PASS else routed
    if op in lambda_api_esm.OPERATIONS:
        for bridge in reversed(bridges):
            hook = getattr(bridge.context, "lambda_api", None)
            answered = hook(op, p) if hook is not None else None
            if answered is not None:
                return bridge, answered
        name = p.get("FunctionName")
        if isinstance(name, str):
            arn = bridges[-1].world.arn("lambda", f"function:{name}")
            return missing(ResourceNotFoundException(f"Function not found: {arn}"))
        return PASS
    if op != "Invoke":
        return PASS
    payload = p.get("Payload", b"")
    if hasattr(payload, "read"):
        payload = payload.read()
    if isinstance(payload, str):
        payload = payload.encode()
    for bridge in reversed(bridges):
        result = bridge.context.invoke_function(
            function_name=p["FunctionName"],
            qualifier=p.get("Qualifier"),
            invocation_type=p.get("InvocationType", "RequestResponse"),
            payload=bytes(payload),
            client_context=p.get("ClientContext"),
            log_type=p.get("LogType"),
        )
        if result is not None:
            return bridge, result
    return PASS


