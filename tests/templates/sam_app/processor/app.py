import os

STAGE = os.environ["STAGE"]
MODE = os.environ["MODE"]


def handler(event, context):
    if MODE == "fail" or event.get("fail"):
        raise RuntimeError(f"processor down in {STAGE}")
    return {"stage": STAGE}
