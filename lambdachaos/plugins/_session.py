"""Run and test state of the pytest plugin: seeds, the simulations each test created, end-of-test checks.

No pytest import here: the pytest module wires these objects into hooks and fixtures.
"""

from __future__ import annotations

import importlib
import random
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, final

from lambdachaos._world import derive_seed

if TYPE_CHECKING:
    from lambdachaos._sim import Sim

SEED_SPECS: Final = ("random", "last")
"""Non-numeric values ``--lambdachaos-seed`` accepts."""
CHECKS: Final = ("assert_all_faults_fired", "assert_all_fates_settled")
"""End-of-test checks of the ``lambda_sim`` fixture, each switched off by a marker kwarg of the same name."""
LAST_SEED_FILE: Final = Path(".lambdachaos") / "last-seed"
"""Where the run seed is kept for ``--lambdachaos-seed=last`` when pytest's cache is disabled."""


def test_seed(run_seed: int, nodeid: str) -> int:
    """The seed of one test: derived from the run seed and the node id, so test order changes nothing."""
    return derive_seed(run_seed, "test", nodeid) & 0xFFFF_FFFF


@final
@dataclass(slots=True)
class TestRecord:
    """The simulations one test created, in order, with their seeds."""

    nodeid: str
    seed: int
    sims: list[Sim] = field(default_factory=list)
    checks_off: frozenset[str] = frozenset()


@final
@dataclass(slots=True)
class RunState:
    """The plugin's state for one pytest process."""

    run_seed: int
    report_dir: Path | None = None
    current: TestRecord | None = None
    used: bool = False
    tests: dict[str, TestRecord] = field(default_factory=dict)

    def begin(self, nodeid: str, seed: int | None = None) -> TestRecord:
        """Start recording the simulations of test ``nodeid`` (seed: pinned, else derived)."""
        record = TestRecord(nodeid, test_seed(self.run_seed, nodeid) if seed is None else seed)
        self.current = record
        return record


@final
class SimFactory:
    """Creates :class:`lambdachaos.Sim` objects for the running test: ``lambda_sims(**sim_kwargs)``.

    The default seed is the test's seed (derived from the run seed and the node id, or pinned with
    ``@pytest.mark.lambdachaos(seed=...)``), so every simulation a test builds replays exactly. Each
    Sim is recorded for the report and closed when the test ends; every call returns a fresh Sim, so
    the factory is safe to use across hypothesis examples.
    """

    def __init__(self, state: RunState) -> None:
        self._state = state

    @property
    def seed(self) -> int:
        """The running test's seed."""
        return self._record().seed

    def __repr__(self) -> str:
        current = self._state.current
        return f"<SimFactory seed={current.seed if current else None}>"

    def _record(self) -> TestRecord:
        if self._state.current is None:
            raise RuntimeError("lambda_sims can only create simulations while a test runs")
        return self._state.current

    def __call__(self, *, seed: int | None = None, faults: Any = None, **sim_kwargs: Any) -> Sim:
        """A new Sim (``seed`` defaults to the test's seed); ``faults`` is applied at once."""
        from lambdachaos._sim import Sim

        record = self._record()
        sim = Sim(seed=record.seed if seed is None else seed, **sim_kwargs)
        if faults is not None:
            sim.apply_faults(as_plan(faults))
        record.sims.append(sim)
        self._state.used = True
        _note(f"lambdachaos: Sim(seed={sim.seed})")
        return sim


def _note(text: str) -> None:
    # Inside a hypothesis example the note is printed with the falsifying example.
    if "hypothesis" not in sys.modules:
        return
    from hypothesis import control

    if control.currently_in_test_context():
        control.note(text)


def as_plan(faults: Any) -> Any:
    """A :class:`~lambdachaos.faults.FaultPlan` from a plan, a fault, a rule or a list of them."""
    lib = importlib.import_module("lambdachaos.faults")
    if isinstance(faults, lib.FaultPlan):
        return faults
    if isinstance(faults, (lib.Fault, lib.FaultRule)):
        return lib.FaultPlan.of(faults)
    if isinstance(faults, Iterable) and not isinstance(faults, (str, bytes)):
        return lib.FaultPlan.of(*faults)
    raise TypeError(
        f"faults={faults!r} ({type(faults).__name__}) must be a FaultPlan, a fault, a FaultRule "
        "or a list of them"
    )


def unmet_checks(sim: Sim, off: frozenset[str]) -> list[str]:
    """Messages of the end-of-test checks ``sim`` fails; each names the marker kwarg that switches it off."""
    problems: list[str] = []
    injector = sim.service.injector
    if "assert_all_faults_fired" not in off and injector is not None:
        fired = {f.fault.split(":", 1)[-1] for f in sim.ledger.faults}
        idle = [r for r in injector.plan.rules if r.id not in fired]
        if idle:
            lines = [f"  - {r.id}: {r.fault.kind} target={r.target.to_dict() or 'any'} "
                     f"when={r.when.to_dict() or 'always'}" for r in idle]
            problems.append(
                f"{len(idle)} fault rule(s) of {len(injector.plan.rules)} never fired:\n" + "\n".join(lines)
                + "\nIf that is intended, use @pytest.mark.lambdachaos(assert_all_faults_fired=False)."
            )
    if "assert_all_fates_settled" not in off:
        pending = [f for f in sim.ledger.fates.values() if f.status.value == "pending"]
        if pending:
            lines = [f"  - {f.event_id} (entered at t={(f.at_ns or 0) / 1e9:.3f}s)" for f in pending[:10]]
            problems.append(
                f"{len(pending)} record(s) still in flight at teardown (virtual time {sim.now:.3f}s, "
                f"{sim.clock.pending} scheduled callback(s)):\n" + "\n".join(lines)
                + "\nCall lambda_sim.run() to let Lambda finish, or, if that is intended, use "
                "@pytest.mark.lambdachaos(assert_all_fates_settled=False)."
            )
    return problems


def read_last_seed(cache: Any, rootdir: Path) -> int | None:
    """The run seed stored by the previous run (pytest's cache, else ``.lambdachaos/last-seed``)."""
    value = cache.get("lambdachaos/seed", None) if cache is not None else None
    if value is None:
        path = rootdir / LAST_SEED_FILE
        value = path.read_text().strip() if path.is_file() else None
    return int(value) if value is not None and str(value).isdigit() else None


def write_last_seed(cache: Any, rootdir: Path, seed: int) -> None:
    """Store ``seed`` for ``--lambdachaos-seed=last``."""
    if cache is not None:
        cache.set("lambdachaos/seed", seed)
        return
    path = rootdir / LAST_SEED_FILE
    path.parent.mkdir(exist_ok=True)
    path.write_text(f"{seed}\n")


def resolve_run_seed(spec: str, last: int | None) -> int:
    """The run seed for ``--lambdachaos-seed=spec``: an integer, ``random`` (fresh) or ``last``."""
    if spec == "last":
        if last is None:
            raise ValueError("--lambdachaos-seed=last: no previous run stored a seed; give an integer")
        return last
    if spec == "random":
        return random.SystemRandom().randrange(2**32)
    if spec.isdigit():
        return int(spec)
    raise ValueError(f"--lambdachaos-seed={spec!r} must be an integer, 'random' or 'last'")
