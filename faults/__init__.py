"""lambdachaos.faults: the fault catalogue, seeded fault plans, in-process injectors, a deployable wrapper and
FIS export. Needs only the standard library (botocore and PyYAML are imported when a feature needs them).

>>> from lambdachaos.faults import FaultPlan, InvocationError, When
>>> plan = FaultPlan.of(InvocationError(prevent_execution=False), when=When(attempts=(1,)))
>>> FaultPlan.from_json(plan.to_json()) == plan
True
"""

from __future__ import annotations

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
