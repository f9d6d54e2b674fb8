"""SQS mapping polling scale-down after function errors (docs/aws-behaviour.md §5.2, §5.3; decision at
``SCALE_DOWN_FLOOR``)."""

from __future__ import annotations

import pytest

from lambdachaos import Sim
from lambdachaos.service.mappings._sqs_config import INITIAL_CONCURRENCY, SCALE_DOWN_FLOOR


def peak(series, start, end):
    return max((level for at, level in series if start <= at < end), default=0)


def run_backlog(handler, *, rbif, messages=3_000, until=40.0):
    with Sim(seed=3) as sim:
        queue = sim.sqs_queue("orders", visibility_timeout=600)
        fn = sim.function(handler, name="worker", timeout=60, base_duration=5)
        types = ("ReportBatchItemFailures",) if rbif else ()
        mapping = sim.map(queue, fn, batch_size=1, function_response_types=types)
        for i in range(messages):
            queue.send(f"m{i}")
        sim.run(until=until)
        return sim.ledger.concurrency("worker"), mapping


def failing(event, context):
    raise RuntimeError("downstream is down")


def succeeding(event, context):
    return None


def test_function_errors_halve_the_poller_concurrency_down_to_the_floor():
    series, mapping = run_backlog(failing, rbif=False)
    assert peak(series, 0, 5) == INITIAL_CONCURRENCY
    # Without errors the limit would be 5 + 300/min x 20 s = 105 by t=20 s; every failed batch halves it instead.
    assert peak(series, 5, 40) <= SCALE_DOWN_FLOOR + 300 * 5 // 60
    # At t=5 s the limit had grown to 5 + 300 x 5/60 = 30; the five failed batches halve it 30 -> 15 -> 7 -> 5.
    assert mapping.scale_downs[:4] == [(5.0, 15), (5.0, 7), (5.0, SCALE_DOWN_FLOOR), (5.0, SCALE_DOWN_FLOOR)]
    assert all(limit >= SCALE_DOWN_FLOOR for _, limit in mapping.scale_downs)


def test_successful_batches_keep_scaling_up_at_300_per_minute():
    series, mapping = run_backlog(succeeding, rbif=False)
    assert peak(series, 35, 40) == INITIAL_CONCURRENCY + 300 * 35 // 60
    assert mapping.scale_downs == []


def test_report_batch_item_failures_turns_the_scale_down_off():
    errors, _ = run_backlog(failing, rbif=False)
    series, mapping = run_backlog(failing, rbif=True)
    assert mapping.scale_downs == []
    assert peak(series, 35, 40) == INITIAL_CONCURRENCY + 300 * 35 // 60
    assert peak(series, 35, 40) > 5 * peak(errors, 35, 40)


@pytest.mark.parametrize("cap", [2, 3])
def test_the_floor_never_lifts_the_limit_above_maximum_concurrency(cap):
    with Sim(seed=3) as sim:
        queue = sim.sqs_queue("orders", visibility_timeout=600)
        fn = sim.function(failing, name="worker", timeout=60, base_duration=5)
        sim.map(queue, fn, batch_size=1, maximum_concurrency=cap)
        for i in range(50):
            queue.send(f"m{i}")
        sim.run(until=30.0)
        assert peak(sim.ledger.concurrency("worker"), 0, 30) == cap
