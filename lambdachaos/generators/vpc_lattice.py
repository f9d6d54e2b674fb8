"""Amazon VPC Lattice requests to a Lambda target (event formats v1 and v2).

AWS page: "Lambda functions as targets" (VPC Lattice User Guide). Version 1 uses snake_case keys
(``raw_path``, ``query_string_parameters``, ``is_base64_encoded``), single-value lower-case ``headers`` and a
``body`` that is always a string. Version 2 has ``version`` ``"2.0"``, ``path``, header and query values as
**lists**, and a ``requestContext`` naming the service network, service and target group ARNs, the caller
``identity``, the ``region`` and ``timeEpoch`` -- epoch **microseconds as a string**.

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
    arn,
    hex_digits,
    many,
    partition,
)
from ._http import HttpOverrides

SOURCE = "vpc_lattice"
BATCHING = False
VARIANTS = ("v1", "v2")

__all__ = ["BATCHING", "SOURCE", "VARIANTS", "event", "events"]


def event(
    *,
    seed: Seed = None,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    now: float = DEFAULT_NOW,
    variant: str = "v2",
    service_name: str = "orders",
    **http: Unpack[HttpOverrides],
) -> dict[str, Any]:
    """One VPC Lattice request; ``variant`` is the target group's event format (``v1`` or ``v2``).

    The caller is an IAM role in ``account_id`` calling from a VPC in ``region``; ``timeEpoch`` is ``now``.
    Request keywords as in :class:`~lambdachaos.generators._http.HttpOverrides`.
    """
    if variant not in VARIANTS:
        raise ConfigError(f"variant={variant!r} is not a VPC Lattice event format; use one of {VARIANTS}")
    rng = LazyRng(seed, SOURCE)
    r = rng.get
    service_id = "svc-" + hex_digits(r(), 17)
    host = f"{service_name}-{service_id[4:]}.{hex_digits(r(), 4)}.vpc-lattice-svcs.{region}.on.aws"
    req = _http.request(rng, host=host, now=now, **http)
    req = dataclasses.replace(req, cookies=())
    if variant == "v1":
        return {
            "raw_path": req.path,
            "method": req.method,
            "headers": req.header_dict(lower=True),
            "query_string_parameters": req.query_dict(),
            "body": req.body or "",
            "is_base64_encoded": req.is_base64_encoded,
        }
    session = hex_digits(r(), 32)
    role = f"arn:{partition(region)}:sts::{account_id}:assumed-role/{service_name}-client/{session}"
    out: dict[str, Any] = {
        "version": "2.0",
        "path": req.path,
        "method": req.method,
        "headers": req.multi_headers(lower=True),
    }
    if req.query:
        out["queryStringParameters"] = req.multi_query()
    if req.body is not None:
        out["body"] = req.body
    out["isBase64Encoded"] = req.is_base64_encoded
    out["requestContext"] = {
        "serviceNetworkArn": arn("vpc-lattice", region, account_id, "servicenetwork/sn-" + hex_digits(r(), 17)),
        "serviceArn": arn("vpc-lattice", region, account_id, f"service/{service_id}"),
        "targetGroupArn": arn("vpc-lattice", region, account_id, "targetgroup/tg-" + hex_digits(r(), 17)),
        "identity": {
            "sourceVpcArn": arn("ec2", region, account_id, "vpc/vpc-" + hex_digits(r(), 17)),
            "type": "AWS_IAM",
            "principal": role,
            "sessionName": session,
        },
        "region": region,
        "timeEpoch": str(round(now * 1_000_000)),
    }
    return out


def events(n: int, *, seed: Seed = None, **kwargs: Any) -> list[dict[str, Any]]:
    """``n`` independent events, each as :func:`event` builds it."""
    return many(event, n, seed, kwargs)
