"""What the plugin reports after the tests: the terminal summary lines and each test's report page.

The pages, figures and index are built by :mod:`lambdachaos.reports`; this module feeds them the tests' results.

Figures travel in each test's teardown report as JUnit properties, so the controller of an xdist run
sees them exactly as a single process does.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from lambdachaos.reports import Figures, write_page

if TYPE_CHECKING:
    from ._session import RunState, TestRecord

Results = dict[str, tuple[dict[str, Any], bool]]
"""Node id → (lambdachaos JUnit properties, whether any phase of the test failed)."""


def collect(reports: Iterable[Any]) -> Results:
    """The tests that used a simulation, from every report the terminal reporter kept."""
    reports = [r for r in reports if hasattr(r, "when") and hasattr(r, "user_properties")]
    failed = {r.nodeid for r in reports if r.failed}
    return {
        r.nodeid: (dict(r.user_properties), r.nodeid in failed)
        for r in reports
        if r.when == "teardown" and "lambdachaos_seed" in dict(r.user_properties)
    }


def summary_lines(results: Results, mode: str, run_seed: int) -> list[str]:
    """One line per test (``mode``: ``all`` or ``failed``), then how to reproduce a failure."""
    lines = []
    for nodeid, (props, failed) in sorted(results.items()):
        if failed or mode == "all":
            figures = Figures(**{k: v for k, v in props.items() if k in Figures.__dataclass_fields__})
            status = "FAILED" if failed else "passed"
            lines.append(f"{status} {nodeid} seed={props['lambdachaos_seed']} {figures.line()}")
    if any(failed for _, failed in results.values()):
        lines.append(f"reproduce with --lambdachaos-seed={run_seed}")
    return lines


def failure_section(state: RunState, record: TestRecord) -> str:
    """The ``lambdachaos`` section of a failed test's report: its seeds and the end of its timeline."""
    return (
        f"test seed {record.seed} (run seed {state.run_seed}, {len(record.sims)} simulation(s)); reproduce "
        f"with --lambdachaos-seed={state.run_seed} or @pytest.mark.lambdachaos(seed={record.seed})\n"
        + "\n".join(record.sims[-1].ledger.timeline()[-30:])
    )


def finish_test(state: RunState, record: TestRecord, failed: bool,
                failure: str | None = None) -> list[tuple[str, object]]:
    """Close the test's simulations, write its report page (``failure``: the exception text shown on top);
    return its JUnit properties."""
    figures = sum((Figures.of(s.ledger) for s in record.sims), Figures())
    if state.report_dir is not None:
        ledgers = [s.ledger for s in record.sims]
        write_page(state.report_dir, record.nodeid, "failed" if failed else "passed", record.seed, ledgers,
                   figures, failure=failure)
    for sim in record.sims:
        sim.close()
    state.current = None
    return [("lambdachaos_seed", record.seed), *figures.as_dict().items()]
