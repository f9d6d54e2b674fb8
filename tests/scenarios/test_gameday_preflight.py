"""Game days you can review: account and region in the plan, settings checked, pre-flight before any change
(exit 2), confirmation, and a journal that makes the restore exact. AWS is moto (``mock_aws``)."""

from __future__ import annotations

import io
import json
import zipfile

import boto3
import pytest
from moto import mock_aws

from lambdachaos.scenarios import bundled, load_scenario
from lambdachaos.scenarios._cli import run_main
from lambdachaos.scenarios._gameday import Clients, Journal, _apply_change, plan, restore_journal

from .conftest import fake_aws_env

_ACCOUNT = "123456789012"


@pytest.fixture(autouse=True)
def aws_env(monkeypatch, tmp_path):
    fake_aws_env(monkeypatch, tmp_path, "eu-west-1")
    monkeypatch.chdir(tmp_path)


def _run(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = run_main(["egress-outage", "--target", "aws", *argv], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(autouse=True)
def dead_letter_config(monkeypatch):
    """moto 5 drops a function's DeadLetterConfig; keep it as Lambda does (GetFunctionConfiguration shows it)."""
    from moto.awslambda import models

    real = models.LambdaFunction.get_configuration

    def get_configuration(self, on_create=False):
        cfg = real(self, on_create)
        target = _DLQ.get(self.function_name)
        return {**cfg, "DeadLetterConfig": {"TargetArn": target}} if target else cfg

    monkeypatch.setattr(models.LambdaFunction, "get_configuration", get_configuration)
    _DLQ.clear()


_DLQ: dict[str, str] = {}


def _deploy(region="eu-west-1", *, dlq="orders-dlq", retries=2):
    """The egress-outage account: the function with its DLQ and asynchronous settings, the queues."""
    iam = boto3.client("iam", region_name=region)
    role = iam.create_role(RoleName="r", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    sqs = boto3.client("sqs", region_name=region)
    arns = {}
    for name in ("orders-dlq", "orders-failures", "other-dlq"):
        url = sqs.create_queue(QueueName=name)["QueueUrl"]
        arns[name] = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("app.py", "def handler(e, c):\n    return e\n")
    lam = boto3.client("lambda", region_name=region)
    lam.create_function(FunctionName="orders", Runtime="python3.12", Handler="app.handler", Role=role,
                        Code={"ZipFile": buf.getvalue()}, DeadLetterConfig={"TargetArn": arns[dlq]},
                        Environment={"Variables": {"STAGE": "prod"}})
    _DLQ["orders"] = arns[dlq]
    lam.put_function_event_invoke_config(FunctionName="orders", MaximumRetryAttempts=retries, DestinationConfig={
        "OnFailure": {"Destination": arns["orders-failures"]}})
    return lam


@mock_aws
def test_the_plan_names_account_and_region_from_the_session_and_checks_the_settings_it_relies_on():
    _deploy()
    code, out, err = _run()
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[1:3] == [f"account: {_ACCOUNT} (arn:aws:sts::{_ACCOUNT}:user/moto)", "region: eu-west-1"]
    assert "us-east-1" not in out
    checks = out[out.index("settings the expectations rely on"):].splitlines()[1:4]
    assert checks == [
        "  ok   function orders: arn:aws:lambda:eu-west-1:123456789012:function:orders exists",
        "  ok   function orders dead-letter queue: DeadLetterConfig.TargetArn is "
        "'arn:aws:sqs:eu-west-1:123456789012:orders-dlq', the scenario says orders-dlq",
        "  ok   function orders async settings: as the scenario says"]
    assert "NOT EVALUATED" not in out


@mock_aws
def test_every_change_is_printed_in_full_wrapped_never_cut():
    code, out, _ = _run("--region", "ap-south-1")
    assert code == 0 and "region: ap-south-1" in out
    block = out[out.index("  1. ssm PutParameter"):out.index("  2. ssm PutParameter")].splitlines()
    assert block[1].startswith("       set: {") and all(len(line) <= 100 for line in block)
    value = "".join(line[12:] for line in block[1:-1])
    scenario = load_scenario(bundled("egress-outage"))
    assert json.loads(value) == json.loads(scenario.faults.to_json(indent=None))


@mock_aws
def test_a_setting_the_expectations_rely_on_that_differs_is_shown_and_stops_apply_before_any_change():
    _deploy(dlq="other-dlq", retries=0)
    code, out, _ = _run()
    assert code == 0
    assert ("  DIFF function orders async settings: MaximumRetryAttempts is 0 in the account, the scenario says 2"
            in out)
    code, out, err = _run("--apply", "--yes")
    assert (code, out) == (2, "")
    assert err.startswith("error: pre-flight failed, nothing was changed:\n")
    assert "  DIFF function orders dead-letter queue: DeadLetterConfig.TargetArn is " in err
    with pytest.raises(Exception, match="ParameterNotFound"):
        boto3.client("ssm", region_name="eu-west-1").get_parameter(Name="/lambdachaos/egress-outage/plan")


def test_apply_without_credentials_stops_in_one_message_with_exit_2(monkeypatch):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    code, out, err = _run("--apply", "--yes")
    assert (code, out) == (2, "")
    assert err == ("error: pre-flight failed, nothing was changed: no AWS credentials found (environment, profile, "
                   "SSO or instance role)\n")


def test_without_a_region_anywhere_the_game_day_refuses(monkeypatch):
    monkeypatch.delenv("AWS_REGION")
    assert _run() == (2, "", "error: no region: pass --region, set AWS_REGION, or set settings.region in the "
                             "scenario\n")


@mock_aws
def test_a_missing_target_fails_the_pre_flight():
    code, _, err = _run("--apply", "--yes")
    assert code == 2
    assert "  DIFF function orders: cannot be described: ResourceNotFoundException" in err


@mock_aws
def test_apply_asks_for_confirmation_and_refuses_without_a_terminal(monkeypatch):
    _deploy()
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    code, out, err = _run("--apply")
    assert code == 2
    assert out.startswith(f"pre-flight passed: account {_ACCOUNT} (arn:aws:sts::{_ACCOUNT}:user/moto), region "
                          "eu-west-1, 3 change(s)\n")
    assert err == "error: --apply changes a real account: confirm in a terminal, or pass --yes\n"


@mock_aws
def test_the_journal_records_each_previous_value_so_a_later_restore_is_exact(tmp_path):
    lam = _deploy()
    ssm = boto3.client("ssm", region_name="eu-west-1")
    ssm.put_parameter(Name="/lambdachaos/egress-outage/kill-switch", Value="true", Type="String")
    clients = Clients(region="eu-west-1")
    p = plan(load_scenario(bundled("egress-outage")), region="eu-west-1")
    journal = Journal(tmp_path / "j.json", scenario="egress-outage", account=_ACCOUNT, region="eu-west-1")
    for change in p.changes:  # a game day that died after its changes, before any restore
        _apply_change(change, clients, lambda previous, change=change: journal.add(change, previous))
    assert lam.get_function_configuration(FunctionName="orders")["Handler"] == "chaos.wrapper.handler"
    recorded = json.loads((tmp_path / "j.json").read_text())["changes"]
    assert [(c["resource"], c["previous"]) for c in recorded] == [
        ("/lambdachaos/egress-outage/plan", None), ("/lambdachaos/egress-outage/kill-switch", "true"),
        ("orders", {"Handler": "app.handler", "Environment": {"STAGE": "prod"}})]
    out = io.StringIO()
    assert restore_journal(tmp_path / "j.json", clients, out) == 0
    cfg = lam.get_function_configuration(FunctionName="orders")
    assert (cfg["Handler"], cfg["Environment"]["Variables"]) == ("app.handler", {"STAGE": "prod"})
    assert ssm.get_parameter(Name="/lambdachaos/egress-outage/kill-switch")["Parameter"]["Value"] == "true"
    with pytest.raises(Exception, match="ParameterNotFound"):
        ssm.get_parameter(Name="/lambdachaos/egress-outage/plan")
    assert all(c["restored"] for c in json.loads((tmp_path / "j.json").read_text())["changes"])
    assert restore_journal(tmp_path / "j.json", clients, io.StringIO()) == 0  # nothing left to put back
