"""Order events published on the order-events topic."""

from __future__ import annotations

import json
from typing import Any

import boto3

sns = boto3.client("sns")


def order_placed(topic_arn: str, image: dict[str, Any]) -> str:
    """Publish ``order-placed`` for the table item ``image`` (DynamoDB JSON); the order id."""
    order_id = image["orderId"]["S"]
    body = {"orderId": order_id, "email": image["customer"]["M"]["email"]["S"],
            "total": float(image["total"]["N"])}
    sns.publish(TopicArn=topic_arn, Message=json.dumps(body),
                MessageAttributes={"kind": {"DataType": "String", "StringValue": "order-placed"}})
    return order_id
