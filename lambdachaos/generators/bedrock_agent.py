"""Amazon Bedrock agent action group invocations (the Lambda input event, ``messageVersion`` ``1.0``).

AWS page: "Configure Lambda functions to send information that an Amazon Bedrock agent elicits from the user"
(Bedrock User Guide). Every event names the ``agent`` (``name``, ``id``: 10 upper-case letters and digits,
``alias`` and ``version``; the test alias ``TSTALIASID`` always runs the ``DRAFT`` version), the user's
``inputText``, the ``sessionId``, the ``actionGroup`` and the ``sessionAttributes`` and
``promptSessionAttributes`` (string maps, ``{}`` when unset).

* ``api`` (action group defined by an OpenAPI schema): ``apiPath`` (the schema path, e.g.
  ``/orders/{orderId}``), ``httpMethod``, ``parameters`` (path and query parameters) and, for methods with a
  body, ``requestBody.content["application/json"].properties``.
* ``function`` (action group defined by function details): ``function`` and ``parameters``.

Each parameter or property is ``{"name", "type", "value"}`` where ``type`` is the schema type (``string``,
``number``, ``integer``, ``boolean``, ``array``) and ``value`` is always a **string**.

Uniform API (shared by every non-batching source): :func:`event` and :func:`events`.
"""

from __future__ import annotations

from typing import Any

from lambdachaos._errors import ConfigError

from . import _fake, _payload
from ._common import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_NOW,
    DEFAULT_REGION,
    JSON,
    LazyRng,
    Seed,
    decimal_digits,
    dumps,
    many,
    upper_alnum,
    uuid4,
)
from ._payload import PayloadSpec

SOURCE = "bedrock_agent"
BATCHING = False
VARIANTS = ("api", "function")
MESSAGE_VERSION = "1.0"
TEST_ALIAS_ID = "TSTALIASID"
"""The alias id of an agent's built-in test alias, which always points at the ``DRAFT`` version."""
BODY_METHODS = ("POST", "PUT", "PATCH")
"""HTTP methods whose API operations carry a ``requestBody``."""

__all__ = [
    "BATCHING",
    "BODY_METHODS",
    "MESSAGE_VERSION",
    "SOURCE",
    "TEST_ALIAS_ID",
    "VARIANTS",
    "event",
    "events",
    "properties",
]


def _schema_type(value: JSON) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, list):
        return "array"
    return "object" if isinstance(value, dict) else "string"


def properties(values: dict[str, JSON]) -> list[dict[str, str]]:
    """``{"name", "type", "value"}`` entries for ``values``: the schema type of each value, and the value as a
    string (``true``/``false`` for booleans, compact JSON for arrays and objects)."""
    out = []
    for name, value in values.items():
        if isinstance(value, str):
            text = value
        elif isinstance(value, bool):
            text = "true" if value else "false"
        else:
            text = dumps(value) if isinstance(value, list | dict) else str(value)
        out.append({"name": name, "type": _schema_type(value), "value": text})
    return out


def event(
    *,
    seed: Seed = None,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    now: float = DEFAULT_NOW,
    variant: str = "api",
    payload: PayloadSpec = None,
    http_method: str | None = None,
    api_path: str | None = None,
    function: str | None = None,
    parameters: dict[str, JSON] | None = None,
    input_text: str | None = None,
    agent_name: str | None = None,
    agent_version: str | None = None,
    session_id: str | None = None,
    session_attributes: dict[str, str] | None = None,
    prompt_session_attributes: dict[str, str] | None = None,
) -> dict[str, Any]:
    """One action group invocation; ``variant`` is ``api`` or ``function`` (:data:`VARIANTS`).

    ``api``: ``http_method`` (default ``GET`` or ``POST``; ``POST`` when ``payload`` is given) and
    ``api_path``; ``payload`` shapes the request body properties (default an order line), so it needs a method
    in :data:`BODY_METHODS`. ``function``: ``function`` names it and ``payload`` shapes its parameters.
    ``parameters`` replaces the drawn path/query (or function) parameters; values may be any JSON scalar and are
    sent as strings. ``agent_version`` ``DRAFT`` (the default) uses the test alias :data:`TEST_ALIAS_ID`; a
    numbered version gets a published alias id. ``region``, ``account_id`` and ``now`` are accepted for
    uniformity (the event carries none of them).
    """
    if variant not in VARIANTS:
        raise ConfigError(f"variant={variant!r} is not a Bedrock agent action group type; use one of {VARIANTS}")
    rng = LazyRng(seed, SOURCE)
    r = rng.get
    version = agent_version or "DRAFT"
    word = _fake.word(r())
    out: dict[str, Any] = {
        "messageVersion": MESSAGE_VERSION,
        "agent": {
            "name": agent_name or f"{word}-support-agent",
            "id": upper_alnum(r(), 10),
            "alias": TEST_ALIAS_ID if version == "DRAFT" else upper_alnum(r(), 10),
            "version": version,
        },
    }
    session = session_id or decimal_digits(r(), 15)
    if variant == "function":
        name = function or "get_order_status"
        params = parameters if parameters is not None else _object(payload, r(), now) or {"orderId": uuid4(r())}
        text = input_text or f"Please run {name} with " + _spoken(params)
        out.update({"inputText": text, "sessionId": session, "actionGroup": f"{word}-actions"})
        out.update({"function": name, "parameters": properties(params)})
    else:
        method = (http_method or ("POST" if payload is not None or r().random() < 0.5 else "GET")).upper()
        if payload is not None and method not in BODY_METHODS:
            raise ConfigError(
                f"payload={payload!r} shapes a request body, but http_method={method!r} sends none; "
                f"use one of {BODY_METHODS}"
            )
        body = (_object(payload, r(), now) or _line(r())) if method in BODY_METHODS else None
        if body is not None:
            path, params = api_path or "/orders", parameters or {}
            text = input_text or "Please create an order with " + _spoken(body)
        else:
            path = api_path or "/orders/{orderId}"
            params = parameters if parameters is not None else {"orderId": uuid4(r())}
            text = input_text or "What is the status of my order? " + _spoken(params)
        out.update({"inputText": text, "sessionId": session, "actionGroup": f"{word}-actions"})
        out.update({"apiPath": path, "httpMethod": method, "parameters": properties(params)})
        if body is not None:
            out["requestBody"] = {"content": {"application/json": {"properties": properties(body)}}}
    out["sessionAttributes"] = dict(session_attributes or {})
    out["promptSessionAttributes"] = dict(prompt_session_attributes or {})
    return out


def _object(payload: PayloadSpec, rng: Any, now: float) -> dict[str, JSON] | None:
    """The payload's value (``None`` without a payload); properties need a JSON object."""
    if payload is None:
        return None
    value = _payload.payload(payload, seed=rng, now=now)
    if not isinstance(value, dict):
        raise ConfigError(f"payload={payload!r} does not describe a JSON object; properties need field names")
    return value


def _spoken(values: dict[str, JSON]) -> str:
    return ", ".join(f"{p['name']} {p['value']}" for p in properties(values)) + "."


def _line(rng: Any) -> dict[str, JSON]:
    return {"sku": f"SKU-{rng.randrange(10**5):05d}", "quantity": rng.randrange(1, 5), "giftWrap": rng.random() < 0.2}


def events(n: int, *, seed: Seed = None, **kwargs: Any) -> list[dict[str, Any]]:
    """``n`` independent events, each as :func:`event` builds it."""
    return many(event, n, seed, kwargs)
