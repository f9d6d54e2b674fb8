"""lambdachaos.faults: the fault catalogue, seeded fault plans, in-process injectors, a deployable wrapper and
FIS export. Needs only the standard library (botocore and PyYAML are imported when a feature needs them).

>>> from lambdachaos.faults import FaultPlan, InvocationError, When
>>> plan = FaultPlan.of(InvocationError(prevent_execution=False), when=When(attempts=(1,)))
>>> FaultPlan.from_json(plan.to_json()) == plan
True
"""

from __future__ import annotations

import difflib as _difflib
from typing import TYPE_CHECKING as _TYPE_CHECKING

from ._catalogue import (
    BATCH_RESPONSE_SHAPES,
    FAULT_KINDS,
    ColdStart,
    Fault,
    FaultCategory,
    HandlerLatency,
    HttpIntegrationResponse,
    InitError,
    InitLatency,
    InvocationDelay,
    InvocationError,
    InvocationTimeout,
    MalformedBatchResponse,
    OutOfMemory,
    TmpFull,
)
from ._decide import DeliveryPoint, Draw, InvocationPoint, PlanRunner
from ._errors import FaultPlanError
from ._fis import FisExport, to_fis_template
from ._flow_faults import (
    AccountConcurrencyExhausted,
    BurstLimit,
    DuplicateDelivery,
    PoisonInjection,
    PushInvokeFailure,
    Reorder,
    ReservedConcurrencyChange,
)
from ._inject import injected
from ._net_faults import ERROR_STATUS, DownstreamError, EgressLoss, EgressMode
from ._outcome import DeliveryFaults, DownstreamRule, EgressPolicy, ErrorSpec, FaultFiring, InvocationFaults
from ._patching import InjectionLog
from ._plan import FaultPlan, FaultRule
from ._responses import malform_batch_response
from ._schedule import ThrottleSchedule, ThrottleWindow
from ._target import FieldMatch, Target, When

if not _TYPE_CHECKING:  # type checkers keep reporting unknown names

    def _camel(kind: str) -> str:
        return "".join(part.capitalize() for part in kind.split("-"))


    def __getattr__(name: str) -> object:
        """Names that are not here but look like a fault: say which class to import instead.

        ``from lambdachaos.faults import Timeout`` raises ``ImportError`` naming ``InvocationTimeout`` (the
        class of the ``timeout`` kind). Other unknown names raise ``AttributeError``, with a suggestion when
        one is close.
        """
        if name.startswith("__"):
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        by_kind = {_camel(kind): cls.__name__ for kind, cls in FAULT_KINDS.items()}
        by_kind.update({kind: cls.__name__ for kind, cls in FAULT_KINDS.items()})
        target = by_kind.get(name)
        if target is None:
            close = _difflib.get_close_matches(name, [*__all__, *by_kind], n=1, cutoff=0.75)
            target = by_kind.get(close[0], close[0]) if close else None
        if target is not None and target != name:
            kind = next((k for k, cls in FAULT_KINDS.items() if cls.__name__ == target), None)
            what = f"the {kind!r} fault is the class {target}" if kind else f"did you mean {target}?"
            raise ImportError(f"lambdachaos.faults has no {name!r}: {what} (from lambdachaos.faults import {target})",
                              name=__name__)
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}; fault classes: "
                             + ", ".join(sorted(cls.__name__ for cls in set(FAULT_KINDS.values()))))


__all__ = [
    "BATCH_RESPONSE_SHAPES",
    "ERROR_STATUS",
    "FAULT_KINDS",
    "AccountConcurrencyExhausted",
    "BurstLimit",
    "ColdStart",
    "DeliveryFaults",
    "DeliveryPoint",
    "DownstreamError",
    "DownstreamRule",
    "Draw",
    "DuplicateDelivery",
    "EgressLoss",
    "EgressMode",
    "EgressPolicy",
    "ErrorSpec",
    "Fault",
    "FaultCategory",
    "FaultFiring",
    "FaultPlan",
    "FaultPlanError",
    "FaultRule",
    "FieldMatch",
    "FisExport",
    "HandlerLatency",
    "HttpIntegrationResponse",
    "InitError",
    "InitLatency",
    "InjectionLog",
    "InvocationDelay",
    "InvocationError",
    "InvocationFaults",
    "InvocationPoint",
    "InvocationTimeout",
    "MalformedBatchResponse",
    "OutOfMemory",
    "PlanRunner",
    "PoisonInjection",
    "PushInvokeFailure",
    "Reorder",
    "ReservedConcurrencyChange",
    "Target",
    "ThrottleSchedule",
    "ThrottleWindow",
    "TmpFull",
    "When",
    "injected",
    "malform_batch_response",
    "to_fis_template",
]
