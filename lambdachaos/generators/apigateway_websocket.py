"""Amazon API Gateway WebSocket API events: ``$connect``, message routes and ``$disconnect``.

AWS page: "Working with routes for WebSocket APIs in API Gateway" and "WebSocket API Lambda integration".
``requestContext`` names the route (``routeKey``), the kind of event (``eventType`` ``CONNECT``,
``MESSAGE`` or ``DISCONNECT``), the client's ``connectionId`` (kept for the whole connection),
``connectedAt`` and ``requestTimeEpoch`` in epoch milliseconds (connection time never after request time),
``domainName``, ``stage`` and ``apiId``. Only messages carry ``messageId`` and ``body``; connect and
disconnect events carry the handshake headers instead, and a disconnect adds ``disconnectStatusCode`` and
``disconnectReason``.

Uniform API (shared by every non-batching source): :func:`event` and :func:`events`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lambdachaos._errors import ConfigError

from . import _fake, _payload
from ._common import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_NOW,
    DEFAULT_REGION,
    LazyRng,
    Seed,
    b64,
    clf_time,
    dumps,
    hex_digits,
    many,
    to_ms,
    token,
)
from ._payload import PayloadSpec

SOURCE = "apigateway_websocket"
BATCHING = False
VARIANTS = ("connect", "message", "disconnect")
EVENT_TYPES = {"connect": "CONNECT", "message": "MESSAGE", "disconnect": "DISCONNECT"}
DISCONNECT_REASONS = {
    1000: "Client-side close frame status set",
    1001: "Going away",
    1005: "Client-side close frame status not set",
    1006: "Connection closed abnormally",
}
"""WebSocket close codes (RFC 6455) with the reason text API Gateway reports for each."""
_LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"
_ALNUM = _LOWER_ALNUM + "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

__all__ = ["BATCHING", "DISCONNECT_REASONS", "EVENT_TYPES", "SOURCE", "VARIANTS", "event", "events"]


def _connection_id(rng: Any) -> str:
    # API Gateway ids are 15 base64 characters and a trailing "=".
    return token(rng, 15, _ALNUM) + "="


def event(
    *,
    seed: Seed = None,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    now: float = DEFAULT_NOW,
    variant: str = "message",
    payload: PayloadSpec = None,
    route_key: str | None = None,
    body: str | None = None,
    api_id: str | None = None,
    stage: str = "production",
    connection_id: str | None = None,
    connected_at: int | None = None,
    source_ip: str | None = None,
    user_agent: str | None = None,
    headers: Mapping[str, str] | None = None,
    disconnect_status_code: int = 1001,
) -> dict[str, Any]:
    """One WebSocket API event; ``variant`` is ``connect``, ``message`` or ``disconnect``.

    ``route_key`` defaults to ``$connect``/``$disconnect``, and for messages to ``sendMessage``. ``body`` is
    the frame text (default: JSON ``{"action": route_key, "data": <payload>}``). ``connected_at`` (epoch ms)
    defaults to ``now`` for a connect and to earlier for the others. ``account_id`` is accepted for
    uniformity.
    """
    if variant not in VARIANTS:
        raise ConfigError(f"variant={variant!r} is not a WebSocket event; use one of {VARIANTS}")
    if variant == "disconnect" and disconnect_status_code not in DISCONNECT_REASONS:
        raise ConfigError(
            f"disconnect_status_code={disconnect_status_code!r} is not a close code API Gateway reports; "
            f"use one of {tuple(DISCONNECT_REASONS)}"
        )
    rng = LazyRng(seed, SOURCE)
    r = rng.get
    api = api_id or token(r(), 10, _LOWER_ALNUM)
    domain = f"{api}.execute-api.{region}.amazonaws.com"
    request_ms = to_ms(now)
    if connected_at is None:
        connected_at = request_ms - (1 if variant == "connect" else r().randrange(1_000, 600_000))
    source_ip = source_ip or _fake.ipv4(r())
    user_agent = user_agent or _fake.user_agent(r())
    route = route_key or {"connect": "$connect", "disconnect": "$disconnect"}.get(variant, "sendMessage")
    identity: dict[str, Any] = {"sourceIp": source_ip}
    if variant != "message":
        identity["userAgent"] = user_agent
    context: dict[str, Any] = {"routeKey": route}
    if variant == "message":
        context["messageId"] = _connection_id(r())
    if variant == "disconnect":
        context["disconnectStatusCode"] = disconnect_status_code
        context["disconnectReason"] = DISCONNECT_REASONS[disconnect_status_code]
    context.update(
        {
            "eventType": EVENT_TYPES[variant],
            "extendedRequestId": _connection_id(r()),
            "requestTime": clf_time(now),
            "messageDirection": "IN",
            "stage": stage,
            "connectedAt": connected_at,
            "requestTimeEpoch": request_ms,
            "identity": identity,
            "requestId": _connection_id(r()),
            "domainName": domain,
            "connectionId": connection_id or _connection_id(r()),
            "apiId": api,
        }
    )
    out: dict[str, Any] = {}
    if variant != "message":
        if headers is None:
            headers = _handshake_headers(r(), domain, source_ip, user_agent, now, variant)
        out["headers"] = dict(headers)
        out["multiValueHeaders"] = {k: [v] for k, v in headers.items()}
    out["requestContext"] = context
    if variant == "message":
        if body is None:
            body = dumps({"action": route, "data": _payload.payload(payload, seed=r(), now=now)})
        out["body"] = body
    out["isBase64Encoded"] = False
    return out


def _handshake_headers(
    rng: Any, domain: str, source_ip: str, user_agent: str, now: float, variant: str
) -> dict[str, str]:
    if variant == "disconnect":
        # AWS sends this fixed header set on $disconnect, with the client fields left empty.
        return {"Host": domain, "x-api-key": "", "X-Forwarded-For": "", "x-restapi": ""}
    return {
        "Host": domain,
        "Sec-WebSocket-Extensions": "permessage-deflate; client_max_window_bits",
        "Sec-WebSocket-Key": b64(rng.getrandbits(128).to_bytes(16, "big")),
        "Sec-WebSocket-Version": "13",
        "User-Agent": user_agent,
        "X-Amzn-Trace-Id": f"Root=1-{int(now):08x}-{hex_digits(rng, 24)}",
        "X-Forwarded-For": source_ip,
        "X-Forwarded-Port": "443",
        "X-Forwarded-Proto": "https",
    }


def events(n: int, *, seed: Seed = None, **kwargs: Any) -> list[dict[str, Any]]:
    """``n`` independent events, each as :func:`event` builds it."""
    return many(event, n, seed, kwargs)
