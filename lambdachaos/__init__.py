"""lambdachaos: chaos testing for AWS Lambda on a deterministic virtual clock.

Public names are re-exported here and imported on first use, so ``import lambdachaos`` (and
``import lambdachaos.faults``, which ships inside deployed functions) stays cheap and needs only
the standard library.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from lambdachaos._errors import ConfigError, LambdaChaosError, LambdaChaosWarning

if TYPE_CHECKING:
    from lambdachaos._clock import Clock
    from lambdachaos._ledger import Attempt, Delivery, Fate, FateStatus, FaultRecord, Ledger, Outcome, Path
    from lambdachaos._sim import InvokeResult, Sim
    from lambdachaos.service._config import Architecture, DurationModel, EventInvokeConfig, FunctionConfig
    from lambdachaos.service._errors import (
        InvalidRequestContentException,
        LambdaAPIError,
        RequestEntityTooLargeException,
        ResourceNotFoundException,
        TooManyRequestsException,
    )
    from lambdachaos.service._function import Alias, Function, Version

_LAZY: dict[str, str] = {
    "Clock": "lambdachaos._clock",
    "Attempt": "lambdachaos._ledger",
    "Delivery": "lambdachaos._ledger",
    "Fate": "lambdachaos._ledger",
    "FateStatus": "lambdachaos._ledger",
    "FaultRecord": "lambdachaos._ledger",
    "Ledger": "lambdachaos._ledger",
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
    "Function": "lambdachaos.service._function",
    "Version": "lambdachaos.service._function",
}

__all__ = [
    "Alias",
    "Architecture",
    "Attempt",
    "Clock",
    "ConfigError",
    "Delivery",
    "DurationModel",
    "EventInvokeConfig",
    "Fate",
    "FateStatus",
    "FaultRecord",
    "Function",
    "FunctionConfig",
    "InvalidRequestContentException",
    "InvokeResult",
    "LambdaAPIError",
    "LambdaChaosError",
    "LambdaChaosWarning",
    "Ledger",
    "Outcome",
    "Path",
    "RequestEntityTooLargeException",
    "ResourceNotFoundException",
    "Sim",
    "TooManyRequestsException",
    "Version",
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
