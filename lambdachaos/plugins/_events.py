"""``lambda_events``: the event generators with seeds drawn from the test's seed."""

from __future__ import annotations

import functools
import importlib
import inspect
from collections.abc import Callable
from typing import Any, final

from lambdachaos._world import derive_seed


@final
class SeededEvents:
    """:mod:`lambdachaos.generators` with a default ``seed`` per call, derived from the test's seed.

    ``lambda_events.sqs.event(n=3)`` is ``generators.sqs.event(n=3, seed=<derived>)``: the n-th call
    of each builder in a test gets the same seed on every run with the same test seed, so events are
    realistic, varied between calls and reproducible. An explicit ``seed=`` wins.
    """

    def __init__(self, seed: int) -> None:
        self.seed = seed
        """The test's seed the builders' seeds derive from."""
        self._calls: dict[str, int] = {}

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        generators = importlib.import_module("lambdachaos.generators")
        value = getattr(generators, name)
        return _SeededModule(self, name, value) if inspect.ismodule(value) else value

    def next_seed(self, key: str) -> int:
        """The seed of the next call of builder ``key``."""
        n = self._calls[key] = self._calls.get(key, 0) + 1
        return derive_seed(self.seed, "events", key, n) & 0xFFFF_FFFF

    def __repr__(self) -> str:
        return f"<SeededEvents seed={self.seed}>"


@final
class _SeededModule:
    __slots__ = ("_events", "_module", "_name")

    def __init__(self, events: SeededEvents, name: str, module: Any) -> None:
        self._events = events
        self._name = name
        self._module = module

    def __getattr__(self, attr: str) -> Any:
        value = getattr(self._module, attr)
        if not callable(value) or inspect.isclass(value) or "seed" not in _parameters(value):
            return value
        key = f"{self._name}.{attr}"

        @functools.wraps(value)
        def seeded(*args: Any, **kwargs: Any) -> Any:
            if kwargs.get("seed") is None:
                kwargs["seed"] = self._events.next_seed(key)
            return value(*args, **kwargs)

        return seeded

    def __repr__(self) -> str:
        return f"<seeded {self._module.__name__}>"


def _parameters(fn: Callable[..., Any]) -> frozenset[str]:
    try:
        return frozenset(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        return frozenset()
