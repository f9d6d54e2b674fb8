"""Customer notifications for order events (subscribed to order-placed only)."""

from __future__ import annotations

import json
import os

from messages import confirmation

SENDER = os.environ["SENDER"]


def handler(event, context):
    sent = []
    for record in event["Records"]:
        placed = json.loads(record["Sns"]["Message"])
        sent.append(confirmation(SENDER, placed))
    return {"sent": sent}
