"""Shared by every function of the orders service (a Lambda layer): order validation and JSON helpers."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

REQUIRED = ("orderId", "customer", "items", "total")


class InvalidOrder(ValueError):
    """The order cannot be processed; the message says why."""


def parse_order(text: str | bytes | None) -> dict[str, Any]:
    """The order in ``text``, checked: required fields present, items with a SKU and a positive quantity."""
    try:
        order = json.loads(text or "")
    except ValueError as exc:
        raise InvalidOrder(f"not JSON: {exc}") from None
    if not isinstance(order, dict):
        raise InvalidOrder("an order is a JSON object")
    missing = [field for field in REQUIRED if field not in order]
    if missing:
        raise InvalidOrder(f"missing {', '.join(missing)}")
    items = order["items"]
    if not isinstance(items, list) or not items:
        raise InvalidOrder("items must be a non-empty list")
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("sku"), str):
            raise InvalidOrder("every item needs a sku")
        quantity = item.get("quantity")
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            raise InvalidOrder(f"item {item['sku']}: quantity must be a positive integer")
    if not isinstance(order["total"], (int, float)) or isinstance(order["total"], bool):
        raise InvalidOrder("total must be a number")
    return order


def dumps(value: Any) -> str:
    """JSON with DynamoDB's Decimals written as numbers."""
    return json.dumps(value, default=lambda v: float(v) if isinstance(v, Decimal) else str(v), sort_keys=True)
