"""Large-order alerts from the topic, paged to the on-call queue."""

from __future__ import annotations

import json
import os

import boto3
from formatting import alert_text

ONCALL_QUEUE_URL = os.environ["ONCALL_QUEUE_URL"]
sqs = boto3.client("sqs")


def handler(event, context):
    for record in event["Records"]:
        text = alert_text(json.loads(record["Sns"]["Message"]))
        sqs.send_message(QueueUrl=ONCALL_QUEUE_URL, MessageBody=json.dumps({"text": text}))
    return {"paged": len(event["Records"])}
