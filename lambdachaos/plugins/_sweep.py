"""pytest side of :func:`lambdachaos.sweep`: parametrize swept tests and list the failing seeds at the end."""

from __future__ import annotations

from typing import Any

import pytest

from lambdachaos._sweep import ATTRIBUTE, CASE_ID

_FAILED_KEY = pytest.StashKey[list[tuple[str, str, str | None]]]()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    sweep = getattr(metafunc.function, ATTRIBUTE, None)
    if sweep is None:
        return
    names = [n for n in ("seed", "plan") if n in metafunc.fixturenames]
    if "seed" not in names:
        raise pytest.UsageError(f"{metafunc.function.__name__}: a lambdachaos.sweep test takes a 'seed' argument")
    values = [(c.seed, c.plan) if len(names) == 2 else c.seed for c in sweep.cases]
    metafunc.parametrize(",".join(names), values, ids=[c.id for c in sweep.cases])


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.failed and report.when == "call":
        match = CASE_ID.search(report.nodeid)
        if match is not None:
            config = _CONFIG.get("config")
            if config is not None:
                config.stash.setdefault(_FAILED_KEY, []).append(
                    (report.nodeid[: match.start()], match.group(1), match.group(2)))


_CONFIG: dict[str, Any] = {}


def pytest_configure(config: pytest.Config) -> None:
    _CONFIG["config"] = config


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    failed = config.stash.get(_FAILED_KEY, [])
    if not failed:
        return
    failed = sorted(failed, key=lambda f: (f[0], f[2] or "", int(f[1])))  # the same order under xdist
    by_test: dict[str, list[str]] = {}
    for test, seed, plan in failed:
        by_test.setdefault(test, []).append(seed if plan is None else f"{seed} (plan {plan})")
    terminalreporter.section("lambdachaos sweep: failing seeds")
    for test, seeds in sorted(by_test.items()):
        terminalreporter.line(f"{test}: {len(seeds)} failing case(s): seed {', '.join(seeds)}")
    test, seed, plan = failed[0]
    case = f"seed={seed}" if plan is None else f"seed={seed}-plan={plan}"
    terminalreporter.line(f"rerun one: pytest '{test}[{case}]'")
