"""Packaging and import rules (DESIGN "Layout", STYLE conventions 1 and 5)."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "lambdachaos"


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_every_package_folder_is_listed_in_pyproject():
    listed = set(_pyproject()["tool"]["setuptools"]["packages"])
    found = set()
    for init in PKG.rglob("__init__.py"):
        found.add(".".join(("lambdachaos", *init.parent.relative_to(PKG).parts)))
    assert found == listed


def test_the_package_is_one_folder():
    assert "package-dir" not in _pyproject()["tool"]["setuptools"]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("folder", ["generators", "faults"])
def test_generators_and_faults_never_import_the_core(folder):
    allowed = {"lambdachaos", "lambdachaos._errors", "lambdachaos.generators", "lambdachaos.faults"}
    for path in (PKG / folder).glob("*.py"):
        bad = {m for m in _imports(path) if m.startswith("lambdachaos") and m not in allowed
               and not m.startswith(f"lambdachaos.{folder}")}
        assert not bad, f"{path.name} imports {sorted(bad)}"


def test_only_plugins_import_pytest():
    for path in PKG.rglob("*.py"):
        if "plugins" not in path.relative_to(PKG).parts:
            assert not {m for m in _imports(path) if m.split(".")[0] in ("pytest", "_pytest")}, path


def test_the_clock_imports_nothing_from_the_package():
    assert not {m for m in _imports(ROOT / "lambdachaos" / "_clock.py") if m.startswith("lambdachaos")}


def test_the_service_never_imports_upward():
    for path in (ROOT / "lambdachaos" / "service").rglob("*.py"):
        for module in _imports(path):
            assert not module.startswith(("lambdachaos._sim", "lambdachaos.plugins", "lambdachaos.scenarios",
                                          "lambdachaos.targets")), f"{path.name} imports {module}"
    for path in (ROOT / "lambdachaos" / "resources").glob("*.py"):
        for module in _imports(path):
            assert not module.startswith(("lambdachaos.service", "lambdachaos._sim")), f"{path.name}: {module}"


def test_modules_stay_small():
    big = []
    for path in PKG.rglob("*.py"):
        lines = path.read_text(encoding="utf-8").count("\n")
        if lines > 400:
            big.append((str(path.relative_to(ROOT)), lines))
    assert not big


def test_public_all_matches_the_names_it_exports():
    import lambdachaos

    for name in lambdachaos.__all__:
        assert getattr(lambdachaos, name) is not None
    assert sorted(lambdachaos.__all__) == sorted(set(lambdachaos.__all__))


def test_importing_lambdachaos_is_cheap_and_needs_only_the_standard_library():
    code = (
        "import sys; before = set(sys.modules); import lambdachaos, lambdachaos.faults; "
        "extra = {m.split('.')[0] for m in set(sys.modules) - before}"
        " - set(sys.stdlib_module_names) - {'lambdachaos'}; "
        "print(sorted(extra))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_the_package_ships_py_typed():
    assert (ROOT / "lambdachaos" / "py.typed").exists()


@pytest.mark.slow
@pytest.mark.timeout(360)  # builds a wheel (up to 300 s)
def test_a_built_wheel_puts_nothing_but_lambdachaos_at_the_top_of_site_packages(tmp_path):
    import zipfile

    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path), str(ROOT)],
                   check=True, capture_output=True, timeout=300)
    (wheel,) = tmp_path.glob("lambdachaos-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert top == {"lambdachaos"}
    for module in ("lambdachaos/generators/__init__.py", "lambdachaos/faults/wrapper.py",
                   "lambdachaos/plugins/_pytest_plugin.py", "lambdachaos/py.typed"):
        assert module in names


def test_all_is_exactly_the_lazily_exported_names_plus_the_errors():
    import lambdachaos

    assert sorted(lambdachaos.__all__) == sorted(
        ["ConfigError", "HandlerNotStoppable", "LambdaChaosError", "LambdaChaosWarning", "MachineDependentOutcome",
         *lambdachaos._LAZY]
    )
