"""Faults on the event source mapping paths: every fault's exact AWS consequence on SQS (docs/aws-behaviour.md §5.3) and
stream (§6.3–§6.5) mappings, and the delivery faults applied in the sim (duplicates, reordering, poison)."""

from __future__ import annotations

import base64
import json

import pytest

from lambdachaos import Sim
from lambdachaos.faults import (
    BATCH_RESPONSE_SHAPES,
    DuplicateDelivery,
    FaultPlan,
    FieldMatch,
    InvocationError,
    InvocationTimeout,
    MalformedBatchResponse,
    PoisonInjection,
    Reorder,
    ReservedConcurrencyChange,
    Target,
    When,
)


def ok(event, context):
    return None


def counts(sim, **criteria):
    """(start, ApproximateReceiveCount, outcome) of every attempt."""
    return [(a.start, a.attempt, a.outcome.value) for a in sim.ledger.filter(**criteria)]


def sqs_setup(sim, handler=ok, *, dlq_after=None, timeout=3, **settings):
    dlq = sim.sqs_queue("orders-dlq") if dlq_after else None
    queue = sim.sqs_queue("orders", visibility_timeout=30, dead_letter_queue=dlq, max_receive_count=dlq_after)
    fn = sim.function(handler, name="consumer", timeout=timeout)
    sim.map(queue, fn, batch_size=10, **settings)
    return queue, dlq, fn


def kinesis_numbers(event):
    return [json.loads(base64.b64decode(r["kinesis"]["data"]))["n"] for r in event["Records"]]


# ---- invocation faults on an SQS mapping (§5.3) --------------------------------------------------------------


def test_an_injected_exception_returns_the_whole_batch_at_the_visibility_timeout_then_redrives_it_5_3(sim: Sim):
    queue, dlq, _ = sqs_setup(sim, dlq_after=2)
    sim.apply_faults(FaultPlan.of(InvocationError(error_message="chaos")))
    sent = [queue.send(json.dumps({"n": i})).message_id for i in range(3)]
    sim.run()
    assert counts(sim) == [(0.0, 1, "function_error"), (30.0, 2, "function_error")]
    assert all(a.records == tuple(sent) for a in sim.ledger.attempts)
    assert [m.message_id for m in dlq.messages] == sent
    for message_id in sent:
        fate = sim.ledger.fate(message_id)
        assert (fate.status, fate.condition, fate.destinations, fate.attempts) == (
            "dead_lettered", "maxReceiveCount", (dlq.arn,), 2)
    assert [f.fault for f in sim.ledger.faults] == ["invocation-error:invocation-error-1"] * 2


def test_an_exception_on_the_first_receive_only_is_retried_with_receive_count_two_5_3(sim: Sim):
    seen = []
    queue, _, _ = sqs_setup(sim, lambda e, c: seen.append([r["attributes"]["ApproximateReceiveCount"]
                                                           for r in e["Records"]]), dlq_after=5)
    sim.apply_faults(FaultPlan.of(InvocationError(prevent_execution=False), when=When(attempts=(1,))))
    sent = queue.send("x").message_id
    sim.run()
    assert seen == [["1"], ["2"]]
    assert counts(sim) == [(0.0, 1, "function_error"), (30.0, 2, "success")]
    assert sim.ledger.fate(sent).status == "succeeded"


def test_a_timeout_fault_is_a_function_error_and_the_batch_returns_after_the_visibility_timeout_5_3(sim: Sim):
    queue, dlq, _ = sqs_setup(sim, dlq_after=1, timeout=3)
    sim.apply_faults(FaultPlan.of(InvocationTimeout()))
    sent = queue.send("x").message_id
    sim.run()
    (attempt,) = sim.ledger.attempts
    assert (attempt.outcome.value, attempt.error_type, attempt.end) == ("timeout", "Sandbox.Timedout", 3.0)
    fate = sim.ledger.fate(sent)
    assert (fate.status, fate.at_ns) == ("dead_lettered", 30 * 10**9)  # released at 30 s, then redriven
    assert [m.message_id for m in dlq.messages] == [sent]


def test_a_throttle_window_releases_messages_at_the_visibility_timeout_and_the_receive_count_grows_5_3(sim: Sim):
    seen = []
    queue, _, _ = sqs_setup(sim, lambda e, c: seen.append(e["Records"][0]["attributes"]["ApproximateReceiveCount"]))
    sim.apply_faults(FaultPlan.of(ReservedConcurrencyChange(at_seconds=0, until_seconds=40,
                                                            reserved_concurrent_executions=0)))
    sent = queue.send("x").message_id
    sim.run()
    throttled = counts(sim, outcome="throttled")
    assert throttled and {a for _, a, _ in throttled} == {1, 2}  # backs off until each visibility timeout ends
    assert all(start < 30.0 for start, count, _ in throttled if count == 1)
    assert counts(sim, outcome="success") == [(45.0, 2, "success")]  # backoff 1, 2, 4, 8 s after the release
    assert seen == ["2"]
    assert sim.ledger.fate(sent).status == "succeeded"
    assert {f.fault for f in sim.ledger.faults} == {"reserved-concurrency:reserved-concurrency-1"}


@pytest.mark.parametrize("shape", [s for s in BATCH_RESPONSE_SHAPES if s not in ("dict-without-key", "not-json")])
def test_a_malformed_partial_batch_response_fails_the_whole_batch_5_3(sim: Sim, shape):
    queue, dlq, _ = sqs_setup(sim, lambda e, c: {"batchItemFailures": []}, dlq_after=2,
                              function_response_types=["ReportBatchItemFailures"])
    sim.apply_faults(FaultPlan.of(MalformedBatchResponse(shape=shape)))
    sent = [queue.send(str(i)).message_id for i in range(3)]
    sim.run()
    assert counts(sim) == [(0.0, 1, "success"), (30.0, 2, "success")]  # the invocations succeed, the batch fails
    assert [m.message_id for m in dlq.messages] == sent
    assert {sim.ledger.fate(m).status for m in sent} == {"dead_lettered"}


def test_a_partial_batch_response_that_is_not_json_fails_the_whole_batch_5_3(sim: Sim):
    queue, dlq, _ = sqs_setup(sim, dlq_after=1, function_response_types=["ReportBatchItemFailures"])
    sim.apply_faults(FaultPlan.of(MalformedBatchResponse(shape="not-json")))
    sent = queue.send("x").message_id
    sim.run()
    assert sim.ledger.fate(sent).status == "dead_lettered"
    assert [m.message_id for m in dlq.messages] == [sent]


def test_a_dict_without_batch_item_failures_is_silent_success_5_3(sim: Sim):
    def handler(event, context):
        return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in event["Records"]]}

    queue, dlq, _ = sqs_setup(sim, handler, dlq_after=1, function_response_types=["ReportBatchItemFailures"])
    sim.apply_faults(FaultPlan.of(MalformedBatchResponse(shape="dict-without-key")))
    sent = [queue.send(str(i)).message_id for i in range(3)]
    sim.run()
    assert counts(sim) == [(0.0, 1, "success")]
    assert {sim.ledger.fate(m).status for m in sent} == {"succeeded"}  # the reported failures are lost
    assert dlq.messages == [] and queue.messages == []


# ---- invocation faults on a Kinesis mapping (§6.3–§6.5) ------------------------------------------------------


def test_an_error_on_batches_holding_a_matched_record_bisects_and_sends_it_to_on_failure_6_5(sim: Sim):
    calls = []
    stream = sim.kinesis_stream("orders")
    failures = sim.sqs_queue("failures")
    fn = sim.function(lambda e, c: calls.append(kinesis_numbers(e)), name="consumer")
    sim.map(stream, fn, on_failure=failures, batch_size=4, bisect_batch_on_function_error=True,
            maximum_retry_attempts=0)
    sim.apply_faults(FaultPlan.of(InvocationError(prevent_execution=False),
                                  target=Target(records=(FieldMatch(path="kinesis.partitionKey", equals="poison"),))))
    records = stream.put([json.dumps({"n": i}) for i in range(1, 5)],
                         partition_key=lambda i: "poison" if i == 2 else f"pk-{i}")
    sim.run()
    assert calls == [[1, 2, 3, 4], [1, 2], [3, 4], [3], [4]]  # the fact sheet's example: 1234 ✗ 12 ✓ 34 ✗ 3 ✗ 4 ✓
    (body,) = [json.loads(m.body) for m in failures.messages]
    assert body["requestContext"]["approximateInvokeCount"] == 3
    assert body["KinesisBatchInfo"]["startSequenceNumber"] == records[2].sequence_number
    assert [sim.ledger.fate(r.event_id).status for r in records] == ["succeeded", "succeeded", "on_failure",
                                                                     "succeeded"]
    assert len(sim.ledger.faults) == 3


@pytest.mark.parametrize("shape", BATCH_RESPONSE_SHAPES)
def test_a_malformed_partial_batch_response_on_a_stream_mapping_follows_6_4(sim: Sim, shape):
    stream = sim.kinesis_stream("orders")
    failures = sim.sqs_queue("failures")
    fn = sim.function(lambda e, c: {"batchItemFailures": []}, name="consumer")
    sim.map(stream, fn, on_failure=failures, maximum_retry_attempts=1,
            function_response_types=["ReportBatchItemFailures"])
    sim.apply_faults(FaultPlan.of(MalformedBatchResponse(shape=shape)))
    records = stream.put([json.dumps({"n": i}) for i in range(3)])
    sim.run()
    fates = {sim.ledger.fate(r.event_id).status for r in records}
    if shape == "dict-without-key":  # read as complete success
        assert len(sim.ledger.attempts) == 1 and fates == {"succeeded"} and failures.messages == []
        return
    assert len(sim.ledger.attempts) == 2 and fates == {"on_failure"}  # complete failure: retried, then given up
    (body,) = [json.loads(m.body) for m in failures.messages]
    assert (body["requestContext"]["approximateInvokeCount"], body["KinesisBatchInfo"]["batchSize"]) == (2, 3)


def test_a_throttle_window_on_a_stream_mapping_does_not_use_retry_attempts_6_3(sim: Sim):
    stream = sim.kinesis_stream("orders")
    failures = sim.sqs_queue("failures")
    fn = sim.function(ok, name="consumer")
    sim.map(stream, fn, on_failure=failures, maximum_retry_attempts=0)
    sim.apply_faults(FaultPlan.of(ReservedConcurrencyChange(at_seconds=0, until_seconds=20,
                                                            reserved_concurrent_executions=0)))
    (record,) = stream.put(["x"])
    sim.run()
    outcomes = [a.outcome.value for a in sim.ledger.attempts]
    assert outcomes[-1] == "success" and set(outcomes[:-1]) == {"throttled"} and len(outcomes) > 2
    assert sim.ledger.attempts[-1].start >= 20.0
    assert sim.ledger.fate(record.event_id).status == "succeeded"
    assert failures.messages == []


# ---- delivery faults applied in the sim ----------------------------------------------------------------------


def test_a_duplicate_delivery_is_two_invocations_with_the_same_message_id_and_body(sim: Sim):
    seen = []
    queue, _, _ = sqs_setup(sim, lambda e, c: seen.extend((r["messageId"], r["body"]) for r in e["Records"]))
    sim.apply_faults(FaultPlan.of(DuplicateDelivery(delay_seconds=5)))
    sent = queue.send('{"order": 1}').message_id
    sim.run()
    assert seen == [(sent, '{"order": 1}')] * 2
    assert [a.start for a in sim.ledger.attempts] == [0.0, 5.0]
    assert sim.ledger.fate(sent).status == "succeeded"
    (fault,) = sim.ledger.faults
    assert (fault.fault, fault.event_id, fault.effect) == ("duplicate-delivery:duplicate-delivery-1", sent,
                                                           "delivered 1 extra time(s)")


def test_a_duplicate_is_not_applied_to_a_fifo_queue_and_the_ledger_says_why_5_4(sim: Sim):
    seen = []
    queue = sim.sqs_queue("orders.fifo", content_based_deduplication=True)
    sim.map(queue, sim.function(lambda e, c: seen.extend(r["body"] for r in e["Records"]), name="consumer"))
    sim.apply_faults(FaultPlan.of(DuplicateDelivery(), Reorder()))
    queue.send("a", message_group_id="g")
    sim.run()
    assert seen == ["a"]
    assert [f.effect for f in sim.ledger.faults] == [
        "not applied: FIFO queues deliver each message exactly once and in order (docs/aws-behaviour.md §5.4)"] * 2


def test_a_reordered_message_is_invoked_after_later_ones(sim: Sim):
    seen = []
    queue, _, _ = sqs_setup(sim, lambda e, c: seen.extend(r["body"] for r in e["Records"]))
    sim.apply_faults(FaultPlan.of(Reorder(max_delay_seconds=5),
                                  target=Target(records=(FieldMatch(path="n", equals=1),))))
    for i in range(1, 4):
        queue.send(json.dumps({"n": i}))
    sim.run()
    assert [json.loads(b)["n"] for b in seen] == [2, 3, 1]
    (fault,) = sim.ledger.faults
    delay = dict(fault.detail["detail"])["delay_seconds"]
    assert 0 < delay < 5 and sim.ledger.attempts[-1].start == pytest.approx(delay)


def test_poison_injected_into_a_queue_reaches_the_handler_then_the_dlq_tagged_in_the_ledger_5_3(sim: Sim):
    bodies = []

    def handler(event, context):
        for record in event["Records"]:
            bodies.append(record["body"])
            json.loads(record["body"])

    dlq = sim.sqs_queue("orders-dlq")
    queue = sim.sqs_queue("orders", visibility_timeout=30, dead_letter_queue=dlq, max_receive_count=1)
    sim.map(queue, sim.function(handler, name="consumer"), batch_size=1)
    sim.apply_faults(FaultPlan.of(PoisonInjection(poison="truncated_json", count=2),
                                  target=Target(event_source="orders")))
    good = queue.send('{"n": 1}').message_id
    sim.run()
    injected = [f for f in sim.ledger.faults if f.effect.startswith("poison record")]
    poison_ids = [f.event_id for f in injected]
    assert len(poison_ids) == 2 and all(dict(f.detail["detail"])["poison"] == "truncated_json" for f in injected)
    assert all(f.detail["records"] == [f.event_id] for f in injected)
    assert bodies[0] == '{"n": 1}' and len(bodies) == 3  # the poison reached the handler after the message
    assert sim.ledger.fate(good).status == "succeeded"
    assert [m.message_id for m in dlq.messages] == poison_ids
    assert {sim.ledger.fate(p).status for p in poison_ids} == {"dead_lettered"}


def test_poison_sqs_refuses_is_recorded_as_rejected(sim: Sim):
    queue, _, _ = sqs_setup(sim)
    sim.apply_faults(FaultPlan.of(PoisonInjection(poison="invalid_utf8")))
    queue.send("x")
    sim.run()
    assert sim.ledger.faults[-1].effect.startswith("poison record 'invalid_utf8' rejected by SQS: "
                                                   "InvalidMessageContents")
    assert len(queue.history) == 1


def test_poison_injected_into_a_stream_reaches_the_on_failure_destination_6_6(sim: Sim):
    stream = sim.kinesis_stream("orders")
    failures = sim.sqs_queue("failures")
    fn = sim.function(lambda e, c: kinesis_numbers(e), name="consumer")
    sim.map(stream, fn, on_failure=failures, batch_size=10, bisect_batch_on_function_error=True,
            maximum_retry_attempts=0)
    sim.apply_faults(FaultPlan.of(PoisonInjection(poison="truncated_json"),
                                  target=Target(records=(FieldMatch(path="n", equals=2),))))
    records = stream.put([json.dumps({"n": i}) for i in range(1, 4)])
    sim.run()
    (injected,) = [f for f in sim.ledger.faults if f.effect.startswith("poison record")]
    shard = stream.shards[0]
    assert [r.event_id for r in shard.records] == [records[0].event_id, records[1].event_id, injected.event_id,
                                                   records[2].event_id]
    (body,) = [json.loads(m.body) for m in failures.messages]
    assert body["KinesisBatchInfo"]["startSequenceNumber"] == shard.records[2].sequence_number
    assert sim.ledger.fate(injected.event_id).status == "on_failure"
    assert {sim.ledger.fate(r.event_id).status for r in records} == {"succeeded"}


def test_a_duplicate_on_a_stream_is_a_producer_retry_with_a_new_sequence_number(sim: Sim):
    stream = sim.kinesis_stream("orders")
    sim.map(stream, sim.function(ok, name="consumer"))
    sim.apply_faults(FaultPlan.of(DuplicateDelivery(delay_seconds=2), Reorder()))
    (record,) = stream.put(["x"])
    sim.run()
    original, copy = stream.shards[0].records
    assert (copy.data, copy.partition_key, copy.arrival_ns) == (b"x", "pk", 2 * 10**9)
    assert copy.sequence_number > original.sequence_number == record.sequence_number
    effects = [f.effect for f in sim.ledger.faults]
    assert effects[1] == ("not applied: a shard delivers its records in sequence-number order "
                          "(docs/aws-behaviour.md §6.2)")
    assert effects[2] == f"producer retry: {record.event_id} put again as {copy.event_id}"


def test_a_probabilistic_delivery_plan_replays_byte_identically_from_the_seed():
    def run(seed):
        with Sim(seed=seed) as sim:
            queue = sim.sqs_queue("orders", visibility_timeout=30)
            sim.map(queue, sim.function(ok, name="consumer"), batch_size=1)
            sim.apply_faults(FaultPlan.of(DuplicateDelivery(delay_seconds=1), Reorder(max_delay_seconds=3),
                                          PoisonInjection(poison="wrong_types"),
                                          when=When(invocation_percentage=30)))
            for i in range(40):
                queue.send(json.dumps({"n": i}))
            sim.run()
            assert sim.ledger.faults
            return sim.ledger.to_json()

    assert run(11) == run(11)
    assert run(11) != run(12)


def test_a_plan_applied_before_a_queue_exists_still_duplicates_its_messages():
    from lambdachaos.faults import DuplicateDelivery

    with Sim(seed=5) as sim:
        sim.apply_faults(FaultPlan.of(DuplicateDelivery(copies=1, delay_seconds=0)))
        queue = sim.sqs_queue("late")
        sent = queue.send("hello").message_id
        sim.run()
        received = queue.receive(max_messages=10)
        assert [m.message_id for m in received] == [sent, sent]
        assert any(f.fault.startswith("duplicate-delivery") for f in sim.ledger.faults)
