"""A plain CloudFormation template loaded into the simulation: every resource kind, settings carried exactly."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from lambdachaos import Sim
from lambdachaos.service.invoke._function import Function
from lambdachaos.templates import TemplateError

APP = Path(__file__).parent / "cfn_app"
TEMPLATE = APP / "template.yaml"


@pytest.fixture
def sim():
    with Sim.from_template(TEMPLATE, seed=3) as loaded:
        yield loaded


def test_the_load_report_lists_every_resource_with_its_status(sim):
    (load,) = sim.templates
    assert load.kind == "cloudformation" and load.stack_name == "cfn-app"
    assert load.skipped == {"ProdOnlyQueue": "condition IsProd is false"}
    assert set(load.recorded) == {"OrdersRole", "BucketPermission", "Api"}
    assert load.recorded["Api"] == ("no inline Body: an API defined by DefinitionUri or by separate Method "
                                    "resources is not read")
    rule = load.entries["OrderRule"]
    assert (rule.status, rule.reason, rule.detail) == ("simulated", "", "pattern -> cfn-app-events")
    assert list(load.entries) == list(yaml.load(TEMPLATE.read_text(), Loader=_Loader)["Resources"])
    assert load.entries["OrdersQueue"].line == 26
    assert load.outputs == {"QueueUrl": sim.resources["OrdersQueue"].url, "NotProdFlag": "yes"}


def test_queues_keep_their_names_settings_and_redrive_policy(sim):
    queue, dlq = sim.resources["OrdersQueue"], sim.resources["OrdersDLQ"]
    assert dlq.name == "cfn-app-orders-dlq"
    assert queue.name.startswith("cfn-app-OrdersQueue-") and len(queue.name) == len("cfn-app-OrdersQueue-") + 13
    assert queue.config.visibility_timeout == 60
    assert queue.config.redrive_policy.dead_letter_target is dlq
    assert queue.config.redrive_policy.max_receive_count == 3


def test_generated_names_are_stable_for_a_seed_and_differ_between_seeds():
    names = []
    for seed in (3, 3, 4):
        with Sim.from_template(TEMPLATE, seed=seed) as other:
            names.append(other.resources["OrdersQueue"].name)
    assert names[0] == names[1] != names[2]


def test_functions_carry_code_layers_and_settings(sim):
    orders = sim.functions["OrdersFunction"]
    assert isinstance(orders, Function)
    config = orders.config
    assert (config.memory_size, config.timeout, config.runtime) == (256, 10, "python3.12")
    assert dict(config.environment) == {"STAGE": "dev-us-east-1", "QUEUE_URL": sim.resources["OrdersQueue"].url,
                                        "TABLE": "local-b"}
    assert orders.reserved_concurrency == 5
    assert sim.invoke(orders, {}).payload == {"stage": "dev-us-east-1", "util": "shared-layer"}
    events = sim.functions["EventsFunction"]
    assert events.name == "cfn-app-events"
    assert events.dead_letter_target is sim.resources["OrdersDLQ"]
    assert sorted(events.versions) == ["$LATEST", "1"]
    assert events.aliases["live"].function_version == "1"
    live = events.event_invoke_configs["live"]
    assert (live.maximum_retry_attempts, live.on_failure) == (1, sim.resources["FailureQueue"])


def test_mappings_carry_every_setting_and_the_alias_they_target(sim):
    orders = sim.resources["OrdersMapping"]
    assert (orders.config.batch_size, orders.config.function_response_types, orders.config.maximum_concurrency) == (
        5, ("ReportBatchItemFailures",), 2)
    table = sim.resources["TableMapping"]
    assert table.qualifier == "live"
    assert (table.config.bisect_batch_on_function_error, table.config.maximum_retry_attempts,
            table.config.batch_size) == (True, 2, 10)
    assert table.config.on_failure is sim.resources["FailureQueue"]
    clicks = sim.resources["ClickMapping"]
    assert (clicks.config.parallelization_factor, clicks.config.maximum_record_age_in_seconds,
            clicks.config.maximum_retry_attempts, clicks.config.starting_position) == (3, 3600, 5, "LATEST")
    assert len(sim.resources["ClickStream"].shards) == 2


def test_parameters_override_defaults_and_flip_conditions():
    with Sim.from_template(TEMPLATE, seed=3, parameters={"Stage": "prod", "BatchSize": "7"}) as prod:
        load = prod.templates[0]
        assert "ProdOnlyQueue" in prod.resources and load.skipped == {}
        orders = prod.functions["OrdersFunction"]
        assert orders.config.memory_size == 1024
        assert orders.config.environment["TABLE"] == prod.resources["OrdersTable"].name
        assert prod.resources["OrdersMapping"].config.batch_size == 7
        assert load.outputs["NotProdFlag"] == "no"


@pytest.mark.parametrize(("parameters", "message"), [
    ({"Stage": "qa"}, "Parameter 'Stage' must be one of AllowedValues (value: 'qa', allowed: ['dev', 'prod'])"),
    ({"Region": "x"}, "Parameters: ['Region'] do not exist in the template"),
    ({"BatchSize": "many"}, "Parameter 'BatchSize' must be a number (value: 'many')"),
])
def test_bad_parameters_are_refused_with_aws_wording(parameters, message):
    with pytest.raises(TemplateError) as raised:
        Sim.from_template(TEMPLATE, parameters=parameters)
    assert str(raised.value) == message


def test_a_parameter_without_default_or_value_is_refused(tmp_path):
    template = tmp_path / "t.yaml"
    template.write_text("Parameters:\n  Env: {Type: String}\n  Other: {Type: String}\n"
                        "Resources:\n  Q: {Type: AWS::SQS::Queue}\n")
    with pytest.raises(TemplateError, match=r"^Parameters: \[Env, Other\] must have values$"):
        Sim.from_template(template)


def test_an_unresolvable_reference_names_the_resource_property_and_line(tmp_path):
    template = tmp_path / "t.yaml"
    template.write_text("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n"
                        "      QueueName: !Sub '${Missing}-q'\n")
    with pytest.raises(TemplateError) as raised:
        Sim.from_template(template)
    assert str(raised.value) == (f"{template}: Q (line 2): Properties: QueueName.Fn::Sub: Ref 'Missing': no "
                                 "parameter, pseudo parameter or resource has this name")


def test_a_setting_the_simulation_refuses_names_the_resource(tmp_path):
    template = tmp_path / "t.yaml"
    template.write_text("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties: {VisibilityTimeout: 99999}\n")
    expected = (rf"^{template}: Q \(line 2\): Invalid value for the parameter VisibilityTimeout: "
                "visibility_timeout=99999 ")
    with pytest.raises(TemplateError, match=expected):
        Sim.from_template(template)


def test_reading_a_template_leaves_pyyaml_global_loaders_untouched():
    with Sim.from_template(TEMPLATE):
        pass
    with pytest.raises(yaml.constructor.ConstructorError):
        yaml.safe_load("x: !Ref A")


def test_sqs_traffic_runs_through_partial_batch_responses_and_the_redrive_policy(sim):
    queue, dlq = sim.resources["OrdersQueue"], sim.resources["OrdersDLQ"]
    good, bad = queue.send("fine"), queue.send("bad order")
    sim.run()
    assert sim.ledger.fate(good.message_id).status == "succeeded"
    fate = sim.ledger.fate(bad.message_id)
    assert (fate.status, fate.attempts) == ("dead_lettered", 3)
    assert fate.sent_to(dlq)
    assert [m.body for m in dlq.messages] == ["bad order"]


def test_an_async_invoke_of_the_alias_retries_once_then_reaches_the_on_failure_destination(sim):
    events, failures = sim.functions["EventsFunction"], sim.resources["FailureQueue"]
    request_id = sim.invoke(events, {"n": 1}, qualifier="live", invocation_type="Event")
    sim.run()
    attempts = sim.ledger.attempts_for(request_id)
    assert [a.start for a in attempts] == [0.0, 60.0]
    fate = sim.ledger.fate(request_id)
    assert fate.destinations == (sim.resources["OrdersDLQ"].arn, failures.arn)  # the DLQ and the destination
    assert [len(sim.resources["OrdersDLQ"].messages), len(failures.messages)] == [1, 1]


def test_a_rule_target_keeps_its_retry_policy_and_dead_letter_queue(sim):
    from lambdachaos.faults import FaultPlan, PushInvokeFailure

    rule, dlq, events = sim.resources["OrderRule"], sim.resources["RuleDLQ"], sim.functions["EventsFunction"]
    sim.apply_faults(FaultPlan.of(PushInvokeFailure(error="throttled", services=["events"])))
    boto3 = pytest.importorskip("boto3")
    client = boto3.client("events", region_name=sim.world.region)
    client.put_events(Entries=[{"Source": "orders", "DetailType": "OrderPlaced", "Detail": "{}"}])
    sim.run()
    [event_id] = rule.event_ids
    tries = [d.at_ns / 1e9 for d in sim.ledger.deliveries if d.kind == "push" and d.event_id == event_id]
    assert tries == [0, 1, 3, 7, 15]  # the first hand-off and MaximumRetryAttempts 4 retries
    [moved] = dlq.receive()
    attributes = {k: v["StringValue"] for k, v in moved.message_attributes.items()}
    assert attributes["RETRY_ATTEMPTS"] == "4" and attributes["EXHAUSTED_RETRY_CONDITION"] == "MaximumRetryAttempts"
    assert attributes["RULE_ARN"] == rule.arn and attributes["TARGET_ARN"].startswith(events.arn)
    assert sim.ledger.fate(event_id).status == "dead_lettered"


class _Loader(yaml.SafeLoader):
    pass


_Loader.add_multi_constructor("!", lambda loader, suffix, node: None)


def test_a_table_without_a_stream_has_no_stream_arn(tmp_path):
    template = tmp_path / "t.yaml"
    template.write_text("Resources:\n  T:\n    Type: AWS::DynamoDB::Table\n"
                        "    Properties: {KeySchema: [{AttributeName: id, KeyType: HASH}]}\n"
                        "  Q:\n    Type: AWS::SQS::Queue\n    Properties: {QueueName: !GetAtt T.StreamArn}\n")
    with pytest.raises(TemplateError) as raised:
        Sim.from_template(template)
    assert str(raised.value) == (f"{template}: Q (line 5): Properties: QueueName.Fn::GetAtt: Fn::GetAtt T.StreamArn: "
                                 "the table has no StreamSpecification, so it has no stream")
