"""Every declared dependency is used, none is declared twice, and a missing one is named with its fix."""

from __future__ import annotations

import ast
import io
import re
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "lambdachaos"


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].lower()


def _imported_top_level_names() -> set[str]:
    names: set[str] = set()
    for path in PKG.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
            elif (isinstance(node, ast.Call) and ast.unparse(node.func).endswith("import_module") and node.args
                  and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                names.add(node.args[0].value.split(".")[0])
    return names


# distribution name -> the module it provides
_MODULES = {"pyyaml": "yaml", "localstack-client": "localstack_client", "aws-sam-translator": "samtranslator",
            "faker": "faker"}


def test_every_core_dependency_is_imported_by_the_package():
    imported = _imported_top_level_names()
    for requirement in _project()["dependencies"]:
        name = _name(requirement)
        assert _MODULES.get(name, name) in imported, f"{requirement} is declared but never imported"


def test_faker_is_not_a_dependency_since_the_generators_use_seeded_word_lists():
    assert "faker" not in {_name(r) for r in _project()["dependencies"]}
    assert "faker" not in _imported_top_level_names()


def test_pyyaml_is_a_core_dependency_and_no_extra_repeats_a_core_one():
    core = {_name(r) for r in _project()["dependencies"]}
    assert "pyyaml" in core
    for extra, requirements in _project()["optional-dependencies"].items():
        repeated = core & {_name(r) for r in requirements}
        assert not repeated, f"extra {extra!r} repeats core dependencies {sorted(repeated)}"


def test_the_localstack_extra_brings_what_the_target_imports():
    extra = {_name(r) for r in _project()["optional-dependencies"]["localstack"]}
    assert extra == {"localstack-client", "testcontainers"}
    imported = _imported_top_level_names()
    assert {"localstack_client", "testcontainers"} <= imported


def test_lambdachaos_registers_only_the_console_script_the_pytest_plugin_and_the_hypothesis_hook():
    assert _project()["entry-points"] == {
        "pytest11": {"lambdachaos": "lambdachaos.plugins._pytest_plugin"},
        "hypothesis": {"lambdachaos": "lambdachaos.plugins._hypothesis:_hypothesis_setup_hook"},
    }
    assert _project()["scripts"] == {"lambdachaos": "lambdachaos._cli:main"}


def test_no_message_names_an_extra_that_does_not_exist():
    extras = set(_project()["optional-dependencies"])
    for path in [*PKG.rglob("*.py"), ROOT / "README.md", *(ROOT / "docs").glob("*.md")]:
        for extra in re.findall(r"lambdachaos\[([a-z0-9_,-]+)\]", path.read_text(encoding="utf-8")):
            assert set(extra.split(",")) <= extras, f"{path.relative_to(ROOT)} names lambdachaos[{extra}]"


def test_a_missing_pyyaml_is_named_with_the_command_that_installs_it(monkeypatch, tmp_path):
    from lambdachaos.scenarios._loader import parse_yaml

    monkeypatch.setitem(sys.modules, "yaml", None)
    with pytest.raises(ImportError) as scenario_error:
        parse_yaml("version: 1\n", "s.yaml")
    assert str(scenario_error.value) == (
        "scenario files need PyYAML, a dependency of lambdachaos missing here: pip install 'pyyaml>=6'")
    schema = tmp_path / "body.yaml"
    schema.write_text("type: object\n")
    from lambdachaos._cli import main

    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    assert main(["events", "sqs", "--body-schema", str(schema)]) == 2
    assert f"--body-schema {schema} is YAML; PyYAML is missing: pip install 'pyyaml>=6'" in err.getvalue()
