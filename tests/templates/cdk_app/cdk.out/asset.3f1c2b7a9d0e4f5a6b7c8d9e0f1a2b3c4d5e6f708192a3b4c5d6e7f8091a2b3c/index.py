import os

TABLE = os.environ["TABLE_NAME"]


def handler(event, context):
    for record in event["Records"]:
        if record["body"] == "boom":
            raise ValueError(f"cannot store in {TABLE}")
    return {"stored": len(event["Records"])}
