"""A scenario file names a template: its resources are the scenario's, by logical id."""

from __future__ import annotations

from pathlib import Path

import pytest

from lambdachaos.scenarios import ScenarioError, loads_scenario
from lambdachaos.scenarios._runner import run_scenario

HERE = Path(__file__).parent

SCENARIO = """\
version: 1
name: orders from the template
template:
  path: equivalent/template.yaml
traffic:
  - name: jobs
    queue: Jobs
    count: 6
    payload: {type: object, properties: {n: {type: integer, minimum: 0, maximum: 5}}, required: [n]}
expectations:
  - fates: {succeeded: all}
"""


def test_traffic_and_expectations_name_the_template_resources_by_logical_id():
    scenario = loads_scenario(SCENARIO, base_dir=HERE)
    assert scenario.template is not None and scenario.template.path == HERE / "equivalent" / "template.yaml"
    assert sorted(scenario.template.pools["queue"]) == ["Dlq", "Jobs"]
    result = run_scenario(scenario, seed=4)
    assert result.passed, [v.as_dict() for v in result.verdicts]
    assert [a.function for a in result.sim.ledger.attempts] == ["worker"] * len(result.sim.ledger.attempts)
    assert len(result.sim.ledger.fates) == 6


def test_a_reference_the_template_does_not_declare_is_refused():
    with pytest.raises(ScenarioError) as raised:
        loads_scenario(SCENARIO.replace("queue: Jobs", "queue: Missing"), base_dir=HERE)
    assert str(raised.value) == ("scenario.yaml:7:5: traffic[0].queue: 'Missing' is not a queue defined in this file "
                                 "(defined: Dlq, Jobs)")


def test_a_template_that_cannot_load_is_a_scenario_error_with_its_line():
    text = SCENARIO.replace("path: equivalent/template.yaml", "path: nowhere.yaml")
    with pytest.raises(ScenarioError) as raised:
        loads_scenario(text, base_dir=HERE)
    assert str(raised.value).splitlines()[0] == (
        f"scenario.yaml:3:1: template: template={str(HERE / 'nowhere.yaml')!r}: cannot read the file "
        "(No such file or directory)")


def test_without_a_template_functions_are_required():
    with pytest.raises(ScenarioError) as raised:
        loads_scenario("version: 1\nname: x\ntraffic:\n  - {queue: a, count: 1}\n", base_dir=HERE)
    assert str(raised.value).splitlines()[0] == (
        "scenario.yaml:1:1: (root): give functions, or a template that declares them")


def test_lambdachaos_run_template_replaces_the_files_template(tmp_path, capsys):
    from lambdachaos._cli import main

    scenario = tmp_path / "s.yaml"
    scenario.write_text(SCENARIO.replace("template:\n  path: equivalent/template.yaml\n", ""))
    assert main(["run", str(scenario), "--template", str(HERE / "equivalent" / "template.yaml"), "--seed", "4"]) == 0
    assert "give functions" not in capsys.readouterr().err
    assert main(["run", str(scenario)]) == 2
    assert "give functions, or a template that declares them" in capsys.readouterr().err
