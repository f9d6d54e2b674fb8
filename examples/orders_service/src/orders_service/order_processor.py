"""SQS order processor: stores each valid order in DynamoDB; bad messages become partial batch failures.

The event source mapping is configured with ``FunctionResponseTypes: ["ReportBatchItemFailures"]``, so only
the messages listed in ``batchItemFailures`` go back to the queue (and, after ``maxReceiveCount``, to its
dead-letter queue); the rest of the batch is deleted.
"""

from __future__ import annotations

import json
import os
from decimal import Decimal
from typing import Any

import boto3
from botocore.exceptions import ClientError

TABLE = os.environ.get("ORDERS_TABLE", "orders")


class InvalidOrder(ValueError):
    """The message is not an order we can store."""


def parse_order(body: str) -> dict[str, Any]:
    """The order in an SQS message body; raises InvalidOrder for anything else."""
    try:
        order = json.loads(body, parse_float=Decimal)
    except ValueError as exc:
        raise InvalidOrder(f"not JSON: {exc}") from None
    if not isinstance(order, dict) or not isinstance(order.get("orderId"), str):
        raise InvalidOrder("no orderId")
    total = order.get("total")
    if isinstance(total, bool) or not isinstance(total, (int, Decimal)) or total < 0:
        raise InvalidOrder(f"bad total {total!r}")
    return order


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Store every order of the batch; return the ids of the messages that must be retried."""
    table = boto3.resource("dynamodb").Table(TABLE)
    failures = []
    for record in event["Records"]:
        try:
            order = parse_order(record["body"])
            table.put_item(
                Item={
                    "orderId": order["orderId"],
                    "status": str(order.get("status", "NEW")),
                    "total": order["total"],
                }
            )
        except (InvalidOrder, ClientError):
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
