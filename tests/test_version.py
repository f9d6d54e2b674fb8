"""One version source: pyproject.toml, read back through importlib.metadata by everything that shows it."""

from __future__ import annotations

import importlib.metadata
import tomllib
from pathlib import Path

import pytest

import lambdachaos
from lambdachaos import _version
from lambdachaos._cli import main

ROOT = Path(__file__).resolve().parent.parent


def _declared() -> str:
    return str(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"])


def test_the_package_reports_the_installed_distributions_version():
    assert lambdachaos.__version__ == importlib.metadata.version("lambdachaos") == _version.version()
    assert "__version__" not in lambdachaos.__all__


def test_the_command_line_prints_it(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out == f"lambdachaos {importlib.metadata.version('lambdachaos')}\n"


def test_sources_that_are_not_installed_report_a_clear_placeholder(monkeypatch):
    def missing(name: str) -> str:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(_version, "_distribution_version", missing)
    assert _version.version() == "0+unknown"


def test_no_shipped_module_writes_the_version_down():
    literal = f'"{_declared()}"'
    found = [str(p.relative_to(ROOT)) for p in (ROOT / "lambdachaos").rglob("*.py")
             if literal in p.read_text(encoding="utf-8")]
    assert found == []
