"""Benchmarks of the event source mappings (issue: event source mappings).

- ``sqs_esm_records_per_s``: 100,000 messages through a standard-queue mapping (batch 10, no-op
  handler); baseline: messages/s received and deleted from moto's SQS through boto3 in the same run,
  on a scaled-down count (moto scans every message per call, so 100,000 would take minutes; the
  rate is what is compared).
- ``kinesis_bisect_10k_s``: 10,000 records on 4 shards, one poison record, batch 100, bisect on,
  2 retries, on-failure SQS queue: wall seconds of ``sim.run()``.
- ``esm_overhead_ratio``: the SQS mapping run divided by calling the handler directly with the same
  batches; the handler parses each record's 1 KB JSON body.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

from lambdachaos import Sim

N_MESSAGES = 100_000
MOTO_MESSAGES = 300
BODY_1KB = json.dumps({"orderId": "o-000123", "notes": "x" * 980})


def noop(event: Any, context: Any) -> None:
    return None


def parse_bodies(event: Any, context: Any) -> None:
    for record in event["Records"]:
        json.loads(record["body"])


def _sqs_mapping_run(handler: Any, n: int, body: str) -> tuple[float, list[list[dict[str, Any]]]]:
    batches: list[list[dict[str, Any]]] = []

    def recording(event: Any, context: Any) -> Any:
        if len(batches) < 2:
            batches.append(event["Records"])
        return handler(event, context)

    with Sim(seed=1) as sim:
        queue = sim.sqs_queue("bench", visibility_timeout=30)
        fn = sim.function(recording, name="bench")
        sim.map(queue, fn, batch_size=10)
        for _ in range(n):
            queue.send(body)
        t0 = time.perf_counter()
        sim.run()
        elapsed = time.perf_counter() - t0
        assert queue.approximate_number_of_messages == 0
        assert len(sim.ledger) == n // 10
    return elapsed, batches


def _moto_rate(n: int) -> float:
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    import boto3
    from moto import mock_aws

    with mock_aws():
        client = boto3.client("sqs", region_name="us-east-1")
        url = client.create_queue(QueueName="bench")["QueueUrl"]
        for start in range(0, n, 10):
            client.send_message_batch(QueueUrl=url, Entries=[
                {"Id": str(i), "MessageBody": '{"a": 1}'} for i in range(start, min(n, start + 10))
            ])
        t0 = time.perf_counter()
        done = 0
        while done < n:
            got = client.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
            if not got:
                break
            client.delete_message_batch(QueueUrl=url, Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got)
            ])
            done += len(got)
        return done / (time.perf_counter() - t0)


def poison_handler(event: Any, context: Any) -> None:
    for record in event["Records"]:
        if record["kinesis"]["partitionKey"] == "poison":
            raise ValueError("poison record")


def kinesis_bisect_scenario() -> float:
    with Sim(seed=1) as sim:
        stream = sim.kinesis_stream("orders", shards=4)
        failures = sim.sqs_queue("failures")
        fn = sim.function(poison_handler, name="consumer")
        sim.map(stream, fn, batch_size=100, bisect_batch_on_function_error=True, maximum_retry_attempts=2,
                on_failure=failures)
        for i in range(10_000):
            stream.put_record(b'{"n": %d}' % i, "poison" if i == 6_001 else f"key-{i % 64}")
        t0 = time.perf_counter()
        sim.run()
        elapsed = time.perf_counter() - t0
        assert len(failures.messages) == 1
    return elapsed


def run() -> dict[str, dict[str, Any]]:
    """Measure the three figures (baselines in the same run)."""
    _sqs_mapping_run(noop, 1_000, '{"a": 1}')  # warm-up
    sim_s, _ = _sqs_mapping_run(noop, N_MESSAGES, '{"a": 1}')
    rate = N_MESSAGES / sim_s
    moto = _moto_rate(MOTO_MESSAGES)

    # best of three on both sides: the ratio compares two measurements taken in the same run
    mapped_s = min(_sqs_mapping_run(parse_bodies, N_MESSAGES, BODY_1KB)[0] for _ in range(3))
    _, sample = _sqs_mapping_run(noop, 20, BODY_1KB)
    batches = [sample[0]] * (N_MESSAGES // 10)
    direct_s = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        for records in batches:
            parse_bodies({"Records": records}, None)
        direct_s = min(direct_s, time.perf_counter() - t0)

    out: dict[str, dict[str, Any]] = {
        "sqs_esm_records_per_s": {"value": rate, "unit": "records/s", "baseline": moto, "ratio": rate / moto},
        "esm_overhead_ratio": {"value": mapped_s / direct_s, "unit": "x direct handler calls",
                               "baseline": direct_s, "ratio": mapped_s / direct_s},
    }
    try:
        kinesis_bisect_scenario()  # warm-up
        out["kinesis_bisect_10k_s"] = {"value": kinesis_bisect_scenario(), "unit": "s"}
    except ImportError:
        pass
    return out


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
