import os

MODE = os.environ["MODE"]


def handler(event, context):
    if MODE == "fail":
        raise RuntimeError("downstream unavailable")
    return {"mode": MODE}
