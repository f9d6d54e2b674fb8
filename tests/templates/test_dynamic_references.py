"""Dynamic references and SSM parameter types: from the ``ssm=`` map, else from the simulation's own SSM
parameters and Secrets Manager secrets (put with boto3 inside the simulation); ``ssm-secure`` is refused."""

from __future__ import annotations

import json

import boto3
import pytest

from lambdachaos import Sim
from lambdachaos.templates import TemplateError

REGION = "us-east-1"


def _queue_named(tmp_path, name: str, parameters: str = "", *, raw: bool = False) -> str:
    template = tmp_path / "stack.yaml"
    template.write_text(f"{parameters}Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n"
                        f"      QueueName: {name if raw else json.dumps(name)}\n")
    return str(template)


def _ssm():
    return boto3.client("ssm", region_name=REGION)


def _secrets():
    return boto3.client("secretsmanager", region_name=REGION)


def test_an_ssm_reference_reads_the_parameter_put_in_the_simulation(tmp_path):
    with Sim(seed=1) as sim:
        _ssm().put_parameter(Name="/orders/queue", Value="orders-v1", Type="String")
        _ssm().put_parameter(Name="/orders/queue", Value="orders-v2", Type="String", Overwrite=True)
        sim.load_template(_queue_named(tmp_path, "{{resolve:ssm:/orders/queue}}-{{resolve:ssm:/orders/queue:1}}"))
        assert sim.resources["Q"].name == "orders-v2-orders-v1"


def test_the_ssm_map_is_read_before_the_simulation_store(tmp_path):
    with Sim(seed=1) as sim:
        _ssm().put_parameter(Name="/orders/queue", Value="stored", Type="String")
        sim.load_template(_queue_named(tmp_path, "{{resolve:ssm:/orders/queue}}-{{resolve:ssm:/orders/queue:1}}-"
                                                 "{{resolve:ssm:/orders/other:3}}"),
                          ssm={"/orders/queue": "given", "/orders/other:3": "third"})
        assert sim.resources["Q"].name == "given-given-third"


@pytest.mark.parametrize(("reference", "message"), [
    ("{{resolve:ssm:/absent}}", "no value for '/absent' (give it in ssm={'/absent': ...}, or put the parameter "
                                "with boto3 inside the simulation before loading)"),
    ("{{resolve:ssm:/orders/queue:7}}", "ParameterVersionNotFound: Systems Manager could not find version 7 of "
                                        "/orders/queue. Verify the version and try again."),
    ("{{resolve:ssm:/orders/queue:latest}}", "the version of '/orders/queue' must be a whole number, got 'latest'"),
    ("{{resolve:ssm:/orders/password}}", "'/orders/password' is a SecureString parameter: CloudFormation reads "
                                         "those only through {{resolve:ssm-secure:...}}"),
])
def test_an_ssm_reference_without_a_value_names_the_resource_and_property(tmp_path, reference, message):
    path = _queue_named(tmp_path, reference)
    with Sim(seed=1) as sim:
        _ssm().put_parameter(Name="/orders/queue", Value="stored", Type="String")
        _ssm().put_parameter(Name="/orders/password", Value="hunter2", Type="SecureString")
        with pytest.raises(TemplateError) as raised:
            sim.load_template(path)
    assert str(raised.value) == f"{path}: Q (line 2): Properties: QueueName: dynamic reference {reference}: {message}"


def test_without_any_stored_parameter_the_error_says_where_values_come_from(tmp_path):
    path = _queue_named(tmp_path, "{{resolve:ssm:/absent}}")
    with pytest.raises(TemplateError) as raised:
        Sim.from_template(path)
    assert str(raised.value).endswith("no value for '/absent' (give it in ssm={'/absent': ...}, or put the "
                                      "parameter with boto3 inside the simulation before loading)")


def test_ssm_secure_is_refused_as_cloudformation_refuses_it_in_these_properties(tmp_path):
    path = _queue_named(tmp_path, "q-{{resolve:ssm-secure:/orders/password}}")
    with pytest.raises(TemplateError) as raised:
        Sim.from_template(path, ssm={"/orders/password": "given"})
    assert str(raised.value) == (
        f"{path}: Q (line 2): Properties: QueueName: dynamic reference {{{{resolve:ssm-secure:/orders/password}}}}: "
        "SSM Secure reference is not supported in: [AWS::SQS::Queue/Properties/QueueName] (the simulated resources "
        "take no SecureString: use {{resolve:ssm:...}} or {{resolve:secretsmanager:...}})")


def test_ssm_secure_names_the_nested_property_path(tmp_path):
    template = tmp_path / "t.yaml"
    template.write_text("Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      Tags:\n"
                        "        - Key: k\n          Value: !Sub 'x-{{resolve:ssm-secure:/p}}'\n")
    with pytest.raises(TemplateError) as raised:
        Sim.from_template(template)
    assert "SSM Secure reference is not supported in: [AWS::SNS::Topic/Properties/Tags/0/Value]" in str(raised.value)


def test_ssm_secure_names_its_own_resource_after_a_ref_resolved_another_name(tmp_path):
    template = tmp_path / "t.yaml"
    template.write_text("Resources:\n  Alerts:\n    Type: AWS::SNS::Topic\n    Properties: {TopicName: alerts}\n"
                        "  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      Tags:\n"
                        "        - {Key: topic, Value: !Ref Alerts}\n"
                        "        - {Key: k, Value: '{{resolve:ssm-secure:/p}}'}\n")
    with pytest.raises(TemplateError) as raised:
        Sim.from_template(template)
    assert "SSM Secure reference is not supported in: [AWS::SQS::Queue/Properties/Tags/1/Value]" in str(raised.value)


def test_a_secrets_manager_reference_reads_the_secret_and_its_json_keys(tmp_path):
    with Sim(seed=1) as sim:
        arn = _secrets().create_secret(Name="orders/db", SecretString='{"user": "app", "port": 5432}')["ARN"]
        sim.load_template(_queue_named(
            tmp_path, "{{resolve:secretsmanager:orders/db:SecretString:user}}-"
                      "{{resolve:secretsmanager:orders/db:SecretString:port:AWSCURRENT}}-"
                      f"{{{{resolve:secretsmanager:{arn}:SecretString:user}}}}"))
        assert sim.resources["Q"].name == "app-5432-app"


def test_a_whole_secret_string_is_the_value_without_a_json_key(tmp_path):
    with Sim(seed=1) as sim:
        _secrets().create_secret(Name="plain", SecretString="orders")
        sim.load_template(_queue_named(tmp_path, "{{resolve:secretsmanager:plain}}"))
        assert sim.resources["Q"].name == "orders"


@pytest.mark.parametrize(("reference", "message"), [
    ("{{resolve:secretsmanager:absent}}", "no secret 'absent' (create it with boto3 inside the simulation "
                                          "before loading)"),
    ("{{resolve:secretsmanager:orders/db:SecretString:password}}",
     "secret 'orders/db' has no JSON key 'password' in its SecretString"),
    ("{{resolve:secretsmanager:orders/db:SecretBinary}}", "the second segment must be SecretString, got "
                                                          "'SecretBinary'"),
    ("{{resolve:secretsmanager:orders/db:SecretString:user:AWSCURRENT:v1}}",
     "give a version stage or a version id, not both"),
    ("{{resolve:secretsmanager:blob}}", "secret 'blob' holds a SecretBinary: only a SecretString can be referenced"),
])
def test_a_secrets_manager_reference_without_a_value_says_why(tmp_path, reference, message):
    path = _queue_named(tmp_path, reference)
    with Sim(seed=1) as sim:
        _secrets().create_secret(Name="orders/db", SecretString='{"user": "app"}')
        _secrets().create_secret(Name="blob", SecretBinary=b"\x00")
        with pytest.raises(TemplateError) as raised:
            sim.load_template(path)
    assert str(raised.value) == f"{path}: Q (line 2): Properties: QueueName: dynamic reference {reference}: {message}"


PARAMETERS = ("Parameters:\n  Name: {Type: 'AWS::SSM::Parameter::Value<String>', Default: /orders/queue}\n"
              "  Parts: {Type: 'AWS::SSM::Parameter::Value<List<String>>', Default: /orders/parts}\n")


def test_an_ssm_parameter_type_reads_the_simulation_store_when_referenced(tmp_path):
    path = _queue_named(tmp_path, "!Join ['-', [!Ref Name, !Select [1, !Ref Parts]]]", PARAMETERS, raw=True)
    with Sim(seed=1) as sim:
        _ssm().put_parameter(Name="/orders/queue", Value="orders", Type="String")
        _ssm().put_parameter(Name="/orders/parts", Value="a,b", Type="StringList")
        sim.load_template(path)
        assert sim.resources["Q"].name == "orders-b"


def test_an_ssm_parameter_type_that_is_not_stored_is_refused_in_cloudformation_words(tmp_path):
    path = _queue_named(tmp_path, "!Ref Name", PARAMETERS, raw=True)
    with pytest.raises(TemplateError) as raised:
        Sim.from_template(path)
    assert str(raised.value) == (f"{path}: Q (line 5): Properties: QueueName.Ref: Ref 'Name': "
                                 "Parameters: [ssm:/orders/queue] cannot be found.")


def test_an_ssm_parameter_type_that_nothing_references_is_never_read(tmp_path):
    with Sim.from_template(_queue_named(tmp_path, "kept", PARAMETERS)) as sim:  # as CDK's BootstrapVersion
        assert sim.resources["Q"].name == "kept"
