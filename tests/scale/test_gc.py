"""A run relaxes the young-generation collector and restores the caller's thresholds afterwards."""

from __future__ import annotations

import gc
from typing import Any

from lambdachaos import Sim
from lambdachaos._sim_backend import GC_YOUNG_THRESHOLD


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
