"""Amazon EventBridge events: custom bus events, scheduled rules, EventBridge Scheduler and AWS service
events.

AWS pages: "Amazon EventBridge events" (event structure), "Creating a rule that runs on a schedule" and "Using
Lambda with EventBridge Scheduler". ``version`` is ``"0"``; ``time`` is ISO 8601 to the second; a scheduled
rule sends ``source: aws.events``, ``detail-type: Scheduled Event``, an empty ``detail`` and the rule ARN in
``resources``; EventBridge Scheduler's default payload has ``source: aws.scheduler`` and ``detail`` as the
**string** ``"{}"``.

Uniform API (shared by every non-batching source): :func:`event` and :func:`events`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lambdachaos._errors import ConfigError

from . import _fake, _payload
from ._common import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_NOW,
    DEFAULT_REGION,
    JSON,
    LazyRng,
    Seed,
    arn,
    hex_digits,
    iso_s,
    many,
    uuid4,
)
from ._payload import PayloadSpec

SOURCE = "eventbridge"
BATCHING = False
VARIANTS = ("custom", "scheduled", "scheduler", "ec2", "codebuild")

__all__ = ["BATCHING", "SOURCE", "VARIANTS", "event", "events"]


def _service_detail(variant: str, rng: Any, region: str, account_id: str) -> tuple[str, str, list[str], JSON]:
    if variant == "ec2":
        instance = "i-" + hex_digits(rng, 17)
        return (
            "aws.ec2",
            "EC2 Instance State-change Notification",
            [arn("ec2", region, account_id, f"instance/{instance}")],
            {"instance-id": instance, "state": rng.choice(("pending", "running", "stopping", "stopped"))},
        )
    project = f"{_fake.word(rng)}-build"
    build_id = f"{project}:{uuid4(rng)}"
    return (
        "aws.codebuild",
        "CodeBuild Build State Change",
        [arn("codebuild", region, account_id, f"build/{build_id}")],
        {
            "build-status": rng.choice(("IN_PROGRESS", "SUCCEEDED", "FAILED")),
            "project-name": project,
            "build-id": arn("codebuild", region, account_id, f"build/{build_id}"),
            "additional-information": {"build-complete": False, "initiator": _fake.username(rng)},
        },
    )


def event(
    *,
    seed: Seed = None,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    now: float = DEFAULT_NOW,
    variant: str = "custom",
    payload: PayloadSpec = None,
    detail: JSON | None = None,
    detail_type: str | None = None,
    source: str | None = None,
    resources: Sequence[str] | None = None,
    event_id: str | None = None,
    rule_name: str = "every-5-minutes",
    replay_name: str | None = None,
) -> dict[str, Any]:
    """One EventBridge event as delivered to a Lambda target.

    ``variant``: ``custom`` (``source`` ``com.example.orders``, ``detail`` a ``payload``-shaped object),
    ``scheduled`` (a scheduled rule), ``scheduler`` (EventBridge Scheduler), or an AWS service event (``ec2``,
    ``codebuild``). Explicit ``detail``, ``detail_type``, ``source`` and ``resources`` override the variant.
    ``replay_name`` adds ``replay-name`` as on archive replays. ``time`` is ``now`` truncated to the second.
    """
    if variant not in VARIANTS:
        raise ConfigError(f"variant={variant!r} is not an EventBridge variant; use one of {VARIANTS}")
    rng = LazyRng(seed, SOURCE)
    if variant == "custom":
        v_source, v_type, v_resources = "com.example.orders", "OrderPlaced", []
        v_detail: JSON = (
            detail
            if detail is not None
            else (_payload.payload(payload, seed=rng.get(), now=now) if source is None or payload is not None else {})
        )
    elif variant == "scheduled":
        v_source, v_type, v_detail = "aws.events", "Scheduled Event", {}
        v_resources = [arn("events", region, account_id, f"rule/{rule_name}")]
    elif variant == "scheduler":
        v_source, v_type, v_detail = "aws.scheduler", "Scheduled Event", "{}"
        v_resources = [arn("scheduler", region, account_id, f"schedule/default/{rule_name}")]
    else:
        v_source, v_type, v_resources, v_detail = _service_detail(variant, rng.get(), region, account_id)
    out: dict[str, Any] = {
        "version": "0",
        "id": event_id or uuid4(rng.get()),
        "detail-type": detail_type or v_type,
        "source": source or v_source,
        "account": account_id,
        "time": iso_s(now),
        "region": region,
        "resources": list(resources) if resources is not None else v_resources,
        "detail": detail if detail is not None else v_detail,
    }
    if replay_name is not None:
        out["replay-name"] = replay_name
    return out


def events(n: int, *, seed: Seed = None, **kwargs: Any) -> list[dict[str, Any]]:
    """``n`` independent events, each as :func:`event` builds it."""
    return many(event, n, seed, kwargs)
