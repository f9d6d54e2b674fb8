"""Kinesis event source mappings on the simulator and on LocalStack (docs/aws-behaviour.md §6).

Where LocalStack 4.14.0 deviates from AWS (§12: no bisect, one poller thread for all shards, linear
retry delays, no ``requestContext`` in a ``RecordAgeExceeded`` record) the test states the deviation
and checks the simulator against AWS's recorded behaviour instead.
"""

from __future__ import annotations

import json
import time

import pytest

from tests.localstack import handlers
from tests.localstack.differential import facts, on_localstack, on_sim, sim_name

pytestmark = pytest.mark.localstack


def _ids(outs):
    return [f"{o['ShardId']}:{o['SequenceNumber']}" for o in outs]


def _records(t, queue_name):
    """The on-failure records (parsed) a target's queue received."""
    if hasattr(t, "messages"):
        return [json.loads(m["Body"]) for m in t.messages(t.queues[queue_name])]
    return [json.loads(m.body) for m in t.queues[queue_name].history]


def retries_exhausted(t):
    failures = t.sqs_queue("index-failures")
    stream = t.kinesis_stream("orders")
    fn = t.function(handlers.stream_fails, name="indexer", timeout=1)
    t.map(stream, fn, starting_position="TRIM_HORIZON", batch_size=1, maximum_retry_attempts=1,
          on_failure=failures)
    return _ids([stream.put_record(json.dumps({"order": 1}), "pk-1")])


def partial_checkpoint(t):
    failures = t.sqs_queue("index-failures")
    stream = t.kinesis_stream("orders")
    outs = [stream.put_record(json.dumps({"order": i, "fail": i == 6}), "pk-1") for i in range(1, 7)]
    fn = t.function(handlers.stream_partial, name="indexer", timeout=1)
    t.map(stream, fn, starting_position="TRIM_HORIZON", batch_size=3, maximum_retry_attempts=3,
          function_response_types=["ReportBatchItemFailures"], on_failure=failures)
    return _ids(outs)


@pytest.mark.parametrize("scenario", [retries_exhausted, partial_checkpoint])
def test_kinesis_fates_attempts_and_on_failure_match(ls, scenario):
    _, expected = on_sim(scenario)
    assert on_localstack(ls, scenario, timeout=40) == expected


def test_retries_exhausted_sends_the_recorded_record_shape_on_both_targets(ls):
    # AWS (§6.6, recorded test_kinesis_event_source_mapping_with_on_failure_destination_config): MaxRetry 1,
    # BatchSize 1 → RetryAttemptsExhausted after 2 invocations, functionError "Unhandled", batch info of one record.
    sim, _ = on_sim(retries_exhausted)
    on_localstack(ls, retries_exhausted, timeout=40)
    ids = list(ls.ledger.fates)
    seqs = {"sim": [i.rsplit(":", 1)[1] for i in sim.ledger.fates], "ls": [i.rsplit(":", 1)[1] for i in ids]}
    for where, target in (("sim", sim), ("ls", ls)):
        [record] = _records(target, "index-failures")
        assert set(record) == {"requestContext", "responseContext", "version", "timestamp", "KinesisBatchInfo"}
        assert record["version"] == "1.0" and record["timestamp"].endswith("Z")
        context = record["requestContext"]
        assert context["condition"] == "RetryAttemptsExhausted" and context["approximateInvokeCount"] == 2
        assert context["functionArn"].endswith(":function:" + target.prefix + "indexer" if where == "ls" else
                                               ":function:indexer")
        assert record["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST",
                                             "functionError": "Unhandled"}
        info = record["KinesisBatchInfo"]
        assert set(info) == {"shardId", "startSequenceNumber", "endSequenceNumber", "approximateArrivalOfFirstRecord",
                             "approximateArrivalOfLastRecord", "batchSize", "streamArn"}
        assert info["shardId"] == "shardId-000000000000" and info["batchSize"] == 1
        assert info["startSequenceNumber"] == info["endSequenceNumber"] == seqs[where][0]
        assert info["approximateArrivalOfFirstRecord"].endswith(".000Z") or where == "ls"


def test_partial_batch_checkpoint_reports_only_the_failed_record_with_a_null_function_error(ls):
    # AWS (§6.4, recorded test_kinesis_report_batch_item_failures): BatchSize 3, six records, #6 reported as failed,
    # MaxRetry 3 → records 1-5 succeed once; #6 is retried alone from the checkpoint; count 4; functionError null.
    sim, _ = on_sim(partial_checkpoint)
    on_localstack(ls, partial_checkpoint, timeout=40)
    for target in (sim, ls):
        [record] = _records(target, "index-failures")
        sixth = list(target.ledger.fates)[5].rsplit(":", 1)[1]
        assert record["requestContext"]["approximateInvokeCount"] == 4
        assert record["responseContext"]["functionError"] is None
        info = record["KinesisBatchInfo"]
        assert info["startSequenceNumber"] == info["endSequenceNumber"] == sixth and info["batchSize"] == 1
        assert [len(a.records) for a in target.ledger.attempts] == [3, 3, 1, 1, 1]


def _aged_on_sim(sim):
    failures = sim.sqs_queue("index-failures")
    stream = sim.kinesis_stream("orders")
    ids = _ids([stream.put_record(json.dumps({"order": 1}), "pk-1")])
    sim.advance(61)  # older than MaximumRecordAgeInSeconds before the mapping first reads it
    fn = sim.function(handlers.stream_succeeds, name="indexer", timeout=1)
    sim.map(stream, fn, batch_size=1, maximum_retry_attempts=0, maximum_record_age_in_seconds=60,
            on_failure=failures)
    return ids + _ids([stream.put_record(json.dumps({"order": 2}), "pk-1")])


def test_record_age_exceeded_matches_aws_on_the_simulator_and_localstack_drops_the_request_context(ls):
    # AWS (§6.3/§6.6, recorded …maximum_record_age_exceeded_discard_records): the expired record goes to the
    # on-failure destination as RecordAgeExceeded with a requestContext (approximateInvokeCount 1) and no
    # responseContext; the younger record is delivered.
    sim, expected = on_sim(_aged_on_sim)
    assert [f["fate"] for f in expected] == ["on_failure", "succeeded"]
    assert expected[0]["condition"] == "RecordAgeExceeded" and expected[0]["outcomes"] == []
    [aws_like] = _records(sim, "index-failures")
    assert set(aws_like) == {"requestContext", "version", "timestamp", "KinesisBatchInfo"}
    assert aws_like["requestContext"]["condition"] == "RecordAgeExceeded"
    assert aws_like["requestContext"]["approximateInvokeCount"] == 1
    assert facts(sim.ledger, list(sim.ledger.fates), sim_name)[0]["destinations"] == ["index-failures"]

    # LocalStack deviations: it accepts MaximumRecordAgeInSeconds 1 (AWS rejects 0-59; used here so the test needs
    # no 60 s wait), and its RecordAgeExceeded record has neither requestContext nor responseContext.
    failures = ls.sqs_queue("index-failures")
    stream = ls.kinesis_stream("orders")
    ids = [stream.put(json.dumps({"order": 1}), "pk-1")]
    time.sleep(2.5)
    fn = ls.function(handlers.stream_succeeds, name="indexer", timeout=1)
    ls.map(stream, fn, batch_size=1, maximum_retry_attempts=0, maximum_record_age_in_seconds=1, on_failure=failures)
    ids.append(stream.put(json.dumps({"order": 2}), "pk-1"))
    got = on_localstack(ls, lambda t: ids, timeout=30)
    assert [(g["fate"], g["condition"], g["destinations"]) for g in got] == [
        (e["fate"], e["condition"], e["destinations"]) for e in expected]
    [record] = _records(ls, "index-failures")
    assert set(record) == {"version", "timestamp", "KinesisBatchInfo"}
    assert record["KinesisBatchInfo"]["startSequenceNumber"] == ids[0].rsplit(":", 1)[1]


def bisect_poison(t):
    failures = t.sqs_queue("index-failures")
    stream = t.kinesis_stream("orders")
    outs = [stream.put_record(json.dumps({"order": i, "poison": i == 3}), "pk-1") for i in range(1, 5)]
    fn = t.function(handlers.stream_fails_on_poison, name="indexer", timeout=1)
    t.map(stream, fn, starting_position="TRIM_HORIZON", batch_size=4, maximum_retry_attempts=0,
          bisect_batch_on_function_error=True, on_failure=failures)
    return _ids(outs)


def test_bisect_isolates_the_poison_record_on_the_simulator_but_localstack_does_not_bisect(ls):
    # AWS (§6.5, decision A6/A7): MaxRetry 0, poison #3 in [1,2,3,4]: 1234 ✗ → 12 ✓ → 34 ✗ → 3 ✗ → 4 ✓;
    # only #3 reaches the on-failure queue, after 3 invocations that contained it.
    sim, expected = on_sim(bisect_poison)
    assert [f["fate"] for f in expected] == ["succeeded", "succeeded", "on_failure", "succeeded"]
    assert [len(a.records) for a in sim.ledger.attempts] == [4, 2, 2, 1, 1]
    assert json.loads(sim.queues["index-failures"].history[0].body)["requestContext"]["approximateInvokeCount"] == 3
    # LocalStack deviation (§12): BisectBatchOnFunctionError is accepted but not implemented: the batch of four
    # fails once and, with MaxRetry 0, all four records go to the on-failure queue in one record (batchSize 4).
    got = on_localstack(ls, bisect_poison, timeout=30)
    assert got == [{"fate": "on_failure", "condition": "RetryAttemptsExhausted", "destinations": ["index-failures"],
                    "attempts": 1, "outcomes": ["function_error"],
                    "deliveries": [("on_failure", "index-failures", "RetryAttemptsExhausted")]}] * 4
    [record] = _records(ls, "index-failures")
    assert record["KinesisBatchInfo"]["batchSize"] == 4
