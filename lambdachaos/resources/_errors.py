"""Simulated AWS errors: what a sim resource answers where AWS would answer with an error.

These are not usage errors (those are :class:`lambdachaos.ConfigError`): a handler that sends an
oversized SQS message gets ``InvalidParameterValue`` exactly as it would from AWS, and the boto3
bridge turns each of these into a ``botocore.exceptions.ClientError`` carrying the same code,
message and HTTP status. Every class carries AWS's error code; SQS classes also carry the
JSON-protocol shape name that botocore maps to ``client.exceptions.<Name>``.
"""

from __future__ import annotations

from typing import Any, ClassVar


class AWSError(Exception):
    """Base class of every simulated AWS error.

    Attributes mirror the botocore error response: ``code`` (``Error.Code``), ``message``
    (``Error.Message``), ``http_status`` (``ResponseMetadata.HTTPStatusCode``), ``sender_fault``
    (``Error.Type`` is ``Sender`` when true, ``Receiver`` otherwise) and ``shape`` (the modelled
    exception name botocore resolves, which differs from ``code`` for some SQS errors).
    """

    code: ClassVar[str] = "InternalFailure"
    shape: ClassVar[str | None] = None
    http_status: ClassVar[int] = 400
    sender_fault: ClassVar[bool] = True

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    @property
    def error_shape(self) -> str:
        """The modelled exception name (``QueueDoesNotExist`` for SQS's ``NonExistentQueue`` code)."""
        return self.shape or self.code

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


# --- SQS (AWS page: "Amazon SQS API Reference", Common Errors and per-action errors) -------------
class QueueDoesNotExist(AWSError):
    """The queue named by a URL, name or ARN does not exist."""

    code = "AWS.SimpleQueueService.NonExistentQueue"
    shape = "QueueDoesNotExist"


class InvalidParameterValue(AWSError):
    """A request parameter is outside the range AWS accepts (SQS and SNS wording differ per call)."""

    code = "InvalidParameterValue"


class InvalidAttributeValue(AWSError):
    """A queue attribute value is outside the range AWS accepts."""

    code = "InvalidAttributeValue"


class InvalidAttributeName(AWSError):
    """A queue attribute name is not one SQS knows."""

    code = "InvalidAttributeName"


class MissingParameter(AWSError):
    """A parameter the request needs is absent (for example ``MessageGroupId`` on a FIFO queue)."""

    code = "MissingParameter"


class InvalidMessageContents(AWSError):
    """The message body contains characters outside the set SQS allows."""

    code = "InvalidMessageContents"


class ReceiptHandleIsInvalid(AWSError):
    """The receipt handle was not issued by this queue."""

    code = "ReceiptHandleIsInvalid"


class MessageNotInflight(AWSError):
    """``ChangeMessageVisibility`` on a message that is not in flight."""

    code = "AWS.SimpleQueueService.MessageNotInflight"
    shape = "MessageNotInflight"


class PurgeQueueInProgress(AWSError):
    """A second ``PurgeQueue`` within 60 seconds of the previous one."""

    code = "AWS.SimpleQueueService.PurgeQueueInProgress"
    shape = "PurgeQueueInProgress"


class EmptyBatchRequest(AWSError):
    """A batch request with no entries."""

    code = "AWS.SimpleQueueService.EmptyBatchRequest"
    shape = "EmptyBatchRequest"


class TooManyEntriesInBatchRequest(AWSError):
    """A batch request with more than 10 entries."""

    code = "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"
    shape = "TooManyEntriesInBatchRequest"


class BatchEntryIdsNotDistinct(AWSError):
    """Two entries of one batch share an ``Id``."""

    code = "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"
    shape = "BatchEntryIdsNotDistinct"


class InvalidBatchEntryId(AWSError):
    """A batch entry ``Id`` is not 1–80 characters of ``[A-Za-z0-9_-]``."""

    code = "AWS.SimpleQueueService.InvalidBatchEntryId"
    shape = "InvalidBatchEntryId"


class BatchRequestTooLong(AWSError):
    """The entries of one batch together exceed the queue's maximum message size."""

    code = "AWS.SimpleQueueService.BatchRequestTooLong"
    shape = "BatchRequestTooLong"


class UnsupportedOperation(AWSError):
    """An SQS action lambdachaos does not model on a sim queue."""

    code = "AWS.SimpleQueueService.UnsupportedOperation"
    shape = "UnsupportedOperation"


# --- SNS (AWS page: "Amazon SNS API Reference", Publish errors) ----------------------------------
class NotFound(AWSError):
    """The topic does not exist (SNS ``NotFound``, HTTP 404)."""

    code = "NotFound"
    shape = "NotFoundException"
    http_status = 404


class InvalidParameter(AWSError):
    """An SNS request parameter is invalid (SNS ``InvalidParameter``)."""

    code = "InvalidParameter"
    shape = "InvalidParameterException"


class SNSInvalidParameterValue(AWSError):
    """An SNS parameter value is invalid (SNS ``ParameterValueInvalid``, e.g. message attributes)."""

    code = "ParameterValueInvalid"
    shape = "InvalidParameterValueException"


# --- EventBridge (AWS page: "Amazon EventBridge API Reference") ------------------------------------
class ValidationException(AWSError):
    """An EventBridge request fails validation (for example more than 10 ``PutEvents`` entries)."""

    code = "ValidationException"


class InvalidEventPatternException(AWSError):
    """An EventBridge event pattern is not valid; the message starts ``Event pattern is not valid.``"""

    code = "InvalidEventPatternException"


class SNSEmptyBatchRequest(AWSError):
    """An SNS ``PublishBatch`` with no entries."""

    code = "EmptyBatchRequest"
    shape = "EmptyBatchRequestException"


class SNSTooManyEntriesInBatchRequest(AWSError):
    """An SNS ``PublishBatch`` with more than 10 entries."""

    code = "TooManyEntriesInBatchRequest"
    shape = "TooManyEntriesInBatchRequestException"


class SNSBatchEntryIdsNotDistinct(AWSError):
    """Two entries of one SNS ``PublishBatch`` share an ``Id``."""

    code = "BatchEntryIdsNotDistinct"
    shape = "BatchEntryIdsNotDistinctException"


class InvalidArgument(AWSError):
    """A ``PutEvents`` entry is missing a field or has an invalid one (entry-level ``ErrorCode``)."""

    code = "InvalidArgument"


class MalformedDetail(AWSError):
    """A ``PutEvents`` entry whose ``Detail`` is not a JSON object (entry-level ``ErrorCode``)."""

    code = "MalformedDetail"


# --- Lambda (AWS page: "AWS Lambda API Reference", Common errors; also EventBridge's unknown bus/rule) -------
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

    def __init__(self, message: str = "Rate Exceeded.", *, reason: str | None = None) -> None:
        if reason is None:
            super().__init__(message)
        else:
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


class InvalidParameterValueException(LambdaAPIError):
    """400: a Lambda API parameter is invalid (an event-source-mapping filter pattern, a setting the simulation
    refuses in AWS's or its own wording)."""

    code = "InvalidParameterValueException"
    http_status = 400
    error_kind = "User"


class ServiceException(LambdaAPIError):
    """500: the Lambda service failed."""

    sender_fault = False
