"""Amazon API Gateway REST API events (Lambda proxy integration, payload format 1.0).

AWS page: "Set up Lambda proxy integrations in API Gateway" (input format). There is no ``version`` field;
``headers`` keeps the last value of each header and ``multiValueHeaders`` all of them, both in client casing;
``queryStringParameters`` and ``multiValueQueryStringParameters`` are ``null`` when the request has no query;
``requestContext.path`` includes the stage; ``requestTime`` is ``01/Jun/2024:12:00:00 +0000`` and
``requestTimeEpoch`` epoch milliseconds.

Uniform API (shared by every non-batching source): :func:`event` and :func:`events`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Unpack

from . import _http
from ._common import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_NOW,
    DEFAULT_REGION,
    LazyRng,
    Seed,
    many,
    token,
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
    stage_variables: Mapping[str, str] | None = None,
    api_key: str | None = None,
) -> dict[str, Any]:
    """Render a neutral request as a REST (payload 1.0) event (see :func:`._http.render_v1`)."""
    return _http.render_v1(
        req,
        rng=rng,
        region=region,
        account_id=account_id,
        now=now,
        stage=stage,
        api_id=api_id,
        request_id=request_id,
        authorizer=authorizer,
        stage_variables=stage_variables,
        api_key=api_key,
    )


def event(
    *,
    seed: Seed = None,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    now: float = DEFAULT_NOW,
    stage: str = "prod",
    api_id: str | None = None,
    request_id: str | None = None,
    stage_variables: Mapping[str, str] | None = None,
    api_key: str | None = None,
    **http: Unpack[HttpOverrides],
) -> dict[str, Any]:
    """One REST API proxy event; request keywords as in :class:`._http.HttpOverrides`.

    ``stage_variables`` fill ``stageVariables`` (``null`` otherwise); ``api_key`` is the caller's API key (the
    ``x-api-key`` header and ``identity.apiKey``/``apiKeyId``)."""
    rng = LazyRng(seed, SOURCE)
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
        stage_variables=stage_variables,
        api_key=api_key,
    )


def events(n: int, *, seed: Seed = None, **kwargs: Any) -> list[dict[str, Any]]:
    """``n`` independent events, each as :func:`event` builds it."""
    return many(event, n, seed, kwargs)
