"""Lambda API validation shared by the Python API and the boto3 route, with AWS's recorded wording.

Every check raises an error that is both a :class:`ConfigError` (for ``sim.*`` callers) and an AWS
error with Lambda's code and HTTP status (for boto3 callers), so a rule can never differ between
the two ways in. Where AWS's wording is not recorded, the message names the setting, the value and
the valid range.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Final

from lambdachaos._arn import Arn
from lambdachaos._errors import ConfigError
from lambdachaos.resources._errors import AWSError
from lambdachaos.service.invoke._errors import InvalidParameterValueError

FUNCTION_NAME_MAX: Final = 64
STARTING_POSITIONS: Final = ("LATEST", "AT_TIMESTAMP", "TRIM_HORIZON")
PYTHON_RUNTIMES: Final = ("python3.9", "python3.10", "python3.11", "python3.12", "python3.13", "python3.14")
DEPRECATED_RUNTIMES: Final = frozenset({"python2.7", "python3.6", "python3.7", "python3.8"})
UNSUPPORTED_DESTINATION_CONFIG: Final = "Unsupported DestinationConfig parameter for given event source mapping type."
_NAME: Final = re.compile(r"[a-zA-Z0-9_-]+")
_FUNCTION_REF: Final = re.compile(
    r"(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_]+)"
    r"(:(\$LATEST|[a-zA-Z0-9-_]+))?"
)
_DESTINATION_ARN: Final = re.compile(
    r"arn:aws[a-zA-Z-]*:(sqs|sns|lambda|events|s3):[a-z0-9-]*:\d{0,12}:[^\s]+"
)


class LambdaValidationError(AWSError, ConfigError):
    """``ValidationException`` (HTTP 400) from the Lambda API; also a :class:`ConfigError`."""

    code = "ValidationException"


def _constraint(value: object, member: str, constraint: str) -> LambdaValidationError:
    return LambdaValidationError(
        f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: {constraint}"
    )


def check_max_items(value: object, high: int) -> int | None:
    """A list call's ``MaxItems``: 1 to ``high`` (None when not given)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"MaxItems={value!r} must be an integer from 1 to {high}")
    if value < 1:
        raise _constraint(value, "maxItems", "Member must have value greater than or equal to 1")
    if value > high:
        raise _constraint(value, "maxItems", f"Member must have value less than or equal to {high}")
    return value


def check_function_name(name: object) -> str:
    """CreateFunction's ``FunctionName``: 1 to 64 of letters, digits, ``-`` and ``_``."""
    if not isinstance(name, str):
        raise ConfigError(f"name={name!r} must be a string (FunctionName, 1 to {FUNCTION_NAME_MAX} characters)")
    if not name:
        raise _constraint(name, "functionName", "Member must have length greater than or equal to 1")
    if not _NAME.fullmatch(name):
        raise _constraint(name, "functionName",
                          f"Member must satisfy regular expression pattern: {_FUNCTION_REF.pattern}")
    if len(name) > FUNCTION_NAME_MAX:
        raise _constraint(name, "functionName", f"Member must have length less than or equal to {FUNCTION_NAME_MAX}")
    return name


def check_runtime(runtime: object) -> str:
    """``Runtime``: a Python runtime Lambda still accepts for new functions."""
    if runtime in DEPRECATED_RUNTIMES:
        raise InvalidParameterValueError(
            f"The runtime parameter of {runtime} is no longer supported for creating or updating AWS Lambda "
            "functions. We recommend you use a supported runtime while creating or updating functions."
        )
    if runtime not in PYTHON_RUNTIMES:
        raise InvalidParameterValueError(
            f"runtime={runtime!r}: lambdachaos runs Python handlers; Runtime must be one of "
            f"{', '.join(PYTHON_RUNTIMES)}"
        )
    return str(runtime)


def check_starting_position(position: object, *, source_kind: str, source_arn: str, required: bool) -> None:
    """``StartingPosition`` of a Kinesis or DynamoDB mapping (``required``: the boto3 route, where it has no
    default)."""
    if position is None:
        if required:
            raise InvalidParameterValueError(
                "1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: "
                "Member must not be null."
            )
        return
    if position not in STARTING_POSITIONS:
        raise _constraint(position, "startingPosition",
                          f"Member must satisfy enum value set: [{', '.join(STARTING_POSITIONS)}]")
    if position == "AT_TIMESTAMP" and source_kind == "dynamodb":
        raise InvalidParameterValueError(f"Unsupported starting position for arn type: {source_arn}")


def check_sqs_mapping_destination(destination: object) -> None:
    """SQS mappings take no ``DestinationConfig`` (failed messages follow the queue's redrive policy)."""
    if destination is not None:
        raise InvalidParameterValueError(UNSUPPORTED_DESTINATION_CONFIG)


def arn_text(target: Any) -> str | None:
    """The ARN of a resource object or an ARN string (None for anything else)."""
    if isinstance(target, str):
        return target
    arn = getattr(target, "arn", None)
    return arn if isinstance(arn, str) else None


def check_event_invoke_settings(function_arn: str, settings: Mapping[str, Any], *, given: Iterable[str]) -> None:
    """PutFunctionEventInvokeConfig: at least one setting; destinations that exist as ARNs, never the
    function itself."""
    if not list(given):
        raise InvalidParameterValueError("You must specify at least one of error handling or destination setting.")
    for keyword in ("on_success", "on_failure"):
        target = settings.get(keyword)
        if target is None:
            continue
        arn = arn_text(target)
        if arn is None or not _DESTINATION_ARN.fullmatch(arn):
            member = "destinationConfig.onSuccess.destination" if keyword == "on_success" else \
                "destinationConfig.onFailure.destination"
            raise _constraint(arn or target, member, "Member must satisfy regular expression pattern: "
                              "an SQS queue, SNS topic, Lambda function, EventBridge bus or S3 bucket ARN "
                              f"({keyword}={target!r})")
        base = Arn.parse(arn).unqualified()
        if base == function_arn:
            raise InvalidParameterValueError("You can't specify the function as a destination for itself.")


def check_dlq_target(target: Any) -> None:
    """``DeadLetterConfig.TargetArn``: an SQS queue or SNS topic, not FIFO."""
    arn = arn_text(target)
    if arn is None or getattr(Arn.maybe(arn), "service", "") not in ("sqs", "sns"):
        raise ConfigError(f"dead_letter_queue={target!r}: DeadLetterConfig.TargetArn must be an SQS queue or SNS topic")
    if arn.endswith(".fifo"):
        raise ConfigError(f"dead_letter_queue={arn}: FIFO queues and topics are not supported as a DLQ")
