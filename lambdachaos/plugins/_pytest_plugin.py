"""pytest plugin for lambdachaos (entry point ``lambdachaos``; ``-p no:lambdachaos`` disables it).

Fixtures ``lambda_sim``, ``lambda_sims``, ``lambda_sim_setup``, ``lambda_events``, ``lambda_faults``; the
``lambdachaos`` marker; the ``--lambdachaos-*`` options. Guide: docs/pytest-plugin.md.
"""

from __future__ import annotations

import sys
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

pytest.register_assert_rewrite("lambdachaos.plugins._assertions")

from ._fixtures import (  # noqa: E402, F401  (fixtures are found by name in the plugin module)
    FAILED,
    FAILURE,
    STATE,
    lambda_events,
    lambda_faults,
    lambda_sim,
    lambda_sim_setup,
    lambda_sims,
)
from ._reporting import Results, collect, failure_section, finish_test, summary_lines  # noqa: E402
from ._session import RunState, read_last_seed, resolve_run_seed, write_last_seed  # noqa: E402

_TARGETS = ("sim",)
_MARKER = ("lambdachaos(*, seed=None, faults=None, template=None, template_parameters=None, "
           "<Sim keyword arguments: region, account_id, epoch, "
           "account_concurrency, ...>, assert_all_faults_fired=True, assert_all_fates_settled=True): "
           "configure this test's lambda_sim. See docs/pytest-plugin.md")
_OPTIONS = {
    "seed": "run seed: an integer, 'random' or 'last' (the previous run's); each test's seed derives from it "
            "and the node id. Default: ini lambdachaos_seed, else 'random'.",
    "report": "write one HTML timeline page per test, its ledger JSON and an index.html to DIR. "
              "Default: ini lambdachaos_report, else no report.",
    "target": "where scenarios run: 'sim' (in-process). Default: ini lambdachaos_target, else 'sim'.",
    "template": "load this SAM/CloudFormation/CDK template into every lambda_sim (docs/templates.md). "
                "Default: ini lambdachaos_template (relative to rootdir), else none.",
    "summary": "terminal summary per test: 'all', 'failed' or 'none'. Default: ini lambdachaos_summary, "
               "else 'all'.",
}


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("lambdachaos", "lambdachaos: Lambda chaos simulation")
    for name, text in _OPTIONS.items():
        group.addoption(f"--lambdachaos-{name}", dest=f"lambdachaos_{name}", default=None, help=text,
                        metavar="DIR" if name == "report" else name.upper())
        parser.addini(f"lambdachaos_{name}", f"default for --lambdachaos-{name}", default=None)


def _opt(config: pytest.Config, name: str, default: str) -> str:
    value = config.getoption(f"lambdachaos_{name}") or config.getini(f"lambdachaos_{name}")
    return str(value) if value else default


def _hypothesis() -> None:
    from ._hypothesis import register_hypothesis_profile

    register_hypothesis_profile()


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", _MARKER)
    from . import _sweep  # lambdachaos.sweep: parametrization and the failing seeds at the end

    if not config.pluginmanager.is_registered(_sweep):
        config.pluginmanager.register(_sweep, "lambdachaos-sweep")
    if _opt(config, "target", "sim") not in _TARGETS:
        target = _opt(config, "target", "")
        raise pytest.UsageError(f"--lambdachaos-target={target!r} is not available; choose {list(_TARGETS)}")
    if _opt(config, "summary", "all") not in ("all", "failed", "none"):
        raise pytest.UsageError("--lambdachaos-summary must be 'all', 'failed' or 'none'")
    if "hypothesis" in sys.modules or getattr(config.option, "hypothesis_profile", None) == "lambdachaos":
        _hypothesis()


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    config = session.config
    if hasattr(config, "workerinput"):  # an xdist worker uses the controller's seed
        seed = int(config.workerinput["lambdachaos_seed"])
    else:
        last = read_last_seed(getattr(config, "cache", None), config.rootpath)
        try:
            seed = resolve_run_seed(_opt(config, "seed", "random"), last)
        except ValueError as exc:
            raise pytest.UsageError(str(exc)) from None
    report = _opt(config, "report", "")
    config.stash[STATE] = RunState(seed, Path(report).resolve() if report else None)


def pytest_report_header(config: pytest.Config) -> str | None:
    state = config.stash.get(STATE, None)
    return None if state is None else f"lambdachaos: --lambdachaos-seed={state.run_seed}"


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    node.workerinput["lambdachaos_seed"] = node.config.stash[STATE].run_seed


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    marker = item.get_closest_marker("lambdachaos")
    item.config.stash[STATE].begin(item.nodeid, marker.kwargs.get("seed") if marker else None)
    if "hypothesis" in sys.modules:
        _hypothesis()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    state = item.config.stash[STATE]
    item.stash[FAILED] = item.stash.get(FAILED, False) or report.failed
    if report.failed and call.excinfo is not None and FAILURE not in item.stash:
        item.stash[FAILURE] = call.excinfo.exconly()
    if state.current is not None and state.current.sims:
        if report.failed:
            report.sections.append(("lambdachaos", failure_section(state, state.current)))
        if call.when == "teardown":
            report.user_properties += finish_test(state, state.current, item.stash[FAILED],
                                                  item.stash.get(FAILURE, None))
    return report


def _results(config: pytest.Config) -> Results:
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    return collect(r for reps in getattr(reporter, "stats", {}).values() for r in reps)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    mode, state, results = _opt(config, "summary", "all"), config.stash.get(STATE, None), _results(config)
    lines = summary_lines(results, mode, state.run_seed) if state is not None and mode != "none" else []
    if lines:
        terminalreporter.section("lambdachaos")
        for line in lines:
            terminalreporter.line(line)


def pytest_sessionfinish(session: pytest.Session) -> None:
    config, state = session.config, session.config.stash.get(STATE, None)
    if state is None or hasattr(config, "workerinput") or not (state.used or _results(config)):
        return
    write_last_seed(getattr(config, "cache", None), config.rootpath, state.run_seed)
    if state.report_dir is not None and state.report_dir.is_dir():
        from lambdachaos.reports import write_index

        write_index(state.report_dir, state.run_seed)
