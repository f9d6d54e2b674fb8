import json
import os

from orders_common import REJECT_FIELD

STAGE = os.environ["STAGE"]
REJECT = os.environ["REJECT_WORD"]


def handler(event, context):
    failed = [r["messageId"] for r in event["Records"] if json.loads(r["body"]).get(REJECT_FIELD) == REJECT]
    return {"batchItemFailures": [{"itemIdentifier": m} for m in failed]}
