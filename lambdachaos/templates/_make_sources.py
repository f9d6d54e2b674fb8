"""Makers for the event sources and targets of a template: queues, topics, streams, tables, buses, buckets, rules."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from lambdachaos._arn import qualifier_of
from lambdachaos.templates._build import Skip

if TYPE_CHECKING:
    from lambdachaos.templates._build import Builder

_QUEUE_SETTINGS = {
    "VisibilityTimeout": "visibility_timeout", "DelaySeconds": "delay_seconds",
    "MessageRetentionPeriod": "message_retention_period", "MaximumMessageSize": "maximum_message_size",
    "ReceiveMessageWaitTimeSeconds": "receive_message_wait_time_seconds",
}
_ON_DEMAND_SHARDS = 4  # an ON_DEMAND stream starts with 4 shards


def _true(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def make_queue(b: Builder, logical: str, props: dict[str, Any]) -> tuple[Any, str]:
    """``AWS::SQS::Queue``: settings, FIFO and the redrive policy (its DLQ is made first)."""
    name = b.physical.name(logical)
    settings = {key: b.number(logical, props, aws) for aws, key in _QUEUE_SETTINGS.items() if aws in props}
    settings["content_based_deduplication"] = _true(props.get("ContentBasedDeduplication", False))
    redrive = _json(props.get("RedrivePolicy"))
    dlq = receives = None
    if redrive:
        dlq = b.target(redrive.get("deadLetterTargetArn"), "RedrivePolicy deadLetterTargetArn")
        receives = b.number(logical, {"maxReceiveCount": redrive.get("maxReceiveCount")}, "maxReceiveCount")
    for ignored in ("KmsMasterKeyId", "SqsManagedSseEnabled", "RedriveAllowPolicy", "DeduplicationScope",
                    "FifoThroughputLimit"):
        if ignored in props:
            b.note(logical, f"{ignored} is recorded, not simulated")
    queue = b.sim.sqs_queue(name, dead_letter_queue=dlq, max_receive_count=receives, **settings)
    b.register(logical, queue, queue.url, queue.arn)
    detail = f"queue {name}" + (f", DLQ {dlq.name} after {receives} receives" if dlq is not None else "")
    return queue, detail


def make_topic(b: Builder, logical: str, props: dict[str, Any]) -> tuple[Any, str]:
    """``AWS::SNS::Topic`` (inline ``Subscription`` entries are subscribed once their endpoints exist)."""
    name = b.physical.name(logical)
    topic = b.sim.sns_topic(name, content_based_deduplication=_true(props.get("ContentBasedDeduplication", False)))
    b.register(logical, topic, topic.arn)
    for i, sub in enumerate(props.get("Subscription") or []):
        b.deferred.append((logical, f"Subscription.{i}", {"TopicArn": topic.arn, **sub}))
    return topic, f"topic {name}"


def subscribe(b: Builder, logical: str, props: dict[str, Any]) -> tuple[Any, str]:
    """``AWS::SNS::Subscription`` with protocol ``lambda`` or ``sqs``: filter policy and raw delivery."""
    topic = b.target(props.get("TopicArn"), "TopicArn")
    protocol = str(props.get("Protocol", ""))
    endpoint = props.get("Endpoint")
    policy = _json(props.get("FilterPolicy"))
    scope = str(props.get("FilterPolicyScope", "MessageAttributes"))
    if protocol == "lambda":
        fn = b.target(endpoint, "Endpoint")
        qualifier = qualifier_of(str(endpoint))
        sub = b.sim.subscribe(topic, fn, qualifier=qualifier, filter_policy=policy, filter_policy_scope=scope)
        return sub, f"{topic.name} -> function {fn.name}" + (f":{qualifier}" if qualifier else "")
    if protocol == "sqs":
        queue = b.target(endpoint, "Endpoint")
        if policy:
            b.note(logical, "FilterPolicy on an sqs subscription is recorded, not simulated")
        sub = topic.subscribe_queue(queue, raw_message_delivery=_true(props.get("RawMessageDelivery", False)))
        return sub, f"{topic.name} -> queue {queue.name}"
    raise Skip(f"Protocol {protocol!r}: only lambda and sqs subscriptions are simulated")


def make_stream(b: Builder, logical: str, props: dict[str, Any]) -> tuple[Any, str]:
    """``AWS::Kinesis::Stream``: shard count (4 for ON_DEMAND) and retention."""
    name = b.physical.name(logical)
    mode = (props.get("StreamModeDetails") or {}).get("StreamMode", "PROVISIONED")
    shards = _ON_DEMAND_SHARDS if mode == "ON_DEMAND" else b.number(logical, props, "ShardCount", 1)
    stream = b.sim.kinesis_stream(name, shards=shards,
                                  retention_period_hours=b.number(logical, props, "RetentionPeriodHours", 24))
    b.register(logical, stream, stream.arn)
    return stream, f"stream {name}, {shards} shard(s)"


def make_table(b: Builder, logical: str, props: dict[str, Any]) -> tuple[Any, str]:
    """``AWS::DynamoDB::Table`` with its ``StreamSpecification``."""
    name = b.physical.name(logical)
    keys = [k["AttributeName"] for k in sorted(props.get("KeySchema") or [], key=lambda k: k.get("KeyType") != "HASH")]
    view = (props.get("StreamSpecification") or {}).get("StreamViewType")
    table = b.sim.dynamodb_table(name, key_schema=keys or ("pk",), stream_view_type=view or "NEW_AND_OLD_IMAGES")
    b.register(logical, table)
    if view is None:
        b.note(logical, "no StreamSpecification: nothing may map to its stream")
    else:
        b.by_arn[str(b.physical.get_att(logical, "StreamArn"))] = table
    return table, f"table {name}" + (f", stream {view}" if view else "")


def make_bus(b: Builder, logical: str, props: dict[str, Any]) -> tuple[Any, str]:
    """``AWS::Events::EventBus``."""
    bus = b.sim.event_bus(b.physical.name(logical))
    b.register(logical, bus)
    return bus, f"bus {bus.name}"


def make_bucket(b: Builder, logical: str, props: dict[str, Any]) -> tuple[Any, str]:
    """``AWS::S3::Bucket`` with the Lambda entries of its ``NotificationConfiguration``."""
    name = b.physical.name(logical)
    notifications = props.get("NotificationConfiguration") or {}
    targets = [_s3_target(b, str(c.get("Function"))) for c in notifications.get("LambdaConfigurations") or []]
    versioning = (props.get("VersioningConfiguration") or {}).get("Status") == "Enabled"
    bucket = b.sim.s3_bucket(name, versioning=versioning)
    b.register(logical, bucket)
    for fn, config in zip(targets, notifications.get("LambdaConfigurations") or [], strict=True):
        rules = {r.get("Name", "").lower(): r.get("Value", "")
                 for r in ((config.get("Filter") or {}).get("S3Key") or {}).get("Rules") or []}
        bucket.add_notification(fn, events=[config["Event"]], prefix=rules.get("prefix", ""),
                                suffix=rules.get("suffix", ""))
    for other in ("QueueConfigurations", "TopicConfigurations", "EventBridgeConfiguration"):
        if notifications.get(other):
            b.note(logical, f"NotificationConfiguration.{other} is recorded, not simulated")
    return bucket, f"bucket {name}, {len(targets)} Lambda notification(s)"


def _s3_target(b: Builder, arn: str) -> Any:
    """The function an S3 notification invokes; a qualified ARN (an alias) invokes that qualifier."""
    fn = b.target(arn, "LambdaConfigurations Function")
    if arn.count(":") != 7:
        return fn
    from lambdachaos.service.push._async import accept

    qualifier = qualifier_of(arn)

    def deliver(event: dict[str, Any], config: Any) -> object:
        source = event["Records"][0]["s3"]["bucket"]["arn"]
        return accept(b.sim.async_invoker, fn, event, qualifier=qualifier, source=source)

    return deliver


def _target_settings(b: Builder, target: dict[str, Any], i: int, *, schedule: bool = False) -> dict[str, Any]:
    """A rule target's ``RetryPolicy``, ``DeadLetterConfig`` (a simulated queue) and input settings, as
    :meth:`Sim.rule` / :meth:`Sim.schedule` take them (a schedule takes no ``InputPath``/``InputTransformer``)."""
    settings: dict[str, Any] = {}
    if target.get("RetryPolicy") is not None:
        settings["retry_policy"] = dict(target["RetryPolicy"])
    dlq = (target.get("DeadLetterConfig") or {}).get("Arn")
    if dlq is not None:
        settings["dead_letter_queue"] = b.target(dlq, f"Targets.{i}.DeadLetterConfig.Arn")
    if target.get("Input") is not None:
        settings["input"] = str(target["Input"])
    if not schedule:
        if target.get("InputPath") is not None:
            settings["input_path"] = str(target["InputPath"])
        if target.get("InputTransformer") is not None:
            settings["input_transformer"] = dict(target["InputTransformer"])
    elif "InputPath" in target or "InputTransformer" in target:
        raise Skip(f"Targets.{i}: InputPath/InputTransformer on a scheduled rule are not simulated")
    return settings


def make_rule(b: Builder, logical: str, props: dict[str, Any]) -> tuple[Any, str]:
    """``AWS::Events::Rule``: a pattern or a schedule, with its Lambda targets (invoked asynchronously)."""
    name = b.physical.name(logical)
    if str(props.get("State", "ENABLED")) != "ENABLED":
        raise Skip(f"State {props.get('State')}: the rule is not enabled")
    targets = props.get("Targets") or []
    functions = []
    for i, target in enumerate(targets):
        arn = str(target.get("Arn", ""))
        if ":lambda:" not in arn:
            b.note(logical, f"Targets.{i} ({arn}) is recorded, not simulated: only Lambda targets are")
            continue
        functions.append((target, b.target(arn, f"Targets.{i}.Arn")))
    if not functions:
        raise Skip("no Lambda target")
    made: list[Any] = []
    for target, fn in functions:
        arn = str(target["Arn"])
        qualifier = qualifier_of(arn)
        label = name if len(functions) == 1 else f"{name}-{target.get('Id', len(made))}"
        if "ScheduleExpression" in props:
            if b.schedule_until is None:
                raise Skip(f"ScheduleExpression {props['ScheduleExpression']}: give schedule_until=<virtual "
                           "seconds> to run schedules (they fire forever otherwise)")
            made.append(b.sim.schedule(label, str(props["ScheduleExpression"]), target=fn, until=b.schedule_until,
                                       qualifier=qualifier, **_target_settings(b, target, len(made), schedule=True)))
        else:
            bus = str(props.get("EventBusName", "default")).rsplit("/", 1)[-1]
            made.append(b.sim.rule(bus, label, event_pattern=_json(props.get("EventPattern") or {}), target=fn,
                                   qualifier=qualifier, **_target_settings(b, target, len(made))))
    what = props.get("ScheduleExpression") or "pattern"
    names = [fn.name + (f":{t['Arn'].split(':')[7]}" if str(t["Arn"]).count(":") == 7 else "") for t, fn in functions]
    return (made[0] if len(made) == 1 else made), f"{what} -> " + ", ".join(names)


def _date(value: Any, what: str) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise Skip(f"{what}={value!r} is not an ISO 8601 date-time") from None


def make_scheduler_schedule(b: Builder, logical: str, props: dict[str, Any]) -> tuple[Any, str]:
    """``AWS::Scheduler::Schedule`` (and SAM ``ScheduleV2`` events) with a Lambda target: the expression in its
    time zone, the flexible window, start and end dates, and the target's input, retry policy and DLQ."""
    if str(props.get("State", "ENABLED")) != "ENABLED":
        raise Skip(f"State {props.get('State')}: the schedule is not enabled")
    target = props.get("Target") or {}
    arn = str(target.get("Arn", ""))
    if ":lambda:" not in arn:
        raise Skip(f"Target.Arn {arn}: only Lambda targets are simulated")
    fn = b.target(arn, "Target.Arn")
    expression = str(props.get("ScheduleExpression", ""))
    end = _date(props.get("EndDate"), "EndDate")
    if b.schedule_until is None and end is None and not expression.startswith("at("):
        raise Skip(f"ScheduleExpression {expression}: give schedule_until=<virtual seconds> to run schedules "
                   "(they fire forever otherwise)")
    window = props.get("FlexibleTimeWindow") or {}
    minutes = b.number(logical, window, "MaximumWindowInMinutes") if window.get("Mode") == "FLEXIBLE" else None
    settings = _target_settings(b, target, 0, schedule=True)
    if "retry_policy" in settings:
        settings["retry_policy"] = {k: int(v) for k, v in settings["retry_policy"].items()}
    name = str(props.get("Name") or b.physical.name(logical))
    made = b.sim.schedule(
        name, expression, target=fn, until=b.schedule_until, scheduler=True,
        qualifier=qualifier_of(arn),
        timezone=str(props.get("ScheduleExpressionTimezone", "UTC")), flexible_window_minutes=minutes,
        start_date=_date(props.get("StartDate"), "StartDate"), end_date=end,
        group=str(props.get("GroupName", "default")), **settings,
    )
    return made, f"{expression} -> {fn.name}"
