"""Asynchronous invocation with an S3 bucket as on-failure destination (docs/aws-behaviour.md §4.2, §4.3)."""

from __future__ import annotations

import json
import re

import boto3
import pytest

from lambdachaos import Sim
from lambdachaos._errors import ConfigError
from lambdachaos.resources._errors import InvalidParameterValueException

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
ASYNC_KEY = re.compile(
    rf"aws/lambda/async/fails/(\d{{4}})/(\d{{2}})/(\d{{2}})/\1-\2-\3T\d{{2}}\.\d{{2}}\.\d{{2}}-{UUID}"
)


def fails(event, context):
    raise ValueError("boom")


def test_retries_exhausted_writes_the_destination_record_as_one_object():
    with Sim(seed=1) as sim:
        bucket = sim.s3_bucket("async-failures")
        fn = sim.function(fails, name="fails", maximum_retry_attempts=1, on_failure=bucket)
        request_id = sim.invoke(fn, {"order": 7}, invocation_type="Event")
        sim.run()
        (key,) = bucket.keys
        assert ASYNC_KEY.fullmatch(key)
        # The second attempt starts 60 s after the first ended (decision A2): the key carries the failure time.
        assert "/2026-01-01T00.01.00-" in key
        body = json.loads(bucket.body(key))
        assert list(body) == ["version", "timestamp", "requestContext", "requestPayload", "responseContext",
                              "responsePayload"]
        assert body["requestContext"]["requestId"] == request_id
        assert body["requestContext"]["condition"] == "RetriesExhausted"
        assert body["requestContext"]["approximateInvokeCount"] == 2
        assert body["requestPayload"] == {"order": 7}
        assert body["responseContext"]["functionError"] == "Unhandled"
        assert body["responsePayload"]["errorMessage"] == "boom"
        fate = sim.ledger.fate(request_id)
        assert fate.status == "on_failure" and fate.destinations == (bucket.arn,)
        (delivery,) = sim.ledger.deliveries
        assert delivery.kind == "on_failure" and delivery.message_id == key
        got = boto3.client("s3").get_object(Bucket="async-failures", Key=key)["Body"].read()
        assert got == bucket.body(key)


def test_zero_reserved_concurrency_object_has_no_response_keys():
    with Sim(seed=2) as sim:
        bucket = sim.s3_bucket("async-failures")
        fn = sim.function(fails, name="fails", reserved_concurrency=0, on_failure=bucket)
        sim.invoke(fn, {}, invocation_type="Event")
        sim.run()
        (key,) = bucket.keys
        body = json.loads(bucket.body(key))
        assert body["requestContext"]["condition"] == "ZeroReservedConcurrency"
        assert "responseContext" not in body and "responsePayload" not in body


def test_a_success_sends_nothing_to_the_failure_bucket():
    with Sim(seed=3) as sim:
        bucket = sim.s3_bucket("async-failures")
        fn = sim.function(lambda event, context: "ok", name="fine", on_failure=bucket)
        sim.invoke(fn, {}, invocation_type="Event")
        sim.run()
        assert bucket.keys == []


def test_s3_as_on_success_is_refused_with_aws_wording_when_the_setting_is_saved():
    with Sim(seed=4) as sim:
        bucket = sim.s3_bucket("async-results")
        pattern = (r"^The provided destination config DestinationConfig\(onSuccess=OnSuccess\(destination="
                   r"arn:aws:s3:::async-results\), onFailure=null\) is invalid\. "
                   r"on_success='arn:aws:s3:::async-results': S3 buckets are supported only as "
                   r"DestinationConfig\.OnFailure; use on_failure=bucket, and an "
                   r"SQS queue, SNS topic, EventBridge bus or function for on_success$")
        with pytest.raises(InvalidParameterValueException, match=pattern) as raised:
            sim.function(lambda event, context: "ok", name="fine", on_success=bucket)
        assert isinstance(raised.value, ConfigError)
        assert raised.value.code == "InvalidParameterValueException"
        assert len(sim.ledger.fates) == 0
