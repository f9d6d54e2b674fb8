"""Shared set-up: an S3 bucket and a DynamoDB table, created in moto inside each test's simulation."""

from __future__ import annotations

import boto3
import pytest

REGION = "us-east-1"


@pytest.fixture
def photos(lambda_sim):
    """The ``photos`` bucket (a fresh one per test: moto's state is reset with the simulation)."""
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket="photos")
    return s3


@pytest.fixture
def orders_table(lambda_sim):
    """The ``orders`` DynamoDB table the order processor writes to."""
    dynamodb = boto3.resource("dynamodb", region_name=REGION)
    return dynamodb.create_table(
        TableName="orders",
        KeySchema=[{"AttributeName": "orderId", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "orderId", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
