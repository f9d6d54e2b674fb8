"""HTTP front doors that invoke a function synchronously: API Gateway REST and HTTP APIs, Function URLs, ALB.

``door.request(method, path, ...)`` renders the exact event the front door sends (the generators' builders
with the request as overrides), invokes the function on the synchronous path (no retries, docs/aws-behaviour.md §7)
and maps its result to an :class:`HttpResponse` (§7.4, :mod:`._push_response`). Errors the front door
answers itself, per door (§7 table; ``[UNV]`` marks what AWS does not document):

=================  =========================  ==========================  ==================  ==============
door               function error/malformed   Lambda rejects/throttles    integration timeout no route
=================  =========================  ==========================  ==================  ==============
REST API           502 Internal server error  500 Internal server error   504 (29 s default)  403
HTTP API           502 Internal Server Error  500 Internal Server Error   503 (30 s) [UNV]    404
Function URL       502 [UNV]                  429 [UNV]                   none (function's)   —
ALB                502 [UNV]                  503 [UNV]                   none                —
=================  =========================  ==========================  ==================  ==============

On an integration timeout the client gets its answer at the timeout while the invocation runs on to its
own end (and its own ``Timeout``) in Lambda: the ledger holds the attempt, the response says 504.
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Final, TypeAlias, final
from urllib.parse import parse_qsl, unquote

from lambdachaos._errors import ConfigError
from lambdachaos.generators import _fake  # type: ignore[import-not-found, unused-ignore]
from lambdachaos.ledger._ledger import Outcome, Path
from lambdachaos.service.invoke import _handler_time
from lambdachaos.service.invoke._config import SYNC_PAYLOAD_LIMIT
from lambdachaos.service.push._response import Malformed, Mapped, parse

if TYPE_CHECKING:
    from lambdachaos.service.invoke._function import Function
    from lambdachaos.service.invoke._service import Execution, LambdaService

Pairs: TypeAlias = "Mapping[str, str] | Sequence[tuple[str, str]]"
"""Headers or query parameters: a mapping, or ``(name, value)`` pairs (a name may repeat)."""


@final
@dataclass(frozen=True, slots=True)
class ErrorStyle:
    """What a front door answers when it cannot pass on a function response: ``(status, body)`` each."""

    function_error: tuple[int, str]
    rejected: tuple[int, str]
    timeout: tuple[int, str] | None = None
    no_route: tuple[int, str] | None = None
    too_large: tuple[int, str] | None = None


@final
@dataclass(frozen=True, slots=True, kw_only=True)
class HttpResponse:
    """What the HTTP client receives.

    ``headers`` joins repeated names with ``", "``; ``multi_value_headers`` keeps every value;
    ``cookies`` lists the ``Set-Cookie`` values. ``request_id``/``outcome`` describe the Lambda attempt
    behind the response (``None`` when the front door answered without invoking); ``reason`` says why an
    error status was produced by the front door itself.
    """

    status: int
    headers: dict[str, str]
    multi_value_headers: dict[str, list[str]]
    cookies: tuple[str, ...]
    body: bytes
    status_description: str | None = None
    event: dict[str, Any] = field(default_factory=dict)
    request_id: str | None = None
    outcome: Outcome | None = None
    reason: str | None = None

    @property
    def text(self) -> str:
        """The body decoded as UTF-8."""
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)

    def __repr__(self) -> str:
        return f"<HttpResponse {self.status} {len(self.body)} bytes{' ' + self.reason if self.reason else ''}>"


def _response(mapped: Mapped, **extra: Any) -> HttpResponse:
    multi: dict[str, list[str]] = {}
    for name, value in mapped.headers:
        multi.setdefault(name, []).append(value)
    cookies = tuple(v for n, v in mapped.headers if n.lower() == "set-cookie")
    return HttpResponse(
        status=mapped.status, headers={k: ", ".join(v) for k, v in multi.items()}, multi_value_headers=multi,
        cookies=cookies, body=mapped.body, status_description=mapped.status_description, **extra,
    )


def match_route(template: str, path: str) -> dict[str, str] | None:
    """Path parameters when ``path`` matches a resource template (``/orders/{id}``, ``/{proxy+}``), else None."""
    tpl = [s for s in template.split("/") if s]
    segments = [s for s in path.split("/") if s]
    params: dict[str, str] = {}
    for i, seg in enumerate(tpl):
        if seg.startswith("{") and seg.endswith("+}"):
            if i >= len(segments):
                return None
            params[seg[1:-2]] = "/".join(segments[i:])
            return params
        if i >= len(segments):
            return None
        if seg.startswith("{") and seg.endswith("}"):
            params[seg[1:-1]] = unquote(segments[i])
        elif seg != segments[i]:
            return None
    return params if len(segments) == len(tpl) else None


class FrontDoor:
    """Base of the HTTP front doors: request rendering, the synchronous invoke and error mapping."""

    style: ClassVar[ErrorStyle]
    default_timeout_s: ClassVar[float | None] = None

    def __init__(self, service: LambdaService, function: Function, *, qualifier: str | None,
                 integration_timeout: float | None, name: str) -> None:
        self.service = service
        self.function = function
        """The integrated function."""
        self.qualifier = qualifier
        """Version or alias invoked (``None``: ``$LATEST``)."""
        self.integration_timeout_ns = None if integration_timeout is None else round(integration_timeout * 1e9)
        self._rng = service.world.stream(f"push-http:{name}")
        self._requests = 0

    # ---- the pieces each door defines -------------------------------------------------------
    def _route(self, method: str, path: str) -> tuple[str, dict[str, str]] | None:
        return path, {}

    def _render(self, seed: random.Random, now: float, http: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def _map(self, result: Any) -> Mapped:
        raise NotImplementedError

    def _source(self, method: str, route: str) -> str:
        raise NotImplementedError

    host: str = "localhost"

    # ---- the request --------------------------------------------------------------------------
    def request(
        self, method: str = "GET", path: str = "/", *, headers: Pairs | None = None, query: Pairs | None = None,
        body: str | bytes | None = None, cookies: Sequence[str] | None = None,
    ) -> HttpResponse:
        """Send one HTTP request through the front door and return what the client receives.

        ``path`` may carry a query string (``/orders?limit=5``); ``query`` adds parameters (unencoded).
        A ``bytes`` body is sent base64-encoded (``isBase64Encoded``), a ``str`` body as text.
        ``cookies`` are ``name=value`` strings sent in the ``Cookie`` header.
        """
        method = method.upper()
        path, _, raw_query = path.partition("?")
        pairs = parse_qsl(raw_query, keep_blank_values=True)
        pairs += list(query.items()) if isinstance(query, Mapping) else list(query or ())
        matched = self._route(method, path)
        if matched is None:
            status, text = self.style.no_route or (404, '{"message":"Not Found"}')
            return self._error(status, text, {}, None, None, "no route matches " + f"{method} {path}")
        route, params = matched
        http = self._http(method, path, route, params, headers, pairs, body, cookies)
        self._requests += 1
        world = self.service.world
        event = self._render(random.Random(self._rng.getrandbits(64)), world.wall_ns() / 1e9, http)
        if body is None:  # the generators draw a body for POST/PUT; a front door sends none unless given
            self._no_body(event)
        return self._send(event, self._source(method, route))

    def _no_body(self, event: dict[str, Any]) -> None:
        """Render an absent body as the door does (REST/1.0: ``null``, 2.0: omitted, ALB: ``""``)."""
        event.pop("body", None)

    def _http(self, method: str, path: str, route: str, params: dict[str, str], headers: Pairs | None,
              query: list[tuple[str, str]], body: str | bytes | None, cookies: Sequence[str] | None
              ) -> dict[str, Any]:
        rng = self._rng
        source_ip = _fake.ipv4(rng)
        agent = "lambdachaos-client/1.0"
        given = list(headers.items()) if isinstance(headers, Mapping) else list(headers or ())
        names = {k.lower() for k, _ in given}
        defaults = [("Host", self.host), ("User-Agent", agent), ("Accept", "*/*"),
                    ("X-Forwarded-For", source_ip), ("X-Forwarded-Port", "443"), ("X-Forwarded-Proto", "https")]
        pairs = [(k, v) for k, v in defaults if k.lower() not in names] + given
        if body is not None and "content-type" not in names:
            pairs.append(("Content-Type", "application/octet-stream" if isinstance(body, bytes)
                          else "application/json"))
        cookie_list = list(cookies or ())
        if cookie_list and "cookie" not in names:
            pairs.append(("Cookie", "; ".join(cookie_list)))
        elif not cookie_list:
            cookie_list = [c.strip() for k, v in given if k.lower() == "cookie" for c in v.split(";") if c.strip()]
        return {"method": method, "path": path, "route": route, "path_parameters": params, "headers": pairs,
                "query": query, "cookies": cookie_list, "body": body, "source_ip": source_ip,
                "user_agent": dict((k.lower(), v) for k, v in pairs).get("user-agent", agent)}

    def _send(self, event: dict[str, Any], source: str) -> HttpResponse:
        service = self.service
        payload = json.dumps(event, separators=(",", ":")).encode()
        if len(payload) > SYNC_PAYLOAD_LIMIT:
            status, text = self.style.too_large or self.style.rejected
            return self._error(status, text, event, None, None,
                               f"request of {len(payload)} bytes is over Lambda's {SYNC_PAYLOAD_LIMIT} byte limit")
        request_id = service.world.uuid()
        ex = service.execute(self.function, self.qualifier, payload, path=Path.SYNC, request_id=request_id,
                             event_id=request_id, attempt=1, event=event, source=source)
        service.settle_sync(ex)
        if ex.outcome in (Outcome.THROTTLED, Outcome.SYSTEM_ERROR, Outcome.REJECTED):
            status, text = self.style.rejected
            return self._error(status, text, event, ex, ex.outcome, f"Lambda rejected the invoke ({ex.reason})")
        limit = self.integration_timeout_ns
        if limit is not None and ex.end_ns - ex.start_ns > limit and self.style.timeout is not None:
            self._wait(ex, limit)
            status, text = self.style.timeout
            return self._error(status, text, event, ex, ex.outcome,
                               f"integration timeout of {limit / 1e9:g} s passed; the invocation ran on in Lambda")
        self._wait(ex, ex.end_ns - ex.start_ns)
        if ex.failed:
            status, text = self.style.function_error
            return self._error(status, text, event, ex, ex.outcome, f"function {ex.outcome.value}")
        try:
            mapped = self._map(parse(ex.payload))
        except Malformed as bad:
            status, text = self.style.function_error
            return self._error(status, text, event, ex, ex.outcome, f"malformed response: {bad}")
        return _response(mapped, event=event, request_id=ex.request_id, outcome=ex.outcome)

    def _wait(self, ex: Execution, span_ns: int) -> None:
        outer = _handler_time.current()
        if outer is not None:  # called from inside another handler: its own virtual time moves on
            outer.advance(span_ns)
        else:
            self.service.world.clock.run_until_ns(ex.start_ns + span_ns)

    def _error(self, status: int, text: str, event: dict[str, Any], ex: Execution | None,
               outcome: Outcome | None, reason: str) -> HttpResponse:
        kind = "application/json" if text.startswith("{") else "text/html"
        mapped = Mapped(status, (("content-type", kind),), text.encode())
        return _response(mapped, event=event, request_id=ex.request_id if ex is not None else None,
                         outcome=outcome, reason=reason)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.function.name} requests={self._requests}>"


_REST_ERR: Final = '{"message": "Internal server error"}'
_HTTP_ERR: Final = '{"message":"Internal Server Error"}'
REST_TIMEOUT_MAX_S: Final = 29.0
HTTP_TIMEOUT_MAX_S: Final = 30.0
INTEGRATION_TIMEOUT_MIN_S: Final = 0.05


def check_integration_timeout(value: float, maximum: float, kind: str) -> float:
    """Validate ``integration_timeout`` (API Gateway ``timeoutInMillis``: 50 ms to the door's maximum)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not (
            INTEGRATION_TIMEOUT_MIN_S <= value <= maximum):
        raise ConfigError(
            f"integration_timeout={value!r} is out of range: {kind} integrations time out after "
            f"{INTEGRATION_TIMEOUT_MIN_S} to {maximum:g} seconds (timeoutInMillis 50 to {int(maximum * 1000)}); "
            "pick a value in that range"
        )
    return float(value)


ERROR_STYLES: Final = {
    "rest": ErrorStyle((502, _REST_ERR), (500, _REST_ERR), (504, '{"message": "Endpoint request timed out"}'),
                       (403, '{"message":"Missing Authentication Token"}')),
    "http": ErrorStyle((502, _HTTP_ERR), (500, _HTTP_ERR), (503, '{"message":"Service Unavailable"}'),
                       (404, '{"message":"Not Found"}')),
    "url": ErrorStyle((502, "Internal Server Error"), (429, '{"Message":"Rate Exceeded."}'), None, None,
                      (413, '{"Message":"Request must be smaller than 6291456 bytes for the InvokeFunction '
                            'operation"}')),
    "alb": ErrorStyle((502, "<html><body><h1>502 Bad Gateway</h1></body></html>"),
                      (503, "<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>"), None, None,
                      (413, "<html><body><h1>413 Request Entity Too Large</h1></body></html>")),
}
"""The error answers of each door (module docstring table)."""

