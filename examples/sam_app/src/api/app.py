"""POST /orders: validate the order and queue it for the worker."""

from __future__ import annotations

import os

import boto3
from orders_common import InvalidOrder, dumps, parse_order
from responses import accepted, bad_request

QUEUE_URL = os.environ["ORDERS_QUEUE_URL"]
STAGE = os.environ["STAGE"]
sqs = boto3.client("sqs")


def handler(event, context):
    try:
        order = parse_order(event.get("body"))
    except InvalidOrder as exc:
        return bad_request(str(exc))
    sent = sqs.send_message(QueueUrl=QUEUE_URL, MessageBody=dumps(order),
                            MessageAttributes={"stage": {"DataType": "String", "StringValue": STAGE}})
    return accepted({"orderId": order["orderId"], "messageId": sent["MessageId"]})
