"""How the HTTP front doors turn a function's result into an HTTP response (docs/aws-behaviour.md §7.4).

Three response formats exist. Payload format 1.0 (REST APIs, HTTP APIs with 1.0) needs an object with
``statusCode``; ``headers`` and ``multiValueHeaders`` are merged, and where both give a name the values of
``multiValueHeaders`` win. Payload format 2.0 (HTTP APIs, Function URLs) accepts the same object plus
``cookies``, or infers the response: any JSON value that is not an object with ``statusCode`` becomes a 200
``application/json`` response whose body is the value (a string as itself, anything else as JSON text).
ALB needs ``statusCode`` and reads ``headers`` or, with ``lambda.multi_value_headers.enabled``,
``multiValueHeaders``, never both. A result that breaks these rules is malformed: :class:`Malformed`.
AWS pages: "Set up Lambda proxy integrations in API Gateway" (output format), "Create AWS Lambda proxy
integrations for HTTP APIs" (response format), "Invoking Lambda function URLs" (response payload), "Lambda
functions as targets" (ALB response).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any, Final, final

ALB_RESPONSE_BODY_MAX: Final = 1_048_576
"""Largest response body an ALB passes on from a Lambda target, bytes (1 MB)."""
_V1_KEYS: Final = frozenset({"statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"})


class Malformed(Exception):
    """The function's result is not a valid response in the front door's format (the client gets 502)."""


@final
@dataclass(frozen=True, slots=True)
class Mapped:
    """A function result mapped to HTTP: status, header pairs in order, body bytes, ALB status line."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    status_description: str | None = None


def _status(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 100 <= value <= 599:
        raise Malformed(f"statusCode={value!r} is not an HTTP status code (100-599)")
    return value


def _body(result: dict[str, Any]) -> bytes:
    body = result.get("body")
    encoded = result.get("isBase64Encoded", False)
    if not isinstance(encoded, bool):
        raise Malformed(f"isBase64Encoded={encoded!r} is not a boolean")
    if body is None:
        return b""
    if not isinstance(body, str):
        raise Malformed(f"body is a {type(body).__name__}; the body must be a string (JSON-encode it)")
    if not encoded:
        return body.encode()
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raise Malformed("isBase64Encoded is true but body is not valid base64") from None


def _single(value: Any, what: str) -> list[tuple[str, str]]:
    if value is None:
        return []
    if not isinstance(value, dict):
        raise Malformed(f"{what} is a {type(value).__name__}, not an object")
    out = []
    for name, item in value.items():
        if isinstance(item, (dict, list)):
            raise Malformed(f"{what}[{name!r}] is a {type(item).__name__}; header values are strings")
        out.append((str(name), _text(item)))
    return out


def _multi(value: Any, what: str) -> list[tuple[str, str]]:
    if value is None:
        return []
    if not isinstance(value, dict):
        raise Malformed(f"{what} is a {type(value).__name__}, not an object")
    out: list[tuple[str, str]] = []
    for name, items in value.items():
        if not isinstance(items, list):
            raise Malformed(f"{what}[{name!r}] is a {type(items).__name__}; it must be a list of strings")
        out.extend((str(name), _text(item)) for item in items)
    return out


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def parse(payload: bytes) -> Any:
    """The function's result as JSON; a result that is not JSON is malformed."""
    try:
        return json.loads(payload) if payload else None
    except ValueError:
        raise Malformed("the function's result is not JSON") from None


def map_v1(result: Any, *, strict_keys: bool = True) -> Mapped:
    """Payload format 1.0: ``{statusCode, headers, multiValueHeaders, body, isBase64Encoded}``.

    REST APIs refuse unknown top-level keys ("Malformed Lambda proxy response"); values of
    ``multiValueHeaders`` replace the ``headers`` value of the same name.
    """
    if not isinstance(result, dict) or "statusCode" not in result:
        raise Malformed("payload format 1.0 needs an object with statusCode")
    extra = sorted(set(result) - _V1_KEYS)
    if strict_keys and extra:
        raise Malformed(f"unexpected key(s) {extra} in a payload format 1.0 response")
    status = _status(result["statusCode"])
    multi = _multi(result.get("multiValueHeaders"), "multiValueHeaders")
    covered = {name.lower() for name, _ in multi}
    single = [(k, v) for k, v in _single(result.get("headers"), "headers") if k.lower() not in covered]
    return Mapped(status, tuple(single + multi), _body(result))


def map_v2(result: Any) -> Mapped:
    """Payload format 2.0 (HTTP API, Function URL): explicit when an object has ``statusCode``, else inferred."""
    if not isinstance(result, dict) or "statusCode" not in result:
        body = result if isinstance(result, str) else json.dumps(result)
        return Mapped(200, (("content-type", "application/json"),), body.encode())
    status = _status(result["statusCode"])
    headers = _single(result.get("headers"), "headers")
    cookies = result.get("cookies") or []
    if not isinstance(cookies, list) or not all(isinstance(c, str) for c in cookies):
        raise Malformed(f"cookies={cookies!r} must be a list of strings")
    headers += [("set-cookie", cookie) for cookie in cookies]
    return Mapped(status, tuple(headers), _body(result))


def map_alb(result: Any, *, multi_value_headers: bool) -> Mapped:
    """ALB: ``statusCode`` required; ``headers`` or ``multiValueHeaders`` by the target group attribute."""
    if not isinstance(result, dict) or "statusCode" not in result:
        raise Malformed("an ALB target must return an object with statusCode")
    status = _status(result["statusCode"])
    description = result.get("statusDescription")
    if description is not None and not isinstance(description, str):
        raise Malformed(f"statusDescription={description!r} must be a string such as '200 OK'")
    if multi_value_headers:
        headers = _multi(result.get("multiValueHeaders"), "multiValueHeaders")
    else:
        headers = _single(result.get("headers"), "headers")
    body = _body(result)
    if len(body) > ALB_RESPONSE_BODY_MAX:
        raise Malformed(f"response body of {len(body)} bytes is over the ALB limit of {ALB_RESPONSE_BODY_MAX}")
    return Mapped(status, tuple(headers), body, description)
