"""Outbound fault catalogue entries: VPC egress loss and downstream AWS API errors."""

from __future__ import annotations

import dataclasses
import enum
from typing import ClassVar, final

from ._catalogue import Fault, FaultCategory, float_range, int_range, text, tupled
from ._errors import bad_value

__all__ = ["ERROR_STATUS", "GATEWAY_ENDPOINT_SERVICES", "DownstreamError", "EgressLoss", "EgressMode"]

#: VPC gateway endpoints exist for these two services only (every other service uses interface endpoints).
GATEWAY_ENDPOINT_SERVICES = ("dynamodb", "s3")


class EgressMode(enum.Enum):
    """How a connection the network would not allow fails."""

    DNS_FAILURE = "dns-failure"  # socket.gaierror(-2, 'Name or service not known')
    CONNECTION_REFUSED = "connection-refused"  # ConnectionRefusedError(111)
    CONNECTION_RESET = "connection-reset"  # ConnectionResetError(104)
    BLACKHOLE = "blackhole"  # SYN dropped: hangs until the connect timeout, then TimeoutError


# ---- outbound faults -----------------------------------------------------------------------------------


@final
@dataclasses.dataclass(frozen=True, kw_only=True)
class EgressLoss(Fault):
    """VPC egress loss: outbound connections the function's network would not allow fail in ``mode``.

    The function is attached to a VPC. Destinations stay reachable when they are private or loopback addresses
    (inside the VPC), match ``allowed_hosts``, belong to a service with a VPC endpoint (``gateway_endpoints``:
    s3/dynamodb; ``interface_endpoints``: any service), or when ``nat_gateway`` is true. ``blocked_hosts``
    always
    fail. Host patterns are ``host`` or ``host:port`` with ``*`` wildcards. ``connect_timeout_seconds``
    overrides
    the client's own connect timeout for ``blackhole`` (default: the socket's timeout, botocore's
    ``connect_timeout``, or 127 s, Linux's SYN-retry limit, for a socket without a timeout).
    """

    kind: ClassVar[str] = "egress-loss"
    category: ClassVar[FaultCategory] = FaultCategory.OUTBOUND
    mode: EgressMode = EgressMode.BLACKHOLE
    nat_gateway: bool = False
    gateway_endpoints: tuple[str, ...] = ()
    interface_endpoints: tuple[str, ...] = ()
    allowed_hosts: tuple[str, ...] = ()
    blocked_hosts: tuple[str, ...] = ()
    connect_timeout_seconds: float | None = None

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "mode", EgressMode(self.mode))
        except ValueError:
            valid = ", ".join(m.value for m in EgressMode)
            raise bad_value("mode", self.mode, f"valid modes are {valid}", "Pick one of them.") from None
        tupled(self, "gateway_endpoints", "interface_endpoints", "allowed_hosts", "blocked_hosts")
        for svc in self.gateway_endpoints:
            if svc not in GATEWAY_ENDPOINT_SERVICES:
                raise bad_value(
                    "gateway_endpoints",
                    self.gateway_endpoints,
                    "AWS offers gateway endpoints for s3 and dynamodb only",
                    f"Move {svc!r} to interface_endpoints.",
                )
        if self.connect_timeout_seconds is not None:
            float_range("connect_timeout_seconds", self.connect_timeout_seconds, 0, 3600, "a connect timeout")


#: Default HTTP status of well-known AWS error codes (the service model's status wins when it has one).
ERROR_STATUS: dict[str, int] = {
    "ThrottlingException": 400,
    "Throttling": 400,
    "ProvisionedThroughputExceededException": 400,
    "RequestLimitExceeded": 503,
    "TooManyRequestsException": 429,
    "SlowDown": 503,
    "InternalServerError": 500,
    "InternalFailure": 500,
    "InternalError": 500,
    "ServiceUnavailable": 503,
    "ServiceUnavailableException": 503,
    "AccessDenied": 403,
    "AccessDeniedException": 400,
    "KMSInvalidStateException": 409,
    "KMSAccessDeniedException": 400,
    "KMSThrottlingException": 400,
    "KMSDisabledException": 400,
    "KMSNotFoundException": 400,
    "KMSInvalidSignatureException": 400,
    "RequestTimeout": 400,
    "LimitExceededException": 400,
}


@final
@dataclasses.dataclass(frozen=True, kw_only=True)
class DownstreamError(Fault):
    """An AWS API call made by the handler gets an error response; botocore's own retry mode plays out.

    The target's ``outbound_service`` / ``outbound_operation`` / ``outbound_host`` choose the calls.
    ``failures``
    limits the failing HTTP attempts per invocation (None: every attempt fails) so a throttle can clear after
    the SDK retried. ``http_status`` defaults to the service model's status for the code, else ERROR_STATUS.
    """

    kind: ClassVar[str] = "downstream-error"
    category: ClassVar[FaultCategory] = FaultCategory.OUTBOUND
    error_code: str = "ThrottlingException"
    error_message: str = "Rate exceeded"
    http_status: int | None = None
    failures: int | None = None

    def __post_init__(self) -> None:
        text("error_code", self.error_code)
        if self.http_status is not None:
            int_range("http_status", self.http_status, 300, 599, "an AWS error response status")
        if self.failures is not None:
            int_range("failures", self.failures, 1, 10_000, "failing attempts per invocation")
