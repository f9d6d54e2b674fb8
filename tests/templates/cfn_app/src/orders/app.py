import os

import shared_util

STAGE = os.environ["STAGE"]
QUEUE_URL = os.environ["QUEUE_URL"]


def handler(event, context):
    if "Records" in event and event["Records"][0].get("eventSource") == "aws:sqs":
        failed = [r["messageId"] for r in event["Records"] if "bad" in r["body"]]
        return {"batchItemFailures": [{"itemIdentifier": m} for m in failed]}
    return {"stage": STAGE, "util": shared_util.NAME}
