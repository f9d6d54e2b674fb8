"""New orders from the table's stream: check the items can ship, then announce the order on the topic."""

from __future__ import annotations

import os

from events import order_placed

DISCONTINUED = frozenset(os.environ["DISCONTINUED_SKUS"].split(","))
TOPIC_ARN = os.environ["ORDER_EVENTS_TOPIC_ARN"]


class Discontinued(Exception):
    pass


def handler(event, context):
    announced = []
    for record in event["Records"]:
        if record["eventName"] != "INSERT":
            continue
        image = record["dynamodb"]["NewImage"]
        skus = [item["M"]["sku"]["S"] for item in image["items"]["L"]]
        retired = sorted(DISCONTINUED.intersection(skus))
        if retired:
            raise Discontinued(f"order {image['orderId']['S']} holds discontinued {', '.join(retired)}")
        announced.append(order_placed(TOPIC_ARN, image))
    return {"announced": announced}
