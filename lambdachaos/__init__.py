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
    from lambdachaos._ledger import Attempt, Delivery, Fate, FateStatus, FaultRecord, Ledger, Outcome, Path
    from lambdachaos._ledger_store import LedgerModeError
    from lambdachaos._sim import InvokeResult, Sim
    from lambdachaos._sweep import Sweep, sweep
    from lambdachaos.resources._dynamodb_streams import DynamoDBTable
    from lambdachaos.resources._events import EventBus
    from lambdachaos.resources._kinesis import KinesisStream
    from lambdachaos.resources._s3 import Bucket
    from lambdachaos.resources._sns import Topic
    from lambdachaos.resources._sqs import Queue
    from lambdachaos.service._config import Architecture, DurationModel, EventInvokeConfig, FunctionConfig
    from lambdachaos.service._errors import (
        InvalidRequestContentException,
        LambdaAPIError,
        RequestEntityTooLargeException,
        ResourceNotFoundException,
        TooManyRequestsException,
    )
    from lambdachaos.service._esm_common import VisibilityTimeoutWarning
    from lambdachaos.service._esm_sqs import SqsEventSourceMapping
    from lambdachaos.service._esm_stream import StreamEventSourceMapping
    from lambdachaos.service._function import Alias, Function, Version
    from lambdachaos.service._push_http import HttpResponse
    from lambdachaos.service._push_scheduler import Schedule

_LAZY: dict[str, str] = {
    "Clock": "lambdachaos._clock",
    "Attempt": "lambdachaos._ledger",
    "Delivery": "lambdachaos._ledger",
    "Fate": "lambdachaos._ledger",
    "FateStatus": "lambdachaos._ledger",
    "FaultRecord": "lambdachaos._ledger",
    "Ledger": "lambdachaos._ledger",
    "LedgerModeError": "lambdachaos._ledger_store",
    "Outcome": "lambdachaos._ledger",
    "Path": "lambdachaos._ledger",
    "InvokeResult": "lambdachaos._sim",
    "Sim": "lambdachaos._sim",
    "Architecture": "lambdachaos.service._config",
    "DurationModel": "lambdachaos.service._config",
    "EventInvokeConfig": "lambdachaos.service._config",
    "FunctionConfig": "lambdachaos.service._config",
    "InvalidRequestContentException": "lambdachaos.service._errors",
    "LambdaAPIError": "lambdachaos.service._errors",
    "RequestEntityTooLargeException": "lambdachaos.service._errors",
    "ResourceNotFoundException": "lambdachaos.service._errors",
    "TooManyRequestsException": "lambdachaos.service._errors",
    "Alias": "lambdachaos.service._function",
    "SqsEventSourceMapping": "lambdachaos.service._esm_sqs",
    "StreamEventSourceMapping": "lambdachaos.service._esm_stream",
    "KinesisStream": "lambdachaos.resources._kinesis",
    "DynamoDBTable": "lambdachaos.resources._dynamodb_streams",
    "Queue": "lambdachaos.resources._sqs",
    "Topic": "lambdachaos.resources._sns",
    "EventBus": "lambdachaos.resources._events",
    "VisibilityTimeoutWarning": "lambdachaos.service._esm_common",
    "Bucket": "lambdachaos.resources._s3",
    "Schedule": "lambdachaos.service._push_scheduler",
    "HttpResponse": "lambdachaos.service._push_http",
    "Function": "lambdachaos.service._function",
    "Version": "lambdachaos.service._function",
    "sweep": "lambdachaos._sweep",
    "Sweep": "lambdachaos._sweep",
}

__all__ = [
    "Alias",
    "Architecture",
    "Attempt",
    "Bucket",
    "Clock",
    "ConfigError",
    "Delivery",
    "DurationModel",
    "DynamoDBTable",
    "EventBus",
    "EventInvokeConfig",
    "Fate",
    "FateStatus",
    "FaultRecord",
    "Function",
    "FunctionConfig",
    "HandlerNotStoppable",
    "HttpResponse",
    "InvalidRequestContentException",
    "InvokeResult",
    "KinesisStream",
    "LambdaAPIError",
    "LambdaChaosError",
    "LambdaChaosWarning",
    "Ledger",
    "LedgerModeError",
    "MachineDependentOutcome",
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
    "VisibilityTimeoutWarning",
    "sweep",
]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'lambdachaos' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
