"""Seed × fault-plan sweeps: as pytest parametrization (spread by pytest-xdist, also over several machines)
and as ``lambdachaos run SCENARIO --seeds 1-1000 --jobs N`` with one merged verdict table.

Example::

    import lambdachaos
    from lambdachaos.faults import FaultPlan, InvocationError, When

    @lambdachaos.sweep(seeds=range(200), plans={"none": None, "flaky": FaultPlan.of(
        InvocationError(), when=When(invocation_percentage=20))})
    def test_orders_survive(seed, plan):
        with lambdachaos.Sim(seed=seed) as sim:
            ...

Each case is one test with the id ``seed=<n>`` (``seed=<n>-plan=<name>`` with plans), so a failing seed is
rerun with ``pytest 'test_file.py::test_orders_survive[seed=17-plan=flaky]'``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final, TypeVar, final

from lambdachaos._errors import ConfigError

F = TypeVar("F", bound=Callable[..., Any])
ATTRIBUTE: Final = "__lambdachaos_sweep__"
CASE_ID: Final = re.compile(r"\[seed=(-?\d+)(?:-plan=([^\]]+))?\]$")
"""Matches the parameter id of a sweep case at the end of a pytest node id."""


@final
@dataclass(frozen=True, slots=True)
class Case:
    """One case of a sweep: a seed, and a fault plan with its name (``None`` without plans)."""

    seed: int
    plan: Any = None
    plan_name: str | None = None

    @property
    def id(self) -> str:
        """The pytest parameter id: ``seed=<n>`` or ``seed=<n>-plan=<name>``."""
        return f"seed={self.seed}" if self.plan_name is None else f"seed={self.seed}-plan={self.plan_name}"


@final
class Sweep:
    """The cases of a sweep, seeds inner, plans outer. Used as a decorator it parametrizes a test's ``seed``
    (and ``plan``) arguments through the lambdachaos pytest plugin."""

    __slots__ = ("cases",)

    def __init__(self, seeds: Iterable[int], plans: Mapping[str, Any] | Iterable[Any] | None = None) -> None:
        seed_list = list(seeds)
        bad = [s for s in seed_list if isinstance(s, bool) or not isinstance(s, int)]
        if bad or not seed_list:
            raise ConfigError(f"seeds={bad[:3] if bad else seed_list!r}: a sweep needs one or more integer seeds")
        if plans is None:
            self.cases = tuple(Case(s) for s in seed_list)
            return
        named = dict(plans) if isinstance(plans, Mapping) else {_plan_name(p, i): p for i, p in enumerate(plans)}
        if not named:
            raise ConfigError("plans=[]: give at least one fault plan (None for no faults), or leave plans out")
        self.cases = tuple(Case(s, plan, name) for name, plan in named.items() for s in seed_list)

    def __call__(self, test: F) -> F:
        setattr(test, ATTRIBUTE, self)
        return test

    def __iter__(self) -> Any:
        return iter(self.cases)

    def __len__(self) -> int:
        return len(self.cases)

    def __repr__(self) -> str:
        return f"<Sweep cases={len(self.cases)}>"


def _plan_name(plan: Any, index: int) -> str:
    if plan is None:
        return "none"
    rules = getattr(plan, "rules", None)
    if rules:
        return "+".join(str(getattr(r, "id", index)) for r in rules)
    return f"plan{index}"


def sweep(seeds: Iterable[int], plans: Mapping[str, Any] | Iterable[Any] | None = None) -> Sweep:
    """A seed × fault-plan sweep; decorate a test taking ``seed`` (and ``plan``) with it. ``plans`` is a mapping
    of names to :class:`~lambdachaos.faults.FaultPlan` (or ``None``) or a list of them (named after their rule
    ids). Runs under pytest-xdist like any parametrized test (``pytest -n auto``, ``--dist load``)."""
    return Sweep(seeds, plans)


def parse_seeds(text: str) -> list[int]:
    """``"1-1000"``, ``"3,7,9"`` or ``"1-10,42"`` as a list of seeds (in the order given, no repeats)."""
    out: dict[int, None] = {}
    for part in text.split(","):
        part = part.strip()
        match = re.fullmatch(r"(-?\d+)(?:-(-?\d+))?", part)
        if match is None:
            raise ConfigError(f"--seeds={text!r}: {part!r} is not a seed or a range like 1-1000")
        low = int(match.group(1))
        high = int(match.group(2)) if match.group(2) is not None else low
        if high < low:
            raise ConfigError(f"--seeds={text!r}: the range {part} ends before it starts")
        if high - low >= 10_000_000:
            raise ConfigError(f"--seeds={text!r}: at most 10,000,000 seeds per range")
        out.update(dict.fromkeys(range(low, high + 1)))
    return list(out)
