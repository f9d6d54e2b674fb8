"""The thumbnailer behind an asynchronous S3 notification: retries, destinations and an S3 outage."""

from __future__ import annotations

import pytest
from lambdachaos.faults import DownstreamError, FaultPlan, Target, When
from lambdachaos.plugins import (
    assert_attempts,
    assert_dead_lettered,
    assert_delivered,
    assert_retries_exhausted,
)
from orders_service import thumbnailer

PNG = thumbnailer.PNG_SIGNATURE + bytes(range(200))


@pytest.fixture
def thumbnails(lambda_sim, photos):
    """The deployed function: async settings and destinations as in the team's template."""
    done = lambda_sim.sqs_queue("thumbnails-done")
    failed = lambda_sim.sqs_queue("thumbnails-failed")
    fn = lambda_sim.function(
        thumbnailer.handler,
        name="thumbnailer",
        timeout=10,
        memory_size=512,
        on_success=done,
        on_failure=failed,
    )
    return fn, done, failed


def upload(s3, lambda_events, key, body):
    s3.put_object(Bucket="photos", Key=key, Body=body)
    return lambda_events.s3.event(bucket="photos", key=key)


def test_an_uploaded_png_gets_a_thumbnail_and_a_success_record(lambda_sim, lambda_events, photos, thumbnails):
    fn, done, _ = thumbnails
    request_id = fn.invoke_async(upload(photos, lambda_events, "uploads/cat.png", PNG))
    lambda_sim.run()

    assert_attempts(lambda_sim.ledger, request_id, 1)
    listed = photos.list_objects_v2(Bucket="photos", Prefix="thumbnails/")["Contents"]
    assert [o["Key"] for o in listed] == ["thumbnails/cat.png"]
    thumbnail = photos.get_object(Bucket="photos", Key="thumbnails/cat.png")
    assert thumbnail["Body"].read() == PNG[: thumbnailer.THUMBNAIL_BYTES]
    assert thumbnail["ContentType"] == "image/png"
    assert_delivered(
        done,
        {"requestContext": {"requestId": request_id, "condition": "Success"}},
        count=1,
        shape={
            "version": "1.0",
            "timestamp": str,
            "requestContext": {
                "requestId": request_id,
                "functionArn": str,
                "condition": "Success",
                "approximateInvokeCount": 1,
            },
            "requestPayload": dict,
            "responseContext": {"statusCode": 200, "executedVersion": "$LATEST"},
            "responsePayload": {"thumbnails": ["thumbnails/cat.png"]},
        },
    )


def test_a_file_that_is_not_an_image_ends_in_the_failure_destination(
    lambda_sim, lambda_events, photos, thumbnails
):
    fn, _, failed = thumbnails
    request_id = fn.invoke_async(upload(photos, lambda_events, "uploads/notes.png", b"just text"))
    lambda_sim.run()

    assert_attempts(lambda_sim.ledger, request_id, 3)
    assert [a.start for a in lambda_sim.ledger.attempts_for(request_id)] == [0.0, 60.0, 180.0]
    assert_retries_exhausted(lambda_sim.ledger, request_id)
    assert_dead_lettered(lambda_sim.ledger, request_id, failed)
    [record] = assert_delivered(failed, {"requestContext": {"condition": "RetriesExhausted"}}, count=1)
    assert record["responsePayload"]["errorType"] == "NotAnImage"


@pytest.mark.lambdachaos(
    faults=FaultPlan.of(
        DownstreamError(error_code="SlowDown", error_message="Please reduce your request rate."),
        target=Target(outbound_service="s3", outbound_operation="PutObject"),
        when=When(attempts=(1,)),
    )
)
def test_an_s3_outage_on_the_first_attempt_is_absorbed_by_the_async_retry(
    lambda_sim, lambda_events, photos, thumbnails
):
    fn, done, _ = thumbnails
    request_id = fn.invoke_async(upload(photos, lambda_events, "uploads/dog.png", PNG))
    lambda_sim.run()

    assert [a.outcome for a in lambda_sim.ledger.attempts_for(request_id)] == ["function_error", "success"]
    assert lambda_sim.ledger.attempts_for(request_id)[0].error_type == "ClientError"
    assert_delivered(done, {"requestContext": {"condition": "Success", "approximateInvokeCount": 2}}, count=1)
