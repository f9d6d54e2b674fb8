"""Amazon API Gateway REST API events (Lambda proxy integration, payload format 1.0).

AWS page: "Set up Lambda proxy integrations in API Gateway" (input format). There is no ``version`` field;
``headers`` keeps the last value of each header and ``multiValueHeaders`` all of them, both in client casing;
``queryStringParameters`` and ``multiValueQueryStringParameters`` are ``null`` when the request has no query;
``requestContext.path`` includes the stage; ``requestTime`` is ``01/Jun/2024:12:00:00 +0000`` and
``requestTimeEpoch`` epoch milliseconds.

Uniform API (shared by every non-batching source): :func:`event` and :func:`events`.
"""

from __future__ import annotations

from typing import Any, Unpack

from . import _http
from ._common import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_NOW,
    DEFAULT_REGION,
    LazyRng,
    Seed,
    clf_time,
    many,
    to_ms,
    token,
    upper_alnum,
    uuid4,
)
from ._http import HttpOverrides

SOURCE = "apigateway"
BATCHING = False
VARIANTS = ("rest",)
_LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"

__all__ = ["BATCHING", "SOURCE", "VARIANTS", "event", "events", "render"]


def render(
    req: _http.Request,
    *,
    rng: LazyRng,
    region: str,
    account_id: str,
    now: float,
    stage: str = "prod",
    api_id: str | None = None,
    request_id: str | None = None,
    authorizer: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Render a neutral request as a REST (payload 1.0) event."""
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
        "stageVariables": None,
        "requestContext": context,
        "body": req.body,
        "isBase64Encoded": req.is_base64_encoded,
    }


def event(
    *,
    seed: Seed = None,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    now: float = DEFAULT_NOW,
    stage: str = "prod",
    api_id: str | None = None,
    request_id: str | None = None,
    **http: Unpack[HttpOverrides],
) -> dict[str, Any]:
    """One REST API proxy event; request keywords as in :class:`._http.HttpOverrides`."""
    rng = LazyRng(seed)
    api = api_id or token(rng.get(), 10, _LOWER_ALNUM)
    req = _http.request(rng, host=f"{api}.execute-api.{region}.amazonaws.com", now=now, **http)
    return render(
        req,
        rng=rng,
        region=region,
        account_id=account_id,
        now=now,
        stage=stage,
        api_id=api,
        request_id=request_id,
    )


def events(n: int, *, seed: Seed = None, **kwargs: Any) -> list[dict[str, Any]]:
    """``n`` independent events, each as :func:`event` builds it."""
    return many(event, n, seed, kwargs)
