"""S3 thumbnailer: for each image uploaded under ``uploads/``, writes a thumbnail under ``thumbnails/``.

Invoked asynchronously by the bucket notification. A file that is not a PNG raises, so Lambda retries it
twice and then sends the event to the on-failure destination.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote_plus

import boto3

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
THUMBNAIL_BYTES = 64


class NotAnImage(ValueError):
    """The object is not a PNG image."""


def thumbnail_key(key: str) -> str:
    """``uploads/a/b.png`` → ``thumbnails/a/b.png``."""
    return "thumbnails/" + key.split("/", 1)[-1]


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Write one thumbnail per uploaded object; return the keys written."""
    s3 = boto3.client("s3")
    written = []
    for record in event["Records"]:
        bucket = record["s3"]["bucket"]["name"]
        key = unquote_plus(record["s3"]["object"]["key"])
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        if not body.startswith(PNG_SIGNATURE):
            raise NotAnImage(f"s3://{bucket}/{key} is not a PNG")
        target = thumbnail_key(key)
        s3.put_object(Bucket=bucket, Key=target, Body=body[:THUMBNAIL_BYTES], ContentType="image/png")
        written.append(target)
    return {"thumbnails": written}
