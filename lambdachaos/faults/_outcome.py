"""What a plan decided: frozen summaries the simulated service applies and writes to its ledger."""

from __future__ import annotations

import dataclasses
import fnmatch
import ipaddress
import re
from typing import Any, final

from ._net_faults import EgressMode
from ._target import Target

__all__ = [
    "DeliveryFaults",
    "DownstreamRule",
    "EgressPolicy",
    "ErrorSpec",
    "FaultFiring",
    "InvocationFaults",
    "service_from_host",
]


@final
@dataclasses.dataclass(frozen=True, kw_only=True)
class FaultFiring:
    """One firing of one rule, as the ledger records it (``to_dict`` is JSON-ready with a stable key order).

    ``time`` is virtual seconds; ``records`` the source ids of the records involved; ``effect`` says what the
    fault caused, in words; ``detail`` carries machine-readable specifics (host, error code, delay, ...).
    """

    rule_id: str
    kind: str
    function_name: str | None
    qualifier: str | None
    event_source: str | None
    attempt: int | None
    time: float
    records: tuple[str, ...] = ()
    effect: str = ""
    detail: tuple[tuple[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """``{"rule_id", "kind", "function_name", "qualifier", "event_source", "attempt", "time", "records",
        "effect", "detail"}`` in that order."""
        return {
            "rule_id": self.rule_id,
            "kind": self.kind,
            "function_name": self.function_name,
            "qualifier": self.qualifier,
            "event_source": self.event_source,
            "attempt": self.attempt,
            "time": self.time,
            "records": list(self.records),
            "effect": self.effect,
            "detail": dict(self.detail),
        }


@final
@dataclasses.dataclass(frozen=True, kw_only=True)
class ErrorSpec:
    """An error the invocation ends with: ``errorType`` and ``errorMessage`` of the AWS error payload."""

    error_type: str
    error_message: str
    platform: bool = False  # True for Runtime.* / Sandbox.* errors the platform reports (no stack trace)

    def exception(self) -> BaseException:
        """An exception instance whose class name is ``error_type`` (what a Python runtime would report)."""
        cls = type(self.error_type, (Exception,), {"__module__": "lambdachaos.faults.injected"})
        exc: BaseException = cls(self.error_message)
        return exc

    def error_payload(self, request_id: str) -> dict[str, Any]:
        """The response body of the failed invocation, docs/aws-behaviour.md §2.2 shape."""
        if self.platform:
            return {
                "errorType": self.error_type,
                "errorMessage": f"RequestId: {request_id} Error: {self.error_message}",
            }
        return {
            "errorMessage": self.error_message,
            "errorType": self.error_type,
            "requestId": request_id,
            "stackTrace": [],
        }


_AWS_HOST = re.compile(r"^(?P<labels>.+)\.amazonaws\.com(\.cn)?$")


def service_from_host(host: str) -> str | None:
    """The AWS service an endpoint host name belongs to (``sqs.eu-west-1.amazonaws.com`` -> ``sqs``)."""
    m = _AWS_HOST.match(host.lower().rstrip("."))
    if not m:
        return None
    labels = m.group("labels").split(".")
    for label in labels:
        if label == "s3" or label.startswith("s3-"):
            return "s3"
    first = labels[0]
    return first[: -len("-fips")] if first.endswith("-fips") else first


def _in_vpc(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        addr = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return addr.is_private or addr.is_loopback


def _host_matches(host: str, port: int | None, patterns: tuple[str, ...]) -> bool:
    candidates = [host.lower()] + ([f"{host.lower()}:{port}"] if port is not None else [])
    return any(fnmatch.fnmatchcase(c, p.lower()) for p in patterns for c in candidates)


@final
@dataclasses.dataclass(frozen=True, kw_only=True)
class EgressPolicy:
    """The network the function's VPC allows, decided from an :class:`~lambdachaos.faults.EgressLoss` rule."""

    rule_id: str
    mode: EgressMode
    nat_gateway: bool
    gateway_endpoints: tuple[str, ...]
    interface_endpoints: tuple[str, ...]
    allowed_hosts: tuple[str, ...]
    blocked_hosts: tuple[str, ...]
    connect_timeout_seconds: float | None
    target: Target

    def blocks(
        self, host: str, port: int | None = None, service: str | None = None, operation: str | None = None
    ) -> bool:
        """Whether a connection to ``host[:port]`` (an AWS ``service`` call when known) fails under this
        policy."""
        service = service or service_from_host(host)
        if _host_matches(host, port, self.blocked_hosts):
            return True
        if not self.target.matches_outbound(host, port, service, operation):
            return False
        if _host_matches(host, port, self.allowed_hosts) or _in_vpc(host):
            return False
        if service is not None and (service in self.gateway_endpoints or service in self.interface_endpoints):
            return False
        return not self.nat_gateway


@final
@dataclasses.dataclass(frozen=True, kw_only=True)
class DownstreamRule:
    """An AWS API error armed for this invocation: calls matching ``target`` get ``error_code``."""

    rule_id: str
    error_code: str
    error_message: str
    http_status: int | None
    failures: int | None
    target: Target

    def matches(self, host: str | None, service: str | None, operation: str | None) -> bool:
        """Whether a botocore call to ``service.operation`` at ``host`` is affected."""
        return self.target.matches_outbound(host, None, service, operation)


@final
@dataclasses.dataclass(frozen=True, kw_only=True)
class InvocationFaults:
    """Everything a plan decided for one invocation attempt. The service applies it in this order:

    1. ``force_cold_start``: discard the warm environment; ``cold_start`` is the effective flag.
    2. cold start only: ``init_delay_ms`` added to the init phase, then ``init_error`` fails the invocation.
    3. ``startup_delay_ms`` (FIS startupDelayMilliseconds) on the invocation's virtual clock (counts toward
    the
       timeout).
    4. ``prevent_execution`` (error, handler never runs), or ``timeout_before_handler`` /
    ``oom_before_handler``,
       or ``http_response`` with ``http_prevent_execution``.
    5. the handler runs inside :func:`~lambdachaos.faults.injected` (``egress``, ``downstream``,
    ``tmp_full_free_bytes``).
    6. ``handler_latency_ms`` added after it returns; then ``force_timeout`` (run to the deadline:
       ``Sandbox.Timedout``), ``out_of_memory`` (``Runtime.ExitError`` "signal: killed", environment
       discarded),
       ``error_after_handler`` (side effects kept, invocation fails), ``http_response`` (replaces the result),
       ``malformed_batch_response`` (replaces the partial batch response).

    ``firings`` lists every rule that fired, for the ledger. Outbound rules fire again per request hit
    (see :class:`~lambdachaos.faults.InjectionLog`).
    """

    function_name: str
    qualifier: str | None
    event_source: str | None
    attempt: int
    time: float
    cold_start: bool
    force_cold_start: bool = False
    init_delay_ms: int = 0
    init_error: ErrorSpec | None = None
    startup_delay_ms: int = 0
    prevent_execution: ErrorSpec | None = None
    timeout_before_handler: bool = False
    oom_before_handler: bool = False
    handler_latency_ms: int = 0
    force_timeout: bool = False
    out_of_memory: ErrorSpec | None = None
    error_after_handler: ErrorSpec | None = None
    http_response: dict[str, Any] | None = None
    http_prevent_execution: bool = False
    tmp_full_free_bytes: int | None = None
    egress: tuple[EgressPolicy, ...] = ()
    downstream: tuple[DownstreamRule, ...] = ()
    malformed_batch_response: str | None = None
    firings: tuple[FaultFiring, ...] = ()

    @property
    def handler_runs(self) -> bool:
        """Whether the handler is called at all on this attempt."""
        return not (
            (self.cold_start and self.init_error is not None)
            or self.prevent_execution is not None
            or self.timeout_before_handler
            or self.oom_before_handler
            or (self.http_response is not None and self.http_prevent_execution)
        )

    @property
    def needs_injection(self) -> bool:
        """Whether :func:`~lambdachaos.faults.injected` has anything to patch for the handler call."""
        return bool(self.egress or self.downstream or self.tmp_full_free_bytes is not None)

    @property
    def active(self) -> bool:
        """Whether any rule fired."""
        return bool(self.firings)


@final
@dataclasses.dataclass(frozen=True, kw_only=True)
class DeliveryFaults:
    """What a plan decided for one source message: ``duplicates`` extra copies ``duplicate_delay_seconds``
    later,
    a reorder ``delay_seconds``, and ``poison`` records to inject after it as ``(catalogue name, count)``."""

    duplicates: int = 0
    duplicate_delay_seconds: float = 0.0
    delay_seconds: float = 0.0
    poison: tuple[tuple[str, int], ...] = ()
    firings: tuple[FaultFiring, ...] = ()
