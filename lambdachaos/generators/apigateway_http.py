"""Amazon API Gateway HTTP API events (payload format 2.0).

AWS page: "Create AWS Lambda proxy integrations for HTTP APIs in API Gateway". ``version`` is ``"2.0"``;
``routeKey`` is ``$default`` or ``METHOD /path/{param}``; headers are lower-case with duplicate values
comma-joined; cookies travel in ``cookies``; ``rawPath`` equals ``requestContext.http.path``; ``timeEpoch``
(epoch ms) matches ``time``.

Uniform API (shared by every non-batching source): :func:`event` and :func:`events`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Unpack

from . import _http
from ._common import DEFAULT_ACCOUNT_ID, DEFAULT_NOW, DEFAULT_REGION, LazyRng, Seed, many, token, upper_alnum
from ._http import HttpOverrides

SOURCE = "apigateway_http"
BATCHING = False
VARIANTS = ("route", "default_route")
_LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"

__all__ = ["BATCHING", "SOURCE", "VARIANTS", "event", "events"]


def event(
    *,
    seed: Seed = None,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    now: float = DEFAULT_NOW,
    variant: str = "route",
    stage: str = "$default",
    api_id: str | None = None,
    request_id: str | None = None,
    stage_variables: Mapping[str, str] | None = None,
    **http: Unpack[HttpOverrides],
) -> dict[str, Any]:
    """One HTTP API event. ``variant`` ``route`` matches ``METHOD /route``; ``default_route`` uses
    ``$default``.

    Request keywords as in :class:`~lambdachaos.generators._http.HttpOverrides`. ``request_id`` is the
    API Gateway ``requestId`` (a base64-like id such as ``JKJaXmPLvHcESHA=``); ``stage_variables`` appear as
    ``stageVariables`` when given.
    """
    rng = LazyRng(seed, SOURCE)
    api = api_id or token(rng.get(), 10, _LOWER_ALNUM)
    domain = f"{api}.execute-api.{region}.amazonaws.com"
    req = _http.request(rng, host=domain, now=now, **http)
    route_key = f"{req.method} {req.route}" if variant == "route" else "$default"
    return _http.render_v2(
        req,
        route_key=route_key,
        account_id=account_id,
        api_id=api,
        domain=domain,
        stage=stage,
        request_id=request_id or upper_alnum(rng.get(), 15) + "=",
        now=now,
        stage_variables=stage_variables,
    )


def events(n: int, *, seed: Seed = None, **kwargs: Any) -> list[dict[str, Any]]:
    """``n`` independent events, each as :func:`event` builds it."""
    return many(event, n, seed, kwargs)
