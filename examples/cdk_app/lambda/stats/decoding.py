"""Kinesis record data: base64 JSON orders."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any


class BadRecord(ValueError):
    pass


def decode(data: str) -> dict[str, Any]:
    try:
        order = json.loads(base64.b64decode(data, validate=True))
    except (binascii.Error, ValueError) as exc:
        raise BadRecord(str(exc)) from None
    if not isinstance(order, dict) or not isinstance(order.get("total"), (int, float)) or "orderId" not in order:
        raise BadRecord("an order needs orderId and a numeric total")
    return order
