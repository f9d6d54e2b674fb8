"""Message ids drawn in bulk are the ids drawn one at a time: the same values, in the same order, whatever the
mix of single sends, bulk sends and refused bodies."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lambdachaos import Sim
from lambdachaos.resources import _sqs_ids
from lambdachaos.resources._errors import InvalidParameterValue
from lambdachaos.resources._sqs_ids import MAX_BLOCK, IdStream


@pytest.mark.parametrize("k", [0, 1, _sqs_ids.BULK_FROM - 1, _sqs_ids.BULK_FROM, 9, 100, 777, MAX_BLOCK])
def test_a_bulk_draw_is_the_ids_one_at_a_time(k: int) -> None:
    one, bulk = random.Random(k), random.Random(k)
    expected = [_sqs_ids.one(one) for _ in range(k)]
    assert _sqs_ids.many(bulk, k) == expected
    assert one.getstate() == bulk.getstate()  # the stream is left where single draws leave it
    for text in expected:
        parsed = uuid.UUID(text)
        assert (str(parsed), parsed.version, parsed.variant) == (text, 4, uuid.RFC_4122)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32), steps=st.lists(
    st.tuples(st.sampled_from(["one", "take"]), st.integers(0, 300), st.integers(0, 300)), max_size=25))
def test_an_id_stream_hands_out_the_single_draw_sequence_through_takes_and_give_backs(
        seed: int, steps: list[tuple[str, int, int]]) -> None:
    stream, reference = IdStream(random.Random(seed)), random.Random(seed)
    got: list[str] = []
    for kind, k, used in steps:
        if kind == "one":
            got.append(stream.one())
            continue
        ids = stream.take(k)
        assert len(ids) == k
        used = min(used, k)
        got += ids[:used]
        stream.give_back(ids[used:])
    assert got == [_sqs_ids.one(reference) for _ in got]


def _ids_one_by_one(bodies: list[str], *, seed: int = 3) -> list[str]:
    with Sim(seed=seed) as sim:
        queue = sim.sqs_queue("orders")
        return [queue.send(body).message_id for body in bodies]


def test_send_many_of_several_blocks_and_a_generator_give_the_ids_of_send_in_a_loop() -> None:
    bodies = [f"order-{i}" for i in range(2 * MAX_BLOCK + 37)]
    expected = _ids_one_by_one([*bodies, "last"])
    with Sim(seed=3) as sim:
        queue = sim.sqs_queue("orders")
        got = queue.send_many(bodies[:5]) + queue.send_many(iter(bodies[5:1500])) + queue.send_many(bodies[1500:])
        got.append(queue.send("last").message_id)
    assert got == expected
    assert len(set(got)) == len(got)


def test_a_refused_body_leaves_the_next_ids_to_the_next_sends() -> None:
    bodies = [f"order-{i}" for i in range(40)]
    expected = _ids_one_by_one(bodies)
    with Sim(seed=3) as sim:
        queue = sim.sqs_queue("orders", maximum_message_size=1024)
        with pytest.raises(InvalidParameterValue, match="Message must be shorter than 1024 bytes"):
            queue.send_many([*bodies[:10], "x" * 1025, *bodies[10:20]])
        got = [m.message_id for m in queue.messages]
        got.append(queue.send(bodies[10]).message_id)  # the id the refused body did not take
        got += queue.send_many(bodies[11:40])
    assert got == expected


def test_bodies_a_generator_gave_before_it_raised_are_sent_and_the_error_reaches_the_caller() -> None:
    def bodies() -> Iterator[str]:
        for i in range(300):
            yield f"order-{i}"
        raise RuntimeError("the source broke")

    expected = _ids_one_by_one([f"order-{i}" for i in range(301)])
    with Sim(seed=3) as sim:
        queue = sim.sqs_queue("orders")
        with pytest.raises(RuntimeError, match="the source broke"):
            queue.send_many(bodies())
        assert [m.body for m in queue.messages] == [f"order-{i}" for i in range(300)]
        assert queue.approximate_number_of_messages == 300
        got = [m.message_id for m in queue.messages] + [queue.send("order-300").message_id]
    assert got == expected
