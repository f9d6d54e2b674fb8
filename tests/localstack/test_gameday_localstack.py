"""The game-day flow (``lambdachaos.scenarios._gameday``) against a running LocalStack instead of AWS.

The function is created with plain boto3 first, as it would already exist in an account; ``apply`` then
changes its handler and environment, its reserved concurrency and two SSM parameters, injects the
scenario's events, and restores everything: the state afterwards must equal the state before.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import zipfile
from pathlib import Path

import boto3
import lambdachaos.faults as faults_pkg
import pytest

from lambdachaos.scenarios import bundled, load_scenario
from lambdachaos.scenarios._gameday import WRAPPER_HANDLER, Clients, apply, plan

pytestmark = pytest.mark.localstack

_APP = "def handler(event, context):\n    return {'ok': True}\n"
PLAN_PARAMETER = "/lambdachaos/egress-outage/plan"
KILL_SWITCH = "/lambdachaos/egress-outage/kill-switch"


def _zip() -> bytes:
    """app.py plus the fault wrapper shipped as ``chaos/`` (what docs/faults.md tells users to deploy)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("app.py", _APP)
        for path in sorted(Path(faults_pkg.__file__).parent.glob("*.py")):
            zf.writestr(f"chaos/{path.name}", path.read_text())
    return buf.getvalue()


@pytest.fixture
def clients(localstack):
    session = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test",
                                    region_name=localstack.region)
    c = Clients(session=session, endpoint_url=localstack.endpoint_url)
    c.lambda_.create_function(FunctionName="orders", Runtime="python3.12", Handler="app.handler",
                              Role="arn:aws:iam::000000000000:role/r", Code={"ZipFile": _zip()}, Timeout=3,
                              Environment={"Variables": {"STAGE": "prod"}})
    c.lambda_.get_waiter("function_active_v2").wait(FunctionName="orders",
                                                    WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})
    c.lambda_.put_function_concurrency(FunctionName="orders", ReservedConcurrentExecutions=7)
    c.ssm.put_parameter(Name=KILL_SWITCH, Value="true", Type="String", Overwrite=True)  # existed before the game day
    yield c
    c.lambda_.delete_function(FunctionName="orders")
    for name in (PLAN_PARAMETER, KILL_SWITCH):
        with contextlib.suppress(c.ssm.exceptions.ParameterNotFound):
            c.ssm.delete_parameter(Name=name)


def _state(c):
    cfg = c.lambda_.get_function_configuration(FunctionName="orders")
    params = {}
    for name in (PLAN_PARAMETER, KILL_SWITCH):
        try:
            params[name] = c.ssm.get_parameter(Name=name)["Parameter"]["Value"]
        except c.ssm.exceptions.ParameterNotFound:
            params[name] = None
    return {"handler": cfg["Handler"], "environment": (cfg.get("Environment") or {}).get("Variables"),
            "reserved": c.lambda_.get_function_concurrency(FunctionName="orders").get("ReservedConcurrentExecutions"),
            "parameters": params}


def test_apply_changes_the_account_injects_the_events_and_restores_the_original_state(clients):
    scenario = load_scenario(bundled("egress-outage"))
    orders = dataclasses.replace(scenario.functions["orders"], reserved_concurrency=2)
    p = plan(dataclasses.replace(scenario, functions={"orders": orders}), region=clients.region)
    assert [(c.service, c.action) for c in p.changes] == [
        ("ssm", "PutParameter"), ("ssm", "PutParameter"), ("lambda", "UpdateFunctionConfiguration"),
        ("lambda", "PutFunctionConcurrency")]
    before = _state(clients)
    assert before == {"handler": "app.handler", "environment": {"STAGE": "prod"}, "reserved": 7,
                      "parameters": {PLAN_PARAMETER: None, KILL_SWITCH: "true"}}
    during = []

    def sleep(seconds):  # called between injections: the changes are in place
        if not during:
            during.append(_state(clients))

    out = io.StringIO()
    results = apply(p, clients, out=out, speed=1000, sleep=sleep)
    assert results == {"injected": 30, "errors": []}
    changed = during[0]
    assert changed["handler"] == WRAPPER_HANDLER and changed["reserved"] == 2
    assert changed["environment"]["STAGE"] == "prod"
    assert changed["environment"]["LAMBDACHAOS_HANDLER"] == "app.handler"
    assert changed["environment"]["LAMBDACHAOS_PLAN_PARAMETER"] == PLAN_PARAMETER
    assert changed["parameters"][KILL_SWITCH] == "false"
    assert '"vpc-egress-outage"' in changed["parameters"][PLAN_PARAMETER]
    assert _state(clients) == before
    assert out.getvalue().endswith("injected 30 event(s)\nrestored 4 of 4 change(s)\n")


def test_a_failure_half_way_still_restores_every_change_made(clients):
    scenario = load_scenario(bundled("egress-outage"))
    p = plan(scenario, region=clients.region)
    p.injections = p.injections[:3]
    before = _state(clients)

    def sleep(seconds):
        raise KeyboardInterrupt  # Ctrl-C between the first and the second event

    with pytest.raises(KeyboardInterrupt):
        apply(p, clients, out=io.StringIO(), speed=1, sleep=sleep)
    assert _state(clients) == before
