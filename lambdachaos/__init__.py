"""lambdachaos: chaos testing for AWS Lambda on a deterministic virtual clock.

Public names are re-exported here and imported on first use, so ``import lambdachaos`` (and
``import lambdachaos.faults``, which ships inside deployed functions) stays cheap and needs only
the standard library.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from lambdachaos._errors import (
    ConfigError,
    HandlerNotStoppable,
    LambdaChaosError,
    LambdaChaosWarning,
    MachineDependentOutcome,
)

if TYPE_CHECKING:
    from lambdachaos._clock import Clock
    from lambdachaos._protocols import Handler, LambdaContext, VirtualClock
    from lambdachaos._sim import InvokeResult, Sim
    from lambdachaos._sweep import Sweep, sweep
    from lambdachaos.ledger._ledger import Attempt, Delivery, Fate, FateStatus, FaultRecord, Ledger, Outcome, Path
    from lambdachaos.ledger._store import LedgerModeError
    from lambdachaos.resources._docdb import Collection, DocDbCluster
    from lambdachaos.resources._dynamodb_streams import DynamoDBTable
    from lambdachaos.resources._errors import AWSError
    from lambdachaos.resources._events import EventBus
    from lambdachaos.resources._kafka import KafkaCluster, KafkaTopic
    from lambdachaos.resources._kinesis import KinesisStream
    from lambdachaos.resources._mq import BrokerQueue, MqBroker
    from lambdachaos.resources._s3 import Bucket
    from lambdachaos.resources._sns import Topic
    from lambdachaos.resources._sqs import Queue
    from lambdachaos.service.invoke._config import Architecture, DurationModel, EventInvokeConfig, FunctionConfig
    from lambdachaos.service.invoke._errors import (
        InvalidRequestContentException,
        LambdaAPIError,
        RequestEntityTooLargeException,
        ResourceNotFoundException,
        TooManyRequestsException,
    )
    from lambdachaos.service.invoke._function import Alias, Function, Version
    from lambdachaos.service.mappings._common import VisibilityTimeoutWarning
    from lambdachaos.service.mappings._docdb import DocDbEventSourceMapping
    from lambdachaos.service.mappings._kafka import KafkaEventSourceMapping
    from lambdachaos.service.mappings._mq import MqEventSourceMapping
    from lambdachaos.service.mappings._sqs import SqsEventSourceMapping
    from lambdachaos.service.mappings._stream import StreamEventSourceMapping
    from lambdachaos.service.push._http import HttpResponse
    from lambdachaos.service.push._scheduler import Schedule

_LAZY: dict[str, str] = {
    "Clock": "lambdachaos._clock",
    "AWSError": "lambdachaos.resources._errors",
    "Handler": "lambdachaos._protocols",
    "LambdaContext": "lambdachaos._protocols",
    "VirtualClock": "lambdachaos._protocols",
    "Attempt": "lambdachaos.ledger._ledger",
    "Delivery": "lambdachaos.ledger._ledger",
    "Fate": "lambdachaos.ledger._ledger",
    "FateStatus": "lambdachaos.ledger._ledger",
    "FaultRecord": "lambdachaos.ledger._ledger",
    "Ledger": "lambdachaos.ledger._ledger",
    "LedgerModeError": "lambdachaos.ledger._store",
    "Outcome": "lambdachaos.ledger._ledger",
    "Path": "lambdachaos.ledger._ledger",
    "InvokeResult": "lambdachaos._sim",
    "Sim": "lambdachaos._sim",
    "Architecture": "lambdachaos.service.invoke._config",
    "DurationModel": "lambdachaos.service.invoke._config",
    "EventInvokeConfig": "lambdachaos.service.invoke._config",
    "FunctionConfig": "lambdachaos.service.invoke._config",
    "InvalidRequestContentException": "lambdachaos.service.invoke._errors",
    "LambdaAPIError": "lambdachaos.service.invoke._errors",
    "RequestEntityTooLargeException": "lambdachaos.service.invoke._errors",
    "ResourceNotFoundException": "lambdachaos.service.invoke._errors",
    "TooManyRequestsException": "lambdachaos.service.invoke._errors",
    "Alias": "lambdachaos.service.invoke._function",
    "SqsEventSourceMapping": "lambdachaos.service.mappings._sqs",
    "StreamEventSourceMapping": "lambdachaos.service.mappings._stream",
    "KinesisStream": "lambdachaos.resources._kinesis",
    "KafkaCluster": "lambdachaos.resources._kafka",
    "KafkaTopic": "lambdachaos.resources._kafka",
    "MqBroker": "lambdachaos.resources._mq",
    "BrokerQueue": "lambdachaos.resources._mq",
    "DocDbCluster": "lambdachaos.resources._docdb",
    "Collection": "lambdachaos.resources._docdb",
    "KafkaEventSourceMapping": "lambdachaos.service.mappings._kafka",
    "MqEventSourceMapping": "lambdachaos.service.mappings._mq",
    "DocDbEventSourceMapping": "lambdachaos.service.mappings._docdb",
    "DynamoDBTable": "lambdachaos.resources._dynamodb_streams",
    "Queue": "lambdachaos.resources._sqs",
    "Topic": "lambdachaos.resources._sns",
    "EventBus": "lambdachaos.resources._events",
    "VisibilityTimeoutWarning": "lambdachaos.service.mappings._common",
    "Bucket": "lambdachaos.resources._s3",
    "Schedule": "lambdachaos.service.push._scheduler",
    "HttpResponse": "lambdachaos.service.push._http",
    "Function": "lambdachaos.service.invoke._function",
    "Version": "lambdachaos.service.invoke._function",
    "sweep": "lambdachaos._sweep",
    "Sweep": "lambdachaos._sweep",
}

__all__ = [
    "AWSError",
    "Alias",
    "Architecture",
    "Attempt",
    "BrokerQueue",
    "Bucket",
    "Clock",
    "Collection",
    "ConfigError",
    "Delivery",
    "DocDbCluster",
    "DocDbEventSourceMapping",
    "DurationModel",
    "DynamoDBTable",
    "EventBus",
    "EventInvokeConfig",
    "Fate",
    "FateStatus",
    "FaultRecord",
    "Function",
    "FunctionConfig",
    "Handler",
    "HandlerNotStoppable",
    "HttpResponse",
    "InvalidRequestContentException",
    "InvokeResult",
    "KafkaCluster",
    "KafkaEventSourceMapping",
    "KafkaTopic",
    "KinesisStream",
    "LambdaAPIError",
    "LambdaChaosError",
    "LambdaChaosWarning",
    "LambdaContext",
    "Ledger",
    "LedgerModeError",
    "MachineDependentOutcome",
    "MqBroker",
    "MqEventSourceMapping",
    "Outcome",
    "Path",
    "Queue",
    "RequestEntityTooLargeException",
    "ResourceNotFoundException",
    "Schedule",
    "Sim",
    "SqsEventSourceMapping",
    "StreamEventSourceMapping",
    "Sweep",
    "TooManyRequestsException",
    "Topic",
    "Version",
    "VirtualClock",
    "VisibilityTimeoutWarning",
    "sweep",
]
__version__: str  # from the installed distribution, on first use (lambdachaos._version)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name) or ("lambdachaos._version" if name == "__version__" else None)
    if module is None:
        raise AttributeError(f"module 'lambdachaos' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
