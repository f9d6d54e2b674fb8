import os

COLOUR = os.environ.get("COLOUR", "none")


def handler(event, context):
    return {"statusCode": 200, "body": COLOUR}
