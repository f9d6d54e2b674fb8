from __future__ import annotations

import re

import pytest

from lambdachaos import faults as F
from lambdachaos.faults import FaultPlan, When

ROLE = "arn:aws:iam::111111111111:role/fis"
FN = "arn:aws:lambda:us-east-1:111111111111:function:orders"
SUBNET = "arn:aws:ec2:us-east-1:111111111111:subnet/subnet-0a1b"


def test_lambda_faults_export_to_fis_lambda_actions():
    plan = FaultPlan.of(
        F.InvocationDelay(startup_delay_milliseconds=2000),
        F.InvocationError(prevent_execution=False),
        when=When(invocation_percentage=25),
    )
    export = plan.to_fis_template(role_arn=ROLE, function_arns=[FN], duration="PT5M")
    t = export.template
    assert t["roleArn"] == ROLE and t["stopConditions"] == [{"source": "none"}]
    assert t["targets"] == {
        "Functions": {"resourceType": "aws:lambda:function", "resourceArns": [FN], "selectionMode": "ALL"}
    }
    delay, error = t["actions"]["invocation-add-delay-1"], t["actions"]["invocation-error-1"]
    assert delay["actionId"] == "aws:lambda:invocation-add-delay"
    assert delay["parameters"] == {
        "duration": "PT5M",
        "invocationPercentage": "25",
        "startupDelayMilliseconds": "2000",
    }
    assert error["parameters"]["preventExecution"] == "false"
    assert export.unsupported == ()


def test_egress_loss_exports_to_network_disruption_and_the_rest_is_listed():
    plan = FaultPlan.of(
        F.EgressLoss(gateway_endpoints=("s3",)),
        F.OutOfMemory(),
        F.DuplicateDelivery(),
        F.InvocationError(),
        when=When(attempts=(1,)),
    )
    export = plan.to_fis_template(role_arn=ROLE, function_arns=[FN], subnet_arns=["arn:aws:ec2:::subnet/s-1"])
    action = export.template["actions"]["egress-loss-1"]
    assert action["actionId"] == "aws:network:disrupt-connectivity" and action["parameters"]["scope"] == "all"
    assert export.template["targets"]["Subnets"]["resourceType"] == "aws:ec2:subnet"
    reasons = dict(export.unsupported)
    assert "cannot keep VPC endpoints" in reasons["egress-loss-1"]
    assert reasons["out-of-memory-1"] == "FIS has no action for 'out-of-memory'"
    assert "duplicate-delivery-1" in reasons
    assert reasons["invocation-error-1"].endswith("attempts")


def test_role_arn_is_required():
    with pytest.raises(F.FaultPlanError, match=r"^role_arn='fis' is invalid"):
        FaultPlan().to_fis_template(role_arn="fis")


# The FIS actions reference (Lambda actions, aws:fis:wait, aws:network:disrupt-connectivity): parameter → check.
_ISO = re.compile(r"^PT(?=\d)(\d+H)?(\d+M)?(\d+S)?$")


def _int_in(lo, hi):
    return lambda v: v.isdigit() and lo <= int(v) <= hi


_BOOL = {"true", "false"}.__contains__
_DOCUMENTED = {
    "aws:lambda:invocation-add-delay": ({"duration"}, {"duration": _ISO.match, "invocationPercentage": _int_in(1, 100),
                                                       "startupDelayMilliseconds": _int_in(0, 900_000)}),
    "aws:lambda:invocation-error": ({"duration"}, {"duration": _ISO.match, "invocationPercentage": _int_in(1, 100),
                                                   "preventExecution": _BOOL}),
    "aws:lambda:invocation-http-integration-response": (
        {"duration", "statusCode", "contentTypeHeader"},
        {"duration": _ISO.match, "invocationPercentage": _int_in(1, 100), "preventExecution": _BOOL,
         "statusCode": lambda v: len(v) == 3 and v.isdigit(), "contentTypeHeader": bool}),
    "aws:fis:wait": ({"duration"}, {"duration": _ISO.match}),
    "aws:network:disrupt-connectivity": ({"duration"}, {"duration": _ISO.match, "scope": {
        "all", "availability-zone", "dynamodb", "prefix-list", "s3", "s3-express", "vpc"}.__contains__}),
}
_TARGET_TYPES = {"aws:lambda:invocation-add-delay": "aws:lambda:function", "aws:lambda:invocation-error":
                 "aws:lambda:function", "aws:lambda:invocation-http-integration-response": "aws:lambda:function",
                 "aws:network:disrupt-connectivity": "aws:ec2:subnet"}


def _problems(template):
    """Everything in ``template`` that FIS's documented action parameters and targets would refuse."""
    out, actions, targets = [], template["actions"], template["targets"]
    for name, action in actions.items():
        required, checks = _DOCUMENTED[action["actionId"]]
        params = action.get("parameters", {})
        out += [f"{name}: missing {p}" for p in sorted(required - set(params))]
        out += [f"{name}: unknown {p}" for p in sorted(set(params) - set(checks))]
        out += [f"{name}: {p}={v!r}" for p, v in params.items() if p in checks and not checks[p](v)]
        out += [f"{name}: startAfter {a} is not an action" for a in action.get("startAfter", ()) if a not in actions]
        for key in action.get("targets", {}).values():
            target = targets.get(key)
            if target is None or target["resourceType"] != _TARGET_TYPES[action["actionId"]]:
                out.append(f"{name}: target {key} missing or of the wrong type")
            elif not target.get("resourceArns") and not target.get("resourceTags"):
                out.append(f"{name}: target {key} selects nothing")
    return out


def _all_faults_plan():
    return FaultPlan.of(F.InvocationDelay(startup_delay_milliseconds=900_000), F.InvocationError(),
                        F.HttpIntegrationResponse(status_code=503), F.EgressLoss(),
                        when=When(start_seconds=30, end_seconds=90, invocation_percentage=0.4))


def test_every_exported_action_uses_only_fis_documented_parameters_and_values():
    export = _all_faults_plan().to_fis_template(role_arn=ROLE, function_arns=[FN], subnet_arns=[SUBNET])
    assert _problems(export.template) == []
    assert len(export.template["actions"]) == 8  # four faults, each after its own wait


def test_the_validator_catches_what_fis_refuses():
    export = FaultPlan.of(F.InvocationError()).to_fis_template(role_arn=ROLE, function_arns=[FN])
    action = export.template["actions"]["invocation-error-1"]
    action["parameters"].update(invocationPercentage="0", retries="2")
    export.template["targets"]["Functions"]["resourceArns"] = []
    assert _problems(export.template) == ["invocation-error-1: unknown retries",
                                          "invocation-error-1: invocationPercentage='0'",
                                          "invocation-error-1: target Functions selects nothing"]


def test_a_window_is_a_wait_then_the_fault_for_exactly_its_length():
    export = FaultPlan.of(F.InvocationError(), when=When(start_seconds=30, end_seconds=90)).to_fis_template(
        role_arn=ROLE, function_arns=[FN])
    actions = export.template["actions"]
    assert actions["invocation-error-1-wait"] == {"actionId": "aws:fis:wait", "description":
                                                  "start of rule invocation-error-1's window",
                                                  "parameters": {"duration": "PT30S"}}
    assert actions["invocation-error-1"]["startAfter"] == ["invocation-error-1-wait"]
    assert actions["invocation-error-1"]["parameters"]["duration"] == "PT60S"
    assert export.unsupported == ()


def test_a_window_from_zero_has_no_wait_and_fractional_seconds_are_listed():
    export = FaultPlan.of(F.InvocationError(), when=When(end_seconds=10.5)).to_fis_template(
        role_arn=ROLE, function_arns=[FN])
    assert list(export.template["actions"]) == ["invocation-error-1"]
    assert export.unsupported == (("invocation-error-1", "window [0, 10.5) exported as [0, 10) (FIS waits and "
                                   "lasts whole seconds)"),)


def test_a_fractional_percentage_is_listed_never_exported_as_zero():
    export = FaultPlan.of(F.InvocationError(), when=When(invocation_percentage=0.4)).to_fis_template(
        role_arn=ROLE, function_arns=[FN])
    assert export.template["actions"]["invocation-error-1"]["parameters"]["invocationPercentage"] == "1"
    assert export.unsupported == (("invocation-error-1", "invocation_percentage=0.4: FIS takes a whole percentage "
                                   "from 1 to 100, exported as 1"),)


def test_function_names_are_refused_and_an_empty_function_target_too():
    plan = FaultPlan.of(F.InvocationError())
    with pytest.raises(F.FaultPlanError, match=r"^function_arns='orders' is invalid: FIS targets resources by ARN"):
        plan.to_fis_template(role_arn=ROLE, function_arns=["orders"])
    with pytest.raises(F.FaultPlanError, match=r"^function_arns=\[\] is invalid: the Functions target would select "
                       r"nothing"):
        plan.to_fis_template(role_arn=ROLE)


def test_subnets_come_from_arns_or_a_tag_filter_and_an_empty_subnet_target_is_refused():
    plan = FaultPlan.of(F.EgressLoss())
    with pytest.raises(F.FaultPlanError, match=r"^subnet_arns=\[\] is invalid: the Subnets target of an egress"):
        plan.to_fis_template(role_arn=ROLE)
    with pytest.raises(F.FaultPlanError, match=r"^subnet_arns='subnet-1' is invalid"):
        plan.to_fis_template(role_arn=ROLE, subnet_arns=["subnet-1"])
    from lambdachaos.faults import to_fis_template

    export = to_fis_template(plan, role_arn=ROLE, subnet_tags={"tier": "app"})
    assert export.template["targets"]["Subnets"] == {"resourceType": "aws:ec2:subnet", "selectionMode": "ALL",
                                                     "resourceTags": {"tier": "app"}}
