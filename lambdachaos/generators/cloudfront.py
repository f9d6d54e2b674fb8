"""CloudFront Lambda@Edge events (viewer request/response, origin request/response).

AWS page: "Lambda@Edge event structure". The event is ``{"Records": [{"cf": ...}]}`` with one record.
``cf.config`` has ``distributionDomainName``, ``distributionId`` (upper-case letters and digits), ``eventType``
and ``requestId``. ``cf.request`` has ``clientIp``, ``headers`` (lower-case names mapping to lists of
``{"key", "value"}`` with the original case in ``key``), ``method``, ``querystring`` (raw, without ``?``) and
``uri``; an origin request adds ``origin`` (``custom`` or ``s3``) and the headers CloudFront adds. Response
events add ``cf.response`` (``status`` as a **string**, ``statusDescription``, ``headers``).

Uniform API (shared by every non-batching source): :func:`event` and :func:`events`.
"""

from __future__ import annotations

from typing import Any

from lambdachaos._errors import ConfigError

from . import _fake
from ._common import DEFAULT_ACCOUNT_ID, DEFAULT_NOW, DEFAULT_REGION, LazyRng, Seed, many, token, upper_alnum

SOURCE = "cloudfront"
BATCHING = False
VARIANTS = ("viewer_request", "origin_request", "origin_response", "viewer_response")
_LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"
_REQUEST_ID = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_PATHS = ("/", "/index.html", "/products", "/orders/recent", "/static/app.js", "/images/logo.png")

__all__ = ["BATCHING", "SOURCE", "VARIANTS", "event", "events"]


def _headers(pairs: list[tuple[str, str]]) -> dict[str, list[dict[str, str]]]:
    out: dict[str, list[dict[str, str]]] = {}
    for key, value in pairs:
        out.setdefault(key.lower(), []).append({"key": key, "value": value})
    return out


def event(
    *,
    seed: Seed = None,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    now: float = DEFAULT_NOW,
    variant: str = "viewer_request",
    uri: str | None = None,
    method: str = "GET",
    querystring: str = "",
    origin: str = "custom",
) -> dict[str, Any]:
    """One Lambda@Edge event of the given ``variant`` (the trigger); ``origin`` is ``custom`` or ``s3``.

    Lambda@Edge functions live in us-east-1 and run in the edge region; ``region`` names the S3 origin's
    region, ``account_id`` and ``now`` are accepted for uniformity.
    """
    if variant not in VARIANTS:
        raise ConfigError(f"variant={variant!r} is not a Lambda@Edge trigger; use one of {VARIANTS}")
    if origin not in ("custom", "s3"):
        raise ConfigError(f"origin={origin!r} is not valid; use 'custom' or 's3'")
    r = LazyRng(seed, SOURCE).get()
    domain = f"d{token(r, 13, _LOWER_ALNUM)}.cloudfront.net"
    client_ip = _fake.ipv4(r)
    pairs = [("Host", domain), ("User-Agent", _fake.client_user_agent(r)), ("Accept", "*/*")]
    if variant.startswith("origin"):
        pairs += [
            ("X-Forwarded-For", client_ip),
            ("Via", f"2.0 {token(r, 32, '0123456789abcdef')}.cloudfront.net (CloudFront)"),
        ]
    request: dict[str, Any] = {
        "clientIp": client_ip,
        "headers": _headers(pairs),
        "method": method,
        "querystring": querystring,
        "uri": uri or _PATHS[int(r.random() * len(_PATHS))],
    }
    if variant == "origin_request":
        if origin == "s3":
            bucket = f"{_fake.word(r)}-assets-{int(r.random() * 10_000)}"
            request["origin"] = {
                "s3": {
                    "authMethod": "origin-access-identity",
                    "customHeaders": {},
                    "domainName": f"{bucket}.s3.{region}.amazonaws.com",
                    "path": "",
                    "region": region,
                }
            }
        else:
            request["origin"] = {
                "custom": {
                    "customHeaders": {},
                    "domainName": f"api.{_fake.word(r)}.example.com",
                    "keepaliveTimeout": 5,
                    "path": "",
                    "port": 443,
                    "protocol": "https",
                    "readTimeout": 30,
                    "sslProtocols": ["TLSv1.2"],
                }
            }
    cf: dict[str, Any] = {
        "config": {
            "distributionDomainName": domain,
            "distributionId": "E" + upper_alnum(r, 13),
            "eventType": variant.replace("_", "-"),
            "requestId": token(r, 54, _REQUEST_ID) + "==",
        },
        "request": request,
    }
    if variant.endswith("response"):
        cf["response"] = {
            "headers": _headers(
                [
                    ("Content-Type", "text/html; charset=utf-8"),
                    ("Content-Length", str(int(r.random() * 20_000) + 200)),
                    ("Cache-Control", "max-age=300"),
                    ("Server", "nginx"),
                ]
            ),
            "status": "200",
            "statusDescription": "OK",
        }
    return {"Records": [{"cf": cf}]}


def events(n: int, *, seed: Seed = None, **kwargs: Any) -> list[dict[str, Any]]:
    """``n`` independent events, each as :func:`event` builds it."""
    return many(event, n, seed, kwargs)
