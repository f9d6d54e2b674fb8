"""Handlers shared by the simulator and LocalStack runs of the differential suite.

Each is deployed to LocalStack as this module's file (standard library only) and given to the
simulator as the same callable.
"""

from __future__ import annotations

import json
from typing import Any


def always_fails(event: Any, context: Any) -> Any:
    """Raises on every attempt."""
    raise RuntimeError("payment service down")


def succeeds(event: Any, context: Any) -> Any:
    """Returns the event it got."""
    return {"ok": True, "event": event}


def _body(record: dict[str, Any]) -> Any:
    try:
        return json.loads(record.get("body") or "null")
    except ValueError:
        return None


def partial_batch(event: Any, context: Any) -> Any:
    """SQS: reports every message whose JSON body has ``"fail": true`` as a batch item failure."""
    failures = [
        {"itemIdentifier": r["messageId"]}
        for r in event["Records"]
        if isinstance(_body(r), dict) and _body(r).get("fail")
    ]
    return {"batchItemFailures": failures}


def fails_on_poison(event: Any, context: Any) -> Any:
    """SQS: raises when any message body is ``"poison"`` (the whole batch fails)."""
    if any(r.get("body") == "poison" for r in event["Records"]):
        raise ValueError("poison message")
    return None
