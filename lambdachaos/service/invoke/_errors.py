"""Simulated Lambda API errors, each carrying AWS's error code, HTTP status and fields."""

from __future__ import annotations

from typing import Any, ClassVar

from lambdachaos.resources._errors import AWSError


class LambdaAPIError(AWSError):
    """Base of the errors the simulated Lambda API returns (not usage errors of lambdachaos)."""

    code: ClassVar[str] = "ServiceException"
    http_status: ClassVar[int] = 500
    sender_fault: ClassVar[bool] = False
    error_kind: ClassVar[str] = "Service"

    def __init__(self, message: str, **fields: Any) -> None:
        super().__init__(message)
        self.fields = fields

    def response(self) -> dict[str, Any]:
        """The error as botocore parses it (``Error`` plus the extra top-level fields AWS sends)."""
        body: dict[str, Any] = {"Error": {"Code": self.code, "Message": self.message}, "Type": self.error_kind}
        body.update(self.fields)
        body["message"] = self.message
        body["ResponseMetadata"] = {"HTTPStatusCode": self.http_status}
        return body


class TooManyRequestsException(LambdaAPIError):
    """429: a throttle; ``Reason`` tells which limit (docs/aws-behaviour.md §3)."""

    code = "TooManyRequestsException"
    http_status = 429
    error_kind = "User"
    sender_fault = True

    def __init__(self, message: str = "Rate Exceeded.", *, reason: str) -> None:
        super().__init__(message, Reason=reason)
        self.reason = reason


class RequestEntityTooLargeException(LambdaAPIError):
    """413: the request payload is over the limit of its invocation type."""

    code = "RequestEntityTooLargeException"
    http_status = 413
    error_kind = "User"


class InvalidRequestContentException(LambdaAPIError):
    """400: the payload is not JSON."""

    code = "InvalidRequestContentException"
    http_status = 400
    error_kind = "User"


class ResourceNotFoundException(LambdaAPIError):
    """404: no such function, version or alias."""

    code = "ResourceNotFoundException"
    http_status = 404
    error_kind = "User"


class ResourceConflictException(LambdaAPIError):
    """409: the resource already exists."""

    code = "ResourceConflictException"
    http_status = 409
    error_kind = "User"


class InvalidParameterValue(LambdaAPIError):
    """400 ``InvalidParameterValueException``: a setting the simulation refuses (its own wording)."""

    code = "InvalidParameterValueException"
    http_status = 400
    error_kind = "User"


class ServiceException(LambdaAPIError):
    """500: the Lambda service failed."""

    sender_fault = False
