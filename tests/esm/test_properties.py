"""Property tests: per-key ordering under ParallelizationFactor (§6.2) and one fate per record (§11, DESIGN)."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lambdachaos import Sim

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(keys=st.lists(st.integers(0, 6), min_size=1, max_size=60), factor=st.integers(1, 10),
       shards=st.integers(1, 3), poison=st.sets(st.integers(0, 59), max_size=4), batch=st.integers(1, 8),
       bisect=st.booleans())
def test_records_of_one_key_succeed_in_sequence_order_6_2(keys, factor, shards, poison, batch, bisect):
    with Sim(seed=5) as sim:
        stream = sim.kinesis_stream("s", shards=shards)

        def handler(event, context):
            for r in event["Records"]:
                if r["kinesis"]["partitionKey"] in poisoned and r["kinesis"]["sequenceNumber"] not in seen:
                    seen.add(r["kinesis"]["sequenceNumber"])
                    raise ValueError("transient")

        seen: set[str] = set()
        poisoned = {f"k{keys[i]}" for i in poison if i < len(keys)}
        sim.map(stream, sim.function(handler, name="f"), batch_size=batch, parallelization_factor=factor,
                bisect_batch_on_function_error=bisect)
        records = [stream.put_record(json.dumps({"i": i}), f"k{k}") for i, k in enumerate(keys)]
        sim.run()
        key_of = {f"{r['ShardId']}:{r['SequenceNumber']}": f"k{k}" for r, k in zip(records, keys, strict=True)}
        order = {f"{r['ShardId']}:{r['SequenceNumber']}": i for i, r in enumerate(records)}
        last: dict[str, int] = {}
        for attempt in sim.ledger.filter(outcome="success"):
            for event_id in attempt.records:
                key = key_of[event_id]
                assert order[event_id] > last.get(key, -1)
                last[key] = order[event_id]
        assert all(sim.ledger.fate(e).status == "succeeded" for e in key_of)


@SETTINGS
@given(n=st.integers(1, 40), poison=st.sets(st.integers(0, 39), max_size=5), batch=st.integers(1, 10),
       retries=st.sampled_from([0, 1, 2]), bisect=st.booleans(), partial=st.booleans(), factor=st.integers(1, 3),
       max_age=st.sampled_from([-1, 60]))
def test_every_stream_record_gets_exactly_one_fate(n, poison, batch, retries, bisect, partial, factor, max_age):
    with Sim(seed=9) as sim:
        stream = sim.kinesis_stream("s", shards=2)
        failures = sim.sqs_queue("failures")

        def handler(event, context):
            bad = [r["kinesis"]["sequenceNumber"] for r in event["Records"]
                   if json.loads(r["kinesis"]["data"] and __import__("base64").b64decode(r["kinesis"]["data"]))["i"]
                   in poison]
            if bad and partial:
                return {"batchItemFailures": [{"itemIdentifier": s} for s in bad]}
            if bad:
                raise ValueError("poison")
            return None

        sim.map(stream, sim.function(handler, name="f"), batch_size=batch, maximum_retry_attempts=retries,
                bisect_batch_on_function_error=bisect, parallelization_factor=factor, on_failure=failures,
                maximum_record_age_in_seconds=max_age,
                function_response_types=["ReportBatchItemFailures"] if partial else [])
        records = [stream.put_record(json.dumps({"i": i}), f"k{i % 4}") for i in range(n)]
        sim.run()
        ids = [f"{r['ShardId']}:{r['SequenceNumber']}" for r in records]
        fates = [sim.ledger.fate(e) for e in ids]
        assert all(f.status in ("succeeded", "on_failure") for f in fates)
        failed = {i for i, fate in enumerate(fates) if fate.status == "on_failure"}
        if bisect and not partial:
            assert failed == {i for i in poison if i < n}  # bisect isolates exactly the poison records
        else:
            assert failed >= {i for i in poison if i < n}  # neighbours in the batch go with them
        sent = sum(json.loads(m.body)["KinesisBatchInfo"]["batchSize"] for m in failures.messages)
        assert sent == len(failed)


@SETTINGS
@given(n=st.integers(1, 30), fails=st.dictionaries(st.integers(0, 29), st.integers(1, 4), max_size=6),
       batch=st.integers(1, 10), partial=st.booleans(), max_receive=st.integers(1, 3))
def test_every_sqs_message_gets_exactly_one_final_fate_5_3(n, fails, batch, partial, max_receive):
    with Sim(seed=4) as sim:
        dlq = sim.sqs_queue("dlq")
        queue = sim.sqs_queue("q", visibility_timeout=30, dead_letter_queue=dlq, max_receive_count=max_receive)

        def handler(event, context):
            bad = [r["messageId"] for r in event["Records"]
                   if int(r["attributes"]["ApproximateReceiveCount"]) <= fails.get(int(r["body"]), 0)]
            if bad and partial:
                return {"batchItemFailures": [{"itemIdentifier": m} for m in bad]}
            if bad:
                raise ValueError("fail")
            return None

        sim.map(queue, sim.function(handler, name="f"), batch_size=batch,
                function_response_types=["ReportBatchItemFailures"] if partial else [])
        sent = [queue.send(str(i)) for i in range(n)]
        sim.run()
        statuses = [sim.ledger.fate(s.message_id).status for s in sent]
        assert "pending" not in statuses
        assert statuses.count("dead_lettered") == len(dlq.messages)
        for i, s in enumerate(sent):
            if fails.get(i, 0) >= max_receive:
                assert sim.ledger.fate(s.message_id).status == "dead_lettered"
            elif not partial and fails.get(i, 0) == 0:
                pass  # a batch neighbour's failure may still redrive it
            elif partial:
                assert sim.ledger.fate(s.message_id).status == "succeeded"
