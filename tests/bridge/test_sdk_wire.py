"""Calls the simulation answers pass through botocore's own machinery: AWS's error wire shapes, the
SDK's retry modes with their attempt counts, and backoff spent on the virtual clock."""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config

from lambdachaos import Sim
from lambdachaos._world import World

SEED = 5


def _client(**retries):
    return boto3.client("lambda", region_name="us-east-1", config=Config(retries=retries))


def _jitter(n: int) -> list[float]:
    stream = World(seed=SEED).stream("sdk-retry-jitter")
    return [stream.random() for _ in range(n)]


def _throttled_invoke(client) -> tuple[Sim, dict]:
    with Sim(seed=SEED) as sim:
        sim.function(lambda e, c: None, name="capped", reserved_concurrency=0)
        with pytest.raises(client.exceptions.TooManyRequestsException) as info:
            client.invoke(FunctionName="capped", Payload=b"{}")
        return sim, info.value.response


def test_a_throttled_invoke_has_aws_complete_rest_json_error_shape():
    sim, response = _throttled_invoke(_client(mode="standard", total_max_attempts=1))
    assert {k: v for k, v in response.items() if k != "ResponseMetadata"} == {
        "Error": {"Message": "Rate Exceeded.", "Code": "TooManyRequestsException"},
        "Type": "User",
        "message": "Rate Exceeded.",
        "Reason": "ReservedFunctionConcurrentInvocationLimitExceeded",
    }
    meta = response["ResponseMetadata"]
    assert meta["HTTPStatusCode"] == 429 and meta["RetryAttempts"] == 0
    assert meta["HTTPHeaders"]["x-amzn-errortype"] == "TooManyRequestsException"
    assert len(sim.ledger.attempts) == 1


@pytest.mark.parametrize(("retries", "attempts", "scales"), [
    ({"mode": "legacy"}, 5, [1, 2, 4, 8]),                    # legacy: 4 retries, rand * 2^(n-1)
    ({"mode": "legacy", "max_attempts": 2}, 3, [1, 2]),
    ({"mode": "standard"}, 3, [1, 2]),                         # standard: 3 attempts, throttling base 1 s
    ({"mode": "standard", "max_attempts": 4}, 5, [1, 2, 4, 8]),
    ({"mode": "standard", "total_max_attempts": 4}, 4, [1, 2, 4]),
    ({"mode": "legacy", "total_max_attempts": 2}, 2, [1]),
])
def test_sdk_retry_modes_make_botocores_attempts_with_backoff_on_the_virtual_clock(retries, attempts, scales):
    sim, response = _throttled_invoke(_client(**retries))
    throttles = sim.ledger.attempts
    assert len(throttles) == attempts
    assert {a.outcome.value for a in throttles} == {"throttled"}
    assert response["ResponseMetadata"]["RetryAttempts"] == attempts - 1
    backoff = sum(r * s for r, s in zip(_jitter(len(scales)), scales, strict=True))
    assert sim.now == pytest.approx(backoff, abs=1e-6)
    assert [a.start for a in throttles][-1] == pytest.approx(backoff, abs=1e-6)


def test_adaptive_mode_retries_and_waits_on_the_virtual_clock():
    sim, response = _throttled_invoke(_client(mode="adaptive"))
    assert len(sim.ledger.attempts) == 3
    assert response["ResponseMetadata"]["RetryAttempts"] == 2
    assert sim.now >= sum(r * s for r, s in zip(_jitter(2), [1, 2], strict=True)) - 1e-6


def test_the_same_seed_gives_the_same_retry_timeline():
    timelines = []
    for _ in range(2):
        sim, _ = _throttled_invoke(_client(mode="standard"))
        timelines.append([(a.start, a.request_id) for a in sim.ledger.attempts])
    assert timelines[0] == timelines[1]


def test_a_handler_invoking_a_throttled_function_sees_the_sdks_attempts_on_its_own_time():
    client = _client(mode="standard")
    with Sim(seed=SEED) as sim:
        sim.function(lambda e, c: None, name="capped", reserved_concurrency=0)

        def caller(event, context):
            try:
                client.invoke(FunctionName="capped", Payload=b"{}")
            except client.exceptions.TooManyRequestsException as exc:
                return exc.response["ResponseMetadata"]["RetryAttempts"]
            return None

        result = sim.function(caller, name="caller", timeout=30).invoke({})
    assert result.payload == 2
    capped = [a for a in sim.ledger.attempts if a.function == "capped"]
    assert len(capped) == 3
    backoff = sum(r * s for r, s in zip(_jitter(2), [1, 2], strict=True))
    assert result.duration_ms == pytest.approx(backoff * 1000, abs=1e-3)  # the caller waited the backoff


def test_a_successful_invoke_keeps_its_headers_and_retry_metadata():
    client = _client(mode="standard")
    with Sim(seed=SEED) as sim:
        sim.function(lambda e, c: {"ok": 1}, name="fine")
        sim.function(lambda e, c: 1 / 0, name="fails")
        out = client.invoke(FunctionName="fine", Payload=b"{}")
        failed = client.invoke(FunctionName="fails", Payload=b"{}")
    assert out["StatusCode"] == 200 and out["ExecutedVersion"] == "$LATEST"
    assert out["Payload"].read() == b'{"ok":1}'
    assert out["ResponseMetadata"]["RetryAttempts"] == 0
    assert out["ResponseMetadata"]["RequestId"] == sim.ledger.attempts[0].request_id
    assert failed["FunctionError"] == "Unhandled" and "FunctionError" not in out


def test_clients_created_before_the_simulation_are_answered_by_it():
    early = _client(mode="standard", max_attempts=1)
    with Sim(seed=SEED) as sim:
        sim.function(lambda e, c: "late", name="f")
        assert early.invoke(FunctionName="f")["Payload"].read() == b'"late"'


def test_sqs_errors_carry_the_json_protocol_query_error_code():
    sqs = boto3.client("sqs", region_name="us-east-1")
    with Sim(seed=SEED) as sim:
        queue = sim.sqs_queue("orders")
        with pytest.raises(sqs.exceptions.QueueDoesNotExist) as missing:
            sqs.send_message(QueueUrl=queue.url.replace("orders", "nope"), MessageBody="x")
        with pytest.raises(sqs.exceptions.ClientError) as too_big:
            sqs.send_message(QueueUrl=queue.url, MessageBody="x" * 300_000)
    assert missing.value.response["Error"] == {
        "Message": "The specified queue does not exist.", "Code": "AWS.SimpleQueueService.NonExistentQueue",
        "QueryErrorCode": "QueueDoesNotExist", "Type": "Sender"}
    error = too_big.value.response["Error"]
    assert error["Code"] == "InvalidParameterValue" and error["Type"] == "Sender"
    assert missing.value.response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-query-error"] == (
        "AWS.SimpleQueueService.NonExistentQueue;Sender")


def test_sns_errors_are_query_xml_with_type_code_and_message():
    sns = boto3.client("sns", region_name="us-east-1")
    with Sim(seed=SEED) as sim:
        topic = sim.sns_topic("t")
        with pytest.raises(sns.exceptions.NotFoundException) as info:
            sns.publish(TopicArn=topic.arn + "-gone", Message="x")
    assert info.value.response["Error"] == {"Type": "Sender", "Code": "NotFound", "Message": "Topic does not exist"}
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_eventbridge_and_kinesis_errors_carry_their_json_type():
    events = boto3.client("events", region_name="us-east-1")
    kinesis = boto3.client("kinesis", region_name="us-east-1")
    entry = {"Source": "s", "DetailType": "d", "Detail": "{}"}
    with Sim(seed=SEED) as sim:
        sim.event_bus("default")
        with pytest.raises(events.exceptions.ClientError) as too_many:
            events.put_events(Entries=[entry] * 11)
        with pytest.raises(kinesis.exceptions.ResourceNotFoundException) as missing:
            kinesis.put_record(StreamName="nowhere", Data=b"x", PartitionKey="k")
    assert too_many.value.response["Error"] == {
        "Code": "ValidationException",
        "Message": "1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have "
                   "length less than or equal to 10"}
    assert too_many.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert missing.value.response["Error"] == {
        "Code": "ResourceNotFoundException", "Message": "Stream nowhere under account 123456789012 not found."}
