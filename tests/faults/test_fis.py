from __future__ import annotations

import pytest
from lambdachaos.faults import FaultPlan, When

from lambdachaos import faults as F

ROLE = "arn:aws:iam::111111111111:role/fis"
FN = "arn:aws:lambda:us-east-1:111111111111:function:orders"


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
