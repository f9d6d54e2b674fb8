"""Handlers used by the bundled scenarios (``handler: lambdachaos.scenarios._handlers.<name>``).

They stand for a small order service: charging records the payment in SSM Parameter Store (a call that
leaves the function's VPC, so an egress outage breaks it), and the stream consumer parses each Kinesis
record as an order (so a malformed record is a poison pill).
"""

from __future__ import annotations

import base64
import json
import os
from typing import Any


def charge_order(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Charge one order: record it as paid in SSM (``PAYMENTS_PREFIX``), then return its id."""
    import boto3

    order_id = str(event.get("orderId", "unknown"))
    ssm = boto3.client("ssm", region_name=os.environ.get("AWS_REGION", "us-east-1"))
    prefix = os.environ.get("PAYMENTS_PREFIX", "/payments")
    ssm.put_parameter(Name=f"{prefix}/{order_id}", Value="paid", Type="String", Overwrite=True)
    return {"orderId": order_id, "status": "paid"}


def payment_down(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """An order handler whose payment provider is down: every call fails."""
    raise ConnectionError(f"payment provider unreachable while charging {event.get('orderId', '?')}")


def index_orders(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Consume a Kinesis batch: every record must be a JSON order with an ``orderId`` and a numeric total.

    A record that is not (a poison pill) raises, failing the whole batch, as naive stream consumers do.
    """
    for record in event.get("Records", []):
        data = base64.b64decode(record["kinesis"]["data"])
        order = json.loads(data)
        if not isinstance(order, dict) or "orderId" not in order:
            raise ValueError(f"record {record['kinesis']['sequenceNumber']} is not an order")
        float(order.get("total", 0) if not isinstance(order.get("total"), dict) else order["total"]["amount"])
    return {}


def accept(event: Any, context: Any) -> None:
    """Accept anything (a consumer that always succeeds)."""
    return None


def audit_items(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Consume a DynamoDB Streams batch: a record whose new image holds a ``raw`` attribute (an item written
    from a poison payload) is not an order and fails the whole batch."""
    for record in event.get("Records", []):
        image = record.get("dynamodb", {}).get("NewImage") or {}
        if "raw" in image:
            raise ValueError(f"item {record['dynamodb']['Keys']} is not an order")
    return {}
