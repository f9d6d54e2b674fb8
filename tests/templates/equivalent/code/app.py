import json
import os

LIMIT = int(os.environ["LIMIT"])


def handler(event, context):
    failed = [r["messageId"] for r in event["Records"] if json.loads(r["body"])["n"] > LIMIT]
    return {"batchItemFailures": [{"itemIdentifier": m} for m in failed]}
