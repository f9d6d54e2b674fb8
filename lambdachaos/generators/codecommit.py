"""AWS CodeCommit repository triggers.

AWS page: "Using AWS Lambda with AWS CodeCommit" (example event). The event is ``{"Records": [record]}`` with one
record: ``eventSource`` ``aws:codecommit``, ``eventSourceARN`` the repository, ``eventName``
(``ReferenceChanges``; ``TriggerEventTest`` for a test run), ``eventTime`` as ``2024-06-01T12:00:00.000+0000``,
``codecommit.references`` (a 40-hex ``commit`` and the ``ref``; ``created``/``deleted`` for new and removed
branches), ``customData``, ``eventTriggerName``/``eventTriggerConfigId``, ``eventPartNumber``/
``eventTotalParts`` and the pusher's ``userIdentityARN``.

Uniform API (shared by every non-batching source): :func:`event` and :func:`events`.
"""

from __future__ import annotations

import time
from typing import Any

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
    many,
    partition,
    uuid4,
)

SOURCE = "codecommit"
BATCHING = False
VARIANTS = ("push", "branch_created", "test")

__all__ = ["BATCHING", "SOURCE", "VARIANTS", "event", "events"]


def _time(now: float) -> str:
    ms = round(now * 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000)) + f".{ms % 1000:03d}+0000"


def event(
    *,
    seed: Seed = None,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    now: float = DEFAULT_NOW,
    variant: str = "push",
    repository: str = "orders-service",
    ref: str | None = None,
    custom_data: str | None = None,
) -> dict[str, Any]:
    """One trigger event: a push to ``ref`` (default a branch), a new branch, or the console's test run."""
    if variant not in VARIANTS:
        raise ConfigError(f"variant={variant!r} is not a CodeCommit trigger; use one of {VARIANTS}")
    r = LazyRng(seed, SOURCE).get()
    branch = ref or ("refs/heads/main" if variant != "branch_created" else f"refs/heads/feature/{_fake.word(r)}")
    reference: dict[str, Any] = {"commit": hex_digits(r, 40), "ref": branch}
    if variant == "branch_created":
        reference["created"] = True
    config_id = uuid4(r)
    user = _fake.username(r)
    return {
        "Records": [
            {
                "awsRegion": region,
                "codecommit": {"references": [reference]},
                "customData": custom_data,
                "eventId": uuid4(r),
                "eventName": "TriggerEventTest" if variant == "test" else "ReferenceChanges",
                "eventPartNumber": 1,
                "eventSource": "aws:codecommit",
                "eventSourceARN": arn("codecommit", region, account_id, repository),
                "eventTime": _time(now),
                "eventTotalParts": 1,
                "eventTriggerConfigId": config_id,
                "eventTriggerName": f"{repository}-to-lambda",
                "eventVersion": "1.0",
                "userIdentityARN": f"arn:{partition(region)}:iam::{account_id}:user/{user}",
            }
        ]
    }


def events(n: int, *, seed: Seed = None, **kwargs: Any) -> list[dict[str, Any]]:
    """``n`` independent events, each as :func:`event` builds it."""
    return many(event, n, seed, kwargs)
