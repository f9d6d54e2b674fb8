"""lambdachaos.plugins: the pytest plugin's public helpers (assertions, Sim factory, hypothesis profile).

Names are imported on first use: the pytest plugin registers :mod:`._assertions` for assertion
rewriting before anything imports it, and loading the plugin imports neither faker nor hypothesis.

>>> from lambdachaos import Sim
>>> from lambdachaos.plugins import assert_attempts
>>> with Sim(seed=1) as sim:
...     fn = sim.function(lambda event, context: "ok", name="hello")
...     request_id = fn.invoke_async({})
...     sim.run()
...     assert_attempts(sim.ledger, request_id, 1)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lambdachaos.reports import Figures

    from ._assertions import (
        KeySource,
        LedgerAssertionError,
        OrderKey,
        assert_attempts,
        assert_bisect_sequence,
        assert_dead_lettered,
        assert_delivered,
        assert_nothing_lost,
        assert_ordered,
        assert_retries_exhausted,
        assert_throttled,
        assert_timed_out,
    )
    from ._events import SeededEvents
    from ._hypothesis import register_hypothesis_profile
    from ._session import SimFactory

_LAZY: dict[str, str] = {
    "KeySource": "._assertions",
    "LedgerAssertionError": "._assertions",
    "OrderKey": "._assertions",
    "assert_attempts": "._assertions",
    "assert_bisect_sequence": "._assertions",
    "assert_dead_lettered": "._assertions",
    "assert_delivered": "._assertions",
    "assert_nothing_lost": "._assertions",
    "assert_ordered": "._assertions",
    "assert_retries_exhausted": "._assertions",
    "assert_throttled": "._assertions",
    "assert_timed_out": "._assertions",
    "SeededEvents": "._events",
    "register_hypothesis_profile": "._hypothesis",
    "SimFactory": "._session",
    "Figures": "lambdachaos.reports",
}

__all__ = [
    "Figures",
    "KeySource",
    "LedgerAssertionError",
    "OrderKey",
    "SeededEvents",
    "SimFactory",
    "assert_attempts",
    "assert_bisect_sequence",
    "assert_dead_lettered",
    "assert_delivered",
    "assert_nothing_lost",
    "assert_ordered",
    "assert_retries_exhausted",
    "assert_throttled",
    "assert_timed_out",
    "register_hypothesis_profile",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'lambdachaos.plugins' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
