"""botocore-level injection for one handler call: egress loss raises what botocore raises, downstream API
errors
come back as real AWS error responses, so the client's own retry mode (legacy, standard, adaptive) plays out.

``botocore.endpoint.Endpoint._do_get_response`` is wrapped for the call. A faulted request never reaches the
``before-send`` handlers that would answer it (moto, the simulator's bridge), so it has no side effect; the
adaptive client-side rate limiter still runs. botocore is imported only when this injector is used.
"""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any, cast
from urllib.parse import urlsplit

from ._net_faults import ERROR_STATUS, EgressMode
from ._outcome import DownstreamRule, EgressPolicy, InvocationFaults
from ._patching import InjectionLog, Sleep, patched

__all__ = ["botocore_injection"]

_BOTOCORE_CONNECT_TIMEOUT = 60.0  # botocore's default connect_timeout


class _Raw:
    """The ``raw`` of an AWSResponse: just enough for botocore to read the body."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, *_: Any, **__: Any) -> Iterator[bytes]:
        yield self._body


def _cbor_text(value: str) -> bytes:
    data = value.encode()
    n = len(data)
    if n < 24:
        head = bytes([0x60 + n])
    elif n < 256:
        head = bytes([0x78, n])
    else:
        head = bytes([0x79]) + n.to_bytes(2, "big")
    return head + data


def _error_body(protocol: str, code: str, message: str, request_id: str) -> tuple[dict[str, str], bytes]:
    if protocol in ("json", "rest-json"):
        body = json.dumps({"__type": code, "message": message}).encode()
        return {
            "Content-Type": "application/x-amz-json-1.0",
            "x-amzn-ErrorType": code,
            "x-amzn-RequestId": request_id,
        }, body
    if protocol == "smithy-rpc-v2-cbor":
        body = b"\xa2" + _cbor_text("__type") + _cbor_text(code) + _cbor_text("message") + _cbor_text(message)
        return {
            "Content-Type": "application/cbor",
            "smithy-protocol": "rpc-v2-cbor",
            "x-amzn-RequestId": request_id,
        }, body
    if protocol == "ec2":
        xml = (
            f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors>"
            f"<RequestID>{request_id}</RequestID></Response>"
        )
    elif protocol == "query":
        xml = (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message>"
            f"</Error><RequestId>{request_id}</RequestId></ErrorResponse>"
        )
    else:  # rest-xml (S3, Route 53, CloudFront)
        xml = (
            f"<Error><Code>{code}</Code><Message>{message}</Message>"
            f"<RequestId>{request_id}</RequestId></Error>"
        )
    return {
        "Content-Type": "text/xml",
        "x-amzn-RequestId": request_id,
        "x-amz-request-id": request_id,
    }, xml.encode()


def _status(rule: DownstreamRule, service_model: Any) -> int:
    if rule.http_status is not None:
        return rule.http_status
    try:
        shape = service_model.shape_for(rule.error_code)
        status = shape.metadata.get("error", {}).get("httpStatusCode")
    except Exception:
        status = None
    return int(status) if status else ERROR_STATUS.get(rule.error_code, 400)


def _limiter_handlers(emitter: Any, event_name: str) -> list[Callable[..., Any]]:
    """The adaptive retry mode's rate limiter among the ``before-send`` handlers (it must still run)."""
    inner = getattr(emitter, "_emitter", emitter)
    trie = getattr(inner, "_handlers", None)
    try:
        handlers = list(trie.prefix_search(event_name)) if trie is not None else []
    except Exception:
        return []
    return [h for h in handlers if type(getattr(h, "__self__", None)).__name__ == "ClientRateLimiter"]


class _Emitter:
    """Delegates to the client's emitter, except that ``before-send`` answers with the injected response."""

    def __init__(self, inner: Any, response: Any) -> None:
        self._inner = inner
        self._response = response

    def emit(self, event_name: str, **kwargs: Any) -> Any:
        if event_name.startswith("before-send."):
            for handler in _limiter_handlers(self._inner, event_name):
                handler(**kwargs)
            return [(None, self._response)]
        return self._inner.emit(event_name, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _EndpointView:
    """The endpoint as botocore's own response handling sees it, with the injecting emitter."""

    def __init__(self, endpoint: Any, response: Any) -> None:
        self._endpoint = endpoint
        self._event_emitter = _Emitter(endpoint._event_emitter, response)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._endpoint, name)


def _connect_timeout(endpoint: Any, policy: EgressPolicy) -> float:
    if policy.connect_timeout_seconds is not None:
        return policy.connect_timeout_seconds
    timeout = getattr(getattr(endpoint, "http_session", None), "_timeout", _BOTOCORE_CONNECT_TIMEOUT)
    connect = getattr(timeout, "connect_timeout", timeout)
    return float(connect) if isinstance(connect, int | float) else _BOTOCORE_CONNECT_TIMEOUT


@contextlib.contextmanager
def botocore_injection(
    faults: InvocationFaults, sleep: Sleep, log: InjectionLog, now: Callable[[], float] | None
) -> Iterator[None]:
    """Wrap botocore's request sending (and its adaptive token bucket) for the block; no-op without
    botocore."""
    try:
        import botocore.endpoint as endpoint_mod
        from botocore import exceptions as bexc
        from botocore.awsrequest import AWSResponse
        from botocore.retries import bucket
    except ImportError:
        yield
        return
    original = vars(endpoint_mod.Endpoint)["_do_get_response"]
    used: dict[str, int] = {}

    def egress_error(endpoint: Any, policy: EgressPolicy, url: str, host: str) -> Exception:
        mode = policy.mode
        if mode is EgressMode.BLACKHOLE:
            waited = _connect_timeout(endpoint, policy)
            sleep(waited)
            log.record(
                policy.rule_id,
                "egress-loss",
                f"{host}: ConnectTimeoutError after {waited:g} s",
                mode=mode.value,
                host=host,
                waited_seconds=waited,
            )
            return bexc.ConnectTimeoutError(endpoint_url=url, error=TimeoutError("timed out"))
        if mode is EgressMode.CONNECTION_RESET:
            log.record(
                policy.rule_id, "egress-loss", f"{host}: ConnectionClosedError", mode=mode.value, host=host
            )
            return bexc.ConnectionClosedError(endpoint_url=url)
        log.record(
            policy.rule_id,
            "egress-loss",
            f"{host}: EndpointConnectionError ({mode.value})",
            mode=mode.value,
            host=host,
        )
        return bexc.EndpointConnectionError(endpoint_url=url, error=ConnectionRefusedError())

    def do_get_response(self: Any, request: Any, operation_model: Any, context: Any) -> Any:
        service_model = operation_model.service_model
        service = service_model.endpoint_prefix
        operation = operation_model.name
        url = request.url
        parts = urlsplit(url)
        host = parts.hostname or ""
        for policy in faults.egress:
            if policy.blocks(host, parts.port, service, operation):
                event = f"before-send.{service_model.service_id.hyphenize()}.{operation}"
                for handler in _limiter_handlers(self._event_emitter, event):
                    handler(request=request)
                return (None, egress_error(self, policy, url, host))
        for rule in faults.downstream:
            n = used.get(rule.rule_id, 0)
            if not rule.matches(host, service, operation) or (
                rule.failures is not None and n >= rule.failures
            ):
                continue
            used[rule.rule_id] = n + 1
            request_id = str(
                uuid.uuid5(
                    uuid.NAMESPACE_URL,
                    f"{faults.function_name}/{faults.attempt}/{faults.time!r}/{rule.rule_id}/{n}",
                )
            )
            status = _status(rule, service_model)
            protocol = getattr(service_model, "resolved_protocol", None) or service_model.protocol
            headers, body = _error_body(protocol, rule.error_code, rule.error_message, request_id)
            log.record(
                rule.rule_id,
                "downstream-error",
                f"{service}.{operation} -> {status} {rule.error_code}",
                service=service,
                operation=operation,
                status=status,
                error_code=rule.error_code,
                request_number=n + 1,
            )
            response = AWSResponse(url, status, cast(Any, headers), _Raw(body))
            return original(_EndpointView(self, response), request, operation_model, context)
        return original(self, request, operation_model, context)

    def acquire(self: Any, amount: float, block: bool) -> bool:
        # Same token-bucket rule as botocore, but waiting on the invocation's clock instead of a real
        # Condition.wait, which would block the wall clock while virtual time stands still.
        self._refill()
        if amount <= self._current_capacity:
            self._current_capacity -= amount
            return True
        if not block:
            raise bexc.CapacityNotAvailableError()
        for _ in range(10_000):
            wait = (amount - self._current_capacity) / self._fill_rate
            if wait <= 0:
                break
            sleep(wait)
            before = self._current_capacity
            self._refill()
            if self._current_capacity <= before:  # the clock did not move: do not spin
                break
        self._current_capacity -= amount
        return True

    with contextlib.ExitStack() as stack:
        stack.enter_context(patched(endpoint_mod.Endpoint, "_do_get_response", do_get_response))
        stack.enter_context(patched(bucket.TokenBucket, "_acquire", acquire))
        if now is not None:
            # Keep the limiter's clock continuous with what it read before the call (time.time, or the
            # simulator's virtual time.time): only the invocation's clock moves it from here on.
            offset = time.time() - now()
            stack.enter_context(patched(bucket.Clock, "current_time", lambda self: now() + offset))
            stack.enter_context(patched(bucket.Clock, "sleep", lambda self, amount: sleep(amount)))
        yield
