"""The plugin's fixtures: ``lambda_sim``, ``lambda_sims``, ``lambda_sim_setup``, ``lambda_events`` and more.

Re-exported by the pytest module (pytest finds fixtures by name in a plugin module).
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from ._session import CHECKS, RunState, SimFactory, unmet_checks

if TYPE_CHECKING:
    from types import ModuleType

    from lambdachaos._sim import Sim

    from ._events import SeededEvents

STATE = pytest.StashKey[RunState]()
"""The plugin's run state, in ``config.stash``."""
FAILED = pytest.StashKey[bool]()
FAILURE = pytest.StashKey[str]()
"""The first failure's exception text of a test (shown at the top of its report page)."""
"""Whether a phase of the test failed so far, in ``item.stash`` (end-of-test checks stay quiet then)."""


@pytest.fixture(scope="session")
def lambda_sims(pytestconfig: pytest.Config) -> SimFactory:
    """Factory of simulations for the running test: ``lambda_sims(seed=None, faults=None, **sim_kwargs)``."""
    return SimFactory(pytestconfig.stash[STATE])


@pytest.fixture
def lambda_sim_setup() -> Callable[[Sim], None] | None:
    """Override (at any scope) to return ``setup(sim)``, run on every fresh ``lambda_sim`` of its tests."""
    return None


@pytest.fixture
def lambda_sim(request: pytest.FixtureRequest, lambda_sims: SimFactory,
               lambda_sim_setup: Callable[[Sim], None] | None) -> Iterator[Sim]:
    """A fresh simulated account for this test, seeded from the run seed and node id; closed at teardown."""
    from lambdachaos._sim import Sim

    marker = request.node.get_closest_marker("lambdachaos")
    kwargs = dict(marker.kwargs) if marker else {}
    allowed = {"seed", "faults", "template", "template_parameters", "template_schedule_until", *CHECKS,
               *inspect.signature(Sim).parameters}
    if marker and (marker.args or set(kwargs) - allowed):
        pytest.fail(f"@pytest.mark.lambdachaos: unknown argument(s) {list(marker.args)} "
                    f"{sorted(set(kwargs) - allowed)}; valid keyword arguments: {sorted(allowed)}",
                    pytrace=False)
    off = frozenset(c for c in CHECKS if kwargs.pop(c, True) is False)
    kwargs.pop("seed", None)
    template, parameters = kwargs.pop("template", None) or _configured_template(request.config), kwargs.pop(
        "template_parameters", None)
    schedule_until = kwargs.pop("template_schedule_until", None)
    with lambda_sims(**kwargs) as sim:
        if template is not None:  # docs/templates.md: the fixture comes loaded with the template's resources
            sim.load_template(template, parameters=parameters, schedule_until=schedule_until)
        if lambda_sim_setup is not None:
            lambda_sim_setup(sim)
        yield sim
        problems = [] if request.node.stash.get(FAILED, False) else unmet_checks(sim, off)
        if problems:
            pytest.fail("lambdachaos end-of-test check failed:\n" + "\n\n".join(problems), pytrace=False)


def _configured_template(config: pytest.Config) -> Path | None:
    """``--lambdachaos-template`` (relative to the current folder), else ini ``lambdachaos_template`` (to rootdir)."""
    given = config.getoption("lambdachaos_template", None)
    if given:
        return Path(given)
    ini = config.getini("lambdachaos_template")
    return (config.rootpath / str(ini)) if ini else None


@pytest.fixture
def lambda_events(lambda_sims: SimFactory) -> SeededEvents:
    """:mod:`lambdachaos.generators` with per-call seeds derived from the test's seed."""
    from ._events import SeededEvents

    return SeededEvents(lambda_sims.seed)


@pytest.fixture
def lambda_faults() -> ModuleType:
    """The :mod:`lambdachaos.faults` module (fault catalogue, plans, targets)."""
    return importlib.import_module("lambdachaos.faults")
