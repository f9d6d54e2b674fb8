"""AWS AppSync direct Lambda resolver events.

AWS page: "AWS AppSync resolver mapping template context reference" and "Direct Lambda resolvers". The event
carries the field's ``arguments``, the caller ``identity`` (here a Cognito user pool user: ``sub``,
``issuer`` in the API's region, ``username``, ``claims`` and ``sourceIp`` as a **list**), the parent
``source`` (``null`` at the root), ``request.headers``, ``prev`` (``null`` outside pipelines), ``info``
(``parentTypeName``, ``fieldName``, ``variables``, ``selectionSetList`` and ``selectionSetGraphQL``) and an
empty ``stash``. The ``legacy_*`` variants are the older shape still sent by request mapping templates that
pass ``$context`` fields one by one (and by Amplify's function directive): ``typeName`` and ``fieldName`` at the
top level, then ``arguments``, ``identity``, ``source``, ``request`` and ``prev``, without ``info``/``stash``.

Uniform API (shared by every non-batching source): :func:`event` and :func:`events`.
"""

from __future__ import annotations

from typing import Any

from lambdachaos._errors import ConfigError

from . import _fake
from ._common import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_NOW,
    DEFAULT_REGION,
    LazyRng,
    Seed,
    many,
    token,
    uuid4,
)

SOURCE = "appsync"
BATCHING = False
VARIANTS = ("query", "mutation", "legacy_query", "legacy_mutation")
_FIELDS = ("id", "status", "total", "createdAt")
_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

__all__ = ["BATCHING", "SOURCE", "VARIANTS", "event", "events"]


def event(
    *,
    seed: Seed = None,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    now: float = DEFAULT_NOW,
    variant: str = "query",
    arguments: dict[str, Any] | None = None,
    api_id: str | None = None,
) -> dict[str, Any]:
    """One resolver event: ``Query.getOrder(id)`` or ``Mutation.createOrder(input)`` (``variant``).

    ``arguments`` replaces the drawn field arguments (``info.variables`` follows them). The user's token was
    issued at ``now``; ``account_id`` is accepted for uniformity.
    """
    if variant not in VARIANTS:
        raise ConfigError(f"variant={variant!r} is not an AppSync operation; use one of {VARIANTS}")
    rng = LazyRng(seed, SOURCE)
    r = rng.get
    api = api_id or token(r(), 26, "abcdefghijklmnopqrstuvwxyz0123456789")
    sub = uuid4(r())
    first, last = _fake.first_name(r()), _fake.last_name(r())
    username = _fake.username(r())
    issuer = f"https://cognito-idp.{region}.amazonaws.com/{region}_{token(r(), 9, _ALNUM)}"
    legacy = variant.startswith("legacy_")
    if variant.endswith("query"):
        parent, field, args = "Query", "getOrder", arguments or {"id": uuid4(r())}
    else:
        order = {"customerEmail": _fake.email(r(), first, last), "sku": f"SKU-{r().randrange(10**5):05d}"}
        parent, field, args = "Mutation", "createOrder", arguments or {"input": order}
    graphql = "{\n  " + "\n  ".join(_FIELDS) + "\n}"
    source_ip = _fake.ipv4(r())
    claims = {
        "sub": sub,
        "iss": issuer,
        "cognito:username": username,
        "email": _fake.email(r(), first, last),
        "token_use": "id",
        "auth_time": int(now),
        "iat": int(now),
        "exp": int(now) + 3600,
    }
    out: dict[str, Any] = {
        "arguments": args,
        "identity": {
            "claims": claims,
            "defaultAuthStrategy": "ALLOW",
            "groups": None,
            "issuer": issuer,
            "sourceIp": [source_ip],
            "sub": sub,
            "username": username,
        },
        "source": None,
        "request": {
            "headers": {
                "host": f"{api}.appsync-api.{region}.amazonaws.com",
                "content-type": "application/json",
                "user-agent": _fake.user_agent(r()),
                "x-forwarded-for": source_ip,
            },
            "domainName": None,
        },
        "prev": None,
        "info": {
            "selectionSetList": list(_FIELDS),
            "selectionSetGraphQL": graphql,
            "parentTypeName": parent,
            "fieldName": field,
            "variables": dict(args),
        },
        "stash": {},
    }
    if legacy:  # the shape of resolvers written before direct resolvers: the field names at the top level
        del out["info"], out["stash"]
        out = {"typeName": parent, "fieldName": field, **out}
    return out


def events(n: int, *, seed: Seed = None, **kwargs: Any) -> list[dict[str, Any]]:
    """``n`` independent events, each as :func:`event` builds it."""
    return many(event, n, seed, kwargs)
