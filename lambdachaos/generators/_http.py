"""A neutral HTTP request, drawn once and rendered by each HTTP-fronted source (API Gateway, Function URL,
ALB).

Keeping the request separate from its rendering makes every HTTP source agree on what was sent: the same
headers, query, cookies and body appear in each envelope, only in that envelope's own format.
"""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any, TypedDict
from urllib.parse import quote

from . import _fake, _payload
from ._common import DEFAULT_NOW, LazyRng, clf_time, hex_digits, to_ms, token, upper_alnum, uuid4
from ._payload import PayloadSpec


class HttpOverrides(TypedDict, total=False):
    """Request keywords every HTTP-fronted builder accepts (documented once here).

    ``method``; ``path`` (as requested) with ``route`` (the matched resource/route template, e.g.
    ``/orders/{id}``) and ``path_parameters``; ``headers`` as a mapping or as ``(name, value)`` pairs in
    client casing (pairs may repeat a name); ``query`` likewise, values unencoded; ``cookies`` as
    ``name=value`` strings; ``body`` as text, or bytes (sent base64-encoded with ``isBase64Encoded``);
    ``source_ip``; ``user_agent`` (default: an API client -- an AWS SDK, curl, Postman, an HTTP library -- or a
    current browser); ``payload`` (the type of the default JSON body of POST/PUT requests). Default headers
    carry ``Content-Type`` and ``Content-Length`` (bytes of the body) whenever there is a body.
    """

    payload: PayloadSpec
    method: str
    path: str
    route: str
    path_parameters: Mapping[str, str]
    headers: Mapping[str, str] | Sequence[tuple[str, str]]
    query: Mapping[str, str] | Sequence[tuple[str, str]]
    cookies: Sequence[str]
    body: str | bytes | None
    source_ip: str
    user_agent: str


_LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"

_TEXT_TYPES = (
    "text/",
    "application/json",
    "application/javascript",
    "application/xml",
    "application/x-www-form",
)


@dataclasses.dataclass(frozen=True)
class Request:
    """One HTTP request as the client sent it (header names in client casing, query values unencoded)."""

    method: str
    path: str
    route: str
    path_parameters: dict[str, str]
    headers: tuple[tuple[str, str], ...]
    query: tuple[tuple[str, str], ...]
    cookies: tuple[str, ...]
    body: str | None
    is_base64_encoded: bool
    source_ip: str
    user_agent: str
    trace_id: str

    def header_dict(self, *, lower: bool) -> dict[str, str]:
        """Headers with one value per name: the last one sent (REST ``headers``, ALB ``headers``)."""
        return {(k.lower() if lower else k): v for k, v in self.headers}

    def multi_headers(self, *, lower: bool) -> dict[str, list[str]]:
        """Headers with every value per name, in order sent."""
        out: dict[str, list[str]] = {}
        for k, v in self.headers:
            out.setdefault(k.lower() if lower else k, []).append(v)
        return out

    def joined_headers(self) -> dict[str, str]:
        """HTTP API 2.0 style: lower-case names, duplicate values comma-joined, cookies removed."""
        return {k: ",".join(v) for k, v in self.multi_headers(lower=True).items() if k != "cookie"}

    def raw_query(self) -> str:
        """The query string as sent (percent-encoded)."""
        return "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in self.query)

    def query_dict(self) -> dict[str, str]:
        """Last value per parameter."""
        return dict(self.query)

    def multi_query(self) -> dict[str, list[str]]:
        """Every value per parameter."""
        out: dict[str, list[str]] = {}
        for k, v in self.query:
            out.setdefault(k, []).append(v)
        return out


def is_text(content_type: str) -> bool:
    """Whether API Gateway/ALB would pass a body of this content type as text (not base64)."""
    return content_type.startswith(_TEXT_TYPES) or content_type.endswith(("+json", "+xml"))


def request(
    rng: LazyRng,
    *,
    host: str,
    now: float = DEFAULT_NOW,
    payload: PayloadSpec = None,
    method: str | None = None,
    path: str | None = None,
    route: str | None = None,
    path_parameters: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | Sequence[tuple[str, str]] | None = None,
    query: Mapping[str, str] | Sequence[tuple[str, str]] | None = None,
    cookies: Sequence[str] | None = None,
    body: str | bytes | None = None,
    source_ip: str | None = None,
    user_agent: str | None = None,
) -> Request:
    """Draw the parts of a request that were not given. Bytes bodies are sent base64-encoded."""
    r = rng.get
    if method is None:
        method = r().choice(("GET", "GET", "POST", "PUT", "DELETE"))
    if path is None:
        order_id = uuid4(r())
        path, route, path_parameters = (
            (f"/orders/{order_id}", "/orders/{id}", {"id": order_id})
            if method != "POST"
            else ("/orders", "/orders", {})
        )
    route = route or path
    if query is None:
        query = [("limit", str(r().choice((10, 25, 50))))] if method == "GET" and r().random() < 0.5 else []
    if cookies is None:
        cookies = [f"session={hex_digits(r(), 24)}"] if r().random() < 0.3 else []
    if body is None and method in ("POST", "PUT"):
        body = _payload.payload_json(payload, seed=r(), now=now)
    source_ip = source_ip or _fake.ipv4(r())
    user_agent = user_agent or _fake.client_user_agent(r())
    trace = f"Root=1-{int(now):08x}-{hex_digits(r(), 24)}"
    if headers is None:
        pairs = [
            ("Host", host),
            ("User-Agent", user_agent),
            ("Accept", "application/json"),
            ("Accept-Encoding", "gzip, deflate, br"),
            ("X-Amzn-Trace-Id", trace),
            ("X-Forwarded-For", source_ip),
            ("X-Forwarded-Port", "443"),
            ("X-Forwarded-Proto", "https"),
        ]
        if body is not None:
            pairs.insert(3, ("Content-Type", "application/json" if isinstance(body, str) else "image/png"))
            size = len(body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body)
            pairs.insert(4, ("Content-Length", str(size)))
        if cookies:
            pairs.append(("Cookie", "; ".join(cookies)))
    else:
        pairs = list(headers.items()) if isinstance(headers, Mapping) else list(headers)
    encoded = isinstance(body, bytes)
    text = base64.b64encode(body).decode("ascii") if isinstance(body, bytes) else body
    return Request(
        method=method,
        path=path,
        route=route,
        path_parameters=dict(path_parameters or {}),
        headers=tuple(pairs),
        query=tuple(query.items() if isinstance(query, Mapping) else query),
        cookies=tuple(cookies),
        body=text,
        is_base64_encoded=encoded,
        source_ip=source_ip,
        user_agent=user_agent,
        trace_id=trace,
    )


def render_v2(
    req: Request,
    *,
    route_key: str,
    account_id: str,
    api_id: str,
    domain: str,
    stage: str,
    request_id: str,
    now: float,
    authorizer: dict[str, Any] | None = None,
    stage_variables: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Render a request in payload format 2.0 (HTTP API and Function URL share this shape); HTTP API
    ``stageVariables`` appear when given.

    ``rawPath`` equals ``requestContext.http.path``; cookies move to ``cookies`` and leave the headers; absent
    query, path parameters and body are omitted rather than ``null``.
    """
    out: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": req.path,
        "rawQueryString": req.raw_query(),
    }
    if req.cookies:
        out["cookies"] = list(req.cookies)
    out["headers"] = req.joined_headers()
    if req.query:
        out["queryStringParameters"] = {k: ",".join(v) for k, v in req.multi_query().items()}
    context: dict[str, Any] = {
        "accountId": account_id,
        "apiId": api_id,
    }
    if authorizer is not None:
        context["authorizer"] = authorizer
    context.update(
        {
            "domainName": domain,
            "domainPrefix": domain.split(".", 1)[0],
            "http": {
                "method": req.method,
                "path": req.path,
                "protocol": "HTTP/1.1",
                "sourceIp": req.source_ip,
                "userAgent": req.user_agent,
            },
            "requestId": request_id,
            "routeKey": route_key,
            "stage": stage,
            "time": clf_time(now),
            "timeEpoch": to_ms(now),
        }
    )
    out["requestContext"] = context
    if req.path_parameters:
        out["pathParameters"] = dict(req.path_parameters)
    if req.body is not None:
        out["body"] = req.body
    out["isBase64Encoded"] = req.is_base64_encoded
    if stage_variables:
        out["stageVariables"] = dict(stage_variables)
    return out


def render_v1(
    req: Request,
    *,
    rng: LazyRng,
    region: str,
    account_id: str,
    now: float,
    stage: str = "prod",
    api_id: str | None = None,
    request_id: str | None = None,
    authorizer: dict[str, Any] | None = None,
    stage_variables: Mapping[str, str] | None = None,
    api_key: str | None = None,
) -> dict[str, Any]:
    """Render a neutral request as a REST API proxy event (payload format 1.0).

    ``requestContext.path`` includes the stage; absent query and path parameters are ``null``, and so are
    ``stageVariables`` unless given. An ``api_key`` (a method that requires one) is sent as ``x-api-key`` and
    appears in ``identity.apiKey`` with its ``apiKeyId``.
    """
    if api_key is not None and not any(k.lower() == "x-api-key" for k, _ in req.headers):
        req = dataclasses.replace(req, headers=(*req.headers, ("x-api-key", api_key)))
    api_id = api_id or token(rng.get(), 10, _LOWER_ALNUM)
    domain = f"{api_id}.execute-api.{region}.amazonaws.com"
    multi_query = req.multi_query()
    context: dict[str, Any] = {
        "accountId": account_id,
        "apiId": api_id,
        "domainName": domain,
        "domainPrefix": api_id,
        "extendedRequestId": upper_alnum(rng.get(), 15) + "=",
        "httpMethod": req.method,
        "identity": {
            "accessKey": None,
            "accountId": None,
            **({"apiKey": api_key, "apiKeyId": token(rng.get(), 10, _LOWER_ALNUM)} if api_key is not None else {}),
            "caller": None,
            "cognitoAuthenticationProvider": None,
            "cognitoAuthenticationType": None,
            "cognitoIdentityId": None,
            "cognitoIdentityPoolId": None,
            "principalOrgId": None,
            "sourceIp": req.source_ip,
            "user": None,
            "userAgent": req.user_agent,
            "userArn": None,
        },
        "path": f"/{stage}{req.path}",
        "protocol": "HTTP/1.1",
        "requestId": request_id or uuid4(rng.get()),
        "requestTime": clf_time(now),
        "requestTimeEpoch": to_ms(now),
        "resourceId": token(rng.get(), 6, _LOWER_ALNUM),
        "resourcePath": req.route,
        "stage": stage,
    }
    if authorizer is not None:
        context["authorizer"] = authorizer
    return {
        "resource": req.route,
        "path": req.path,
        "httpMethod": req.method,
        "headers": req.header_dict(lower=False),
        "multiValueHeaders": req.multi_headers(lower=False),
        "queryStringParameters": req.query_dict() or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": req.path_parameters or None,
        "stageVariables": dict(stage_variables) if stage_variables else None,
        "requestContext": context,
        "body": req.body,
        "isBase64Encoded": req.is_base64_encoded,
    }
