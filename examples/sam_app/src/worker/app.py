"""Stores each queued order; reports the records it could not store so only those are retried."""

from __future__ import annotations

import os

from orders_common import InvalidOrder, parse_order
from store import OrderStore

store = OrderStore(os.environ["ORDERS_TABLE"])


def handler(event, context):
    failures = []
    for record in event["Records"]:
        try:
            store.put(parse_order(record["body"]))
        except InvalidOrder:
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
