"""Conformance: tumbling windows on stream mappings (docs/aws-behaviour.md §6.7, decision A16)."""

from __future__ import annotations

import pytest

from lambdachaos import ConfigError


def _counting(calls, *, drop_state_on=None):
    def handler(event, context):
        calls.append(event)
        state = dict(event["state"])
        state["n"] = state.get("n", 0) + len(event["Records"])
        if drop_state_on is not None and len(calls) == drop_state_on:
            return {"batchItemFailures": []}
        return {"state": state}

    return handler


def test_window_fields_state_carry_and_final_invoke(sim):
    stream = sim.kinesis_stream("s")
    calls = []
    fn = sim.function(_counting(calls), name="agg")
    sim.map(stream, fn, batch_size=2, tumbling_window_in_seconds=60)
    stream.put([b"a", b"b", b"c"])
    sim.run()
    assert [len(c["Records"]) for c in calls] == [2, 1, 0]
    assert [c["state"] for c in calls] == [{}, {"n": 2}, {"n": 3}]
    assert [c["isFinalInvokeForWindow"] for c in calls] == [False, False, True]
    assert {c["isWindowTerminatedEarly"] for c in calls} == {False}
    first = calls[0]
    assert list(first) == ["Records", "window", "state", "shardId", "eventSourceARN", "isFinalInvokeForWindow",
                           "isWindowTerminatedEarly"]
    assert first["shardId"] == "shardId-000000000000" and first["eventSourceARN"] == stream.arn
    start, end = first["window"]["start"], first["window"]["end"]
    aligned = -(sim.world.epoch_ns % (60 * 10**9))  # virtual ns of the minute boundary at or before t=0
    assert (start, end) == (sim.world.iso_s(aligned), sim.world.iso_s(aligned + 60 * 10**9))
    # The final invocation comes when the window closes (epoch-aligned, A16).
    final = next(a for a in sim.ledger.attempts if a.records == ())
    assert (sim.world.epoch_ns + final.start_ns) % (60 * 10**9) == 0


def test_records_of_a_later_window_wait_for_the_final_invoke_of_the_earlier_one(sim):
    stream = sim.kinesis_stream("s")
    calls = []
    fn = sim.function(_counting(calls), name="agg")
    sim.map(stream, fn, batch_size=10, tumbling_window_in_seconds=30)
    stream.put([b"a"])
    sim.run(until=100)
    stream.put([b"b", b"c"])
    sim.run()
    shape = [(len(c["Records"]), c["isFinalInvokeForWindow"], c["state"]) for c in calls]
    assert shape == [(1, False, {}), (0, True, {"n": 1}), (2, False, {}), (0, True, {"n": 2})]
    assert calls[0]["window"] != calls[2]["window"]


def test_a_response_without_state_is_a_failed_invocation_and_is_retried(sim):
    stream = sim.kinesis_stream("s")
    calls = []
    fn = sim.function(_counting(calls, drop_state_on=1), name="agg")
    sim.map(stream, fn, batch_size=10, tumbling_window_in_seconds=60)
    [record] = stream.put([b"a"])
    sim.run()
    assert [(len(c["Records"]), c["state"]) for c in calls] == [(1, {}), (1, {}), (0, {"n": 1})]
    assert sim.ledger.fate(record.event_id).status == "succeeded"


def test_state_over_one_megabyte_ends_the_window_early(sim):
    stream = sim.kinesis_stream("s")
    calls = []

    def handler(event, context):
        calls.append((len(event["Records"]), event["isFinalInvokeForWindow"], event["isWindowTerminatedEarly"],
                      len(str(event["state"]))))
        big = len(calls) == 1
        return {"state": {"blob": "x" * (1_048_576 if big else 10)}}

    fn = sim.function(handler, name="agg")
    sim.map(stream, fn, batch_size=1, tumbling_window_in_seconds=60)
    stream.put([b"a", b"b"])
    sim.run()
    assert [c[:3] for c in calls] == [(1, False, False), (0, True, True), (1, False, False), (0, True, False)]
    assert calls[2][3] == 2  # the window continues with fresh state


def test_dynamodb_streams_get_the_same_window_fields(sim):
    table = sim.dynamodb_table("t")
    calls = []
    fn = sim.function(_counting(calls), name="agg")
    sim.map(table, fn, tumbling_window_in_seconds=15)
    table.put_item({"pk": "1"})
    sim.run()
    assert [(len(c["Records"]), c["isFinalInvokeForWindow"]) for c in calls] == [(1, False), (0, True)]
    assert calls[0]["shardId"] == table.shards[0].shard_id and calls[0]["eventSourceARN"] == table.stream_arn


def test_tumbling_windows_with_parallelization_factor_above_one_are_refused(sim):
    stream = sim.kinesis_stream("s")
    fn = sim.function(lambda e, c: {"state": {}}, name="agg")
    with pytest.raises(ConfigError, match=r"^tumbling_window_in_seconds=60, parallelization_factor=2: .*A16"):
        sim.map(stream, fn, tumbling_window_in_seconds=60, parallelization_factor=2)
