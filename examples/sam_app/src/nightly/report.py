"""The report's text."""

from __future__ import annotations

import json


def daily_report(name: str, orders: int) -> str:
    return json.dumps({"report": name, "orders": orders})
