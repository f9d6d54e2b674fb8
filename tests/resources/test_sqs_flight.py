"""The written-out hot paths of a standard queue: a receive that meets a message at ``maxReceiveCount`` between
others, a mapping's batch delete, and ``send_many`` with digests given for some bodies only."""

from __future__ import annotations

import hashlib
import random

import pytest

from lambdachaos import Sim
from lambdachaos.resources import _sqs_flight
from lambdachaos.resources._errors import ReceiptHandleIsInvalid
from lambdachaos.resources._sqs import Queue
from lambdachaos.resources._sqs_config import RedrivePolicy
from lambdachaos.resources._sqs_message import ReceivedMessage


def test_a_receive_moves_a_message_at_max_receive_count_between_two_it_takes_with_the_counts_right_throughout():
    with Sim(seed=2) as sim:
        dlq = sim.sqs_queue("dlq")
        queue = sim.sqs_queue("orders")  # no redrive policy yet: x is received twice and stays
        x = queue.send("x").message_id
        queue.change_visibility(queue.receive()[0].receipt_handle, 0)
        second = queue.receive()[0]
        assert second.receive_count == 2
        y = queue.send("y").message_id
        queue.change_visibility(second.receipt_handle, 0)
        z = queue.send("z").message_id  # visible in this order: y, x (received twice), z
        queue.configure(redrive_policy=RedrivePolicy(dead_letter_target=dlq, max_receive_count=2))
        seen: list[tuple[str, int, int, int]] = []
        queue.on_redrive(lambda m, d: seen.append((m.message_id, queue.approximate_number_of_messages,
                                                   queue.approximate_number_of_messages_not_visible,
                                                   d.approximate_number_of_messages)))
        got = queue.receive(10)
        assert [m.message_id for m in got] == [y, z]
        assert [m.receive_count for m in got] == [1, 1]
        assert seen == [(x, 1, 1, 1)]  # y already in flight, z still visible, x in the DLQ
        assert (queue.approximate_number_of_messages, queue.approximate_number_of_messages_not_visible) == (0, 2)
        assert [m.message_id for m in dlq.messages] == [x]


def _twin(seed: int) -> tuple[Sim, Queue, list[ReceivedMessage]]:
    sim = Sim(seed=seed)
    sim.__enter__()
    queue = sim.sqs_queue("orders", visibility_timeout=10)
    queue.send_many([f"m{i}" for i in range(6)])
    first = queue.receive(6)
    sim.run(until=11)  # all six visible again, their first handles still the latest
    again = queue.receive(2)  # m0 and m1 received again: their first handles are superseded
    return sim, queue, [*first, *again]


def test_a_batch_delete_does_what_delete_in_a_loop_does():
    bulk_sim, bulk, received = _twin(3)
    loop_sim, loop, loop_received = _twin(3)
    try:
        keep = frozenset({received[5].message_id})
        done = bulk._delete_batch(received, keep)
        for rm in loop_received:
            if rm.message_id not in keep:
                loop.delete(rm.receipt_handle)
        ids = [rm.message_id for rm in received]
        # m0, m1: the superseded handles delete nothing; their latest handles (the last two) delete them.
        assert done == [(ids[2], 1), (ids[3], 1), (ids[4], 1), (ids[0], 2), (ids[1], 2)]
        for q in (bulk, loop):
            assert [(m.body, m.state.value) for m in q.history] == [
                ("m0", "deleted"), ("m1", "deleted"), ("m2", "deleted"), ("m3", "deleted"), ("m4", "deleted"),
                ("m5", "visible")]
            assert (q.approximate_number_of_messages, q.approximate_number_of_messages_not_visible) == (1, 0)
    finally:
        bulk_sim.__exit__(None, None, None)
        loop_sim.__exit__(None, None, None)


def test_a_batch_delete_refuses_a_handle_the_queue_never_gave():
    with Sim(seed=1) as sim:
        queue = sim.sqs_queue("orders")
        other = sim.sqs_queue("other")
        other.send("a")
        foreign = other.receive()
        with pytest.raises(ReceiptHandleIsInvalid, match="is not a valid receipt handle"):
            queue._delete_batch(foreign, frozenset())


def test_send_many_computes_the_digests_past_those_given():
    with Sim(seed=1) as sim:
        queue = sim.sqs_queue("orders")
        given = hashlib.md5(b"a").hexdigest()
        ids = queue.send_many(["a", "b", "c"], md5s=[given])
        assert len(ids) == 3
        assert [m.md5_of_body for m in queue.messages] == [hashlib.md5(s.encode()).hexdigest() for s in "abc"]


def test_retention_is_checked_from_the_oldest_message_left_including_one_redriven_in_with_an_older_enqueue():
    with Sim(seed=1) as sim:
        dlq = sim.sqs_queue("dlq", message_retention_period=60)
        queue = sim.sqs_queue("orders", visibility_timeout=20, dead_letter_queue=dlq, max_receive_count=1)
        expired: list[tuple[str, float]] = []
        dlq.on_expire(lambda m: expired.append((m.body, sim.clock.now_ns / 1e9)))
        queue.send("old")  # enqueued at 0; on the DLQ its retention still counts from 0 (standard queues)
        queue.receive()
        sim.run(until=5)
        dlq.send("newer")  # enqueued on the DLQ at 5
        sim.run(until=21)  # "old" moves to the DLQ at 20, behind "newer" though enqueued before it
        assert [m.body for m in dlq.messages] == ["newer", "old"]
        sim.run(until=61)
        assert [m.body for m in dlq.messages] == ["newer"]
        assert [m.state.value for m in dlq.history] == ["visible", "expired"]
        sim.run(until=64)
        assert [m.body for m in dlq.messages] == ["newer"]
        sim.run(until=66)
        assert dlq.messages == []
        assert [body for body, _ in expired] == ["old", "newer"]


@pytest.mark.parametrize("mode", ["full", "summary"])
def test_the_history_drops_finished_messages_once_they_outnumber_the_live_ones_outside_a_full_ledger(mode: str):
    with Sim(seed=1, ledger=mode) as sim:
        queue = sim.sqs_queue("orders")
        queue.send_many(["keep"] * 5)
        assert len(queue.receive(5)) == 5  # in flight for 30 s
        queue.send_many([f"m{i}" for i in range(70_000)])
        while got := queue.receive(10):
            for rm in got:
                queue.delete(rm.receipt_handle)
        queue.send("after")
        history = queue.history
        if mode == "full":
            assert len(history) == 70_006
        else:  # compacted once 65,536 finished messages outnumbered the live ones: those after it are kept
            states = [(m.body, m.state.value) for m in history]
            assert states[:5] == [("keep", "in_flight")] * 5 and states[-1] == ("after", "visible")
            finished = states[5:-1]
            assert 0 < len(finished) < 65_536 and {state for _, state in finished} == {"deleted"}
            assert [body for body, _ in finished] == [f"m{i}" for i in range(70_000 - len(finished), 70_000)]
        assert (queue.approximate_number_of_messages, queue.approximate_number_of_messages_not_visible) == (1, 5)


def _release_order(young_entries: int, monkeypatch: pytest.MonkeyPatch,
                   receive_timeouts: tuple[int | None, ...] = (None,)) -> tuple[list[str], list[str]]:
    monkeypatch.setattr(_sqs_flight, "YOUNG_ENTRIES", young_entries)
    rng = random.Random(3)
    with Sim(seed=5) as sim:
        queue = sim.sqs_queue("orders", visibility_timeout=300)
        queue.send_many([f"m{i}" for i in range(2_000)])
        entries: list[tuple[int, int, str]] = []  # (deadline, push order, id) of the entries that stay live
        for second in range(50):  # deadlines of different seconds coincide: 29 + 120 = 49 + 100
            sim.run(until=second)
            now = sim.clock.now_ns
            for _ in range(4):
                receive_timeout = rng.choice(receive_timeouts)
                for rm in queue.receive(10, visibility_timeout=receive_timeout):
                    roll = rng.random()
                    if roll < 0.7:
                        queue.delete(rm.receipt_handle)
                    elif roll < 0.9:
                        timeout = rng.choice([100, 120, 150, 180])
                        queue.change_visibility(rm.receipt_handle, timeout)
                        entries.append((now + timeout * 1_000_000_000, len(entries), rm.message_id))
                    else:
                        entries.append((now + (receive_timeout or 300) * 1_000_000_000, len(entries), rm.message_id))
        sim.run(until=400)
        back: list[str] = []
        while got := queue.receive(10):
            back.extend(rm.message_id for rm in got)
    return back, [message_id for _, _, message_id in sorted(entries)]


def test_messages_in_flight_come_back_in_deadline_then_receive_order_across_both_heaps(
        monkeypatch: pytest.MonkeyPatch) -> None:
    back, expected = _release_order(64, monkeypatch)  # recent entries sorted out every 64 receives
    assert len(back) == len(expected) > 300
    assert back == expected
    assert _release_order(10**9, monkeypatch)[0] == back  # one heap only: the same order


def test_receives_with_shorter_visibility_timeouts_than_the_last_one_keep_the_release_order(
        monkeypatch: pytest.MonkeyPatch) -> None:
    timeouts = (None, 60, 120, 100, 250)  # a receive's deadline is often earlier than the previous receive's
    back, expected = _release_order(64, monkeypatch, timeouts)
    assert len(back) == len(expected) > 300
    assert back == expected
    assert _release_order(10**9, monkeypatch, timeouts)[0] == back
