"""A run relaxes the young-generation collector and restores the caller's thresholds afterwards."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest

from lambdachaos import AWSError, Sim
from lambdachaos._gc import GC_YOUNG_THRESHOLD, Relaxed


def test_thresholds_are_raised_during_a_run_and_restored_after_it() -> None:
    saved = gc.get_threshold()
    seen: list[tuple[int, int, int]] = []

    def handler(event: Any, context: Any) -> None:
        seen.append(gc.get_threshold())

    try:
        gc.set_threshold(700, 10, 10)
        with Sim(seed=1) as sim:
            fn = sim.function(handler, name="f")
            fn.invoke_async({})
            sim.run()
            assert seen == [(GC_YOUNG_THRESHOLD, 20, 100)]
            assert gc.get_threshold() == (700, 10, 10)
            gc.set_threshold(0)  # a caller who switched automatic collection off keeps it off
            fn.invoke_async({})
            sim.run()
            assert seen[-1] == (0, 10, 10)
            assert gc.get_threshold()[0] == 0
    finally:
        gc.set_threshold(*saved)


def test_a_bulk_send_relaxes_the_collector_while_it_runs_and_restores_it_also_when_a_body_is_refused() -> None:
    saved = gc.get_threshold()
    seen: list[tuple[int, int, int]] = []

    def bodies(bad_at: int | None) -> Any:
        for i in range(3):
            seen.append(gc.get_threshold())
            yield "" if i == bad_at else f"order-{i}"

    try:
        gc.set_threshold(700, 10, 10)
        with Sim(seed=1) as sim:
            queue = sim.sqs_queue("orders")
            assert len(queue.send_many(bodies(None))) == 3
            assert seen == [(GC_YOUNG_THRESHOLD, 20, 100)] * 3
            assert gc.get_threshold() == (700, 10, 10)
            with pytest.raises(AWSError, match=r"^The request must contain the parameter MessageBody\.$"):
                queue.send_many(bodies(1))
            assert gc.get_threshold() == (700, 10, 10)
            assert [m.body for m in queue.messages] == ["order-0", "order-1", "order-2", "order-0"]
    finally:
        gc.set_threshold(*saved)


def _survivors(n: int) -> list[list[int]]:
    return [[i] for i in range(n)]  # tracked containers that outlive the work: at least one young collection


def _young() -> int:
    return len(gc.get_objects(generation=0)) + len(gc.get_objects(generation=1))


@pytest.fixture
def default_collector() -> Iterator[None]:
    """CPython's default thresholds, collection on and nothing frozen, for the test; the caller's state after."""
    saved = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    gc.collect()
    try:
        yield
    finally:
        gc.enable()
        gc.unfreeze()
        gc.set_threshold(*saved)


@pytest.mark.usefixtures("default_collector")
def test_bulk_work_that_collected_leaves_its_survivors_in_the_oldest_generation_unwalked() -> None:
    with Relaxed():
        kept = _survivors(GC_YOUNG_THRESHOLD + 50_000)
    assert _young() < 1_000  # not the 250,000 lists: a collection now has nothing of them to walk
    assert any(obj is kept for obj in gc.get_objects(generation=2))
    assert gc.get_freeze_count() == 0


@pytest.mark.usefixtures("default_collector")
def test_small_bulk_work_leaves_the_generations_as_they_are() -> None:
    marker: list[object] = []
    with Relaxed():
        pass
    assert any(obj is marker for obj in gc.get_objects(generation=0))


@pytest.mark.usefixtures("default_collector")
def test_a_callers_frozen_objects_stay_frozen_and_collection_switched_off_is_left_alone() -> None:
    frozen: list[object] = []
    gc.freeze()
    count = gc.get_freeze_count()
    with Relaxed():
        kept = _survivors(GC_YOUNG_THRESHOLD + 50_000)
    assert gc.get_freeze_count() == count  # nothing of the caller's was unfrozen
    assert not any(obj is frozen for obj in gc.get_objects(generation=2))
    gc.unfreeze()
    gc.collect()
    gc.disable()
    with Relaxed():
        kept = _survivors(GC_YOUNG_THRESHOLD + 50_000)
    assert gc.get_freeze_count() == 0 and not gc.isenabled()
    assert len(kept) == GC_YOUNG_THRESHOLD + 50_000
