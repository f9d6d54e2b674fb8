"""Function and invoke settings with AWS's ranges, defaults and validation wording.

Limits come from the AWS Lambda developer guide, "Lambda quotas", and the API reference of
CreateFunction / PutFunctionEventInvokeConfig. Each limit is one named constant used by both the
check and its message.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final, TypeAlias, TypedDict

from lambdachaos._errors import ConfigError

MEMORY_MIN_MB: Final = 128
MEMORY_MAX_MB: Final = 10_240
TIMEOUT_MIN_S: Final = 1
TIMEOUT_MAX_S: Final = 900
TIMEOUT_DEFAULT_S: Final = 3
EPHEMERAL_MIN_MB: Final = 512
EPHEMERAL_MAX_MB: Final = 10_240
ENVIRONMENT_MAX_BYTES: Final = 4 * 1024
SYNC_PAYLOAD_LIMIT: Final = 6_291_456
SYNC_RESPONSE_LIMIT: Final = 6_291_556  # the figure AWS's own error message states
ASYNC_PAYLOAD_LIMIT: Final = 1_048_576
ASYNC_RETRY_MIN: Final = 0
ASYNC_RETRY_MAX: Final = 2
EVENT_AGE_MIN_S: Final = 60
EVENT_AGE_MAX_S: Final = 21_600
ACCOUNT_CONCURRENCY_DEFAULT: Final = 1_000
UNRESERVED_MINIMUM: Final = 100
VCPU_FULL_AT_MB: Final = 1_769

RESERVED_ENV_NAMES: Final = frozenset(
    {
        "_HANDLER",
        "_X_AMZN_TRACE_ID",
        "AWS_DEFAULT_REGION",
        "AWS_REGION",
        "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API",
        "LAMBDA_TASK_ROOT",
        "LAMBDA_RUNTIME_DIR",
    }
)

Handler: TypeAlias = "Callable[[Any, Any], Any] | str"
"""A handler: a callable ``(event, context)`` or ``"module.function"`` (optionally with a code directory)."""


class Architecture(StrEnum):
    """Instruction set architecture (``Architectures`` in CreateFunction)."""

    X86_64 = "x86_64"
    ARM64 = "arm64"


class DurationModel(StrEnum):
    """How an invocation's virtual duration is computed."""

    DETERMINISTIC = "deterministic"
    """Base duration + virtual sleeps + injected latency: the same on every machine (default)."""
    MEASURED = "measured"
    """Adds real CPU time scaled by the vCPU share the memory setting buys (≈1 vCPU at 1,769 MB)."""


def _aws_range_error(
    *, keyword: str, aws_name: str, member: str, value: object, low: int, high: int, unit: str = ""
) -> ConfigError:
    bound = (
        f"Member must have value less than or equal to {high}"
        if isinstance(value, (int, float)) and value > high
        else f"Member must have value greater than or equal to {low}"
    )
    u = f" {unit}" if unit else ""
    return ConfigError(
        f"{keyword}={value!r} is out of range for {aws_name}: 1 validation error detected: Value '{value}' "
        f"at '{member}' failed to satisfy constraint: {bound}. Choose {low} to {high}{u}."
    )


def check_int_range(
    value: object, *, keyword: str, aws_name: str, member: str, low: int, high: int, unit: str = ""
) -> int:
    """Validate an integer setting against AWS's range, with AWS's ValidationException wording."""
    if isinstance(value, bool) or not isinstance(value, int):
        u = f" {unit}" if unit else ""
        raise ConfigError(f"{keyword}={value!r} must be an integer ({aws_name}, {low} to {high}{u})")
    if not low <= value <= high:
        raise _aws_range_error(
            keyword=keyword, aws_name=aws_name, member=member, value=value, low=low, high=high, unit=unit
        )
    return value


@dataclass(frozen=True, kw_only=True, slots=True)
class FunctionConfig:
    """The settings of one function version (CreateFunction / UpdateFunctionConfiguration).

    Fields are the snake_case of AWS's names. Validation happens on construction.
    """

    memory_size: int = MEMORY_MIN_MB
    """MemorySize in MB, 128–10,240 (default 128)."""
    timeout: float = TIMEOUT_DEFAULT_S
    """Timeout in seconds, 1–900 (default 3)."""
    ephemeral_storage: int = EPHEMERAL_MIN_MB
    """EphemeralStorage.Size in MB, 512–10,240 (default 512)."""
    environment: Mapping[str, str] = field(default_factory=dict)
    """Environment.Variables; keys and values together at most 4 KB."""
    architecture: Architecture = Architecture.X86_64
    """Architectures[0]."""
    runtime: str = "python3.12"
    """Runtime identifier, shown in ``AWS_EXECUTION_ENV``."""
    base_duration: float = 0.0
    """Virtual seconds every invocation takes before sleeps and injected latency."""
    init_duration: float = 0.0
    """Virtual seconds the init phase (module-level code) takes on a cold start."""
    duration_model: DurationModel = DurationModel.DETERMINISTIC
    """How virtual durations are computed; see :class:`DurationModel`."""
    timeout_ns: int = field(init=False, repr=False, compare=False, default=0)
    """Timeout in integer nanoseconds (derived)."""
    base_duration_ns: int = field(init=False, repr=False, compare=False, default=0)
    """``base_duration`` in integer nanoseconds (derived)."""

    def __post_init__(self) -> None:
        memory, storage = self.memory_size, self.ephemeral_storage
        if memory.__class__ is not int or not MEMORY_MIN_MB <= memory <= MEMORY_MAX_MB:  # else: valid, no call
            check_int_range(
                memory, keyword="memory_size", aws_name="MemorySize", member="memorySize",
                low=MEMORY_MIN_MB, high=MEMORY_MAX_MB, unit="MB",
            )
        if isinstance(self.timeout, bool) or not isinstance(self.timeout, (int, float)):
            raise ConfigError(f"timeout={self.timeout!r} must be a number of seconds (Timeout, 1 to 900)")
        if not TIMEOUT_MIN_S <= self.timeout <= TIMEOUT_MAX_S:
            raise _aws_range_error(
                keyword="timeout", aws_name="Timeout", member="timeout", value=self.timeout,
                low=TIMEOUT_MIN_S, high=TIMEOUT_MAX_S, unit="seconds",
            )
        if storage.__class__ is not int or not EPHEMERAL_MIN_MB <= storage <= EPHEMERAL_MAX_MB:
            check_int_range(
                storage, keyword="ephemeral_storage", aws_name="EphemeralStorage.Size",
                member="ephemeralStorage.size", low=EPHEMERAL_MIN_MB, high=EPHEMERAL_MAX_MB, unit="MB",
            )
        for key, value in self.environment.items():
            if not isinstance(key, str) or not isinstance(value, str):
                raise ConfigError(
                    f"environment[{key!r}]={value!r}: Environment.Variables keys and values must be strings"
                )
            if key in RESERVED_ENV_NAMES:
                raise ConfigError(
                    f"environment[{key!r}]: Lambda was unable to configure your environment variables because "
                    f"the environment variables you have provided contains reserved keys that are currently "
                    f"not supported for modification. Reserved keys used in this request: {key}"
                )
        size = sum(len(k.encode()) + len(v.encode()) for k, v in self.environment.items()) if self.environment else 0
        if size > ENVIRONMENT_MAX_BYTES:
            raise ConfigError(
                f"environment is {size} bytes: Lambda was unable to configure your environment variables because "
                f"the environment variables you have provided exceeded the 4KB limit. Keep keys and values "
                f"under {ENVIRONMENT_MAX_BYTES} bytes in total."
            )
        if self.architecture.__class__ is not Architecture:
            object.__setattr__(self, "architecture", Architecture(self.architecture))
        if self.duration_model.__class__ is not DurationModel:
            object.__setattr__(self, "duration_model", DurationModel(self.duration_model))
        if self.base_duration < 0 or self.init_duration < 0:
            raise ConfigError(
                f"base_duration={self.base_duration!r}, init_duration={self.init_duration!r}: durations "
                "must be zero or positive seconds"
            )
        object.__setattr__(self, "timeout_ns", round(self.timeout * 1e9))
        object.__setattr__(self, "base_duration_ns", round(self.base_duration * 1e9))

    @property
    def vcpu_share(self) -> float:
        """The share of one vCPU a single-threaded handler gets at this memory size (capped at 1)."""
        return min(1.0, self.memory_size / VCPU_FULL_AT_MB)


@dataclass(frozen=True, kw_only=True, slots=True)
class EventInvokeConfig:
    """Asynchronous invocation settings (PutFunctionEventInvokeConfig) of a function, version or alias."""

    maximum_retry_attempts: int = ASYNC_RETRY_MAX
    """MaximumRetryAttempts, 0–2 (default 2: three attempts in all)."""
    maximum_event_age_in_seconds: int = EVENT_AGE_MAX_S
    """MaximumEventAgeInSeconds, 60–21,600 (default 21,600 = 6 hours)."""
    on_success: Any = None
    """DestinationConfig.OnSuccess: a queue, topic, event bus or function (or its ARN)."""
    on_failure: Any = None
    """DestinationConfig.OnFailure: a queue, topic, event bus or function (or its ARN)."""

    def __post_init__(self) -> None:
        if isinstance(self.maximum_retry_attempts, bool) or not isinstance(self.maximum_retry_attempts, int):
            raise ConfigError(
                f"maximum_retry_attempts={self.maximum_retry_attempts!r} must be an integer "
                f"(MaximumRetryAttempts, {ASYNC_RETRY_MIN} to {ASYNC_RETRY_MAX})"
            )
        if not ASYNC_RETRY_MIN <= self.maximum_retry_attempts <= ASYNC_RETRY_MAX:
            raise ConfigError(
                f"maximum_retry_attempts={self.maximum_retry_attempts} is out of range: AWS allows "
                f"MaximumRetryAttempts {ASYNC_RETRY_MIN} to {ASYNC_RETRY_MAX} for asynchronous invocation "
                f"(1 validation error detected: Value '{self.maximum_retry_attempts}' at 'maximumRetryAttempts' "
                f"failed to satisfy constraint). Pick 0, 1 or 2."
            )
        check_int_range(
            self.maximum_event_age_in_seconds, keyword="maximum_event_age_in_seconds",
            aws_name="MaximumEventAgeInSeconds", member="maximumEventAgeInSeconds",
            low=EVENT_AGE_MIN_S, high=EVENT_AGE_MAX_S, unit="seconds",
        )


class FunctionSettings(TypedDict, total=False):
    """The keyword settings of :class:`FunctionConfig` (``Sim.function(**settings)``,
    ``Function.update_configuration(**settings)``)."""

    memory_size: int
    """``MemorySize``, 128–10,240 MB."""
    timeout: float
    """``Timeout``, 1–900 s."""
    ephemeral_storage: int
    """``EphemeralStorage.Size``, 512–10,240 MB."""
    environment: Mapping[str, str]
    """``Environment.Variables``, set before the handler's module is imported."""
    architecture: Architecture | str
    """``x86_64`` or ``arm64``."""
    runtime: str
    """A Python runtime identifier (``python3.12``...)."""
    base_duration: float
    """Virtual seconds one invocation takes besides what the handler sleeps on the virtual clock."""
    init_duration: float
    """Virtual seconds of a cold start's init phase."""
    duration_model: DurationModel | str
    """How durations are drawn (``deterministic`` or a seeded distribution)."""


class EventInvokeSettings(TypedDict, total=False):
    """The keyword settings of :class:`EventInvokeConfig` (``Function.put_event_invoke_config(**settings)``)."""

    maximum_retry_attempts: int
    maximum_event_age_in_seconds: int
    on_success: Any
    on_failure: Any
