"""Nothing passes silently: every fault rule must fire, unless optional; targets that cannot fire a rule say so."""

from __future__ import annotations

import io

import pytest

from lambdachaos.scenarios import ScenarioError, bundled, load_scenario, run_scenario
from lambdachaos.scenarios._cli import run_main
from lambdachaos.scenarios._coverage import blocking, unreachable

from .conftest import MINIMAL

_NEVER = MINIMAL + """\
faults:
  rules:
    - id: never
      fault: {kind: invocation-error}
      target: {functionName: nobody}
{optional}
    - id: always
      fault: {kind: invocation-error}
"""


def _scenario(write, optional: str = ""):
    return load_scenario(write(_NEVER.replace("{optional}\n", optional)))


def test_a_rule_that_never_fires_fails_the_run_with_its_line(write):
    result = run_scenario(_scenario(write))
    checks = [(v.name, v.line, v.passed, v.observed) for v in result.verdicts if v.kind == "fault"]
    assert checks == [("fault never fires", 11, False, "0 firing(s)"), ("fault always fires", 14, True, "6 firing(s)")]
    assert not result.passed and result.exit_code == 1


def test_an_optional_rule_may_stay_unfired(write):
    result = run_scenario(_scenario(write, "      optional: true\n"))
    assert [v.name for v in result.verdicts if v.kind == "fault"] == ["fault always fires"]
    assert result.passed


def test_optional_must_be_a_boolean_and_the_error_names_its_line(write):
    with pytest.raises(ScenarioError, match=r"scenario\.yaml:\d+:\d+: faults\.rules\[0\]\.optional: optional='yes' "
                       r"must be true or false"):
        _scenario(write, "      optional: 'yes'\n")


def test_timeline_entries_take_optional_too(write):
    scenario = load_scenario(write(MINIMAL + "faults:\n  timeline:\n    - {from: 0, to: 5, fault: {kind: "
                                   "invocation-error}, optional: true}\n"))
    assert scenario.optional_faults == frozenset({"invocation-error-1"})


def test_the_simulator_can_fire_every_rule():
    assert unreachable(load_scenario(bundled("egress-outage")).faults, "sim") == {}


def test_egress_to_loopback_cannot_fire_on_localstack_but_can_on_aws():
    faults = load_scenario(bundled("egress-outage")).faults
    assert unreachable(faults, "aws") == {}
    (reason,) = unreachable(faults, "localstack").values()
    assert reason.startswith("on localstack every AWS call goes to the loopback endpoint, which egress-loss always "
                             "lets through")


def test_service_faults_cannot_fire_where_only_the_wrapper_injects(write):
    scenario = load_scenario(write(MINIMAL + """\
faults:
  rules:
    - {id: dup, fault: {kind: duplicate-delivery}}
    - {id: cap, fault: {kind: reserved-concurrency, reservedConcurrentExecutions: 0}}
"""))
    reasons = unreachable(scenario.faults, "aws")
    assert sorted(reasons) == ["cap", "dup"]
    assert reasons["dup"] == ("duplicate-delivery is a delivery fault of the Lambda service, which the simulator "
                              "applies; on aws the deployable wrapper injects invocation and outbound faults only")
    assert [(rid, line) for rid, line, _ in blocking(scenario, "localstack")] == [("dup", 11), ("cap", 12)]


def test_egress_outage_on_localstack_is_not_evaluated_never_passed():
    out, err = io.StringIO(), io.StringIO()
    assert run_main(["egress-outage", "--target", "localstack"], out=out, err=err) == 3
    lines = out.getvalue().splitlines()
    assert lines[0] == "scenario egress-outage on localstack: NOT EVALUATED (nothing was run)"
    assert lines[1].startswith("  fault vpc-egress-outage (line 34) cannot fire on localstack: on localstack every "
                               "AWS call goes to the loopback endpoint")
    assert "PASS" not in out.getvalue()
