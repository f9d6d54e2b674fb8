"""The simulator's answers on the wire: botocore sends the request, the sim answers it as an HTTP
response, and botocore's own machinery (parsing, modelled errors, retries) runs as against AWS.

A call the bridge routes to the simulation is first answered by the sim (so the bridge knows it is
the sim's); then the client's real ``_make_api_call`` runs with a ``before-send`` hook that returns
that answer as an ``AWSResponse`` (and answers each retry by asking the sim again). Errors are
serialized in the service's protocol (Lambda rest-json with ``x-amzn-errortype`` and ``Type``/
``message``/``Reason``; SQS, EventBridge and Kinesis JSON with ``__type`` and SQS's
``x-amzn-query-error``; SNS query XML), so ``ClientError.response`` is what botocore makes of AWS's
answer. Successful results are merged in the ``before-parse`` step, so their shapes stay the sim's.

While a routed call runs, botocore's retry sleeps spend virtual time (on the handler's clock inside
a handler, on the simulation's clock from test code) and the jitter of its backoff is drawn from
the simulation's seeded ``sdk-retry-jitter`` stream, so the same seed gives the same attempts.
"""

from __future__ import annotations

import io
import json
import random as _random
import threading
import time as _time
from collections.abc import Callable
from email.utils import formatdate
from typing import TYPE_CHECKING, Any, Final, cast, final
from xml.sax.saxutils import escape

from lambdachaos.resources._errors import AWSError
from lambdachaos.service.invoke import _handler_time

if TYPE_CHECKING:
    from lambdachaos.service.bridge._bridge import Bridge

Answer = Callable[[], "tuple[Bridge, Any] | object"]
"""Ask the sim again (a retry); returns ``(bridge, result)`` or raises an :class:`AWSError`."""

_JSON_TYPES: Final = {"sqs": "application/x-amz-json-1.0", "dynamodb": "application/x-amz-json-1.0"}
_ANSWERED_URL: Final = "https://answered.lambdachaos.invalid/"
_HOOK_ID: Final = "lambdachaos-sim-answer"


@final
class _Call:
    __slots__ = ("answer", "bridge", "busy", "operation", "outcome", "parsed", "service")

    def __init__(self, bridge: Bridge, service: str, operation: str, outcome: Any, answer: Answer) -> None:
        self.bridge = bridge
        self.service = service
        self.operation = operation
        self.outcome: Any = outcome
        self.answer = answer
        self.busy = False
        self.parsed: dict[str, Any] | None = None


class _Gone(AWSError):
    code = "ResourceNotFoundException"
    http_status = 404


_local = threading.local()


def _top() -> _Call | None:
    stack: list[_Call] | None = getattr(_local, "stack", None)
    return stack[-1] if stack else None


def call_through_botocore(
    original: Callable[..., Any], client: Any, operation_name: str, params: dict[str, Any],
    bridge: Bridge, outcome: Any, answer: Answer,
) -> Any:
    """Run botocore's real call path for a call the sim answers (``outcome``: the first answer)."""
    events = client.meta.events
    if not getattr(client, "_lambdachaos_hooked", False):
        events.register_first("before-send", _before_send, unique_id=_HOOK_ID)
        events.register_first("before-parse", _before_parse, unique_id=_HOOK_ID + "-parse")
        events.register_first("choose-signer", _choose_signer, unique_id=_HOOK_ID + "-signer")
        client._lambdachaos_hooked = True
    stack: list[_Call] | None = getattr(_local, "stack", None)
    if stack is None:
        stack = _local.stack = []
    stack.append(_Call(bridge, client.meta.service_model.service_name, operation_name, outcome, answer))
    try:
        return original(client, operation_name, params)
    finally:
        stack.pop()


def _before_send(request: Any, **_: Any) -> Any:
    call = _top()
    if call is None or call.busy:
        return None  # not a sim call (a handler's own call to moto while the sim answers)
    outcome = call.outcome
    if outcome is None:
        call.busy = True
        try:
            outcome = call.answer()
        except AWSError as error:
            outcome = error
        finally:
            call.busy = False
    call.outcome = None
    if not isinstance(outcome, (AWSError, tuple)):  # gone from the sim between two attempts: never leave it
        outcome = _Gone(f"{call.operation}: the resource left the simulation between two attempts")
    url = request.url
    request.url = _ANSWERED_URL  # an in-process mock registered after this hook must not answer too
    if isinstance(outcome, AWSError):
        return _error_response(call, url, outcome)
    call.bridge = outcome[0]
    return _success_response(call, url, outcome[1])


def _choose_signer(**_: Any) -> Any:
    """The sim reads no signature: its calls go unsigned (so clients without credentials work too)."""
    call = _top()
    if call is None or call.busy:
        return None
    from botocore import UNSIGNED

    return UNSIGNED


def _before_parse(customized_response_dict: dict[str, Any], **_: Any) -> None:
    call = _top()
    if call is not None and call.parsed is not None:
        customized_response_dict.update(call.parsed)
        call.parsed = None


class _Raw(io.BytesIO):
    def stream(self, **_: Any) -> Any:
        chunk = self.read()
        while chunk:
            yield chunk
            chunk = self.read()


def _headers(bridge: Bridge, request_id: str | None, content_type: str) -> dict[str, str]:
    world = bridge.world
    return {
        "x-amzn-requestid": request_id or world.uuid("bridge-request-ids"),
        "date": formatdate(world.wall_ns() / 1e9, usegmt=True),
        "content-type": content_type,
    }


def _response(url: str, status: int, headers: dict[str, str], body: bytes) -> Any:
    from botocore.awsrequest import AWSResponse

    headers["content-length"] = str(len(body))
    return AWSResponse(url, status, cast(Any, headers), _Raw(body))


def _success_response(call: _Call, url: str, result: dict[str, Any]) -> Any:
    meta = result.pop("ResponseMetadata", None) or {}
    request_id = meta.get("RequestId")
    if call.service == "lambda" and "StatusCode" in result:  # Invoke: rest-json, the payload is the body
        headers = _headers(call.bridge, request_id, "application/json")
        if result.get("ExecutedVersion"):
            headers["x-amz-executed-version"] = str(result["ExecutedVersion"])
        if result.get("FunctionError"):
            headers["x-amz-function-error"] = str(result["FunctionError"])
        if result.get("LogResult"):
            headers["x-amz-log-result"] = str(result["LogResult"])
        payload = result.get("Payload", b"")
        body = payload.read() if hasattr(payload, "read") else bytes(payload or b"")
        return _response(url, int(result["StatusCode"]), headers, body)
    status = int(meta.get("HTTPStatusCode", 200))
    call.parsed = result
    if call.service == "sns":
        headers = _headers(call.bridge, request_id, "text/xml")
        op = call.operation
        body = (f"<{op}Response><{op}Result></{op}Result><ResponseMetadata><RequestId>"
                f"{escape(headers['x-amzn-requestid'])}</RequestId></ResponseMetadata></{op}Response>").encode()
        return _response(url, status, headers, body)
    content_type = _JSON_TYPES.get(call.service, "application/x-amz-json-1.1")
    return _response(url, status, _headers(call.bridge, request_id, content_type), b"{}")


def error_body(service: str, error: AWSError) -> tuple[dict[str, str], bytes]:
    """The headers and body AWS sends for ``error`` in ``service``'s protocol."""
    fields: dict[str, Any] = dict(getattr(error, "fields", {}) or {})
    sender = "Sender" if error.sender_fault else "Receiver"
    if service == "lambda":
        kind = getattr(error, "error_kind", "User" if error.sender_fault else "Service")
        body = {**({"Reason": fields.pop("Reason")} if "Reason" in fields else {}), "Type": kind,
                "message": error.message, **fields}
        return {"x-amzn-errortype": error.code, "content-type": "application/json"}, json.dumps(body).encode()
    if service == "sns":
        xml = (f'<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>{sender}</Type>'
               f"<Code>{escape(error.code)}</Code><Message>{escape(error.message)}</Message></Error>"
               "<RequestId>{request_id}</RequestId></ErrorResponse>")
        return {"content-type": "text/xml"}, xml.encode()
    headers = {"content-type": _JSON_TYPES.get(service, "application/x-amz-json-1.1")}
    if service == "sqs":
        headers["x-amzn-query-error"] = f"{error.code};{sender}"
        body = {"__type": f"com.amazonaws.sqs#{error.error_shape}", "message": error.message}
    else:
        body = {"__type": error.error_shape, "message": error.message}
    return headers, json.dumps(body).encode()


def _error_response(call: _Call, url: str, error: AWSError) -> Any:
    extra, body = error_body(call.service, error)
    headers = _headers(call.bridge, None, extra.pop("content-type"))
    headers.update(extra)
    if call.service == "sns":
        body = body.replace(b"{request_id}", headers["x-amzn-requestid"].encode())
    return _response(url, error.http_status, headers, body)


# ---- retries on the virtual clock ---------------------------------------------------------------
@final
class _SleepProxy:
    """``botocore.endpoint.time``/``botocore.retries.bucket.time``: virtual while a sim call runs."""

    def __getattr__(self, name: str) -> Any:
        return getattr(_time, name)

    @staticmethod
    def sleep(seconds: float) -> None:
        call = _top()
        if call is None or _handler_time.current() is not None:
            _time.sleep(seconds)  # outside a sim call: real; inside a handler: its virtual time
            return
        clock = call.bridge.world.clock
        clock.run_until_ns(clock.now_ns + round(seconds * 1e9))

    @staticmethod
    def time() -> float:
        """Real time outside sim calls; inside, the real time the patch was installed plus virtual time
        (never behind a timestamp adaptive mode took before, so its token bucket never runs backwards)."""
        call = _top()
        if call is None:
            return _time.time()
        return _origin[0] + call.bridge.world.clock.now_ns / 1e9


@final
class _RandomProxy:
    """``botocore.retryhandler.random``: jitter from the simulation's seeded stream during sim calls."""

    def __getattr__(self, name: str) -> Any:
        return getattr(_random, name)

    @staticmethod
    def random() -> float:
        call = _top()
        if call is None:
            return _random.random()
        return call.bridge.world.stream("sdk-retry-jitter").random()


_saved: dict[str, Any] = {}
_origin: list[float] = [0.0]


_points: list[tuple[Any, str, Any, str]] = []


def _patch_points() -> list[tuple[Any, str, Any, str]]:
    """What :func:`install` replaces: (owner, attribute, replacement, key of the original in ``_saved``);
    built once (the replacements keep no state)."""
    if _points:
        return _points
    import botocore.endpoint
    import botocore.retries.bucket
    import botocore.retries.standard
    import botocore.retryhandler

    points: list[tuple[Any, str, Any]] = [
        (botocore.endpoint, "time", _SleepProxy()),
        (botocore.retries.bucket, "time", _SleepProxy()),
        (botocore.retryhandler, "random", _RandomProxy()),
        (botocore.retries.standard.ExponentialBackoff, "delay_amount", _delay_amount),
        (botocore.retries.bucket.TokenBucket, "_acquire", _acquire_virtually),
    ]
    _points[:] = [(owner, name, replacement,
                   name if name in ("delay_amount", "_acquire") else f"{owner.__name__}.{name}")
                  for owner, name, replacement in points]
    return _points


def _delay_amount(self: Any, context: Any) -> Any:
    original = _saved["delay_amount"]
    call = _top()
    if call is None:
        return original(self, context)
    own = self._random
    self._random = call.bridge.world.stream("sdk-retry-jitter").random
    try:
        return original(self, context)
    finally:
        self._random = own


def _acquire_virtually(self: Any, amount: int, block: bool) -> Any:
    if _top() is None or not block:
        return _saved["_acquire"](self, amount, block)
    self._refill()  # adaptive mode: wait for a token on the virtual clock
    if amount > self._current_capacity:
        _SleepProxy.sleep(self._sleep_amount(amount))
        self._refill()
    self._current_capacity -= amount
    return True


def install() -> None:
    """Patch botocore's retry sleep, clock, jitter and token bucket (pass-through outside sim calls)."""
    if _saved:
        return
    _origin[0] = _time.time()
    for owner, name, replacement, key in _patch_points():
        _saved[key] = getattr(owner, name)
        setattr(owner, name, replacement)


def uninstall() -> None:
    """Undo :func:`install`."""
    if not _saved:
        return
    for owner, name, _, key in _patch_points():
        setattr(owner, name, _saved[key])
    _saved.clear()
