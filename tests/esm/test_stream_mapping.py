"""Kinesis and DynamoDB Streams event source mapping conformance (docs/aws-behaviour.md §6)."""

from __future__ import annotations

import base64
import json

import pytest

from lambdachaos import Sim
from lambdachaos._errors import ConfigError


def numbers(event):
    return [json.loads(base64.b64decode(r["kinesis"]["data"]))["n"] for r in event["Records"]]


def kinesis_setup(sim, handler, *, n, **settings):
    stream = sim.kinesis_stream("orders")
    failures = sim.sqs_queue("failures")
    fn = sim.function(handler, name="consumer")
    mapping = sim.map(stream, fn, on_failure=failures, **settings)
    records = stream.put([json.dumps({"n": i}) for i in range(1, n + 1)])
    return stream, failures, mapping, records


def failure_bodies(queue):
    return [json.loads(m.body) for m in queue.messages]


def test_bisect_example_of_the_fact_sheet_6_5(sim):
    calls = []

    def handler(event, context):
        calls.append(numbers(event))
        if 3 in calls[-1]:
            raise ValueError("poison")

    _, failures, _, records = kinesis_setup(sim, handler, n=4, batch_size=4, bisect_batch_on_function_error=True,
                                            maximum_retry_attempts=0)
    sim.run()
    assert calls == [[1, 2, 3, 4], [1, 2], [3, 4], [3], [4]]
    (body,) = failure_bodies(failures)
    assert body["requestContext"]["approximateInvokeCount"] == 3
    assert [sim.ledger.fate(r.event_id).status for r in records] == ["succeeded", "succeeded", "on_failure",
                                                                     "succeeded"]


def test_bisect_of_eight_with_one_poison_record_and_two_retries_6_5(sim):
    calls = []

    def handler(event, context):
        calls.append(numbers(event))
        if 6 in calls[-1]:
            raise ValueError("poison")

    _, failures, _, records = kinesis_setup(sim, handler, n=8, batch_size=8, bisect_batch_on_function_error=True,
                                            maximum_retry_attempts=2)
    sim.run()
    assert calls == [[1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 3, 4], [5, 6, 7, 8], [5, 6], [5], [6], [6], [6], [7, 8]]
    assert [a.bisect_depth for a in sim.ledger.attempts] == [0, 1, 1, 2, 3, 3, 3, 3, 2]
    assert [a.start for a in sim.ledger.attempts][5:8] == [0.0, 1.0, 3.0]
    (body,) = failure_bodies(failures)
    info = body["KinesisBatchInfo"]
    assert body["requestContext"]["approximateInvokeCount"] == 6
    assert body["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert info["startSequenceNumber"] == info["endSequenceNumber"] == records[5].sequence_number
    assert info["batchSize"] == 1
    fates = [sim.ledger.fate(r.event_id).status for r in records]
    assert fates == ["succeeded"] * 5 + ["on_failure"] + ["succeeded"] * 2


def test_retries_exhausted_record_has_the_recorded_shape_6_6(sim):
    def handler(event, context):
        raise RuntimeError("always")

    stream, failures, mapping, records = kinesis_setup(sim, handler, n=1, batch_size=1, maximum_retry_attempts=1)
    sim.run()
    (body,) = failure_bodies(failures)
    assert list(body) == ["requestContext", "responseContext", "version", "timestamp", "KinesisBatchInfo"]
    assert body["requestContext"] == {
        "requestId": sim.ledger.attempts[-1].request_id, "functionArn": mapping.function.arn,
        "condition": "RetryAttemptsExhausted", "approximateInvokeCount": 2,
    }
    assert body["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"}
    assert body["version"] == "1.0"
    assert body["timestamp"] == "2026-01-01T00:00:01.000Z"
    assert body["KinesisBatchInfo"] == {
        "shardId": "shardId-000000000000", "startSequenceNumber": records[0].sequence_number,
        "endSequenceNumber": records[0].sequence_number,
        "approximateArrivalOfFirstRecord": "2026-01-01T00:00:00.000Z",
        "approximateArrivalOfLastRecord": "2026-01-01T00:00:00.000Z", "batchSize": 1, "streamArn": stream.arn,
    }
    assert len(records[0].sequence_number) == 56


def test_partial_batch_response_checkpoints_and_exhausts_with_null_function_error_6_4(sim):
    calls = []

    def handler(event, context):
        calls.append(numbers(event))
        return {"batchItemFailures": [{"itemIdentifier": r["kinesis"]["sequenceNumber"]} for r in event["Records"]
                                      if numbers({"Records": [r]}) == [6]]}

    _, failures, _, records = kinesis_setup(sim, handler, n=6, batch_size=3, maximum_retry_attempts=3,
                                            function_response_types=["ReportBatchItemFailures"])
    sim.run()
    assert calls == [[1, 2, 3], [4, 5, 6], [6], [6], [6]]
    (body,) = failure_bodies(failures)
    assert body["requestContext"]["approximateInvokeCount"] == 4
    assert body["responseContext"]["functionError"] is None
    info = body["KinesisBatchInfo"]
    assert info["startSequenceNumber"] == info["endSequenceNumber"] == records[5].sequence_number
    assert info["batchSize"] == 1


def test_partial_failure_retries_from_the_lowest_reported_sequence_number_6_4(sim):
    calls = []

    def handler(event, context):
        calls.append(numbers(event))
        if len(calls) == 1:
            return {"batchItemFailures": [{"itemIdentifier": event["Records"][i]["kinesis"]["sequenceNumber"]}
                                          for i in (3, 1)]}
        return None

    _, _, _, records = kinesis_setup(sim, handler, n=4, batch_size=4, function_response_types=[
        "ReportBatchItemFailures"])
    sim.run()
    assert calls == [[1, 2, 3, 4], [2, 3, 4]]
    assert {sim.ledger.fate(r.event_id).status for r in records} == {"succeeded"}


@pytest.mark.parametrize("item", [{}, {"itemIdentifier": ""}, {"itemIdentifier": None}, {"foo": "x"},
                                  {"itemIdentifier": "1"}], ids=repr)
def test_invalid_item_identifiers_fail_the_whole_batch_6_4(sim, item):
    calls = []

    def handler(event, context):
        calls.append(numbers(event))
        return {"batchItemFailures": [item]}

    _, failures, _, _ = kinesis_setup(sim, handler, n=2, batch_size=2, maximum_retry_attempts=2,
                                      function_response_types=["ReportBatchItemFailures"])
    sim.run()
    assert calls == [[1, 2]] * 3
    (body,) = failure_bodies(failures)
    assert body["requestContext"]["approximateInvokeCount"] == 3
    assert body["responseContext"]["functionError"] is None
    assert body["KinesisBatchInfo"]["batchSize"] == 2


@pytest.mark.parametrize("response", [None, "", [], {}, {"batchItemFailures": []}, {"batchItemFailures": None}],
                         ids=repr)
def test_empty_responses_are_complete_success_6_4(sim, response):
    _, failures, _, _ = kinesis_setup(sim, lambda e, c: response, n=3, batch_size=3, maximum_retry_attempts=0,
                                            function_response_types=["ReportBatchItemFailures"])
    sim.run()
    assert len(sim.ledger) == 1 and failures.messages == []


def test_record_that_expires_while_retrying_gets_count_8_and_no_response_context_6_3(sim):
    def handler(event, context):
        raise RuntimeError("down")

    _, failures, _, _ = kinesis_setup(sim, handler, n=1, batch_size=1, maximum_record_age_in_seconds=60)
    sim.run()
    assert [a.start for a in sim.ledger.attempts] == [0, 1, 3, 7, 15, 27, 39, 51]
    (body,) = failure_bodies(failures)
    assert body["requestContext"]["condition"] == "RecordAgeExceeded"
    assert body["requestContext"]["approximateInvokeCount"] == 8
    assert "responseContext" not in body


def test_expired_records_are_cut_from_the_front_and_the_rest_delivered_6_3(sim):
    calls = []
    stream = sim.kinesis_stream("orders")
    failures = sim.sqs_queue("failures")
    fn = sim.function(lambda e, c: calls.append(numbers(e)), name="consumer")
    mapping = sim.map(stream, fn, on_failure=failures, maximum_record_age_in_seconds=60, maximum_retry_attempts=0,
                      enabled=False)
    old = stream.put([json.dumps({"n": 1})])
    sim.advance(61)
    stream.put([json.dumps({"n": i}) for i in range(2, 7)])
    mapping.enable()
    sim.run()
    assert calls == [[2, 3, 4, 5, 6]]
    (body,) = failure_bodies(failures)
    assert body["requestContext"]["approximateInvokeCount"] == 1
    assert body["KinesisBatchInfo"]["startSequenceNumber"] == old[0].sequence_number


def test_throttles_do_not_count_toward_retries_6_3(sim):
    stream = sim.kinesis_stream("orders")
    failures = sim.sqs_queue("failures")
    fn = sim.function(lambda e, c: None, name="consumer", reserved_concurrency=0)
    sim.map(stream, fn, on_failure=failures, maximum_retry_attempts=0, maximum_record_age_in_seconds=60)
    (record,) = stream.put(["x"])
    sim.run()
    assert len(sim.ledger) == 8 and {a.outcome for a in sim.ledger.attempts} == {"throttled"}
    fate = sim.ledger.fate(record.event_id)
    assert (fate.status, fate.condition) == ("on_failure", "RecordAgeExceeded")


def test_filtered_records_are_skipped_and_never_invoked_10(sim):
    calls = []
    stream = sim.kinesis_stream("orders")
    fn = sim.function(lambda e, c: calls.append(numbers(e)), name="consumer")
    sim.map(stream, fn, filter_criteria=[{"data": {"n": [{"numeric": [">", 2]}]}}])
    records = stream.put([json.dumps({"n": i}) for i in range(1, 5)])
    sim.run()
    assert calls == [[3, 4]]
    assert [sim.ledger.fate(r.event_id).status for r in records] == ["filtered", "filtered", "succeeded",
                                                                     "succeeded"]


def test_iterator_age_is_recorded_per_batch_6_1(sim):
    stream = sim.kinesis_stream("orders")
    fn = sim.function(lambda e, c: None, name="consumer")
    mapping = sim.map(stream, fn, batch_size=2, maximum_batching_window_in_seconds=3)
    stream.put(["a"])
    sim.run()
    assert mapping.iterator_ages == [(3.0, "shardId-000000000000", 3000)]


def test_latest_starting_position_skips_older_records_6_1(sim):
    stream = sim.kinesis_stream("orders")
    stream.put(["old"])
    fn = sim.function(lambda e, c: None, name="consumer")
    sim.map(stream, fn, starting_position="LATEST")
    (new,) = stream.put(["new"])
    sim.run()
    assert sim.ledger.attempts[0].records == (new.event_id,)


@pytest.mark.parametrize(("kwargs", "pattern"), [
    ({"batch_size": 10_001}, r"^batch_size=10001: BatchSize must be between 1 and 10,000"),
    ({"parallelization_factor": 11}, r"^parallelization_factor=11: ParallelizationFactor must be between 1 and 10"),
    ({"maximum_retry_attempts": -2}, r"^maximum_retry_attempts=-2: MaximumRetryAttempts must be between 0 and "
                                     r"10,000 or -1"),
    ({"maximum_record_age_in_seconds": 59}, r"^maximum_record_age_in_seconds=59: MaximumRecordAgeInSeconds must be "
                                            r"between 60 and 604,800 or -1"),
    ({"starting_position": "AT_SEQUENCE_NUMBER"}, r"^1 validation error detected: Value 'AT_SEQUENCE_NUMBER' at "
     r"'startingPosition' failed to satisfy constraint: Member must satisfy enum value set: \[LATEST, AT_TIMESTAMP, "
     r"TRIM_HORIZON\]$"),
    ({"maximum_concurrency": 5}, r"^maximum_concurrency=5 is not supported for Amazon Kinesis event sources"),
    ({"on_failure": "arn:aws:sqs:us-east-1:123456789012:f.fifo"}, r"^on_failure=.*OnFailure"),
])
def test_invalid_stream_settings_are_refused_6_1(sim, kwargs, pattern):
    with pytest.raises(ConfigError, match=pattern):
        sim.map(sim.kinesis_stream("s"), sim.function(lambda e, c: None, name="f"), **kwargs)


# ---- DynamoDB Streams ---------------------------------------------------------------------------
def test_table_writes_produce_insert_modify_remove_records_11():
    for view, expected in [
        ("NEW_AND_OLD_IMAGES", [{"NewImage"}, {"NewImage", "OldImage"}, {"OldImage"}]),
        ("KEYS_ONLY", [set(), set(), set()]),
        ("NEW_IMAGE", [{"NewImage"}, {"NewImage"}, set()]),
        ("OLD_IMAGE", [set(), {"OldImage"}, {"OldImage"}]),
    ]:
        with Sim(seed=1) as sim:
            events = []
            table = sim.dynamodb_table("Orders", key_schema=["pk"], stream_view_type=view)
            sim.map(table, sim.function(lambda e, c, events=events: events.extend(e["Records"]), name="f"))
            table.put_item({"pk": "o1", "status": "PLACED"})
            table.update_item({"pk": "o1"}, {"status": "PAID"})
            table.put_item({"pk": "o1", "status": "PAID"})  # no change: no record
            table.delete_item({"pk": "o1"})
            sim.run()
            assert [e["eventName"] for e in events] == ["INSERT", "MODIFY", "REMOVE"]
            assert [set(e["dynamodb"]) & {"NewImage", "OldImage"} for e in events] == expected
            assert all(e["dynamodb"]["Keys"] == {"pk": {"S": "o1"}} for e in events)
            assert all(e["dynamodb"]["StreamViewType"] == view for e in events)
            seqs = [int(e["dynamodb"]["SequenceNumber"]) for e in events]
            assert seqs == sorted(seqs) and all(e["dynamodb"]["SizeBytes"] > 0 for e in events)
            assert all(e["eventSourceARN"] == table.stream_arn for e in events)


def test_dynamodb_failure_record_uses_ddb_batch_info_with_second_precision_6_6(sim):
    table = sim.dynamodb_table("Orders")
    failures = sim.sqs_queue("failures")

    def handler(event, context):
        raise RuntimeError("nope")

    sim.map(table, sim.function(handler, name="f"), maximum_retry_attempts=1, on_failure=failures)
    record = table.put_item({"pk": "o1"})
    sim.run()
    (message,) = failures.messages
    body = json.loads(message.body)
    assert list(body) == ["requestContext", "responseContext", "version", "timestamp", "DDBStreamBatchInfo"]
    info = body["DDBStreamBatchInfo"]
    assert info["approximateArrivalOfFirstRecord"] == "2026-01-01T00:00:00Z"
    assert info["startSequenceNumber"] == record.sequence_number
    assert info["streamArn"] == table.stream_arn
    assert body["requestContext"]["approximateInvokeCount"] == 2
    assert sim.ledger.fate(record.event_id).destinations == (failures.arn,)


@pytest.mark.parametrize(("n", "poison", "calls_expected", "depths"), [
    # decision A7: a failing batch splits into its first ceil(n/2) records and the rest
    (3, 3, [[1, 2, 3], [1, 2], [3]], [0, 1, 1]),
    (3, 1, [[1, 2, 3], [1, 2], [1], [2], [3]], [0, 1, 2, 2, 1]),
    (5, 5, [[1, 2, 3, 4, 5], [1, 2, 3], [4, 5], [4], [5]], [0, 1, 1, 2, 2]),
    (5, 3, [[1, 2, 3, 4, 5], [1, 2, 3], [1, 2], [3], [4, 5]], [0, 1, 2, 2, 1]),
])
def test_bisect_of_odd_batches_puts_the_larger_half_first_a7(sim, n, poison, calls_expected, depths):
    calls = []

    def handler(event, context):
        calls.append(numbers(event))
        if poison in calls[-1]:
            raise ValueError("poison")

    _, failures, _, records = kinesis_setup(sim, handler, n=n, batch_size=n, bisect_batch_on_function_error=True,
                                            maximum_retry_attempts=0)
    sim.run()
    assert calls == calls_expected
    assert [a.bisect_depth for a in sim.ledger.attempts] == depths
    (body,) = failure_bodies(failures)
    assert body["KinesisBatchInfo"]["startSequenceNumber"] == records[poison - 1].sequence_number
    assert body["KinesisBatchInfo"]["batchSize"] == 1


def test_a_record_as_old_as_maximum_record_age_is_discarded_without_another_attempt_6_4(sim):
    def handler(event, context):
        raise ValueError("always")

    _, failures, _, records = kinesis_setup(sim, handler, n=1, batch_size=1, maximum_record_age_in_seconds=63)
    sim.run()
    assert [a.start for a in sim.ledger.attempts] == [0.0, 1.0, 3.0, 7.0, 15.0, 27.0, 39.0, 51.0]
    (body,) = failure_bodies(failures)
    assert body["requestContext"]["condition"] == "RecordAgeExceeded"
    assert sim.ledger.fate(records[0].event_id).at_ns == 63_000_000_000
