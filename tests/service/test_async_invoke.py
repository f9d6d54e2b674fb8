"""Asynchronous invocation: docs/aws-behaviour.md §4 (queue, retries, ageing, DLQ, destinations)."""

from __future__ import annotations

import hashlib
import itertools
import json
import time

import pytest

from lambdachaos import ConfigError, RequestEntityTooLargeException, Sim


def fails(event, context):
    raise Exception("Test exception (this is intentional)")


def ok(event, context):
    return {"event": event, "version": context.function_version}


def test_section_4_1_function_errors_are_retried_after_60_and_120_seconds_with_the_same_request_id(sim: Sim):
    fn = sim.function(fails, name="f")
    request_id = fn.invoke_async({"raise_error": 1})
    sim.run()
    attempts = sim.ledger.attempts
    assert [a.start for a in attempts] == [0.0, 60.0, 180.0]
    assert [a.attempt for a in attempts] == [1, 2, 3]
    assert {a.request_id for a in attempts} == {request_id}
    fate = sim.ledger.fate(request_id)
    assert (fate.status, fate.condition, fate.attempts) == ("dropped", "RetriesExhausted", 3)


def test_section_4_1_the_retry_delay_is_measured_from_the_end_of_the_failed_attempt(sim: Sim):
    def slow_fail(event, context):
        time.sleep(2.5)
        raise RuntimeError("slow")

    sim.function(slow_fail, name="s", timeout=10).invoke_async({})
    sim.run()
    assert [a.start for a in sim.ledger.attempts] == [0.0, 62.5, 185.0]


@pytest.mark.parametrize(("retries", "starts"), [(0, [0.0]), (1, [0.0, 60.0]), (2, [0.0, 60.0, 180.0])])
def test_section_4_1_maximum_retry_attempts_bounds_the_attempts(sim: Sim, retries, starts):
    fn = sim.function(fails, name="f", maximum_retry_attempts=retries)
    request_id = fn.invoke_async({})
    sim.run()
    assert [a.start for a in sim.ledger.attempts] == starts
    assert sim.ledger.fate(request_id).condition == "RetriesExhausted"


@pytest.mark.parametrize(("max_age", "count"), [(60, 1), (90, 2)])
def test_section_4_1_event_age_look_ahead_matches_the_recorded_runs(sim: Sim, max_age, count):
    failures = sim.sqs_queue("failures")
    fn = sim.function(fails, name="f", maximum_event_age_in_seconds=max_age, on_failure=failures)
    fn.invoke_async({"message": "m"})
    sim.run()
    record = json.loads(failures.receive()[0].body)
    assert record["requestContext"]["condition"] == "EventAgeExceeded"
    assert record["requestContext"]["approximateInvokeCount"] == count
    # Lambda does not wait out the age: the record is sent right after the last attempt
    assert sim.ledger.deliveries[0].at_ns == sim.ledger.attempts[-1].end_ns


def test_section_4_1_throttles_back_off_exponentially_without_using_retry_attempts():
    with Sim(seed=1) as sim:
        blocker = sim.function(lambda e, c: time.sleep(100), name="blocker", timeout=200, reserved_concurrency=1)
        target = blocker
        target.invoke_async({})
        request_id = target.invoke_async({})
        sim.run()
        attempts = sim.ledger.attempts_for(request_id)
        throttled = [a.start for a in attempts if a.outcome == "throttled"]
        assert throttled == [0.0, 1.0, 3.0, 7.0, 15.0, 31.0, 63.0]
        ran = [a for a in attempts if a.outcome != "throttled"]
        assert [a.start for a in ran] == [127.0] and ran[0].attempt == 1


def test_section_4_1_throttled_events_expire_with_event_age_exceeded_and_error_code_429():
    with Sim(seed=1) as sim:
        dlq = sim.sqs_queue("dlq")
        fn = sim.function(lambda e, c: time.sleep(500), name="busy", timeout=900, reserved_concurrency=1,
                          maximum_event_age_in_seconds=60, dead_letter_queue=dlq)
        fn.invoke_async({"n": 1})
        late = fn.invoke_async({"n": 2})
        sim.run()
        throttles = [a.start for a in sim.ledger.attempts_for(late)]
        assert throttles == [0.0, 1.0, 3.0, 7.0, 15.0, 31.0]  # the next try (63 s) would be past 60 s
        fate = sim.ledger.fate(late)
        assert (fate.condition, fate.attempts, fate.at_ns) == ("EventAgeExceeded", 0, 60_000_000_000)
        message = dlq.receive()[0]
        assert message.message_attributes["ErrorCode"] == {"DataType": "Number", "StringValue": "429"}


def test_section_4_2_reserved_concurrency_zero_sends_events_straight_to_dlq_and_destination(sim: Sim):
    dlq = sim.sqs_queue("dlq")
    failures = sim.sqs_queue("failures")
    fn = sim.function(ok, name="zero", reserved_concurrency=0, dead_letter_queue=dlq, on_failure=failures)
    request_id = fn.invoke_async({"a": 1})
    sim.run()
    assert sim.ledger.attempts == ()
    record = json.loads(failures.receive()[0].body)
    assert record["requestContext"] == {
        "requestId": request_id, "functionArn": f"{fn.arn}:$LATEST", "condition": "ZeroReservedConcurrency",
        "approximateInvokeCount": 0,
    }
    assert "responseContext" not in record and "responsePayload" not in record
    assert dlq.receive()[0].body == '{"a":1}'


def test_section_4_3_the_failure_record_has_the_recorded_shape(sim: Sim):
    failures = sim.sqs_queue("failures")
    fn = sim.function(fails, name="destfail", on_failure=failures)
    request_id = fn.invoke_async({"raise_error": 1})
    sim.run()
    record = json.loads(failures.receive()[0].body)
    assert list(record) == ["version", "timestamp", "requestContext", "requestPayload", "responseContext",
                            "responsePayload"]
    assert record["version"] == "1.0"
    assert record["timestamp"] == "2026-01-01T00:03:00.000Z"
    assert record["requestContext"] == {
        "requestId": request_id, "functionArn": "arn:aws:lambda:us-east-1:123456789012:function:destfail:$LATEST",
        "condition": "RetriesExhausted", "approximateInvokeCount": 3,
    }
    assert record["requestPayload"] == {"raise_error": 1}
    assert record["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"}
    payload = record["responsePayload"]
    assert list(payload) == ["errorMessage", "errorType", "requestId", "stackTrace"]
    assert payload["errorMessage"] == "Test exception (this is intentional)"
    assert payload["errorType"] == "Exception" and payload["requestId"] == request_id


def test_section_4_3_the_success_record_has_no_function_error_key(sim: Sim):
    succ = sim.sqs_queue("succ")
    fn = sim.function(ok, name="destok", on_success=succ, maximum_retry_attempts=0)
    fn.invoke_async({})
    sim.run()
    record = json.loads(succ.receive()[0].body)
    assert record["requestContext"]["condition"] == "Success"
    assert record["requestContext"]["approximateInvokeCount"] == 1
    assert record["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST"}
    assert record["responsePayload"] == {"event": {}, "version": "$LATEST"}


def test_section_4_3_a_qualified_invocation_records_the_alias_arn_and_executed_version(sim: Sim):
    succ = sim.sqs_queue("succ")
    fn = sim.function(ok, name="q")
    fn.publish_version()
    fn.create_alias("live", "1")
    fn.put_event_invoke_config("live", on_success=succ)
    fn.invoke_async({}, qualifier="live")
    sim.run()
    record = json.loads(succ.receive()[0].body)
    assert record["requestContext"]["functionArn"] == f"{fn.arn}:live"
    assert record["responseContext"]["executedVersion"] == "1"


def test_section_4_3_an_eventbridge_destination_wraps_the_record_in_the_recorded_envelope(sim: Sim):
    bus = sim.event_bus("results")
    fn = sim.function(fails, name="ebfail", maximum_retry_attempts=0, on_failure=bus)
    request_id = fn.invoke_async({"mode": "failure"})
    sim.run()
    (event,) = bus.history
    assert event["detail-type"] == "Lambda Function Invocation Result - Failure"
    assert event["source"] == "lambda"
    assert event["account"] == "123456789012" and event["region"] == "us-east-1" and event["version"] == "0"
    assert event["resources"] == [bus.arn, f"{fn.arn}:$LATEST"]
    assert event["detail"]["requestContext"]["requestId"] == request_id
    assert event["detail"]["requestPayload"] == {"mode": "failure"}


def test_section_4_3_an_sns_destination_publishes_the_record(sim: Sim):
    topic = sim.sns_topic("results")
    fn = sim.function(ok, name="snsok", on_success=topic)
    fn.invoke_async({"x": 1})
    sim.run()
    (notification,) = topic.history
    assert json.loads(notification.message)["requestContext"]["condition"] == "Success"


def test_section_4_3_a_function_destination_is_invoked_asynchronously_with_the_record(sim: Sim):
    seen = []
    receiver = sim.function(lambda e, c: seen.append(e), name="receiver")
    fn = sim.function(fails, name="src", maximum_retry_attempts=0, on_failure=receiver)
    fn.invoke_async({"k": "v"})
    sim.run()
    assert len(seen) == 1
    assert seen[0]["requestContext"]["condition"] == "RetriesExhausted"
    assert seen[0]["requestPayload"] == {"k": "v"}
    assert sim.ledger.filter(function="receiver")[0].path == "async"


def test_section_4_2_fifo_queues_are_refused_as_destinations_and_the_failure_is_recorded(sim: Sim):
    fifo = sim.sqs_queue("results.fifo")
    fn = sim.function(ok, name="fifo", on_success=fifo)
    request_id = fn.invoke_async({})
    sim.run()
    (delivery,) = sim.ledger.deliveries
    assert not delivery.ok and "FIFO" in delivery.detail
    assert sim.ledger.fate(request_id).status == "succeeded"


def test_section_4_4_the_dlq_message_is_the_original_event_byte_for_byte_with_the_three_attributes(sim: Sim):
    dlq = sim.sqs_queue("dlq")
    fn = sim.function(fails, name="dlqfn", dead_letter_queue=dlq)
    request_id = sim.invoke(fn, b'{"raise_error": 1}', invocation_type="Event")
    sim.run()
    (message,) = dlq.receive(max_messages=10)
    assert message.body == '{"raise_error": 1}'
    assert message.md5_of_body == "ba08269cbd0ce515889bfba6593731e1" == hashlib.md5(b'{"raise_error": 1}').hexdigest()
    assert message.message_attributes == {
        "ErrorCode": {"DataType": "Number", "StringValue": "200"},
        "ErrorMessage": {"DataType": "String", "StringValue": "Test exception (this is intentional)"},
        "RequestID": {"DataType": "String", "StringValue": request_id},
    }
    assert list(message.message_attributes) == ["ErrorCode", "ErrorMessage", "RequestID"]  # AWS's order


def test_section_4_4_an_sns_dlq_receives_the_event_with_the_attributes(sim: Sim):
    topic = sim.sns_topic("dlq-topic")
    fn = sim.function(fails, name="snsdlq", dead_letter_queue=topic, maximum_retry_attempts=0)
    request_id = fn.invoke_async({"a": 1})
    sim.run()
    (notification,) = topic.history
    assert notification.message == '{"a":1}'
    assert notification.message_attributes["RequestID"]["StringValue"] == request_id
    assert sim.ledger.fate(request_id).status == "dead_lettered"


def test_section_4_4_the_error_message_attribute_is_cut_to_1_kb(sim: Sim):
    dlq = sim.sqs_queue("dlq")

    def long_error(event, context):
        raise ValueError("x" * 5000)

    sim.function(long_error, name="long", dead_letter_queue=dlq, maximum_retry_attempts=0).invoke_async({})
    sim.run()
    assert len(dlq.receive()[0].message_attributes["ErrorMessage"]["StringValue"]) == 1024


def test_section_1_an_async_payload_over_1_mb_is_refused_with_the_aws_message(sim: Sim):
    fn = sim.function(ok, name="big")
    with pytest.raises(RequestEntityTooLargeException,
                       match=r"^1048588 byte payload is too large for the Event invocation type "
                             r"\(limit 1048576 bytes\)$"):
        fn.invoke_async({"b": "x" * 1_048_580})


def test_the_async_payload_limit_knob_emulates_256_kb():
    with Sim(async_payload_limit=262_144) as sim:
        fn = sim.function(ok, name="k")
        with pytest.raises(RequestEntityTooLargeException, match=r"\(limit 262144 bytes\)$"):
            fn.invoke_async({"b": "x" * 262_144})


@pytest.mark.parametrize(
    ("settings", "pattern"),
    [
        ({"maximum_retry_attempts": 5}, r"^maximum_retry_attempts=5 is out of range: AWS allows MaximumRetryAttempts "
                                        r"0 to 2 for asynchronous invocation .* Pick 0, 1 or 2\.$"),
        ({"maximum_event_age_in_seconds": 30}, r"^maximum_event_age_in_seconds=30 is out of range for "
                                               r"MaximumEventAgeInSeconds: .*greater than or equal to 60\. "
                                               r"Choose 60 to 21600 seconds\.$"),
    ],
)
def test_section_4_1_invoke_config_values_outside_aws_ranges_are_refused(sim: Sim, settings, pattern):
    with pytest.raises(ConfigError, match=pattern):
        sim.function(ok, name="bad", **settings)


def test_section_4_4_a_fifo_dlq_is_refused(sim: Sim):
    fifo = sim.sqs_queue("dlq.fifo")
    with pytest.raises(ConfigError, match=r"^dead_letter_queue=arn:aws:sqs:.*dlq\.fifo: FIFO queues and topics"):
        sim.function(ok, name="x", dead_letter_queue=fifo)


def test_put_replaces_and_update_merges_the_event_invoke_config(sim: Sim):
    q = sim.sqs_queue("q")
    fn = sim.function(ok, name="cfg", maximum_retry_attempts=1, on_success=q)
    fn.update_event_invoke_config(maximum_event_age_in_seconds=100)
    assert fn.event_invoke_config(None).on_success is q
    assert fn.event_invoke_config(None).maximum_retry_attempts == 1
    fn.put_event_invoke_config(maximum_event_age_in_seconds=100)
    assert fn.event_invoke_config(None).on_success is None
    assert fn.event_invoke_config(None).maximum_retry_attempts == 2


def test_a_handler_sending_through_boto3_reaches_the_sim_queue_at_its_own_virtual_time(sim: Sim):
    import boto3

    out = sim.sqs_queue("out")

    def handler(event, context):
        time.sleep(1.5)
        boto3.client("sqs", region_name="us-east-1").send_message(QueueUrl=out.url, MessageBody="hello")

    sim.function(handler, name="sender", timeout=5).invoke_async({})
    sim.run()
    (message,) = out.receive()
    assert message.body == "hello"
    # stamped 1.5 s into the handler, at virtual 2026-01-01T00:00:01.500Z
    assert message.attributes["SentTimestamp"] == "1767225601500"


def test_a_handler_invoking_another_function_through_boto3_waits_for_it(sim: Sim):
    import boto3

    sim.function(lambda e, c: time.sleep(2) or {"inner": e["n"]}, name="inner", timeout=5)

    def outer(event, context):
        client = boto3.client("lambda", region_name="us-east-1")
        response = client.invoke(FunctionName="inner", Payload=json.dumps({"n": 7}))
        return json.loads(response["Payload"].read())

    result = sim.function(outer, name="outer", timeout=10).invoke({})
    assert result.payload == {"inner": 7}
    assert result.duration_ms == 2000.0


def test_section_4_1_throttle_backoff_doubles_to_300_seconds_and_stays_there_a4(sim: Sim):
    from lambdachaos.faults import AccountConcurrencyExhausted, FaultPlan

    fn = sim.function(ok, name="acct")
    sim.apply_faults(FaultPlan.of(AccountConcurrencyExhausted(start_seconds=0, end_seconds=1_500,
                                                              available_concurrency=0)))
    request_id = fn.invoke_async({})
    sim.run()
    starts = [a.start for a in sim.ledger.attempts_for(request_id)]
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert gaps == [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 300.0, 300.0, 300.0, 300.0]
    assert [a.outcome.value for a in sim.ledger.attempts_for(request_id)] == ["throttled"] * 13 + ["success"]
    assert sim.ledger.fate(request_id).attempts == 1


def test_section_4_2_dlq_and_on_failure_destination_both_fire_and_the_fate_is_dead_lettered(sim: Sim):
    dlq = sim.sqs_queue("dlq")
    failures = sim.sqs_queue("failures")
    fn = sim.function(fails, name="both", maximum_retry_attempts=0, dead_letter_queue=dlq, on_failure=failures)
    request_id = fn.invoke_async({"n": 1})
    sim.run()
    fate = sim.ledger.fate(request_id)
    assert (fate.status, fate.condition, fate.attempts) == ("dead_lettered", "RetriesExhausted", 1)
    assert fate.destinations == (dlq.arn, failures.arn)
    assert [(d.kind, d.target, d.ok) for d in sim.ledger.deliveries] == [
        ("on_failure", failures.arn, True), ("dlq", dlq.arn, True),
    ]
    assert dlq.receive()[0].body == '{"n":1}'
    assert json.loads(failures.receive()[0].body)["requestContext"]["requestId"] == request_id
