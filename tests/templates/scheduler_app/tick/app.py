"""A scheduled job that records each firing's payload."""

SEEN = []


def handler(event, context):
    SEEN.append(event)
    return {"ok": True}
