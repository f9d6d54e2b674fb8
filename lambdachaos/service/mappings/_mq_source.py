"""The source table's row for Amazon MQ (ActiveMQ and RabbitMQ; one row, the broker's engine says which).

A mapping reads one queue (``Queues`` holds exactly one), so the mapped resource is the broker's queue:
``sim.map(broker.queue("orders"), fn, ...)``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

from lambdachaos.service.mappings._common import check_poller_timeout
from lambdachaos.service.mappings._table import DeliveryOps, MapRequest, PollSource, Record, ScenarioOps

MQ_SETTINGS: Final[Mapping[str, object]] = {
    "batch_size": None, "maximum_batching_window_in_seconds": None, "filter_criteria": None,
}
MQ_HINT: Final = {
    "on_failure": "Amazon MQ mappings have no destinations (Unsupported DestinationConfig parameter for given event "
                  "source mapping type.): failed messages go to the broker's dead-letter queue",
    "": "Amazon MQ mappings retry the whole batch; the broker's redelivery policy and dead-letter queue decide the "
        "rest",
}
LOCALSTACK_REFUSAL: Final = ("LocalStack's community edition has no Amazon MQ event source poller; run this "
                             "scenario on the simulator")


def _types() -> tuple[type, ...]:
    from lambdachaos.resources._mq import BrokerQueue

    return (BrokerQueue,)


def _create(request: MapRequest) -> Any:
    from lambdachaos.service.mappings._mq import MqEventSourceMapping, MqMappingConfig
    check_poller_timeout(request.function, "Amazon MQ")

    s = dict(request.settings)
    if s["batch_size"] is None:
        s["batch_size"] = 100
    return MqEventSourceMapping(request.service, request.resource, request.function,  # type: ignore[arg-type]
                                MqMappingConfig(enabled=request.enabled, **s), qualifier=request.qualifier)


def records_of(event: Record) -> list[Record] | None:
    """ActiveMQ ``messages``, or every list of RabbitMQ's ``rmqMessagesByQueue`` in key order."""
    source = event.get("eventSource") if isinstance(event, dict) else None
    if source == "aws:mq":
        messages = event.get("messages")
        return [m for m in messages if isinstance(m, dict)] if isinstance(messages, list) else None
    if source == "aws:rmq":
        grouped = event.get("rmqMessagesByQueue")
        if isinstance(grouped, dict):
            return [m for ms in grouped.values() if isinstance(ms, list) for m in ms if isinstance(m, dict)]
    return None


def record_id(record: Record) -> str | None:
    """ActiveMQ ``messageID``; RabbitMQ ``basicProperties.messageId``."""
    value = record.get("messageID")
    if value is None:
        props = record.get("basicProperties")
        value = props.get("messageId") if isinstance(props, dict) else None
    return value if isinstance(value, str) else None


def _order_keys(queue: Any) -> Mapping[str, str]:
    return {m.event_id: queue.key for m in queue.history}


def _identity(message: Any) -> tuple[str, str]:
    return message.event_id, message.data.decode("utf-8", "replace")


def _duplicate(queue: Any, message: Any) -> str:
    copy = queue._store(message.data, message.properties, message.message_type, message.correlation_id,
                        message.priority, None)
    return str(copy.event_id)


def _poison(queue: Any, after: Any, body: bytes) -> str:
    return str(queue._store(body, None, "jms/bytes-message", None, 4, None).event_id)


def _send_queue(queue: Any, payload: Any, key: str | None) -> list[str]:
    """One scenario traffic item: a message sent to the queue (text payloads as is, others as JSON)."""
    value = payload if isinstance(payload, str | bytes) else json.dumps(payload, separators=(",", ":"))
    return [str(queue.send(value).event_id)]


def _scenario_queue(sim: Any, name: str, spec: dict[str, Any]) -> object:
    broker_name = spec.pop("broker", "broker")
    engine = spec.pop("engine", "activemq")
    broker = sim.registry.get("mq_brokers", broker_name) or sim.mq_broker(broker_name, engine=engine)
    return broker.queue(name, **spec)


def _replay(resource: Any, event: Mapping[str, Any]) -> list[str]:
    from lambdachaos.service.mappings._mq import send_recorded

    return send_recorded(resource, dict(event))


MQ_SOURCE: Final = PollSource(
    name="mq", title="Amazon MQ", event_source="aws:mq", resource_kind="mq_queues", resource_types=_types,
    settings=MQ_SETTINGS, refused_hint=MQ_HINT, create=_create, records_of=records_of, record_id=record_id,
    order_key="queue", order_keys=_order_keys,
    event_source_arn=lambda queue: str(getattr(queue, "arn", "")),
    delivery=DeliveryOps(identity=_identity, duplicate=_duplicate, duplicate_note=None, reorder_note=None,
                         poison=_poison, label="Amazon MQ", notify=lambda queue: queue._notify()),
    replay=_replay,
    scenario=ScenarioOps(
        key="mq_queues", reference="mq_queue",
        schema={"type": "object", "additionalProperties": False, "properties": {
            "broker": {"type": "string", "description": "the broker's name (created on first use)"},
            "engine": {"enum": ["activemq", "rabbitmq"], "x-aws": "EngineType"},
            "vhost": {"type": "string", "description": "RabbitMQ virtual host"},
            "delivery_limit": {"type": "integer", "minimum": 1, "x-aws": "x-delivery-limit"}}},
        create=_scenario_queue, send=_send_queue,
    ),
    localstack=LOCALSTACK_REFUSAL,
)
