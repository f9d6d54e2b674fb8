"""Conservation over random scenarios, per path: every record has exactly one fate, and what the DLQs and
destinations hold is exactly what the ledger says was delivered to them (docs/ledger.md).

The default run draws a few examples per path (seconds); ``tox -e slow`` sets ``LAMBDACHAOS_PROPERTY_EXAMPLES``
to 2,000 and runs only the ``slow`` tests.
"""

from __future__ import annotations

import base64
import json
import os
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lambdachaos.faults import DuplicateDelivery, FaultPlan, PoisonInjection, Reorder, When

from lambdachaos import Sim

EXAMPLES = int(os.environ.get("LAMBDACHAOS_PROPERTY_EXAMPLES", "10"))
BUDGET = settings(max_examples=EXAMPLES, deadline=None, database=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
POISON = ("truncated_json", "invalid_utf8", "nul_bytes", "semantically_wrong")

pytestmark = pytest.mark.slow


def assert_one_final_fate_each(sim: Sim, ids) -> dict:
    fates = sim.ledger.fates
    missing = [i for i in ids if i not in fates]
    assert not missing, f"records without a fate: {missing}"
    pending = [i for i, f in fates.items() if f.status == "pending"]
    assert not pending, f"records left pending: {pending}"
    return fates


def delivered(sim: Sim, kind: str, target) -> Counter:
    return Counter(d.event_id for d in sim.ledger.deliveries if d.kind == kind and d.target == target.arn and d.ok)


# ---- asynchronous invocation ---------------------------------------------------------------------------------


@BUDGET
@given(
    seed=st.integers(0, 2**32 - 1),
    behaviours=st.lists(st.sampled_from(["ok", "raise", "empty", "surrogate", "flaky", "timeout"]),
                        min_size=1, max_size=8),
    retries=st.integers(0, 2),
    reserved=st.sampled_from([None, None, 0, 1]),
    with_dlq=st.booleans(), with_on_failure=st.booleans(), with_on_success=st.booleans(),
)
def test_async_events_are_conserved(seed, behaviours, retries, reserved, with_dlq, with_on_failure,
                                    with_on_success):
    def handler(event, context):
        kind = event["b"]
        if kind == "raise" or (kind == "flaky" and context.aws_request_id not in seen):
            seen.add(context.aws_request_id)
            raise RuntimeError("boom")
        if kind == "empty":
            raise ValueError()
        if kind == "surrogate":
            raise ValueError("bad \ud800")
        if kind == "timeout":
            import time

            time.sleep(5)
        return {"n": event["n"]}

    seen: set[str] = set()
    with Sim(seed=seed) as sim:
        dlq = sim.sqs_queue("dlq") if with_dlq else None
        failures = sim.sqs_queue("failures") if with_on_failure else None
        successes = sim.sqs_queue("successes") if with_on_success else None
        fn = sim.function(handler, name="f", timeout=3, maximum_retry_attempts=retries, dead_letter_queue=dlq,
                          on_failure=failures, on_success=successes, reserved_concurrency=reserved)
        ids = [fn.invoke_async({"b": b, "n": n}) for n, b in enumerate(behaviours)]
        sim.run()
        fates = assert_one_final_fate_each(sim, ids)
        assert set(fates) == set(ids)
        if dlq is not None:
            held = Counter(m.message_attributes["RequestID"]["StringValue"] for m in dlq.messages)
            assert held == delivered(sim, "dlq", dlq)
            assert set(held) == {i for i in ids if fates[i].status == "dead_lettered"}
        for queue, kind in ((failures, "on_failure"), (successes, "on_success")):
            if queue is not None:
                held = Counter(json.loads(m.body)["requestContext"]["requestId"] for m in queue.messages)
                assert held == delivered(sim, kind, queue)
        for i in ids:
            fate = fates[i]
            attempts = sim.ledger.attempts_for(i)
            assert (fate.status == "succeeded") == (bool(attempts) and attempts[-1].outcome == "success")
            if fate.status != "succeeded":
                assert fate.status == ("dead_lettered" if dlq is not None else
                                       "on_failure" if failures is not None else "dropped")


# ---- SQS mapping: partial batch responses, duplicates, reordering and poison -----------------------------------


@BUDGET
@given(
    n=st.integers(1, 25),
    fails=st.dictionaries(st.integers(0, 24), st.integers(1, 4), max_size=6),
    batch=st.integers(1, 10),
    partial=st.booleans(),
    max_receive=st.integers(1, 3),
    duplicate=st.sampled_from([None, 0.0, 2.0, 45.0]),
    duplicate_share=st.sampled_from([25.0, 100.0]),
    reorder=st.booleans(),
    poison=st.sampled_from((None, *POISON)),
)
def test_sqs_messages_are_conserved(n, fails, batch, partial, max_receive, duplicate, duplicate_share, reorder,
                                    poison):
    with Sim(seed=n) as sim:
        dlq = sim.sqs_queue("dlq")
        queue = sim.sqs_queue("q", visibility_timeout=30, dead_letter_queue=dlq, max_receive_count=max_receive)

        def handler(event, context):
            bad = []
            for r in event["Records"]:
                try:
                    i = int(r["body"])
                except ValueError:
                    bad.append(r["messageId"])  # a poison body always fails
                    continue
                if int(r["attributes"]["ApproximateReceiveCount"]) <= fails.get(i, 0):
                    bad.append(r["messageId"])
            if bad and partial:
                return {"batchItemFailures": [{"itemIdentifier": m} for m in bad]}
            if bad:
                raise ValueError("fail")
            return None

        rules = []
        if duplicate is not None:
            rules.append(FaultPlan.of(DuplicateDelivery(delay_seconds=duplicate),
                                      when=When(invocation_percentage=duplicate_share)))
        if reorder:
            rules.append(FaultPlan.of(Reorder(max_delay_seconds=5)))
        if poison is not None:
            rules.append(FaultPlan.of(PoisonInjection(poison=poison), when=When(first=2)))
        if rules:
            sim.apply_faults(FaultPlan.compose(rules))
        sim.map(queue, sim.function(handler, name="f"), batch_size=batch,
                function_response_types=["ReportBatchItemFailures"] if partial else [])
        sent = [queue.send(str(i)).message_id for i in range(n)]
        sim.run()
        injected = [f.event_id for f in sim.ledger.faults
                    if f.fault.startswith("poison-injection:") and f.detail.get("records")]
        fates = assert_one_final_fate_each(sim, sent + injected)
        held = Counter(m.message_id for m in dlq.messages)
        assert held == delivered(sim, "queue_dlq", dlq)
        assert set(held) == {i for i, f in fates.items() if f.status == "dead_lettered"}
        for message_id in held:
            assert fates[message_id].destinations == (dlq.arn,)
        for i, message_id in enumerate(sent):
            if fails.get(i, 0) >= max_receive:
                assert fates[message_id].status == "dead_lettered"


# ---- Kinesis mapping: bisect and partial batch responses -----------------------------------------------------


@BUDGET
@given(
    n=st.integers(1, 30),
    poison=st.sets(st.integers(0, 29), max_size=5),
    batch=st.integers(1, 10),
    retries=st.sampled_from([0, 1, 2]),
    bisect=st.booleans(),
    partial=st.booleans(),
    factor=st.integers(1, 3),
    shards=st.integers(1, 3),
    duplicate=st.booleans(),
)
def test_kinesis_records_are_conserved(n, poison, batch, retries, bisect, partial, factor, shards, duplicate):
    with Sim(seed=n) as sim:
        stream = sim.kinesis_stream("s", shards=shards)
        failures = sim.sqs_queue("failures")

        def handler(event, context):
            bad = [r["kinesis"]["sequenceNumber"] for r in event["Records"]
                   if json.loads(base64.b64decode(r["kinesis"]["data"]))["i"] in poison]
            if bad and partial:
                return {"batchItemFailures": [{"itemIdentifier": s} for s in bad]}
            if bad:
                raise ValueError("poison")
            return None

        if duplicate:
            sim.apply_faults(FaultPlan.of(DuplicateDelivery(delay_seconds=1), when=When(first=3)))
        sim.map(stream, sim.function(handler, name="f"), batch_size=batch, maximum_retry_attempts=retries,
                bisect_batch_on_function_error=bisect, parallelization_factor=factor, on_failure=failures,
                function_response_types=["ReportBatchItemFailures"] if partial else [])
        records = [stream.put_record(json.dumps({"i": i}), f"k{i % 4}") for i in range(n)]
        sim.run()
        ids = [f"{r['ShardId']}:{r['SequenceNumber']}" for r in records]
        copies = [f.event_id for f in sim.ledger.faults
                  if f.fault.startswith("duplicate-delivery:") and f.detail.get("records")]
        fates = assert_one_final_fate_each(sim, ids + copies)
        assert {f.status for f in fates.values()} <= {"succeeded", "on_failure"}
        infos = [json.loads(m.body)["KinesisBatchInfo"] for m in failures.messages]
        assert Counter(m.message_id for m in failures.messages) == Counter(
            d.message_id for d in sim.ledger.deliveries if d.kind == "on_failure" and d.ok)
        # a batch of one lane (ParallelizationFactor) is not a contiguous range of the shard: count, do not range
        assert sum(info["batchSize"] for info in infos) == sum(f.status == "on_failure" for f in fates.values())
        for info in infos:
            for end in ("startSequenceNumber", "endSequenceNumber"):
                assert fates[f"{info['shardId']}:{info[end]}"].status == "on_failure"
        for fate in fates.values():
            assert fate.destinations == ((failures.arn,) if fate.status == "on_failure" else ())
