"""The orders table."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import boto3


class OrderStore:
    def __init__(self, table_name: str) -> None:
        self.table = boto3.resource("dynamodb").Table(table_name)

    def put(self, order: dict[str, Any]) -> None:
        item = json.loads(json.dumps(order), parse_float=Decimal)
        item["status"] = "PLACED"
        self.table.put_item(Item=item)
