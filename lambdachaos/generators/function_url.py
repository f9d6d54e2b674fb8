"""Lambda function URL events (payload format 2.0 with function-URL specifics).

AWS page: "Invoking Lambda function URLs" (request payload). The shape is the HTTP API 2.0 one with
``routeKey`` and ``stage`` both ``$default``, ``domainName`` ``<url-id>.lambda-url.<region>.on.aws`` and, with
auth type ``NONE``, ``accountId`` ``"anonymous"``; with ``AWS_IAM`` the context carries ``authorizer.iam``.

Uniform API (shared by every non-batching source): :func:`event` and :func:`events`.
"""

from __future__ import annotations

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
    iam_id,
    many,
    token,
    uuid4,
)
from ._http import HttpOverrides

SOURCE = "function_url"
BATCHING = False
VARIANTS = ("NONE", "AWS_IAM")
_LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"

__all__ = ["BATCHING", "SOURCE", "VARIANTS", "event", "events"]


def event(
    *,
    seed: Seed = None,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    now: float = DEFAULT_NOW,
    auth_type: str = "NONE",
    url_id: str | None = None,
    request_id: str | None = None,
    **http: Unpack[HttpOverrides],
) -> dict[str, Any]:
    """One function URL event; ``auth_type`` is the URL's ``AuthType`` (``NONE`` or ``AWS_IAM``).

    Request keywords as in :class:`~lambdachaos.generators._http.HttpOverrides`.
    """
    if auth_type not in VARIANTS:
        raise ConfigError(f"auth_type={auth_type!r} is not a function URL auth type; use one of {VARIANTS}")
    rng = LazyRng(seed, SOURCE)
    url = url_id or token(rng.get(), 32, _LOWER_ALNUM)
    domain = f"{url}.lambda-url.{region}.on.aws"
    # Function URLs have no routes, hence no path parameters.
    req = dataclasses.replace(_http.request(rng, host=domain, now=now, **http), path_parameters={})
    authorizer = None
    caller_account = "anonymous"
    if auth_type == "AWS_IAM":
        caller_account = account_id
        key = iam_id(rng.get(), "AKIA", 16)
        user_id = iam_id(rng.get(), "AIDA")
        authorizer = {
            "iam": {
                "accessKey": key,
                "accountId": account_id,
                "callerId": user_id,
                "cognitoIdentity": None,
                "principalOrgId": None,
                "userArn": f"arn:aws:iam::{account_id}:user/deployer",
                "userId": user_id,
            }
        }
    return _http.render_v2(
        req,
        route_key="$default",
        account_id=caller_account,
        api_id=url,
        domain=domain,
        stage="$default",
        request_id=request_id or uuid4(rng.get()),
        now=now,
        authorizer=authorizer,
    )


def events(n: int, *, seed: Seed = None, **kwargs: Any) -> list[dict[str, Any]]:
    """``n`` independent events, each as :func:`event` builds it."""
    return many(event, n, seed, kwargs)
