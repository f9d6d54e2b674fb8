"""Generator throughput: SQS and Kinesis records per second with realistic bodies, the wire builders a
simulated Kafka cluster or DocumentDB collection renders its records with, and hypothesis draws.

Rates are measured in CPU time of this process (``time.process_time``): generation is single-threaded pure
Python, and on a shared machine wall-clock rates mostly measure the neighbours.
"""

from __future__ import annotations

import time


def _rate(fn, units_per_call: int, budget_s: float = 1.5) -> float:  # type: ignore[no-untyped-def]
    fn()  # warm-up: imports and first-call caches
    calls, start = 0, time.process_time()
    while time.process_time() - start < budget_s:
        fn()
        calls += 1
    return calls * units_per_call / (time.process_time() - start)


def run() -> dict[str, dict[str, float | str]]:
    """Measure the generator benchmarks (each at most a few seconds)."""
    from lambdachaos.generators import documentdb, kafka, kinesis, sqs

    seed = [0]

    def sqs_batch() -> None:
        seed[0] += 1
        sqs.records(1000, seed=seed[0])

    def kinesis_batch() -> None:
        seed[0] += 1
        kinesis.records(1000, seed=seed[0])

    full = dict(
        body="Test message.",
        message_id="m",
        receipt_handle="AQEBx",
        sender_id="AIDAEXAMPLE",
        queue_arn="arn:aws:sqs:us-east-1:123456789012:orders",
        sent_timestamp=1,
        receive_count=1,
    )

    def sqs_fast() -> None:
        for _ in range(1000):
            sqs.record(**full)  # type: ignore[arg-type]

    def kafka_wire() -> None:
        for offset in range(1000):
            kafka.wire_record(topic="orders", partition=3, offset=offset, timestamp=1_717_243_200_000,
                              key=b"customer-0042", value=b'{"orderId": "o-1", "total": 12.5}')

    def docdb_wire() -> None:
        for i in range(1000):
            documentdb.change_event(operation_type="insert", object_id="665b0c40d418cd98afb1c1d7", database="shop",
                                    collection="orders", cluster_time=1_717_243_200, increment=i + 1,
                                    full_document={"orderId": "o-1", "total": 12.5})

    out: dict[str, dict[str, float | str]] = {
        "render_kafka_record_wire_per_s": {
            "value": _rate(kafka_wire, 1000),
            "unit": "records/s",
            "target": 300_000,
        },
        "render_documentdb_change_wire_per_s": {
            "value": _rate(docdb_wire, 1000),
            "unit": "records/s",
            "target": 100_000,
        },
        "generate_sqs_records_per_s": {
            "value": _rate(sqs_batch, 1000),
            "unit": "records/s",
            "target": 40_000,
        },
        "generate_kinesis_records_per_s": {
            "value": _rate(kinesis_batch, 1000),
            "unit": "records/s",
            "target": 10_000,
        },
        "render_sqs_record_fully_specified_per_s": {
            "value": _rate(sqs_fast, 1000),
            "unit": "records/s",
            "target": 100_000,
        },
    }
    try:
        from hypothesis import HealthCheck, given, settings

        from lambdachaos.generators import strategies
    except ImportError:
        return out
    count = [0]

    @settings(max_examples=200, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(strategies.sqs_events())
    def draw(event: object) -> None:
        count[0] += 1

    start = time.perf_counter()
    draw()
    out["hypothesis_sqs_batch_examples_per_s"] = {
        "value": count[0] / (time.perf_counter() - start),
        "unit": "examples/s",
    }
    return out


if __name__ == "__main__":
    for name, result in run().items():
        print(f"{name}: {result['value']:,.0f} {result['unit']}")
