"""The nightly report: how many orders the table holds, published on the order-events topic."""

from __future__ import annotations

import os

import boto3
from report import daily_report

TABLE = os.environ["ORDERS_TABLE"]
TOPIC_ARN = os.environ["ORDER_EVENTS_TOPIC_ARN"]
dynamodb = boto3.client("dynamodb")
sns = boto3.client("sns")


def handler(event, context):
    count = dynamodb.scan(TableName=TABLE, Select="COUNT")["Count"]
    message = daily_report(event["report"], count)
    sns.publish(TopicArn=TOPIC_ARN, Message=message,
                MessageAttributes={"kind": {"DataType": "String", "StringValue": "report"}})
    return {"orders": count}
