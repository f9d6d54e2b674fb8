"""Application Load Balancer events for a Lambda target group.

AWS page: "Using Lambda functions as targets for your Application Load Balancer". The event names its target
group in ``requestContext.elb.targetGroupArn``. Without ``lambda.multi_value_headers.enabled`` it has
``headers`` and ``queryStringParameters`` (last value each); with it only ``multiValueHeaders`` and
``multiValueQueryStringParameters`` -- never both styles. Header names are lower-case, query values stay as
sent (percent-encoded), an empty body is ``""``, and binary bodies are base64.

Uniform API (shared by every non-batching source): :func:`event` and :func:`events`.
"""

from __future__ import annotations

from typing import Any, Unpack
from urllib.parse import quote

from . import _http
from ._common import DEFAULT_ACCOUNT_ID, DEFAULT_NOW, DEFAULT_REGION, LazyRng, Seed, arn, hex_digits, many
from ._http import HttpOverrides

SOURCE = "alb"
BATCHING = False
VARIANTS = ("single_value", "multi_value")

__all__ = ["BATCHING", "SOURCE", "VARIANTS", "event", "events"]


def event(
    *,
    seed: Seed = None,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    now: float = DEFAULT_NOW,
    multi_value_headers: bool = False,
    target_group_arn: str | None = None,
    **http: Unpack[HttpOverrides],
) -> dict[str, Any]:
    """One ALB event; ``multi_value_headers`` mirrors the target group attribute
    ``lambda.multi_value_headers.enabled``.

    Request keywords as in :class:`~lambdachaos.generators._http.HttpOverrides`.
    """
    rng = LazyRng(seed, SOURCE)
    tg = target_group_arn or arn(
        "elasticloadbalancing", region, account_id, f"targetgroup/orders-tg/{hex_digits(rng.get(), 16)}"
    )
    req = _http.request(rng, host=f"orders-alb-{hex_digits(rng.get(), 8)}.{region}.elb.amazonaws.com", now=now, **http)
    encoded = [(quote(k, safe=""), quote(v, safe="")) for k, v in req.query]
    out: dict[str, Any] = {
        "requestContext": {"elb": {"targetGroupArn": tg}},
        "httpMethod": req.method,
        "path": req.path,
    }
    if multi_value_headers:
        multi: dict[str, list[str]] = {}
        for k, v in encoded:
            multi.setdefault(k, []).append(v)
        out["multiValueQueryStringParameters"] = multi
        out["multiValueHeaders"] = req.multi_headers(lower=True)
    else:
        out["queryStringParameters"] = dict(encoded)
        out["headers"] = req.header_dict(lower=True)
    out["body"] = req.body if req.body is not None else ""
    out["isBase64Encoded"] = req.is_base64_encoded
    return out


def events(n: int, *, seed: Seed = None, **kwargs: Any) -> list[dict[str, Any]]:
    """``n`` independent events, each as :func:`event` builds it."""
    return many(event, n, seed, kwargs)
