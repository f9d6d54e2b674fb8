"""Kinesis consumer: keeps a running total per customer from the order stream.

Records of one partition key (the customer) must be applied in order, so the consumer stops at the first
record it cannot apply and reports it (and implicitly everything after it) as the batch's failure: with
``ReportBatchItemFailures`` Lambda retries the shard from that sequence number.
"""

from __future__ import annotations

import base64
import json
from typing import Any

TOTALS: dict[str, float] = {}
"""Running total per partition key (a stand-in for the team's real store)."""
APPLIED: list[str] = []
"""Sequence numbers applied, in order."""


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Apply the batch in order; report the first record that fails."""
    for record in event["Records"]:
        kinesis = record["kinesis"]
        try:
            order = json.loads(base64.b64decode(kinesis["data"], validate=True))
            amount = float(order["total"])
        except (ValueError, KeyError, TypeError):
            return {"batchItemFailures": [{"itemIdentifier": kinesis["sequenceNumber"]}]}
        key = kinesis["partitionKey"]
        TOTALS[key] = TOTALS.get(key, 0.0) + amount
        APPLIED.append(kinesis["sequenceNumber"])
    return {"batchItemFailures": []}
