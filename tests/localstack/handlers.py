"""Handlers shared by the simulator and LocalStack runs of the differential suite.

Each is deployed to LocalStack as this module's file (standard library only) and given to the
simulator as the same callable.
"""

from __future__ import annotations

import base64
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


def _data(record: dict[str, Any]) -> Any:
    try:
        return json.loads(base64.b64decode(record["kinesis"]["data"]))
    except ValueError:
        return None


def stream_fails(event: Any, context: Any) -> Any:
    """Kinesis: raises on every batch."""
    raise RuntimeError("index unavailable")


def stream_partial(event: Any, context: Any) -> Any:
    """Kinesis: reports every record whose JSON data has ``"fail": true`` (by sequence number)."""
    failures = [
        {"itemIdentifier": r["kinesis"]["sequenceNumber"]}
        for r in event["Records"]
        if isinstance(_data(r), dict) and _data(r).get("fail")
    ]
    return {"batchItemFailures": failures}


def stream_succeeds(event: Any, context: Any) -> Any:
    """Kinesis: accepts every batch."""
    return {"batchItemFailures": []}


def stream_fails_on_poison(event: Any, context: Any) -> Any:
    """Kinesis: raises when any record's JSON data has ``"poison": true`` (the whole batch fails)."""
    if any(isinstance(_data(r), dict) and _data(r).get("poison") for r in event["Records"]):
        raise ValueError("poison record")
    return None


def fifo_in_order(event: Any, context: Any) -> Any:
    """SQS FIFO: processes the batch in order and stops at the first message that fails, reporting it and every
    unprocessed message after it (the AWS guidance for FIFO partial batches).

    A message fails while its ``ApproximateReceiveCount`` is at most its body's ``fail_until`` (0 = never).
    """
    records = event["Records"]
    for i, r in enumerate(records):
        body = _body(r)
        limit = body.get("fail_until", 0) if isinstance(body, dict) else 0
        if int(r["attributes"]["ApproximateReceiveCount"]) <= limit:
            return {"batchItemFailures": [{"itemIdentifier": x["messageId"]} for x in records[i:]]}
    return {"batchItemFailures": []}


def fails_on_bad_json(event: Any, context: Any) -> Any:
    """SQS: raises when a message body is not JSON (a truncated-JSON poison message)."""
    for r in event["Records"]:
        json.loads(r["body"])
    return None
