"""Queue and stream hooks (``on_send``, ``on_redrive``, ``on_expire``, ``on_put``) and the fates the SQS mapping
derives from them."""

from __future__ import annotations

from lambdachaos.faults import DuplicateDelivery, FaultPlan

from lambdachaos import Sim


def test_on_send_sees_every_accepted_send_including_delayed_ones_but_not_fifo_repeats():
    with Sim(seed=1) as sim:
        queue = sim.sqs_queue("orders")
        fifo = sim.sqs_queue("orders.fifo", content_based_deduplication=True)
        seen = []
        queue.on_send(lambda m: seen.append((m.body, m.state.value)))
        fifo.on_send(lambda m: seen.append((m.body, m.state.value)))
        queue.send("now")
        queue.send("later", delay_seconds=5)
        fifo.send("once", message_group_id="g")
        fifo.send("once", message_group_id="g")  # deduplicated: not a new message
        assert seen == [("now", "visible"), ("later", "delayed"), ("once", "visible")]


def test_on_redrive_reports_the_message_and_the_dead_letter_queue():
    with Sim(seed=1) as sim:
        dlq = sim.sqs_queue("dlq")
        queue = sim.sqs_queue("orders", visibility_timeout=10, dead_letter_queue=dlq, max_receive_count=1)
        moved = []
        unsubscribe = queue.on_redrive(lambda m, d: moved.append((m.message_id, m.state.value, d)))
        sent = queue.send("x").message_id
        queue.receive()
        sim.run(until=11)
        assert moved == [(sent, "moved_to_dlq", dlq)]
        unsubscribe()
        queue.send("y")
        queue.receive()
        sim.run(until=30)
        assert len(moved) == 1


def test_on_expire_reports_messages_dropped_by_the_retention_period():
    with Sim(seed=1) as sim:
        queue = sim.sqs_queue("orders", message_retention_period=60)
        expired = []
        queue.on_expire(lambda m: expired.append((m.body, m.state.value)))
        queue.send("old")
        sim.run(until=61)
        queue.send("new")
        assert queue.approximate_number_of_messages == 1
        assert expired == [("old", "expired")]


def test_a_mapping_gives_expired_messages_the_dropped_fate_with_the_retention_condition():
    with Sim(seed=1) as sim:
        queue = sim.sqs_queue("orders", message_retention_period=60, visibility_timeout=30)
        fn = sim.function(lambda e, c: None, name="consumer")
        sim.map(queue, fn, enabled=False)
        sent = queue.send("x").message_id
        sim.run(until=100)
        assert queue.messages == []
        fate = sim.ledger.fate(sent)
        assert (fate.status, fate.condition, fate.at_ns) == ("dropped", "MessageRetentionPeriod", 60 * 10**9)


def test_a_delayed_message_has_a_pending_fate_from_the_moment_it_is_sent():
    with Sim(seed=1) as sim:
        queue = sim.sqs_queue("orders")
        sim.map(queue, sim.function(lambda e, c: None, name="consumer"))
        sent = queue.send("x", delay_seconds=30).message_id
        assert sim.ledger.fate(sent).status == "pending"
        sim.run()
        assert sim.ledger.fate(sent).status == "succeeded"
        assert sim.ledger.attempts[0].start == 30.0


def test_a_queue_mapped_after_the_plan_gets_its_delivery_faults():
    with Sim(seed=1) as sim:
        sim.apply_faults(FaultPlan.of(DuplicateDelivery()))
        queue = sim.sqs_queue("orders")
        sim.map(queue, sim.function(lambda e, c: None, name="consumer"), batch_size=1)
        queue.send("x")
        sim.run()
        assert len(sim.ledger.attempts) == 2


def test_on_put_sees_every_stored_kinesis_record():
    with Sim(seed=1) as sim:
        stream = sim.kinesis_stream("orders", shards=2)
        seen = []
        unsubscribe = stream.on_put(lambda r: seen.append(r.event_id))
        stored = stream.put(["a", "b"], partition_key=lambda i: f"k{i}")
        put = stream.put_record("c", "k9")
        unsubscribe()
        stream.put(["d"])
        assert seen == [r.event_id for r in stored] + [f"{put['ShardId']}:{put['SequenceNumber']}"]
