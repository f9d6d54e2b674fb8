"""Routing of the bridge's newer services: Kinesis streams, SNS subscriptions, Lambda recursion
settings (answered by the sim), and DynamoDB/S3 writes (answered by moto, then mirrored into the sim).

Each route returns ``(bridge, response)`` when the sim answered, :data:`PASS` when the call belongs
to moto, or the moto response itself for the write hooks. Backend hooks added after the first bridge
release (``find_stream``, ``find_table``, ``find_bucket``, ``subscribe_function``,
``recursion_config``) are optional: a backend without one simply owns no such resource.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from lambdachaos.service.bridge import _dynamodb as ddb
from lambdachaos.service.bridge import _push as push
from lambdachaos.service.bridge import _scheduler as scheduler
from lambdachaos.service.bridge import _streams as kinesis

if TYPE_CHECKING:
    from lambdachaos.service.bridge._bridge import Bridge

Send = Callable[[Any, str, dict[str, Any]], Any]
"""Send one operation of a client to moto: ``send(client, operation, params)``."""

PASS: Final = object()
ROUTED_SERVICES: Final = frozenset({"kinesis", "scheduler", "kafka", "mq"})
VALIDATED: Final = frozenset({*kinesis.OPERATIONS, *push.SNS_SUBSCRIPTION_OPERATIONS, *push.RECURSION_OPERATIONS,
                              *scheduler.OPERATIONS})


def _hook(bridge: Bridge, name: str) -> Callable[..., Any] | None:
    hook: Callable[..., Any] | None = getattr(bridge.context, name, None)
    return hook


def _find(bridges: tuple[Bridge, ...], hook_name: str, key: str) -> tuple[Bridge, Any] | None:
    for bridge in reversed(bridges):
        hook = _hook(bridge, hook_name)
        found = hook(key) if hook is not None else None
        if found is not None:
            return bridge, found
    return None


def kinesis_call(bridges: tuple[Bridge, ...], op: str, p: dict[str, Any], missing: Callable[[Any], object]
                 ) -> tuple[Bridge, Any] | object:
    """Kinesis on sim streams; an unknown stream goes to moto when it runs, else ResourceNotFoundException."""
    action = kinesis.OPERATIONS.get(op)
    key = kinesis.stream_key(p)
    if action is None or key is None:
        return PASS
    hit = _find(bridges, "find_stream", key)
    if hit is None:
        return missing(kinesis.not_found(key, bridges[-1].world.account_id))
    return hit[0], action(hit[1], p)


def sns_subscription_call(bridges: tuple[Bridge, ...], op: str, p: dict[str, Any]) -> tuple[Bridge, Any] | object:
    """``Subscribe``/``Unsubscribe``/``ListSubscriptionsByTopic`` on a sim topic; PASS otherwise."""
    arn = push.subscription_topic_arn(op, p)
    if arn is None:
        return PASS
    for bridge in reversed(bridges):
        topic = bridge.context.find_topic(arn)
        if topic is not None:
            return bridge, push.sns_subscription(bridge.context, topic, op, p)
    return PASS


def recursion_call(bridges: tuple[Bridge, ...], op: str, p: dict[str, Any]) -> tuple[Bridge, Any] | object:
    """``Put/GetFunctionRecursionConfig`` on a sim function; PASS otherwise."""
    for bridge in reversed(bridges):
        result = push.recursion_config(bridge.context, op, p)
        if result is not None:
            return bridge, result
    return PASS


def scheduler_call(bridges: tuple[Bridge, ...], op: str, p: dict[str, Any]) -> tuple[Bridge, Any] | object:
    """EventBridge Scheduler calls on schedules targeting sim functions; PASS otherwise."""
    for bridge in reversed(bridges):
        result = scheduler.call(bridge.context, op, p)
        if result is not None:
            return bridge, result
    return PASS


_LOW_LEVEL_CLIENTS: dict[str, Any] = {}


def dynamodb_write(bridges: tuple[Bridge, ...], client: Any, op: str, p: dict[str, Any], send: Send) -> object:
    """A write touching a sim table: moto stores it, the sim table streams it; PASS when none is touched."""
    names = ddb.tables_of(op, p)
    if not any(_find(bridges, "find_table", name) for name in names):
        return PASS

    def find(name: str) -> Any:
        hit = _find(bridges, "find_table", name)
        return hit[1] if hit is not None else None

    region = client.meta.region_name
    plain = _LOW_LEVEL_CLIENTS.get(region)
    if plain is None:
        import botocore.session

        plain = botocore.session.get_session().create_client(
            "dynamodb", region_name=region, aws_access_key_id="testing", aws_secret_access_key="testing")
        _LOW_LEVEL_CLIENTS[region] = plain
    return ddb.write(op, p, lambda o, q: send(client, o, q), lambda o, q: send(plain, o, q), find,
                     plain_values=ddb.high_level(client))


def s3_write(bridges: tuple[Bridge, ...], client: Any, op: str, p: dict[str, Any], send: Send) -> object:
    """A write on a bucket the sim knows: moto stores it, then the sim bucket's notifications fire."""

    def call(o: str, q: dict[str, Any]) -> Any:
        return send(client, o, q)

    bucket_name = p.get("Bucket")
    hit = _find(bridges, "find_bucket", bucket_name) if isinstance(bucket_name, str) else None
    if hit is None:
        return PASS
    size = push.body_size(p.get("Body"))  # botocore turns the body into a stream it reads during the call
    push.sync_bucket(hit[1], call, client.meta.region_name)
    try:
        response = call(op, p)
    except Exception as exc:  # a sim bucket moto has not seen yet: create it there, as for DynamoDB tables
        if getattr(exc, "response", {}).get("Error", {}).get("Code") != "NoSuchBucket":
            raise
        region = client.meta.region_name
        create: dict[str, Any] = {"Bucket": bucket_name}
        if region != "us-east-1":
            create["CreateBucketConfiguration"] = {"LocationConstraint": region}
        call("CreateBucket", create)
        seek = getattr(p.get("Body"), "seek", None)
        if seek is not None:
            seek(0)
        response = call(op, p)
    notify = getattr(hit[1], "notify", None)
    if notify is None:
        return response

    def head(bucket: str, key: str) -> Any:
        return call("HeadObject", {"Bucket": bucket, "Key": key})

    for event_name, key, kwargs in push.s3_notifications(op, p, response, head, size=size):
        notify(event_name, key, **kwargs)
    return response
