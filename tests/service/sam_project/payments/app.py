import os

import pricing
from shared_lib import layer_tag

QUEUE = os.environ["PAYMENTS_QUEUE"]


def lambda_handler(event, context):
    return {"code": "payments", "queue": QUEUE, "total": pricing.total(event["items"]), "layer": layer_tag(),
            "has_orders_table": "ORDERS_TABLE" in os.environ}
