"""Alert texts."""

from __future__ import annotations

from typing import Any


def alert_text(order: dict[str, Any]) -> str:
    return f"Large order {order['orderId']}: {order['total']:.2f}"
