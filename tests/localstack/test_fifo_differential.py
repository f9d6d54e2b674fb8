"""SQS FIFO event source mappings on the simulator and on LocalStack (docs/aws-behaviour.md §5.4)."""

from __future__ import annotations

import json

import pytest

from tests.localstack import handlers
from tests.localstack.differential import on_localstack, on_sim

pytestmark = pytest.mark.localstack


def _send(queue, body, group, dedup):
    return queue.send(json.dumps(body), message_group_id=group, message_deduplication_id=dedup).message_id


def two_groups(t):
    queue = t.sqs_queue("orders.fifo", visibility_timeout=2)
    fn = t.function(handlers.fifo_in_order, name="orders", timeout=1)
    t.map(queue, fn, batch_size=1, function_response_types=["ReportBatchItemFailures"])
    return [_send(queue, {"order": i}, f"g{i % 2}", f"d{i}") for i in range(6)]


def blocked_group(t):
    dlq = t.sqs_queue("orders-dlq.fifo")
    queue = t.sqs_queue("orders.fifo", dead_letter_queue=dlq, max_receive_count=2, visibility_timeout=1)
    fn = t.function(handlers.fifo_in_order, name="orders", timeout=1)
    t.map(queue, fn, batch_size=1, function_response_types=["ReportBatchItemFailures"])
    return [_send(queue, {"order": "a1", "fail_until": 99}, "a", "a1"), _send(queue, {"order": "a2"}, "a", "a2"),
            _send(queue, {"order": "b1"}, "b", "b1")]


def recorded_m1_m4(t):
    dlq = t.sqs_queue("orders-dlq.fifo")
    queue = t.sqs_queue("orders.fifo", dead_letter_queue=dlq, max_receive_count=2, visibility_timeout=1)
    fn = t.function(handlers.fifo_in_order, name="orders", timeout=1)
    ids = [_send(queue, {"order": f"m{i}", "fail_until": {2: 1, 4: 99}.get(i, 0)}, "g", f"m{i}") for i in (1, 2, 3, 4)]
    t.map(queue, fn, batch_size=10, function_response_types=["ReportBatchItemFailures"])
    return ids


def _first_attempts(ledger, ids):
    """The ids in the order of their first attempt."""
    first = {}
    for a in ledger.attempts:
        for r in a.records:
            first.setdefault(r, a.start_ns)
    return sorted(ids, key=lambda i: first[i])


def test_messages_of_each_group_are_delivered_in_send_order_on_both_targets(ls):
    sim, expected = on_sim(two_groups)
    assert on_localstack(ls, two_groups, timeout=40) == expected
    for target in (sim, ls):
        ids = list(target.ledger.fates)
        order = _first_attempts(target.ledger, ids)
        for group in (ids[0::2], ids[1::2]):
            assert [i for i in order if i in group] == group


def test_a_failing_message_blocks_its_group_until_it_is_dead_lettered_on_both_targets(ls):
    # §5.4: all retries of a1 happen before Lambda receives a2 (same group); b1 (other group) keeps flowing.
    sim, expected = on_sim(blocked_group)
    assert expected == [
        {"fate": "dead_lettered", "condition": "maxReceiveCount", "destinations": ["orders-dlq.fifo"],
         "attempts": 2, "outcomes": ["partial_failure", "partial_failure"],
         "deliveries": [("queue_dlq", "orders-dlq.fifo", "maxReceiveCount")]},
        {"fate": "succeeded", "condition": None, "destinations": [], "attempts": 1, "outcomes": ["success"],
         "deliveries": []},
        {"fate": "succeeded", "condition": None, "destinations": [], "attempts": 1, "outcomes": ["success"],
         "deliveries": []},
    ]
    assert on_localstack(ls, blocked_group, timeout=40) == expected
    for target in (sim, ls):
        a1, a2, b1 = list(target.ledger.fates)
        a1_last = max(a.end_ns for a in target.ledger.attempts_for(a1))
        assert target.ledger.attempts_for(a2)[0].start_ns >= a1_last
        assert target.ledger.attempts_for(b1)[0].start_ns < a1_last


def test_the_recorded_m1_to_m4_partial_batch_on_both_targets(ls):
    # §5.4 [REC]: batch m1-m4 reports m2, m3, m4 → next batch m2, m3, m4 (ApproximateReceiveCount 2); m4 fails
    # again and ends in the FIFO DLQ; m1-m3 succeed.
    sim, expected = on_sim(recorded_m1_m4)
    assert [f["fate"] for f in expected] == ["succeeded", "succeeded", "succeeded", "dead_lettered"]
    assert [len(a.records) for a in sim.ledger.attempts] == [4, 3]
    assert on_localstack(ls, recorded_m1_m4, timeout=40) == expected
    assert [len(a.records) for a in ls.ledger.attempts] == [4, 3]
    assert [json.loads(m["Body"])["order"] for m in ls.messages(ls.queues["orders-dlq.fifo"])] == ["m4"]
