"""The simulated Lambda API errors, re-exported from :mod:`lambdachaos.resources._errors`, where every simulated
AWS error class is defined once."""

from __future__ import annotations

from lambdachaos._errors import ConfigError
from lambdachaos.resources._errors import (
    InvalidParameterValueException,
    InvalidRequestContentException,
    LambdaAPIError,
    RequestEntityTooLargeException,
    ResourceConflictException,
    ResourceNotFoundException,
    ServiceException,
    TooManyRequestsException,
)

InvalidParameterValue = InvalidParameterValueException
"""The Lambda API's ``InvalidParameterValueException`` (the name the control plane uses)."""


class InvalidParameterValueError(InvalidParameterValueException, ConfigError):
    """``InvalidParameterValueException`` raised where a Python API call configures the simulation: also a
    :class:`lambdachaos.ConfigError`, so usage errors can be caught as one kind."""

__all__ = [
    "InvalidParameterValue",
    "InvalidParameterValueError",
    "InvalidParameterValueException",
    "InvalidRequestContentException",
    "LambdaAPIError",
    "RequestEntityTooLargeException",
    "ResourceConflictException",
    "ResourceNotFoundException",
    "ServiceException",
    "TooManyRequestsException",
]
