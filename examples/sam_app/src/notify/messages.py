"""Notification texts."""

from __future__ import annotations

from typing import Any


def confirmation(sender: str, placed: dict[str, Any]) -> dict[str, str]:
    return {"from": sender, "to": placed["email"],
            "subject": f"Order {placed['orderId']} confirmed ({placed['total']:.2f})"}
