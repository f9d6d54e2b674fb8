"""SQS event source mapping conformance (docs/aws-behaviour.md §5, §10, §11)."""

from __future__ import annotations

import hashlib
import json
import warnings

import pytest

from lambdachaos import Sim
from lambdachaos._errors import ConfigError
from lambdachaos.generators import sqs as sqs_gen
from lambdachaos.service.mappings._common import VisibilityTimeoutWarning


def recorder(calls, fail=lambda record: False, response=None):
    def handler(event, context):
        calls.append([(r["messageId"], r["attributes"]["ApproximateReceiveCount"]) for r in event["Records"]])
        if any(fail(r) for r in event["Records"]):
            raise RuntimeError("boom")
        return response(event) if callable(response) else response
    return handler


def test_success_deletes_the_batch_and_settles_every_message_5_3(sim):
    calls = []
    queue = sim.sqs_queue("orders")
    sim.map(queue, sim.function(recorder(calls), name="f"))
    sent = [queue.send(json.dumps({"n": i})) for i in range(25)]
    sim.run()
    assert [len(c) for c in calls] == [10, 10, 5]
    assert queue.messages == []
    assert {sim.ledger.fate(s.message_id).status for s in sent} == {"succeeded"}
    assert sim.ledger.attempts[0].records == tuple(s.message_id for s in sent[:10])


def test_records_have_the_exact_aws_shape_5_5_and_11(sim):
    events = []
    queue = sim.sqs_queue("orders")
    sim.map(queue, sim.function(lambda e, c: events.append(e), name="f"))
    sim.advance(2.5)
    sent = queue.send("Test message.")
    sim.run()
    (record,) = events[0]["Records"]
    assert list(record) == ["messageId", "receiptHandle", "body", "attributes", "messageAttributes", "md5OfBody",
                            "eventSource", "eventSourceARN", "awsRegion"]
    assert record["messageId"] == sent.message_id
    assert record["md5OfBody"] == "e4e68fb7bd0e697a0ae8f1bb342846b3"
    assert list(record["attributes"]) == ["ApproximateReceiveCount", "SentTimestamp", "SenderId",
                                          "ApproximateFirstReceiveTimestamp"]
    assert all(isinstance(v, str) for v in record["attributes"].values())
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert record["attributes"]["SentTimestamp"] == str(sim.world.epoch_ms(2_500_000_000))
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == queue.arn
    assert record["awsRegion"] == "us-east-1"
    assert record["receiptHandle"].startswith("AQEB")


def test_fast_rendering_matches_the_generator_field_for_field(sim):
    events = []
    queue = sim.sqs_queue("orders")
    sim.map(queue, sim.function(lambda e, c: events.append(e), name="f"))
    queue.send('{"a": "é"}')
    sim.run()
    (record,) = events[0]["Records"]
    a = record["attributes"]
    expected = sqs_gen.record(
        body=record["body"], message_id=record["messageId"], receipt_handle=record["receiptHandle"],
        queue_arn=queue.arn, sent_timestamp=int(a["SentTimestamp"]),
        first_receive_timestamp=int(a["ApproximateFirstReceiveTimestamp"]), receive_count=1,
        sender_id=a["SenderId"],
    )
    assert json.dumps(record) == json.dumps(expected)


def test_a_batch_of_many_instants_and_receive_counts_renders_every_record_as_the_generator_does():
    events = []
    with Sim(seed=6) as sim:
        queue = sim.sqs_queue("orders", visibility_timeout=60)

        def handler(event, context):
            events.append(event)
            if len(events) == 1:  # the first batch fails: its records come back with receive count 2
                raise RuntimeError("boom")

        sim.map(queue, sim.function(handler, name="f"), batch_size=100, maximum_batching_window_in_seconds=20)
        for i in range(30):
            sim.clock.call_at((i // 3) * 300_000_000 + (i % 3) * 1_000, queue.send, f"m{i}")  # 3 per ms
        sim.run()
    records = [r for e in events for r in e["Records"]]
    assert len(records) == 60  # every message twice: the failed batch, then again
    assert {r["attributes"]["ApproximateReceiveCount"] for r in records[30:]} == {"2"}
    for record in records:
        a = record["attributes"]
        assert int(a["ApproximateFirstReceiveTimestamp"]) >= int(a["SentTimestamp"])
        expected = sqs_gen.record(
            body=record["body"], message_id=record["messageId"], receipt_handle=record["receiptHandle"],
            queue_arn=queue.arn, sent_timestamp=int(a["SentTimestamp"]),
            first_receive_timestamp=int(a["ApproximateFirstReceiveTimestamp"]),
            receive_count=int(a["ApproximateReceiveCount"]), sender_id=a["SenderId"],
        )
        assert json.dumps(record) == json.dumps(expected)
    sent = [int(r["attributes"]["SentTimestamp"]) for r in records[:30]]
    assert sent == sorted(sent) and len(set(sent)) == 10
    assert {r["attributes"]["ApproximateFirstReceiveTimestamp"] for r in records[:30]} == {
        r["attributes"]["ApproximateFirstReceiveTimestamp"] for r in records[30:]}


def test_message_attributes_are_lower_camel_case_11(sim):
    events = []
    queue = sim.sqs_queue("orders")
    sim.map(queue, sim.function(lambda e, c: events.append(e), name="f"))
    queue.send("hi", message_attributes={"Tenant": {"DataType": "String", "StringValue": "acme"}})
    sim.run()
    (record,) = events[0]["Records"]
    assert record["messageAttributes"]["Tenant"]["stringValue"] == "acme"
    assert record["messageAttributes"]["Tenant"]["dataType"] == "String"
    assert record["md5OfBody"] == hashlib.md5(b"hi").hexdigest()
    assert "md5OfMessageAttributes" in record


def test_failure_redelivers_with_growing_receive_count_then_queue_dlq_same_message_id_5_3(sim):
    calls = []
    dlq = sim.sqs_queue("orders-dlq")
    queue = sim.sqs_queue("orders", dead_letter_queue=dlq, max_receive_count=2, visibility_timeout=30)
    sim.map(queue, sim.function(recorder(calls, fail=lambda r: True), name="f"))
    sent = queue.send('{"fail_attempts": 2}')
    sim.run()
    assert calls == [[(sent.message_id, "1")], [(sent.message_id, "2")]]
    assert [a.start for a in sim.ledger.attempts] == [0.0, 30.0]
    (moved,) = dlq.messages
    assert moved.message_id == sent.message_id
    assert moved.body == '{"fail_attempts": 2}'
    fate = sim.ledger.fate(sent.message_id)
    assert (fate.status, fate.destinations, fate.attempts) == ("dead_lettered", (dlq.arn,), 2)
    (delivery,) = sim.ledger.deliveries
    assert (delivery.kind, delivery.target, delivery.message_id) == ("queue_dlq", dlq.arn, sent.message_id)


SUCCESS_RESPONSES = [None, {}, {"batchItemFailures": []}, {"batchItemFailures": None}, "", [],
                     {"statusCode": 200, "body": {"ok": True}}]


@pytest.mark.parametrize("response", SUCCESS_RESPONSES, ids=repr)
def test_report_batch_item_failures_complete_success_rows_5_3(sim, response):
    calls = []
    queue = sim.sqs_queue("orders")
    sim.map(queue, sim.function(recorder(calls, response=response), name="f"),
            function_response_types=["ReportBatchItemFailures"])
    sent = [queue.send(str(i)) for i in range(3)]
    sim.run()
    assert len(calls) == 1
    assert {sim.ledger.fate(s.message_id).status for s in sent} == {"succeeded"}


BAD_ITEMS = [{"itemIdentifier": ""}, {"itemIdentifier": None}, {"itemIdentifer": "x"}, {"foo": None},
             {"itemIdentifier": "not-in-this-batch"}, "plain string"]


@pytest.mark.parametrize("item", BAD_ITEMS, ids=repr)
def test_report_batch_item_failures_complete_failure_rows_5_3(sim, item):
    calls = []
    queue = sim.sqs_queue("orders", visibility_timeout=30)
    fn = sim.function(recorder(calls, response=lambda e: {"batchItemFailures": [item]} if len(calls) == 1 else None),
                      name="f")
    sim.map(queue, fn, function_response_types=["ReportBatchItemFailures"])
    [queue.send(str(i)) for i in range(3)]
    sim.run()
    assert [[count for _, count in c] for c in calls] == [["1", "1", "1"], ["2", "2", "2"]]


def test_listed_items_return_and_the_others_are_deleted_5_3(sim):
    calls = []

    def response(event):
        return {"batchItemFailures": [{"itemIdentifier": event["Records"][1]["messageId"]}]} if len(calls) == 1 else {}

    queue = sim.sqs_queue("orders", visibility_timeout=30)
    sim.map(queue, sim.function(recorder(calls, response=response), name="f"),
            function_response_types=["ReportBatchItemFailures"])
    sent = [queue.send(str(i)) for i in range(3)]
    sim.run()
    assert calls[1] == [(sent[1].message_id, "2")]
    assert sim.ledger.attempts[1].start == 30.0


def test_partial_response_is_ignored_without_the_response_type_5_3(sim):
    calls = []
    queue = sim.sqs_queue("orders")
    fn = sim.function(recorder(calls, response=lambda e: {"batchItemFailures": [
        {"itemIdentifier": e["Records"][0]["messageId"]}]}), name="f")
    sim.map(queue, fn)
    queue.send("a")
    sim.run()
    assert len(calls) == 1 and queue.messages == []


def test_an_exception_fails_the_whole_batch_even_with_report_batch_item_failures_5_3(sim):
    calls = []
    queue = sim.sqs_queue("orders", visibility_timeout=30)
    sim.map(queue, sim.function(recorder(calls, fail=lambda r: r["attributes"]["ApproximateReceiveCount"] == "1"),
                                name="f"), function_response_types=["ReportBatchItemFailures"])
    [queue.send(str(i)) for i in range(2)]
    sim.run()
    assert [[n for _, n in c] for c in calls] == [["1", "1"], ["2", "2"]]


def test_fifo_recorded_m1_to_m4_scenario_5_4():
    with Sim(seed=3) as sim:
        calls = []
        dlq = sim.sqs_queue("orders-dlq.fifo")
        queue = sim.sqs_queue("orders.fifo", dead_letter_queue=dlq, max_receive_count=2, visibility_timeout=30,
                              content_based_deduplication=True)

        def handler(event, context):
            bodies = [r["body"] for r in event["Records"]]
            calls.append([(r["body"], r["attributes"]["ApproximateReceiveCount"]) for r in event["Records"]])
            failing = bodies[1:] if len(calls) == 1 else [b for b in bodies if b == "m4"]
            return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in event["Records"]
                                          if r["body"] in failing]}

        sim.map(queue, sim.function(handler, name="f"), batch_size=10,
                function_response_types=["ReportBatchItemFailures"])
        sent = {b: queue.send(b, message_group_id="g1") for b in ("m1", "m2", "m3", "m4")}
        sim.run()
        assert calls == [[("m1", "1"), ("m2", "1"), ("m3", "1"), ("m4", "1")],
                         [("m2", "2"), ("m3", "2"), ("m4", "2")]]
        assert [m.message_id for m in dlq.messages] == [sent["m4"].message_id]
        record = sim.ledger.attempts[0]
        assert record.records == tuple(sent[b].message_id for b in ("m1", "m2", "m3", "m4"))
        assert sim.ledger.fate(sent["m4"].message_id).status == "dead_lettered"


def test_fifo_records_carry_the_fifo_attributes_11(sim):
    events = []
    queue = sim.sqs_queue("orders.fifo", content_based_deduplication=True)
    sim.map(queue, sim.function(lambda e, c: events.append(e), name="f"))
    sent = queue.send("m1", message_group_id="g1")
    sim.run()
    attrs = events[0]["Records"][0]["attributes"]
    assert attrs["MessageGroupId"] == "g1"
    assert attrs["SequenceNumber"] == sent.sequence_number
    assert attrs["MessageDeduplicationId"] == hashlib.sha256(b"m1").hexdigest()


def test_fifo_blocks_a_failing_group_while_other_groups_flow_5_4(sim):
    calls = []
    queue = sim.sqs_queue("orders.fifo", visibility_timeout=30, content_based_deduplication=True)
    fn = sim.function(recorder(calls, fail=lambda r: r["body"] == "a1" and r["attributes"][
        "ApproximateReceiveCount"] == "1"), name="f")
    sim.map(queue, fn, batch_size=1)
    for body, group in [("a1", "a"), ("a2", "a"), ("b1", "b"), ("b2", "b")]:
        queue.send(body, message_group_id=group)
    sim.run()
    order = [(a.start, sim_body) for a, sim_body in zip(sim.ledger.attempts, [c[0][0] for c in calls], strict=True)]
    bodies = [queue.history[[m.message_id for m in queue.history].index(mid)].body for _, mid in order]
    assert bodies == ["a1", "b1", "b2", "a1", "a2"]
    assert [t for t, _ in order] == [0.0, 0.0, 0.0, 30.0, 30.0]


def test_fifo_one_group_is_strictly_serial_5_4():
    with Sim(seed=2) as sim:
        queue = sim.sqs_queue("jobs.fifo", visibility_timeout=60, content_based_deduplication=True)
        fn = sim.function(lambda e, c: None, name="f", base_duration=5, timeout=10)
        sim.map(queue, fn, batch_size=1)
        for i in range(5):
            queue.send(f"m{i}", message_group_id="only")
        sim.run()
        assert [a.start for a in sim.ledger.attempts] == [0.0, 5.0, 10.0, 15.0, 20.0]
        assert len({a.env_id for a in sim.ledger.attempts}) == 1


def test_filtered_messages_are_deleted_and_never_invoked_5_6_10(sim):
    calls = []
    queue = sim.sqs_queue("orders")
    sim.map(queue, sim.function(recorder(calls), name="f"),
            filter_criteria={"Filters": [{"Pattern": json.dumps({"body": {"type": ["order"]}})}]})
    keep = queue.send(json.dumps({"type": "order"}))
    drop_json = queue.send(json.dumps({"type": "refund"}))
    drop_plain = queue.send("order")
    sim.run()
    assert calls == [[(keep.message_id, "1")]]
    assert queue.messages == []
    assert sim.ledger.fate(drop_json.message_id).status == "filtered"
    assert sim.ledger.fate(drop_plain.message_id).status == "filtered"
    assert sim.ledger.fate(keep.message_id).status == "succeeded"


def test_plain_string_pattern_matches_a_plain_body_only_10(sim):
    calls = []
    queue = sim.sqs_queue("orders")
    sim.map(queue, sim.function(recorder(calls), name="f"), filter_criteria=[{"body": ["hello"]}])
    keep = queue.send("hello")
    queue.send('{"hello": 1}')
    sim.run()
    assert calls == [[(keep.message_id, "1")]]


def test_batching_window_gathers_a_batch_until_it_elapses_5_2(sim):
    queue = sim.sqs_queue("orders")
    sim.map(queue, sim.function(lambda e, c: None, name="f"), batch_size=50, maximum_batching_window_in_seconds=5)
    for i in range(20):
        queue.send(str(i))
    sim.run()
    (attempt,) = sim.ledger.attempts
    assert (attempt.start, len(attempt.records)) == (5.0, 20)


def test_full_batch_is_invoked_before_the_window_ends_5_2(sim):
    queue = sim.sqs_queue("orders")
    sim.map(queue, sim.function(lambda e, c: None, name="f"), batch_size=20, maximum_batching_window_in_seconds=5)
    for i in range(30):
        queue.send(str(i))
    sim.run()
    assert [(a.start, len(a.records)) for a in sim.ledger.attempts] == [(0.0, 20), (5.0, 10)]


def test_batch_payload_stays_under_6_mb_5_2(sim):
    queue = sim.sqs_queue("big")
    events = []
    sim.map(queue, sim.function(lambda e, c: events.append(len(json.dumps(e))), name="f"), batch_size=40,
            maximum_batching_window_in_seconds=1)
    body = "x" * 250_000
    for _ in range(40):
        queue.send(body)
    sim.run()
    sizes = [len(a.records) for a in sim.ledger.attempts]
    assert sum(sizes) == 40 and len(sizes) == 2
    assert max(events) <= 6_291_456 and sizes[0] >= 24


def test_concurrency_starts_at_five_batches_and_respects_maximum_concurrency_5_2():
    for cap, expected in ((None, 5), (2, 2)):
        with Sim(seed=1) as sim:
            queue = sim.sqs_queue("orders", visibility_timeout=120)
            fn = sim.function(lambda e, c: None, name="f", base_duration=10, timeout=20)
            sim.map(queue, fn, batch_size=1, maximum_concurrency=cap)
            for i in range(40):
                queue.send(str(i))
            sim.run(until=1)
            assert len(sim.ledger.attempts) == expected


def test_throttled_batches_are_released_at_the_visibility_timeout_8(sim):
    dlq = sim.sqs_queue("dlq")
    queue = sim.sqs_queue("orders", visibility_timeout=30, dead_letter_queue=dlq, max_receive_count=2)
    fn = sim.function(lambda e, c: None, name="f", reserved_concurrency=0)
    sim.map(queue, fn)
    sent = queue.send("x")
    sim.run()
    attempts = sim.ledger.attempts
    assert {a.outcome for a in attempts} == {"throttled"}
    assert [a.start for a in attempts] == [0, 1, 3, 7, 15, 30, 31, 33, 37, 45]
    assert sim.ledger.fate(sent.message_id).status == "dead_lettered"


def test_messages_left_in_the_queue_are_pending(sim):
    queue = sim.sqs_queue("orders")
    mapping = sim.map(queue, sim.function(lambda e, c: None, name="f"), enabled=False)
    sent = queue.send("later")
    sim.run()
    assert mapping.state == "Disabled" and len(sim.ledger) == 0
    assert sim.ledger.fate(sent.message_id).status == "pending"


def test_every_message_has_one_fate_after_a_run_11(sim):
    dlq = sim.sqs_queue("dlq")
    queue = sim.sqs_queue("orders", visibility_timeout=30, dead_letter_queue=dlq, max_receive_count=3)
    fn = sim.function(recorder([], fail=lambda r: r["body"].endswith("7")), name="f")
    sim.map(queue, fn, batch_size=3, function_response_types=["ReportBatchItemFailures"])
    sent = [queue.send(str(i)) for i in range(30)]
    sim.run()
    fates = [sim.ledger.fate(s.message_id).status for s in sent]
    assert "pending" not in fates
    assert fates.count("dead_lettered") == len(dlq.messages)


# ---- validation (§5.1) ---------------------------------------------------------------------------
@pytest.mark.parametrize(("kwargs", "pattern"), [
    ({"batch_size": 11}, r"^Maximum batch window in seconds must be greater than 0 if maximum batch size is greater "
                         r"than 10$"),
    ({"batch_size": 0}, r"^batch_size=0: BatchSize must be between 1 and 10,000 for a standard queue"),
    ({"batch_size": 10_001, "maximum_batching_window_in_seconds": 1}, r"^batch_size=10001: BatchSize"),
    ({"maximum_batching_window_in_seconds": 301}, r"^maximum_batching_window_in_seconds=301: "
                                                  r"MaximumBatchingWindowInSeconds must be between 0 and 300"),
    ({"maximum_concurrency": 1}, r"^maximum_concurrency=1: ScalingConfig.MaximumConcurrency must be between 2 and "
                                 r"1,000"),
    ({"function_response_types": ["Nope"]}, r"^function_response_types=\('Nope',\): FunctionResponseTypes"),
    ({"maximum_retry_attempts": 2}, r"^maximum_retry_attempts=2 is not supported for Amazon SQS event sources"),
    ({"on_failure": "arn:aws:sqs:us-east-1:123456789012:x"},
     r"^Unsupported DestinationConfig parameter for given event source mapping type\.$"),
])
def test_invalid_settings_are_refused_with_aws_wording_5_1(sim, kwargs, pattern):
    queue = sim.sqs_queue("orders")
    with pytest.raises(ConfigError, match=pattern):
        sim.map(queue, sim.function(lambda e, c: None, name="f"), **kwargs)


def test_fifo_limits_5_1(sim):
    queue = sim.sqs_queue("orders.fifo")
    fn = sim.function(lambda e, c: None, name="f")
    with pytest.raises(ConfigError, match=r"^batch_size=11: BatchSize must be between 1 and 10 for a FIFO queue"):
        sim.map(queue, fn, batch_size=11, maximum_batching_window_in_seconds=1)
    with pytest.raises(ConfigError, match=r"^maximum_batching_window_in_seconds=1: Batching window is not supported"):
        sim.map(queue, fn, maximum_batching_window_in_seconds=1)


def test_visibility_timeout_below_function_timeout_is_refused_5_1(sim):
    from lambdachaos.resources._errors import InvalidParameterValueException

    queue = sim.sqs_queue("orders", visibility_timeout=30)
    fn = sim.function(lambda e, c: None, name="f", timeout=60)
    with pytest.raises(InvalidParameterValueException,
                       match=r"^Queue visibility timeout: 30 seconds is less than Function timeout: 60 seconds$"):
        sim.map(queue, fn)


def test_visibility_timeout_below_six_times_the_timeout_warns_5_1(sim):
    queue = sim.sqs_queue("orders", visibility_timeout=30)
    fn = sim.function(lambda e, c: None, name="f", timeout=10)
    with pytest.warns(VisibilityTimeoutWarning, match=r"VisibilityTimeout=30 s; AWS advises at least 6 x"):
        sim.map(queue, fn)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sim.map(sim.sqs_queue("ok", visibility_timeout=60), fn)


def test_invalid_filter_pattern_is_refused_10(sim):
    from lambdachaos.resources._errors import InvalidParameterValueException

    with pytest.raises(InvalidParameterValueException, match=r"^Invalid filter pattern definition"):
        sim.map(sim.sqs_queue("orders"), sim.function(lambda e, c: None, name="f"),
                filter_criteria=[{"body": {"a": [{"wildcard": "x*"}]}}])


def test_fifo_a_message_sent_while_its_group_fails_in_flight_waits_for_the_visibility_timeout_5_4(sim):
    calls = []
    queue = sim.sqs_queue("orders.fifo", visibility_timeout=30, content_based_deduplication=True)
    fn = sim.function(recorder(calls, fail=lambda r: r["body"] == "a1" and r["attributes"][
        "ApproximateReceiveCount"] == "1"), name="f")
    sim.map(queue, fn, batch_size=1)
    first = queue.send("a1", message_group_id="a")
    sim.advance(5)
    second = queue.send("a2", message_group_id="a")
    sim.run()
    attempts = sim.ledger.attempts
    assert [(a.start, a.records) for a in attempts] == [
        (0.0, (first.message_id,)), (30.0, (first.message_id,)), (30.0, (second.message_id,)),
    ]
    assert [a.outcome.value for a in attempts] == ["function_error", "success", "success"]


def test_throttled_batch_backoff_is_capped_at_60_seconds_8(sim):
    queue = sim.sqs_queue("orders", visibility_timeout=300)
    fn = sim.function(lambda e, c: None, name="f", reserved_concurrency=0)
    sim.map(queue, fn)
    queue.send("x")
    sim.run(until=299)
    assert [a.start for a in sim.ledger.attempts] == [0, 1, 3, 7, 15, 31, 63, 123, 183, 243]


def test_at_most_five_filters_10(sim):
    queue, fn = sim.sqs_queue("orders"), sim.function(lambda e, c: None, name="f")
    sim.map(queue, fn, filter_criteria=[{"body": {"n": [i]}} for i in range(5)])
    with pytest.raises(ConfigError, match=r"^filter_criteria has 6 patterns: FilterCriteria\.Filters allows at most 5"):
        sim.map(sim.sqs_queue("other"), fn, filter_criteria=[{"body": {"n": [i]}} for i in range(6)])
