def handler(event, context):
    return {"statusCode": 200, "body": event.get("rawPath") or event.get("path")}
