"""API Gateway proxy responses."""

from __future__ import annotations

import json
from typing import Any

HEADERS = {"Content-Type": "application/json"}


def accepted(body: dict[str, Any]) -> dict[str, Any]:
    return {"statusCode": 202, "headers": HEADERS, "body": json.dumps(body)}


def bad_request(reason: str) -> dict[str, Any]:
    return {"statusCode": 400, "headers": HEADERS, "body": json.dumps({"message": reason})}
