"""The lambda_sim fixture loaded from a template: option, ini and marker."""

from __future__ import annotations

from pathlib import Path

TEMPLATE = Path(__file__).parent.parent / "templates" / "cfn_app" / "template.yaml"

TEST = """
import pytest

def test_loaded(lambda_sim):
    queue = lambda_sim.resources["OrdersQueue"]
    bad = queue.send("bad order")
    lambda_sim.run()
    assert lambda_sim.ledger.fate(bad.message_id).attempts == 3
    assert lambda_sim.functions["OrdersFunction"].config.memory_size == {memory}
"""


def test_the_option_loads_the_template_into_lambda_sim(pytester):
    pytester.makepyfile(TEST.format(memory=256))
    result = pytester.runpytest_inprocess(f"--lambdachaos-template={TEMPLATE}", "-p", "no:randomly")
    result.assert_outcomes(passed=1)


def test_the_ini_names_the_template_relative_to_rootdir(pytester):
    (pytester.path / "infra").symlink_to(TEMPLATE.parent, target_is_directory=True)
    pytester.makeini("[pytest]\nlambdachaos_template = infra/template.yaml\n")
    pytester.makepyfile(TEST.format(memory=256))
    result = pytester.runpytest_inprocess("-p", "no:randomly", "--rootdir", str(pytester.path))
    result.assert_outcomes(passed=1)


def test_the_marker_names_the_template_and_its_parameters(pytester):
    pytester.makepyfile(TEST.format(memory=1024).replace(
        "def test_loaded", f"@pytest.mark.lambdachaos(template={str(TEMPLATE)!r}, "
                           "template_parameters={'Stage': 'prod'})\ndef test_loaded"))
    result = pytester.runpytest_inprocess("-p", "no:randomly")
    result.assert_outcomes(passed=1)


def test_the_marker_runs_the_template_schedules_until_the_given_time(pytester):
    template = Path(__file__).parent.parent / "templates" / "scheduler_app" / "template.yaml"
    pytester.makepyfile(f"""
import pytest

@pytest.mark.lambdachaos(template={str(template)!r}, template_schedule_until=3600)
def test_scheduled(lambda_sim):
    assert lambda_sim.templates[0].skipped == {{}}

@pytest.mark.lambdachaos(template={str(template)!r})
def test_skipped_without(lambda_sim):
    assert lambda_sim.templates[0].skipped
""")
    result = pytester.runpytest_inprocess("-p", "no:randomly")
    result.assert_outcomes(passed=2)
