"""The fault catalogue: one frozen dataclass per fault, named with AWS FIS vocabulary where FIS has a term.

Each class states what the function sees and what Lambda does; docs/faults.md has the same table.
"""

from __future__ import annotations

import dataclasses
import difflib
import enum
from typing import Any, ClassVar, final

from ._codec import decode, encode
from ._errors import FaultPlanError, bad_value

__all__ = [
    "BATCH_RESPONSE_SHAPES",
    "FAULT_KINDS",
    "ColdStart",
    "Fault",
    "FaultCategory",
    "HandlerLatency",
    "HttpIntegrationResponse",
    "InitError",
    "InitLatency",
    "InvocationDelay",
    "InvocationError",
    "InvocationTimeout",
    "MalformedBatchResponse",
    "OutOfMemory",
    "TmpFull",
]

#: Every catalogue entry by its ``kind`` (filled as the classes are defined, in every catalogue module).
FAULT_KINDS: dict[str, type[Fault]] = {}

#: FIS ``startupDelayMilliseconds`` upper bound (15 minutes, the Lambda timeout ceiling).
MAX_DELAY_MS = 900_000
#: Lambda's maximum function timeout, seconds.
MAX_TIMEOUT_SECONDS = 900
#: Malformed partial batch responses and what Lambda does with each (docs/aws-behaviour.md §5.3 / §6.4): all are a
#: complete batch failure except ``"dict-without-key"`` which Lambda reads as complete success.
BATCH_RESPONSE_SHAPES = (
    "unknown-identifier",
    "empty-identifier",
    "null-identifier",
    "misspelled-key",
    "not-json",
    "dict-without-key",
)


class FaultCategory(enum.Enum):
    """Which decision of a plan runner reports a fault."""

    INVOCATION = "invocation"  # PlanRunner.decide, applied around one handler call
    OUTBOUND = "outbound"  # PlanRunner.decide, applied by injected() to sockets and botocore
    THROTTLE = "throttle"  # PlanRunner.throttle_schedule, applied by the service's concurrency model
    DELIVERY = "delivery"  # PlanRunner.decide_delivery, applied by the service per source message


def int_range(name: str, value: int, lo: int, hi: int, rule: str) -> None:
    """Refuse ``value`` unless it is an integer in ``lo..hi`` (the message names ``rule``)."""
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise bad_value(
            name, value, f"{rule} accepts an integer from {lo} to {hi}", f"Pick {name} in {lo}..{hi}."
        )


def float_range(name: str, value: float, lo: float, hi: float, rule: str) -> None:
    """Refuse ``value`` unless it is a number in ``lo..hi`` (the message names ``rule``)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not lo <= value <= hi:
        raise bad_value(
            name, value, f"{rule} accepts a number from {lo} to {hi}", f"Pick {name} in {lo}..{hi}."
        )


def text(name: str, value: str) -> None:
    """Refuse ``value`` unless it is a non-empty string."""
    if not isinstance(value, str) or not value:
        raise bad_value(
            name, value, "it must be a non-empty string", f"Give {name} a name such as 'Exception'."
        )


@dataclasses.dataclass(frozen=True, kw_only=True)
class Fault:
    """Base class of every catalogue entry; ``kind`` is the key used in JSON/YAML plans."""

    kind: ClassVar[str] = ""
    category: ClassVar[FaultCategory] = FaultCategory.INVOCATION

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.kind:
            FAULT_KINDS[cls.kind] = cls

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: ``{"kind": ..., <camelCase parameters>}``."""
        return {"kind": self.kind, **encode(self)}

    @staticmethod
    def from_dict(data: Any) -> Fault:
        """Build the catalogue entry named by ``data["kind"]``."""
        if not isinstance(data, dict) or "kind" not in data:
            raise FaultPlanError(f"fault must be an object with a 'kind' key, got {data!r}")
        kind = data["kind"]
        from . import _flow_faults, _net_faults  # noqa: F401  (register their kinds)

        cls = FAULT_KINDS.get(kind)
        if cls is None:
            close = difflib.get_close_matches(str(kind), FAULT_KINDS, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise FaultPlanError(
                f"fault kind={kind!r} is unknown; {hint}valid kinds are {', '.join(sorted(FAULT_KINDS))}."
            )
        params = {k: v for k, v in data.items() if k != "kind"}
        return decode(cls, params, f"fault {kind!r}")


def tupled(obj: object, *names: str) -> None:
    """Store the list-valued fields ``names`` of a frozen dataclass as tuples (a bare string is refused)."""
    for name in names:
        value = getattr(obj, name)
        if isinstance(value, str):
            raise bad_value(name, value, "it takes a list of strings", f"Write {name}=[{value!r}].")
        object.__setattr__(obj, name, tuple(value))


# ---- invocation faults ---------------------------------------------------------------------------------


@final
@dataclasses.dataclass(frozen=True, kw_only=True)
class InvocationError(Fault):
    """FIS ``aws:lambda:invocation-error``: the invocation fails with ``error_type``.

    ``prevent_execution=True``: raised before the handler, which never runs. ``False``: the handler runs
    (its side
    effects happen) and the invocation still fails. Lambda treats both as a function error (``Unhandled``).
    """

    kind: ClassVar[str] = "invocation-error"
    prevent_execution: bool = True
    error_type: str = "Exception"
    error_message: str = "Injected invocation error"

    def __post_init__(self) -> None:
        text("error_type", self.error_type)


@final
@dataclasses.dataclass(frozen=True, kw_only=True)
class InvocationDelay(Fault):
    """FIS ``aws:lambda:invocation-add-delay``: wait ``startup_delay_milliseconds`` before the handler starts.

    The delay counts toward the function timeout (the deadline is fixed when the invocation starts).
    """

    kind: ClassVar[str] = "invocation-add-delay"
    startup_delay_milliseconds: int = 1000

    def __post_init__(self) -> None:
        int_range(
            "startup_delay_milliseconds",
            self.startup_delay_milliseconds,
            0,
            MAX_DELAY_MS,
            "FIS startupDelayMilliseconds",
        )


@final
@dataclasses.dataclass(frozen=True, kw_only=True)
class HandlerLatency(Fault):
    """Latency inside the handler: ``milliseconds`` added after the handler's own work, before it returns."""

    kind: ClassVar[str] = "handler-latency"
    milliseconds: int = 1000

    def __post_init__(self) -> None:
        int_range("milliseconds", self.milliseconds, 1, MAX_DELAY_MS, "handler latency")


@final
@dataclasses.dataclass(frozen=True, kw_only=True)
class InvocationTimeout(Fault):
    """The invocation runs until its configured timeout: ``Sandbox.Timedout``, side effects so far kept.

    ``prevent_execution=True`` hangs before the handler runs (nothing happens before the timeout).
    """

    kind: ClassVar[str] = "timeout"
    prevent_execution: bool = False


@final
@dataclasses.dataclass(frozen=True, kw_only=True)
class OutOfMemory(Fault):
    """The runtime is killed for memory: ``Runtime.ExitError`` "signal: killed" (or ``Runtime.OutOfMemory``).

    ``prevent_execution=False`` kills it after the handler's work (side effects kept); ``True`` before the
    handler runs. The environment is discarded, so the next invocation is a cold start.
    """

    kind: ClassVar[str] = "out-of-memory"
    prevent_execution: bool = False
    error_type: str = "Runtime.ExitError"

    def __post_init__(self) -> None:
        if self.error_type not in ("Runtime.ExitError", "Runtime.OutOfMemory"):
            raise bad_value(
                "error_type",
                self.error_type,
                "Lambda reports OOM as 'Runtime.ExitError' (signal: killed) or 'Runtime.OutOfMemory'",
                "Use one of those two.",
            )


@final
@dataclasses.dataclass(frozen=True, kw_only=True)
class HttpIntegrationResponse(Fault):
    """FIS ``aws:lambda:invocation-http-integration-response``: answer an HTTP integration with
    ``status_code``."""

    kind: ClassVar[str] = "invocation-http-integration-response"
    status_code: int = 500
    content_type_header: str = "application/json"
    prevent_execution: bool = True

    def __post_init__(self) -> None:
        int_range("status_code", self.status_code, 100, 999, "FIS statusCode")


@final
@dataclasses.dataclass(frozen=True, kw_only=True)
class ColdStart(Fault):
    """Force a cold start: the warm environment is discarded and the init phase runs again."""

    kind: ClassVar[str] = "cold-start"


@final
@dataclasses.dataclass(frozen=True, kw_only=True)
class InitLatency(Fault):
    """Add ``milliseconds`` to the init phase of a cold start (billed init duration grows)."""

    kind: ClassVar[str] = "init-latency"
    milliseconds: int = 1000

    def __post_init__(self) -> None:
        int_range("milliseconds", self.milliseconds, 1, MAX_DELAY_MS, "init latency")


@final
@dataclasses.dataclass(frozen=True, kw_only=True)
class InitError(Fault):
    """The init phase fails on a cold start: the invocation fails with ``error_type``, handler never runs."""

    kind: ClassVar[str] = "init-error"
    error_type: str = "Runtime.ImportModuleError"
    error_message: str = "Unable to import module: injected init failure"

    def __post_init__(self) -> None:
        text("error_type", self.error_type)


@final
@dataclasses.dataclass(frozen=True, kw_only=True)
class TmpFull(Fault):
    """``/tmp`` is full: writes beyond ``free_bytes`` raise ``OSError(28, 'No space left on device')``."""

    kind: ClassVar[str] = "tmp-full"
    free_bytes: int = 0

    def __post_init__(self) -> None:
        int_range("free_bytes", self.free_bytes, 0, 10_240 * 1024 * 1024, "ephemeral storage (10,240 MB max)")


@final
@dataclasses.dataclass(frozen=True, kw_only=True)
class MalformedBatchResponse(Fault):
    """Replace the handler's partial batch response with a malformed one of ``shape`` (see
    BATCH_RESPONSE_SHAPES)."""

    kind: ClassVar[str] = "malformed-batch-response"
    shape: str = "unknown-identifier"

    def __post_init__(self) -> None:
        if self.shape not in BATCH_RESPONSE_SHAPES:
            raise bad_value(
                "shape",
                self.shape,
                f"valid shapes are {', '.join(BATCH_RESPONSE_SHAPES)}",
                "Pick one of them.",
            )
