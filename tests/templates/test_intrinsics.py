"""Each intrinsic function resolved offline, nested and on both branches of conditions; every error path."""

from __future__ import annotations

import pytest

from lambdachaos import Sim
from lambdachaos.templates import TemplateError
from lambdachaos.templates._intrinsics import NO_VALUE, Resolver, parameter_values

TEMPLATE = {
    "Parameters": {"Env": {"Type": "String", "Default": "dev"}, "Zones": {"Type": "CommaDelimitedList",
                                                                          "Default": "a,b"}},
    "Mappings": {"Sizes": {"dev": {"Memory": 128}, "prod": {"Memory": 2048}}},
    "Conditions": {
        "IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
        "IsDev": {"Fn::Not": [{"Condition": "IsProd"}]},
        "DevAndEast": {"Fn::And": [{"Condition": "IsDev"}, {"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]}]},
        "ProdOrWest": {"Fn::Or": [{"Condition": "IsProd"}, {"Fn::Equals": ["us-west-2", {"Ref": "AWS::Region"}]}]},
        "Loop": {"Condition": "Loop"},
    },
    "Resources": {"Queue": {"Type": "AWS::SQS::Queue"}},
}


def _resolver(**parameters: str) -> Resolver:
    values = parameter_values(TEMPLATE["Parameters"], parameters)
    return Resolver(
        template=TEMPLATE, parameters=values, pseudo={"AWS::Region": "us-east-1", "AWS::AccountId": "123456789012"},
        ref=lambda lid: f"ref-of-{lid}", get_att=_get_att, imports={"shared-bus": "arn:bus"},
        ssm={"/orders/table": "orders-table"}, region="us-east-1",
    )


def _get_att(logical: str, attribute: str) -> str:
    if attribute != "Arn":
        raise KeyError(f"AWS::SQS::Queue has no attribute {attribute!r}")
    return f"arn-of-{logical}"


@pytest.mark.parametrize(("value", "expected"), [
    ({"Ref": "Env"}, "dev"),
    ({"Ref": "Zones"}, ["a", "b"]),
    ({"Ref": "AWS::AccountId"}, "123456789012"),
    ({"Ref": "Queue"}, "ref-of-Queue"),
    ({"Fn::GetAtt": ["Queue", "Arn"]}, "arn-of-Queue"),
    ({"Fn::GetAtt": "Queue.Arn"}, "arn-of-Queue"),
    ({"Fn::Sub": "${Env}-${AWS::Region}-${Queue.Arn}-${!Literal}"}, "dev-us-east-1-arn-of-Queue-${Literal}"),
    ({"Fn::Sub": ["${Name}/${Env}", {"Name": {"Fn::Join": ["+", ["x", "y"]]}}]}, "x+y/dev"),
    ({"Fn::Join": [",", [{"Ref": "Env"}, {"Fn::Select": [1, {"Ref": "Zones"}]}]]}, "dev,b"),
    ({"Fn::Select": ["0", {"Fn::Split": ["/", "p/q/r"]}]}, "p"),
    ({"Fn::FindInMap": ["Sizes", {"Ref": "Env"}, "Memory"]}, 128),
    ({"Fn::FindInMap": ["Sizes", "qa", "Memory", {"DefaultValue": 64}]}, 64),
    ({"Fn::Base64": {"Fn::Sub": "${Env}"}}, "ZGV2"),
    ({"Fn::GetAZs": ""}, ["us-east-1a", "us-east-1b", "us-east-1c"]),
    ({"Fn::ImportValue": "shared-bus"}, "arn:bus"),
    ("{{resolve:ssm:/orders/table}}-copy", "orders-table-copy"),
    ({"Fn::If": ["IsProd", "big", "small"]}, "small"),
    ({"Fn::If": ["IsDev", {"Fn::If": ["DevAndEast", "dev-east", "dev-other"]}, "prod"]}, "dev-east"),
    ({"Fn::If": ["ProdOrWest", "a", "b"]}, "b"),
    ({"Keep": 1, "Drop": {"Fn::If": ["IsProd", 1, {"Ref": "AWS::NoValue"}]}}, {"Keep": 1}),
    ([1, {"Ref": "AWS::NoValue"}, 2], [1, 2]),
])
def test_each_intrinsic_resolves(value, expected):
    assert _resolver().resolve(value, "R") == expected


def test_conditions_take_the_other_branch_with_other_parameters():
    prod = _resolver(Env="prod")
    assert prod.resolve({"Fn::If": ["IsProd", "big", "small"]}, "R") == "big"
    assert prod.resolve({"Fn::If": ["ProdOrWest", "a", "b"]}, "R") == "a"
    assert prod.resolve({"Fn::FindInMap": ["Sizes", {"Ref": "Env"}, "Memory"]}, "R") == 2048
    assert prod.resolve({"Fn::If": ["IsProd", {"Ref": "AWS::NoValue"}, 1]}, "R") is NO_VALUE


@pytest.mark.parametrize(("value", "message"), [
    ({"Ref": "Nope"}, "R: A.Ref: Ref 'Nope': no parameter, pseudo parameter or resource has this name"),
    ({"Fn::GetAtt": ["Queue", "QueueColour"]},
     "R: A.Fn::GetAtt: Fn::GetAtt Queue.QueueColour: AWS::SQS::Queue has no attribute 'QueueColour'"),
    ({"Fn::GetAtt": ["Ghost", "Arn"]}, "R: A.Fn::GetAtt: Fn::GetAtt Ghost.Arn: no resource 'Ghost' in the template"),
    ({"Fn::If": ["Unknown", 1, 2]}, "R: A.Fn::If: condition 'Unknown' is not declared in Conditions"),
    ({"Fn::If": ["Loop", 1, 2]}, "R: Conditions.Loop.Condition: condition 'Loop' refers to itself"),
    ({"Fn::Select": [5, [1]]}, "R: A.Fn::Select: Fn::Select index 5 is outside the list of 1 items"),
    ({"Fn::FindInMap": ["Sizes", "qa", "Memory"]},
     "R: A.Fn::FindInMap: Fn::FindInMap: mapping 'Sizes' has no key ['qa']['Memory']"),
    ({"Fn::ImportValue": "other"},
     "R: A.Fn::ImportValue: Fn::ImportValue: no export named 'other' (give it in imports=; known: ['shared-bus'])"),
    ("{{resolve:ssm:/missing}}",
     "R: A: dynamic reference {{resolve:ssm:/missing}}: no value for '/missing' (give it in ssm={'/missing': ...}, "
     "or put the parameter with boto3 inside the simulation before loading)"),
    ({"Fn::Join": ["-", [{"Fn::GetAZs": ""}]]}, "R: A.Fn::Join: expected a string here, got ['us-east-1a', "
                                                "'us-east-1b', 'us-east-1c']"),
    ({"Fn::If": ["IsProd", 1]}, "R: A.Fn::If: Fn::If takes [Condition, ValueIfTrue, ValueIfFalse], "
                                "got ['IsProd', 1]"),
])
def test_an_unresolvable_intrinsic_names_its_property_path(value, message):
    with pytest.raises(TemplateError) as raised:
        _resolver().resolve({"A": value}, "R")
    assert str(raised.value) == message


def test_import_value_and_ssm_come_from_the_load_options(tmp_path):
    template = tmp_path / "stack.yaml"
    template.write_text(
        "Parameters:\n  TableName: {Type: 'AWS::SSM::Parameter::Value<String>', Default: /orders/table}\n"
        "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n"
        "      QueueName: !Sub ['${T}-${Imported}', {T: !Ref TableName, Imported: !ImportValue shared-prefix}]\n"
    )
    with Sim.from_template(template, imports={"shared-prefix": "blue"}, ssm={"/orders/table": "orders"}) as sim:
        assert sim.resources["Q"].name == "orders-blue"


def test_several_stacks_load_into_one_simulation(tmp_path):
    (tmp_path / "a.yaml").write_text("Resources:\n  Jobs: {Type: AWS::SQS::Queue}\n")
    (tmp_path / "b.yaml").write_text("Resources:\n  Jobs: {Type: AWS::SQS::Queue}\n  Other: {Type: AWS::SNS::Topic}\n")
    with Sim(seed=2) as sim:
        first = sim.load_template(tmp_path / "a.yaml")
        second = sim.load_template(tmp_path / "b.yaml")
        assert first.resources["Jobs"].name.startswith("a-Jobs-")
        assert second.resources["Jobs"].name.startswith("b-Jobs-")
        assert sorted(sim.queues) == sorted([first.resources["Jobs"].name, second.resources["Jobs"].name])
        assert sim.resources["Jobs"] is second.resources["Jobs"]  # a later stack wins a shared logical id
        assert [t.stack_name for t in sim.templates] == ["a", "b"]
