"""One fate per record when copies of an SQS message meet different ends (docs/ledger.md, "Copies of a record")."""

from __future__ import annotations

from lambdachaos import Sim
from lambdachaos.faults import DuplicateDelivery, FaultPlan


def first_copy_succeeds():
    """A handler that succeeds for the first delivery of each message id and fails every later one."""
    seen: set[str] = set()

    def handler(event, context):
        for record in event["Records"]:
            if record["messageId"] in seen:
                raise RuntimeError("seen before")
            seen.add(record["messageId"])

    return handler


def setup(sim: Sim, handler, *, copies=1, delay_seconds=5.0):
    dlq = sim.sqs_queue("orders-dlq")
    queue = sim.sqs_queue("orders", visibility_timeout=30, dead_letter_queue=dlq, max_receive_count=1)
    sim.map(queue, sim.function(handler, name="consumer"), batch_size=1)
    sim.apply_faults(FaultPlan.of(DuplicateDelivery(copies=copies, delay_seconds=delay_seconds)))
    return queue, dlq


def test_a_copy_redriven_after_another_copy_succeeded_makes_the_record_dead_lettered(sim: Sim):
    queue, dlq = setup(sim, first_copy_succeeds())
    sent = queue.send('{"order": 1}').message_id
    sim.run()
    assert [m.message_id for m in dlq.messages] == [sent]
    assert [(d.kind, d.target, d.event_id, d.condition) for d in sim.ledger.deliveries] == [
        ("queue_dlq", dlq.arn, sent, "maxReceiveCount")]
    fate = sim.ledger.fate(sent)
    assert (fate.status, fate.condition, fate.destinations) == ("dead_lettered", "maxReceiveCount", (dlq.arn,))
    assert [a.outcome for a in sim.ledger.attempts] == ["success", "function_error"]


def test_every_redriven_copy_is_a_delivery_and_the_record_keeps_one_fate(sim: Sim):
    queue, dlq = setup(sim, first_copy_succeeds(), copies=2, delay_seconds=0)
    sent = queue.send("x").message_id
    sim.run()
    assert [m.message_id for m in dlq.messages] == [sent, sent]
    assert [(d.kind, d.event_id) for d in sim.ledger.deliveries] == [("queue_dlq", sent)] * 2
    assert list(sim.ledger.fates) == [sent]
    assert sim.ledger.fate(sent).status == "dead_lettered"


def test_a_copy_succeeding_after_another_was_redriven_leaves_the_record_dead_lettered(sim: Sim):
    calls = []

    def first_copy_fails(event, context):
        calls.append(event["Records"][0]["messageId"])
        if len(calls) == 1:
            raise RuntimeError("first copy fails")

    queue, dlq = setup(sim, first_copy_fails, delay_seconds=60)
    sent = queue.send("x").message_id
    sim.run()
    assert calls == [sent, sent]
    assert [m.message_id for m in dlq.messages] == [sent]
    assert sim.ledger.fate(sent).status == "dead_lettered"
    assert [d.kind for d in sim.ledger.deliveries] == ["queue_dlq"]


def copies_scenario(mode: str, *, map_after_send: bool) -> dict[str, object]:
    """Copies of a message meet different ends; the mapping exists before the send, or only after the copies."""
    with Sim(seed=3, ledger=mode) as sim:
        dlq = sim.sqs_queue("orders-dlq")
        queue = sim.sqs_queue("orders", visibility_timeout=30, dead_letter_queue=dlq, max_receive_count=1)
        sim.apply_faults(FaultPlan.of(DuplicateDelivery(copies=1, delay_seconds=5.0)))
        fn = sim.function(first_copy_succeeds(), name="consumer")
        if not map_after_send:
            sim.map(queue, fn, batch_size=1)
        sent = [queue.send(f"order-{i}").message_id for i in range(3)]
        if map_after_send:
            sim.map(queue, fn, batch_size=1)
        sim.run()
        return {"counts": sim.ledger.counts(), "failed": sim.ledger.failed_fates(), "sent": sent,
                "dlq": [m.message_id for m in dlq.messages]}


def test_summary_and_stream_ledgers_give_copies_the_fate_a_full_ledger_gives(tmp_path):
    for map_after_send in (False, True):
        full = copies_scenario("full", map_after_send=map_after_send)
        summary = copies_scenario("summary", map_after_send=map_after_send)
        assert full["dlq"] == full["sent"]  # each message's second copy was redriven after the first succeeded
        assert full["counts"]["fates"] == {"dead_lettered": 3}
        assert summary["counts"] == full["counts"]
        assert summary["failed"] == full["failed"]
