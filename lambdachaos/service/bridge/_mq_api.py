"""The Amazon MQ control plane over sim brokers, for the boto3 bridge: ``ListBrokers`` and ``DescribeBroker``.

Responses are botocore-parsed shapes (``Created`` as a datetime). AWS page: "Amazon MQ REST API Reference".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from lambdachaos.resources._errors import AWSError

if TYPE_CHECKING:
    from lambdachaos.resources._mq import MqBroker

Params = Mapping[str, Any]
Response = dict[str, Any]
ENGINE_VERSIONS: Final = {"activemq": "5.18", "rabbitmq": "3.13"}


class MqNotFound(AWSError):
    """The broker does not exist."""

    code = "NotFoundException"
    http_status = 404


def _brokers(registry: Any) -> list[MqBroker]:
    return list(registry.all("mq_brokers").values())


def _summary(broker: MqBroker) -> Response:
    return {"BrokerArn": broker.arn, "BrokerId": broker.broker_id, "BrokerName": broker.name,
            "BrokerState": "RUNNING", "Created": datetime.fromtimestamp(broker.world.epoch_ns / 1e9, tz=UTC),
            "DeploymentMode": "SINGLE_INSTANCE", "EngineType": broker.engine.upper(),
            "HostInstanceType": "mq.m5.large"}


def list_brokers(registry: Any, p: Params) -> Response:
    """``ListBrokers``."""
    return {"BrokerSummaries": [_summary(b) for b in _brokers(registry)]}


def describe_broker(registry: Any, p: Params) -> Response:
    """``DescribeBroker`` by ``BrokerId`` (the broker's id or its name, as AWS accepts both)."""
    key = p.get("BrokerId")
    for broker in _brokers(registry):
        if key in (broker.broker_id, broker.name):
            host = f"{broker.broker_id}-1.mq.{broker.world.region}.amazonaws.com"
            endpoints = ([f"ssl://{host}:61617", f"amqp+ssl://{host}:5671", f"stomp+ssl://{host}:61614",
                          f"mqtt+ssl://{host}:8883", f"wss://{host}:61619"] if broker.engine == "activemq"
                         else [f"amqps://{host}:5671"])
            out = _summary(broker)
            out.update({"AutoMinorVersionUpgrade": True, "BrokerInstances": [
                {"ConsoleURL": f"https://{host}:{8162 if broker.engine == 'activemq' else 443}",
                 "Endpoints": endpoints}],
                "EngineVersion": ENGINE_VERSIONS[broker.engine], "PubliclyAccessible": False, "Tags": {}})
            return out
    raise MqNotFound(f"Can't find requested broker [{key}]. Make sure your broker exists.")


OPERATIONS: Final[dict[str, Callable[[Any, Params], Response]]] = {
    "ListBrokers": list_brokers, "DescribeBroker": describe_broker,
}
