"""AWS CloudFormation custom resource requests sent to a Lambda-backed custom resource.

AWS page: "Custom resource request objects" (CloudFormation User Guide). Every request has ``RequestType``
(``Create``, ``Update`` or ``Delete``), ``ServiceToken`` (the function ARN, repeated in
``ResourceProperties``), ``ResponseURL`` (a pre-signed S3 URL in the stack's region that expires two hours
after ``now``), ``StackId`` (``arn:...:stack/<name>/<uuid>``), ``RequestId``, ``LogicalResourceId``,
``ResourceType`` (``Custom::<Name>`` or ``AWS::CloudFormation::CustomResource``) and ``ResourceProperties``
(template values, always strings for scalars). ``Update`` and ``Delete`` add the ``PhysicalResourceId``
returned on create; ``Update`` adds ``OldResourceProperties``.

Uniform API (shared by every non-batching source): :func:`event` and :func:`events`.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from lambdachaos._errors import ConfigError

from . import _fake
from ._common import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_NOW,
    DEFAULT_REGION,
    LazyRng,
    Seed,
    arn,
    hex_digits,
    iam_id,
    many,
    upper_alnum,
    uuid4,
)

SOURCE = "cloudformation"
BATCHING = False
VARIANTS = ("Create", "Update", "Delete")
RESPONSE_URL_EXPIRES = 7200
"""Seconds the pre-signed ``ResponseURL`` stays valid ("Custom resource response objects")."""

__all__ = ["BATCHING", "RESPONSE_URL_EXPIRES", "SOURCE", "VARIANTS", "event", "events"]


def _response_url(rng: Any, region: str, stack_id: str, logical_id: str, request_id: str, now: float) -> str:
    bucket = f"cloudformation-custom-resource-response-{region.replace('-', '')}"
    key = quote(f"{stack_id}|{logical_id}|{request_id}", safe="")
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(int(now)))
    credential = quote(f"{iam_id(rng, 'AKIA', 16)}/{stamp[:8]}/{region}/s3/aws4_request", safe="")
    return (
        f"https://{bucket}.s3.{region}.amazonaws.com/{key}?X-Amz-Algorithm=AWS4-HMAC-SHA256"
        f"&X-Amz-Date={stamp}&X-Amz-SignedHeaders=host&X-Amz-Expires={RESPONSE_URL_EXPIRES}"
        f"&X-Amz-Credential={credential}&X-Amz-Signature={hex_digits(rng, 64)}"
    )


def event(
    *,
    seed: Seed = None,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    now: float = DEFAULT_NOW,
    variant: str = "Create",
    resource_type: str = "Custom::OrdersTable",
    logical_resource_id: str = "OrdersSeedData",
    stack_name: str | None = None,
    function_name: str = "custom-resource-handler",
    properties: Mapping[str, Any] | None = None,
    old_properties: Mapping[str, Any] | None = None,
    physical_resource_id: str | None = None,
    request_id: str | None = None,
) -> dict[str, Any]:
    """One custom resource request; ``variant`` is the ``RequestType`` (``Create``, ``Update``, ``Delete``).

    ``properties`` are the template's properties (``ServiceToken`` is added first); on ``Update``,
    ``old_properties`` default to the same properties with an older ``Version``. ``physical_resource_id``
    (Update/Delete) defaults to the id a handler typically returns: ``<stack>-<logical id>-<12 chars>``.
    """
    if variant not in VARIANTS:
        raise ConfigError(f"variant={variant!r} is not a CloudFormation RequestType; use one of {VARIANTS}")
    if not resource_type.startswith("Custom::") and resource_type != "AWS::CloudFormation::CustomResource":
        raise ConfigError(
            f"resource_type={resource_type!r} is not a custom resource type; "
            "use 'Custom::<Name>' or 'AWS::CloudFormation::CustomResource'"
        )
    rng = LazyRng(seed, SOURCE)
    r = rng.get
    stack = stack_name or f"{_fake.word(r())}-stack"
    stack_id = arn("cloudformation", region, account_id, f"stack/{stack}/{uuid4(r())}")
    request = request_id or uuid4(r())
    token = arn("lambda", region, account_id, f"function:{function_name}")
    props = dict(properties) if properties is not None else {"TableName": f"{stack}-orders", "Version": "2"}
    out: dict[str, Any] = {
        "RequestType": variant,
        "ServiceToken": token,
        "ResponseURL": _response_url(r(), region, stack_id, logical_resource_id, request, now),
        "StackId": stack_id,
        "RequestId": request,
        "LogicalResourceId": logical_resource_id,
    }
    if variant != "Create":
        out["PhysicalResourceId"] = physical_resource_id or f"{stack}-{logical_resource_id}-{upper_alnum(r(), 12)}"
    out["ResourceType"] = resource_type
    out["ResourceProperties"] = {"ServiceToken": token, **props}
    if variant == "Update":
        old = dict(old_properties) if old_properties is not None else {**props, "Version": "1"}
        out["OldResourceProperties"] = {"ServiceToken": token, **old}
    return out


def events(n: int, *, seed: Seed = None, **kwargs: Any) -> list[dict[str, Any]]:
    """``n`` independent events, each as :func:`event` builds it."""
    return many(event, n, seed, kwargs)
