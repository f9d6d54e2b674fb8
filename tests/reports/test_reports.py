"""Report code lives in the core: the pytest plugin and ``lambdachaos run`` both build on ``lambdachaos.reports``."""

from __future__ import annotations

import ast
import doctest
from pathlib import Path

import lambdachaos.reports as reports
from lambdachaos import Sim

PKG = Path(reports.__file__).resolve().parent.parent


def _every_import(path: Path) -> set[str]:
    """Modules ``path`` imports anywhere: top level, inside functions, and ``importlib.import_module("...")``."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            base = node.module if node.level == 0 else ".".join(
                [*path.relative_to(PKG.parent).with_suffix("").parts[: -node.level], node.module])
            names.add(base)
            names.update(f"{base}.{a.name}" for a in node.names)
        elif (isinstance(node, ast.Call) and ast.unparse(node.func).endswith("import_module") and node.args
              and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            names.add(node.args[0].value)
    return names


def test_reports_never_import_pytest_or_the_plugin():
    for path in (PKG / "reports").glob("*.py"):
        bad = {m for m in _every_import(path)
               if m.split(".")[0] in ("pytest", "_pytest") or m.startswith("lambdachaos.plugins")}
        assert not bad, f"{path.name} imports {sorted(bad)}"


def test_scenarios_and_targets_never_import_the_plugin():
    for folder in ("scenarios", "targets"):
        for path in (PKG / folder).glob("*.py"):
            bad = {m for m in _every_import(path) if m.startswith("lambdachaos.plugins")}
            assert not bad, f"{folder}/{path.name} imports {sorted(bad)}"


def test_the_plugin_exports_the_reports_figures():
    import lambdachaos.plugins as plugins

    assert plugins.Figures is reports.Figures


def test_the_package_example_runs():
    result = doctest.testmod(reports, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert (result.failed, result.attempted) == (0, 3)


def _bad_order(event, context):
    raise ValueError("bad order")


def test_causes_names_each_distinct_handler_error_once_in_ledger_order():
    with Sim(seed=3) as sim:
        fn = sim.function(_bad_order, name="pay")
        fine = sim.function(lambda event, context: "ok", name="fine")
        first, second, ok = fn.invoke_async({"n": 1}), fn.invoke_async({"n": 2}), fine.invoke_async({})
        sim.run()
        ledger = sim.ledger
    assert reports.cause(ledger, first) == "ValueError: bad order"
    assert reports.cause(ledger, ok) == ""
    evidence = [f"{first} attempt 3", f"{second} attempt 1", f"{ok} attempt 1"]
    assert reports.causes(ledger, evidence) == ["ValueError: bad order"]
    assert reports.causes(ledger, [f"{ok} attempt 1"]) == []
    assert reports.Figures.of(ledger).invocations == 7


def test_a_scenario_page_and_a_test_page_share_the_same_timeline(tmp_path):
    with Sim(seed=5) as sim:
        fn = sim.function(lambda event, context: 1 / 0, name="divide")
        fn.invoke_async({})
        sim.run()
        page = reports.write_page(tmp_path, "tests/test_x.py::test_y", "failed", 5, [sim.ledger],
                                  reports.Figures.of(sim.ledger), failure="AssertionError: no")
        text = page.read_text(encoding="utf-8")
    assert text.count("class=\"attempt") == 3
    assert "<section id='failure'><h2>Why the test failed</h2><pre>AssertionError: no</pre>" in text
    assert "ZeroDivisionError: division by zero" in text
    index = reports.write_index(tmp_path, 5).read_text(encoding="utf-8")
    assert f"<a href='{page.name}'>tests/test_x.py::test_y</a>" in index
