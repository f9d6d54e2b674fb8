"""Game days: the dry-run plan, apply and restore against stubbed AWS clients (also on Ctrl-C), FIS export."""

from __future__ import annotations

import io
import json

import boto3
import pytest
from botocore.stub import ANY, Stubber

from lambdachaos.scenarios import bundled, load_scenario
from lambdachaos.scenarios._cli import run_main
from lambdachaos.scenarios._gameday import WRAPPER_HANDLER, Clients, apply, plan


def _clients():
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                    region_name="us-east-1")
    return Clients(session=session)


def _egress_plan():
    p = plan(load_scenario(bundled("egress-outage")), region="us-east-1")
    p.injections = p.injections[:2]  # keep the stubbed conversation short
    return p


@pytest.fixture
def aws(monkeypatch, tmp_path):
    """A mocked account (moto) in us-east-1 with test credentials."""
    from moto import mock_aws

    from .conftest import fake_aws_env

    fake_aws_env(monkeypatch, tmp_path, "us-east-1")
    with mock_aws():
        yield


def test_the_dry_run_is_the_default_and_prints_every_change_without_changing_anything(aws):
    out, err = io.StringIO(), io.StringIO()
    assert run_main(["egress-outage", "--target", "aws"], out=out, err=err) == 0
    text = out.getvalue()
    assert text.startswith("game day plan for scenario 'egress-outage' (dry run: nothing was changed)\n")
    assert "  1. ssm PutParameter /lambdachaos/egress-outage/plan\n" in text
    assert "  2. ssm PutParameter /lambdachaos/egress-outage/kill-switch\n" in text
    assert "  3. lambda UpdateFunctionConfiguration orders\n" in text
    assert "  30 × lambda Invoke (async) → orders\n" in text
    assert "  CloudWatch Logs /aws/lambda/orders (the wrapper's lambdachaos JSON lines)\n" in text
    assert text.endswith("every change is restored afterwards (also on Ctrl-C).\n")


def _stub_changes(c, stubs):
    ssm, lam = stubs["ssm"], stubs["lambda"]
    for name in ("/lambdachaos/egress-outage/plan", "/lambdachaos/egress-outage/kill-switch"):
        ssm.add_client_error("get_parameter", "ParameterNotFound", expected_params={"Name": name, })
        ssm.add_response("put_parameter", {"Version": 1},
                         {"Name": name, "Value": ANY, "Type": "String", "Overwrite": True})
    lam.add_response("get_function_configuration", {"Handler": "app.handler",
                                                    "Environment": {"Variables": {"STAGE": "prod"}}},
                     {"FunctionName": "orders"})
    lam.add_response("update_function_configuration", {}, {"FunctionName": "orders", "Handler": WRAPPER_HANDLER,
                                                           "Environment": ANY})


def _stub_restore(stubs):
    stubs["lambda"].add_response("update_function_configuration", {}, {
        "FunctionName": "orders", "Handler": "app.handler", "Environment": {"Variables": {"STAGE": "prod"}}})
    for name in ("/lambdachaos/egress-outage/kill-switch", "/lambdachaos/egress-outage/plan"):
        stubs["ssm"].add_response("delete_parameter", {}, {"Name": name})


def test_apply_changes_injects_and_restores_everything_in_reverse_order():
    c = _clients()
    stubs = {"ssm": Stubber(c.ssm), "lambda": Stubber(c.lambda_)}
    _stub_changes(c, stubs)
    for _ in range(2):
        stubs["lambda"].add_response("invoke", {"StatusCode": 202},
                                     {"FunctionName": "orders", "InvocationType": "Event", "Payload": ANY})
    _stub_restore(stubs)
    out, waits = io.StringIO(), []
    with stubs["ssm"], stubs["lambda"]:
        results = apply(_egress_plan(), c, out=out, speed=10, sleep=waits.append)
        for s in stubs.values():
            s.assert_no_pending_responses()
    assert results == {"injected": 2, "errors": []}
    assert waits == [0.5]  # the second order was sent 5 s after the first, at speed 10
    assert out.getvalue().endswith("injected 2 event(s)\nrestored 3 of 3 change(s)\n")


def test_the_wrapped_function_keeps_its_environment_and_its_real_handler():
    c = _clients()
    stub = Stubber(c.lambda_)
    stub.add_response("get_function_configuration", {"Handler": "app.handler",
                                                     "Environment": {"Variables": {"STAGE": "prod"}}})
    seen = {}

    def capture(**kwargs):
        seen.update(kwargs)

    from lambdachaos.scenarios._gameday import _apply_change

    change = next(ch for ch in _egress_plan().changes if ch.service == "lambda")
    with stub:
        c.lambda_.update_function_configuration = capture
        _apply_change(change, c)
    env = seen["Environment"]["Variables"]
    assert env["STAGE"] == "prod" and env["LAMBDACHAOS_HANDLER"] == "app.handler"
    assert env["LAMBDACHAOS_PLAN_PARAMETER"] == "/lambdachaos/egress-outage/plan"


def test_ctrl_c_during_injection_still_restores_every_change():
    c = _clients()
    stubs = {"ssm": Stubber(c.ssm), "lambda": Stubber(c.lambda_)}
    _stub_changes(c, stubs)
    stubs["lambda"].add_response("invoke", {"StatusCode": 202})
    _stub_restore(stubs)

    def interrupt(_seconds):
        raise KeyboardInterrupt

    out = io.StringIO()
    with stubs["ssm"], stubs["lambda"], pytest.raises(KeyboardInterrupt):
        apply(_egress_plan(), c, out=out, speed=1, sleep=interrupt)
    for s in stubs.values():
        s.assert_no_pending_responses()
    assert out.getvalue().endswith("restored 3 of 3 change(s)\n")


def test_a_previous_parameter_value_and_reserved_concurrency_are_put_back():
    from lambdachaos.scenarios._gameday import Change, _apply_change

    c = _clients()
    ssm, lam = Stubber(c.ssm), Stubber(c.lambda_)
    ssm.add_response("get_parameter", {"Parameter": {"Name": "/p", "Value": "old"}}, {"Name": "/p"})
    ssm.add_response("put_parameter", {"Version": 2}, {"Name": "/p", "Value": "new", "Type": "String",
                                                       "Overwrite": True})
    ssm.add_response("put_parameter", {"Version": 3}, {"Name": "/p", "Value": "old", "Type": "String",
                                                       "Overwrite": True})
    lam.add_response("get_function_concurrency", {"ReservedConcurrentExecutions": 50}, {"FunctionName": "f"})
    lam.add_response("put_function_concurrency", {"ReservedConcurrentExecutions": 0},
                     {"FunctionName": "f", "ReservedConcurrentExecutions": 0})
    lam.add_response("put_function_concurrency", {"ReservedConcurrentExecutions": 50},
                     {"FunctionName": "f", "ReservedConcurrentExecutions": 50})
    with ssm, lam:
        _apply_change(Change("ssm", "PutParameter", "/p", "new", ""), c)()
        _apply_change(Change("lambda", "PutFunctionConcurrency", "f", 0, ""), c)()
        ssm.assert_no_pending_responses()
        lam.assert_no_pending_responses()


def test_fis_export_writes_the_template_and_names_what_fis_cannot_express(tmp_path, aws):
    out, err = io.StringIO(), io.StringIO()
    path = tmp_path / "fis.json"
    code = run_main(["egress-outage", "--target", "aws", "--fis", str(path), "--role-arn",
                     "arn:aws:iam::123456789012:role/fis", "--function-arn",
                     "orders=arn:aws:lambda:us-east-1:123456789012:function:orders",
                     "--subnet-arn", "arn:aws:ec2:us-east-1:123456789012:subnet/subnet-1"], out=out, err=err)
    assert code == 0
    doc = json.loads(path.read_text())
    assert doc["template"]["roleArn"] == "arn:aws:iam::123456789012:role/fis"
    assert out.getvalue().startswith(f"FIS experiment template written to {path}")
    assert run_main(["egress-outage", "--target", "aws", "--fis", str(path)], out=out, err=err) == 2
    assert err.getvalue() == "error: --fis needs --role-arn (the FIS experiment role)\n"


def test_fis_export_refuses_function_names_and_an_empty_subnet_target(tmp_path, aws):
    def fis(*extra):
        out, err = io.StringIO(), io.StringIO()
        code = run_main(["egress-outage", "--target", "aws", "--fis", str(tmp_path / "f.json"), "--role-arn",
                         "arn:aws:iam::123456789012:role/fis", *extra], out=out, err=err)
        return code, err.getvalue()

    assert fis() == (2, "error: --fis needs the ARN of function(s) orders: pass --function-arn NAME=ARN, or "
                        "--account ID to build arn:aws:lambda:us-east-1:ID:function:NAME\n")
    code, err = fis("--account", "123456789012")
    assert code == 2 and err.startswith("error: --fis: subnet_arns=[] is invalid: the Subnets target of an egress")
    assert fis("--account", "123456789012", "--subnet-tag", "tier=app") == (0, "")
    template = json.loads((tmp_path / "f.json").read_text())["template"]
    assert template["targets"] == {"Subnets": {"resourceType": "aws:ec2:subnet", "selectionMode": "ALL",
                                               "resourceTags": {"tier": "app"}}}
    assert template["actions"]["vpc-egress-outage"]["parameters"] == {"duration": "PT100S", "scope": "all"}


def _wrapper_line(rid, attempt, outcome):
    line = {"lambdachaos": "invocation", "requestId": rid, "functionName": "orders", "qualifier": None,
            "eventSource": None, "attempt": attempt, "coldStart": attempt == 1, "time": 1.0, "records": [],
            "faults": [{"rule_id": "vpc-egress-outage", "kind": "egress-loss", "effect": "blackhole"}]
            if outcome == "error" else [], "outcome": outcome}
    return f"2026-01-01T00:00:0{attempt}.000Z\t{rid}\tINFO\t{json.dumps(line)}"


def test_apply_reads_the_wrapper_lines_and_queues_back_and_prints_the_verdict_before_nothing_is_left_changed():
    from lambdachaos.scenarios._gameday_read import result_queues

    scenario = load_scenario(bundled("egress-outage"))
    assert result_queues(scenario) == {"orders-dlq": "dlq", "orders-failures": "on_failure"}
    c = _clients()
    stubs = {"ssm": Stubber(c.ssm), "lambda": Stubber(c.lambda_), "sqs": Stubber(c.sqs), "logs": Stubber(c.logs)}
    _stub_changes(c, stubs)
    for rid in ("req-1", "req-2"):
        stubs["lambda"].add_response("invoke", {"StatusCode": 202, "ResponseMetadata": {"RequestId": rid}},
                                     {"FunctionName": "orders", "InvocationType": "Event", "Payload": ANY})
    urls = {q: f"https://sqs.us-east-1.amazonaws.com/123456789012/{q}" for q in ("orders-dlq", "orders-failures")}
    for q, url in urls.items():
        stubs["sqs"].add_response("get_queue_url", {"QueueUrl": url}, {"QueueName": q})
    stubs["logs"].add_response("filter_log_events", {"events": [
        {"logStreamName": "s1", "timestamp": 1, "message": _wrapper_line("req-1", 1, "error")},
        {"logStreamName": "s1", "timestamp": 2, "message": _wrapper_line("req-1", 2, "success")},
        {"logStreamName": "s2", "timestamp": 3, "message": _wrapper_line("req-2", 1, "success")},
        {"logStreamName": "s2", "timestamp": 4, "message": "END RequestId: req-2"}]},
        {"logGroupName": "/aws/lambda/orders", "startTime": ANY, "filterPattern": '"lambdachaos"'})
    for url in urls.values():
        stubs["sqs"].add_response("get_queue_attributes", {"Attributes": {
            "ApproximateNumberOfMessages": "0", "ApproximateNumberOfMessagesNotVisible": "0"}})
        stubs["sqs"].add_response("receive_message", {"Messages": []}, {
            "QueueUrl": url, "MaxNumberOfMessages": 10, "VisibilityTimeout": 0, "WaitTimeSeconds": 0,
            "MessageAttributeNames": ["All"], "AttributeNames": ["All"]})
    for q, url in urls.items():
        stubs["sqs"].add_response("get_queue_attributes", {"Attributes": {"QueueArn": f"arn:aws:sqs:us-east-1:1:{q}"}},
                                  {"QueueUrl": url, "AttributeNames": ["QueueArn"]})
    _stub_restore(stubs)
    p = plan(scenario, region="us-east-1")
    p.injections = p.injections[:2]
    out = io.StringIO()
    with stubs["ssm"], stubs["lambda"], stubs["sqs"], stubs["logs"]:
        results = apply(p, c, out=out, speed=10, sleep=lambda s: None, scenario=scenario, wait_seconds=0)
        for s in stubs.values():
            s.assert_no_pending_responses()
    text = out.getvalue()
    assert "waiting for results: 3 attempt line(s), 0 message(s) on result queues (0 s of 0 s)\n" in text
    assert text.index("restored 3 of 3 change(s)\n") < text.index("expectations (on the ledger rebuilt")
    assert "  PASS every order is charged in the end (line " in text
    assert "  PASS the dead-letter queue stays empty (line " in text
    assert "  PASS fault vpc-egress-outage fires (line 34): 1 firing(s)\n" in text
    assert "  NOT EVALUATED every order is charged within four minutes (line " in text
    assert "attempt durations are not in the fault wrapper's log lines\n" in text
    assert text.endswith("verdict: INCOMPLETE (5 passed, 0 failed, 1 not evaluated)\n")
    assert results["verdict"] == "INCOMPLETE" and len(results["readback"].attempts) == 3
