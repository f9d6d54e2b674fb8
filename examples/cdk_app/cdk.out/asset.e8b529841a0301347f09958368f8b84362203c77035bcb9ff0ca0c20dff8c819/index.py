"""Order events from the Kinesis stream: totals per batch; large orders raise an alert on the topic."""

from __future__ import annotations

import json
import os

import boto3
from decoding import BadRecord, decode

ALERTS_TOPIC_ARN = os.environ["ALERTS_TOPIC_ARN"]
LARGE_ORDER = float(os.environ["LARGE_ORDER_TOTAL"])
sns = boto3.client("sns")


def handler(event, context):
    revenue = 0.0
    for record in event["Records"]:
        kinesis = record["kinesis"]
        try:
            order = decode(kinesis["data"])
        except BadRecord:
            # report the first bad record: Lambda checkpoints before it and retries from it
            return {"batchItemFailures": [{"itemIdentifier": kinesis["sequenceNumber"]}]}
        revenue += order["total"]
        if order["total"] >= LARGE_ORDER:
            sns.publish(TopicArn=ALERTS_TOPIC_ARN, Subject="Large order",
                        Message=json.dumps({"orderId": order["orderId"], "total": order["total"]}))
    return {"batchItemFailures": [], "revenue": round(revenue, 2)}
