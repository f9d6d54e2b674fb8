"""Amazon API Gateway Lambda authorizer events: REST ``TOKEN`` and ``REQUEST`` authorizers, and HTTP API
``REQUEST`` authorizers (payload format 2.0).

AWS pages: "Input to an API Gateway Lambda authorizer" (REST) and "Working with AWS Lambda authorizers for
HTTP APIs". A ``TOKEN`` event is only ``type``, ``authorizationToken`` (the identity-source header value)
and ``methodArn`` (``arn:aws:execute-api:<region>:<account>:<api>/<stage>/<METHOD>/<path>``). A REST
``REQUEST`` event is the proxy event's request part (no body) plus ``type`` and ``methodArn``. An HTTP API
``REQUEST`` event is the 2.0 request (no body) plus ``type: "REQUEST"``, ``routeArn`` and ``identitySource``,
the list of identity-source values. The default token is a JWT whose ``iat``/``exp`` come from ``now``.

Uniform API (shared by every non-batching source): :func:`event` and :func:`events`.
"""

from __future__ import annotations

import base64
import dataclasses
from typing import Any, Unpack

from lambdachaos._errors import ConfigError

from . import _http
from ._common import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_NOW,
    DEFAULT_REGION,
    LazyRng,
    Seed,
    arn,
    dumps,
    many,
    token,
    upper_alnum,
    uuid4,
)
from ._http import HttpOverrides

SOURCE = "apigateway_authorizer"
BATCHING = False
VARIANTS = ("token", "request", "request_v2")
MODELS = {
    "token": "ApiGatewayAuthorizerToken",
    "request": "ApiGatewayAuthorizerRequest",
    "request_v2": "ApiGatewayAuthorizerRequestV2",
}
"""The powertools parser model of each variant."""
NO_BODY_KEYWORDS = ("payload", "body")
"""Request keywords an authorizer event refuses: authorizers receive no body, so these would be dropped."""
_LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"

__all__ = ["BATCHING", "MODELS", "NO_BODY_KEYWORDS", "SOURCE", "VARIANTS", "event", "events", "jwt"]


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def jwt(*, seed: Seed = None, region: str = DEFAULT_REGION, now: float = DEFAULT_NOW) -> str:
    """A structurally valid (unverifiable) Cognito-style access token: ``iat`` is ``now``, ``exp`` an hour
    later, the issuer a user pool in ``region``."""
    rng = LazyRng(seed, SOURCE).get()
    pool = f"{region}_{token(rng, 9, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789')}"
    header = {"kid": _b64url(rng.getrandbits(256).to_bytes(32, "big")), "alg": "RS256"}
    claims = {
        "sub": uuid4(rng),
        "iss": f"https://cognito-idp.{region}.amazonaws.com/{pool}",
        "client_id": token(rng, 26, _LOWER_ALNUM),
        "token_use": "access",
        "scope": "orders/read orders/write",
        "auth_time": int(now),
        "iat": int(now),
        "exp": int(now) + 3600,
        "jti": uuid4(rng),
    }
    signature = rng.getrandbits(2048).to_bytes(256, "big")
    return ".".join((_b64url(dumps(header).encode()), _b64url(dumps(claims).encode()), _b64url(signature)))


def event(
    *,
    seed: Seed = None,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    now: float = DEFAULT_NOW,
    variant: str = "token",
    authorization: str | None = None,
    stage: str | None = None,
    api_id: str | None = None,
    request_id: str | None = None,
    **http: Unpack[HttpOverrides],
) -> dict[str, Any]:
    """One authorizer event; ``variant`` is ``token``, ``request`` (REST) or ``request_v2`` (HTTP API).

    ``authorization`` is the ``Authorization`` header value, the identity source (default ``Bearer`` and a
    :func:`jwt`). ``stage`` defaults to ``prod`` (REST) or ``$default`` (HTTP API). Request keywords as in
    :class:`~lambdachaos.generators._http.HttpOverrides`, except ``payload`` and ``body``: authorizers never see a
    body, so those raise :class:`~lambdachaos.ConfigError` rather than being silently dropped.
    """
    if variant not in VARIANTS:
        raise ConfigError(f"variant={variant!r} is not an authorizer event; use one of {VARIANTS}")
    for name in NO_BODY_KEYWORDS:
        if name in http:
            raise ConfigError(
                f"{name}= was given, but API Gateway never sends the request body to a Lambda authorizer; "
                f"drop {name} (--body-schema on the command line), or shape the body of an apigateway-rest or "
                "apigateway-http event instead"
            )
    rng = LazyRng(seed, SOURCE)
    api = api_id or token(rng.get(), 10, _LOWER_ALNUM)
    domain = f"{api}.execute-api.{region}.amazonaws.com"
    stage = stage or ("$default" if variant == "request_v2" else "prod")
    credential = authorization or "Bearer " + jwt(seed=rng.get(), region=region, now=now)
    has_headers = "headers" in http
    req = _http.request(rng, host=domain, now=now, **http)
    req = dataclasses.replace(req, body=None, is_base64_encoded=False)
    if not has_headers:
        headers = (*(h for h in req.headers if h[0] != "Content-Type"), ("Authorization", credential))
        req = dataclasses.replace(req, headers=headers)
    resource = f"{api}/{stage}/{req.method}/{req.path.lstrip('/')}"
    if variant == "token":
        return {
            "type": "TOKEN",
            "authorizationToken": credential,
            "methodArn": arn("execute-api", region, account_id, resource),
        }
    if variant == "request":
        proxy = _http.render_v1(
            req,
            rng=rng,
            region=region,
            account_id=account_id,
            now=now,
            stage=stage,
            api_id=api,
            request_id=request_id,
        )
        del proxy["body"], proxy["isBase64Encoded"]
        return {"type": "REQUEST", "methodArn": arn("execute-api", region, account_id, resource), **proxy}
    v2 = _http.render_v2(
        req,
        route_key=f"{req.method} {req.route}",
        account_id=account_id,
        api_id=api,
        domain=domain,
        stage=stage,
        request_id=request_id or upper_alnum(rng.get(), 15) + "=",
        now=now,
    )
    v2.pop("body", None)
    del v2["isBase64Encoded"]
    out: dict[str, Any] = {
        "version": "2.0",
        "type": "REQUEST",
        "routeArn": arn("execute-api", region, account_id, resource),
    }
    # With no identity source configured (e.g. custom headers without Authorization) AWS omits the field.
    sources = [v for k, v in req.headers if k.lower() == "authorization"]
    if sources:
        out["identitySource"] = sources
    out.update((k, v) for k, v in v2.items() if k != "version")
    return out


def events(n: int, *, seed: Seed = None, **kwargs: Any) -> list[dict[str, Any]]:
    """``n`` independent events, each as :func:`event` builds it."""
    return many(event, n, seed, kwargs)
