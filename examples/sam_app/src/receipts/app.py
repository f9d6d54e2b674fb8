"""Receipts uploaded under receipts/: read the CSV and total it (invoked asynchronously by S3)."""

from __future__ import annotations

import os
from urllib.parse import unquote_plus

import boto3
from csv_receipts import ReceiptError, total

STAGE = os.environ["STAGE"]
s3 = boto3.client("s3")


def handler(event, context):
    results = []
    for record in event["Records"]:
        bucket = record["s3"]["bucket"]["name"]
        key = unquote_plus(record["s3"]["object"]["key"])
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode()
        try:
            results.append({"key": key, "total": total(body)})
        except ReceiptError as exc:
            raise ReceiptError(f"{key}: {exc}") from None
    return {"receipts": results}
