"""A SAM template through the official transform: Globals, events, AutoPublishAlias, DLQ, async settings, traffic."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import yaml

from lambdachaos import Sim
from lambdachaos.templates import TemplateError

TEMPLATE = Path(__file__).parent / "sam_app" / "template.yaml"


@pytest.fixture
def sim():
    with Sim.from_template(TEMPLATE, seed=5, schedule_until=7200) as loaded:
        yield loaded


def test_code_folders_survive_the_transform_and_globals_apply(sim):
    (load,) = sim.templates
    assert load.kind == "sam" and load.skipped == {}
    orders, processor = sim.functions["OrdersFunction"], sim.functions["ProcessorFunction"]
    assert orders.versions["$LATEST"].code_dir == str(TEMPLATE.parent / "orders")
    assert processor.versions["$LATEST"].code_dir == str(TEMPLATE.parent / "processor")
    assert (orders.config.memory_size, orders.config.timeout, orders.config.runtime) == (512, 15, "python3.12")
    assert dict(orders.config.environment) == {"STAGE": "test", "REJECT_WORD": "poison"}
    assert dict(processor.config.environment) == {"STAGE": "test", "MODE": "ok"}
    assert processor.reserved_concurrency == 3
    layer = str(TEMPLATE.parent / "layer")
    assert orders.versions["$LATEST"].location.layers == (layer,)  # ContentUri kept through the hashed logical id
    assert [e.object for e in load.entries.values() if e.type == "AWS::Lambda::LayerVersion"] == [layer]
    assert processor.dead_letter_target is sim.resources["OrdersDLQ"]


def test_auto_publish_alias_and_its_async_settings(sim):
    processor = sim.functions["ProcessorFunction"]
    assert processor.aliases["live"].function_version == "1"
    config = processor.event_invoke_configs["live"]
    assert (config.maximum_retry_attempts, config.maximum_event_age_in_seconds) == (1, 600)
    assert config.on_failure is sim.resources["FailureQueue"]


def test_every_event_becomes_its_wiring(sim):
    resources = sim.resources
    orders = resources["OrdersFunctionOrders"]
    assert (orders.config.batch_size, orders.config.function_response_types, orders.qualifier) == (
        10, ("ReportBatchItemFailures",), None)
    clicks = resources["ProcessorFunctionClicks"]
    assert (clicks.qualifier, clicks.config.batch_size, clicks.config.bisect_batch_on_function_error,
            clicks.config.maximum_retry_attempts) == ("live", 50, True, 3)
    changes = resources["ProcessorFunctionChanges"]
    assert (changes.qualifier, changes.config.batch_size, changes.config.starting_position) == ("live", 20, "LATEST")
    assert resources["OrdersQueue"].config.redrive_policy.max_receive_count == 2
    recorded = sim.templates[0].recorded
    assert sorted(recorded) == ["OrdersFunctionRole", "ProcessorFunctionAlertsPermission",
                                "ProcessorFunctionNightlyPermission", "ProcessorFunctionPlacedPermission",
                                "ProcessorFunctionRole", "ProcessorFunctionUploadsPermission"]


def test_parameters_reach_numeric_properties_the_transform_leaves_unresolved():
    with Sim.from_template(TEMPLATE, parameters={"BatchSize": "4"}) as small:
        assert small.resources["OrdersFunctionOrders"].config.batch_size == 4


def test_sqs_partial_batch_failures_end_in_the_dead_letter_queue_after_max_receive_count(sim):
    queue, dlq = sim.resources["OrdersQueue"], sim.resources["OrdersDLQ"]
    good = queue.send(json.dumps({"item": "book"}))
    poison = queue.send(json.dumps({"item": "poison"}))
    sim.run()
    assert (sim.ledger.fate(good.message_id).status, sim.ledger.fate(good.message_id).attempts) == ("succeeded", 1)
    fate = sim.ledger.fate(poison.message_id)
    assert (fate.status, fate.attempts) == ("dead_lettered", 2)
    assert [a.start for a in sim.ledger.attempts_for(poison.message_id)] == [0.0, 90.0]
    assert [json.loads(m.body) for m in dlq.messages] == [{"item": "poison"}]


def test_async_failure_through_the_alias_retries_once_then_goes_to_dlq_and_destination(sim):
    processor = sim.functions["ProcessorFunction"]
    request_id = sim.invoke(processor, {"fail": True}, qualifier="live", invocation_type="Event")
    sim.run()
    attempts = sim.ledger.attempts_for(request_id)
    assert [(a.start, a.qualifier, a.executed_version) for a in attempts] == [(0.0, "live", "1"),
                                                                              (60.0, "live", "1")]
    fate = sim.ledger.fate(request_id)
    assert fate.destinations == (sim.resources["OrdersDLQ"].arn, sim.resources["FailureQueue"].arn)
    (record,) = [json.loads(m.body) for m in sim.resources["FailureQueue"].messages]
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 2


def test_push_events_invoke_the_alias(sim):
    sim.resources["AlertsTopic"].publish("disk full", message_attributes={
        "severity": {"DataType": "String", "StringValue": "high"}})
    sim.resources["AlertsTopic"].publish("fyi", message_attributes={
        "severity": {"DataType": "String", "StringValue": "low"}})
    sim.resources["UploadsBucket"].put_object("in/a.json", b"{}")
    sim.resources["UploadsBucket"].put_object("in/a.txt", b"")
    sim.event_bus().put_events([{"Source": "orders", "DetailType": "x", "Detail": "{}"}])
    sim.run()
    seen = sorted((a.start, a.source.split(":")[2], a.qualifier, a.executed_version) for a in sim.ledger.attempts)
    assert seen == [(0.0, "events", "live", "1"), (0.0, "s3", "live", "1"), (0.0, "sns", "live", "1"),
                    (3600.0, "events", "live", "1"), (7200.0, "events", "live", "1")]


def test_schedules_need_an_end_time_and_say_so():
    with Sim.from_template(TEMPLATE) as sim:
        reason = sim.templates[0].skipped["ProcessorFunctionNightly"]
    assert reason == ("ScheduleExpression rate(1 hour): give schedule_until=<virtual seconds> to run schedules "
                      "(they fire forever otherwise)")


def test_a_missing_translator_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "samtranslator.parser.parser", None)
    with pytest.raises(TemplateError, match=r"^loading a SAM template needs aws-sam-translator: pip install "
                                            r"'lambdachaos\[templates\]'$"):
        Sim.from_template(TEMPLATE)


def test_a_template_the_transform_refuses_is_reported(tmp_path):
    (tmp_path / "code").mkdir()
    template = tmp_path / "template.yaml"
    template.write_text("Transform: AWS::Serverless-2016-10-31\nResources:\n  F:\n"
                        "    Type: AWS::Serverless::Function\n"
                        "    Properties: {CodeUri: code, Handler: app.handler, Runtime: python3.12, "
                        "Events: {E: {Type: SQS, Properties: {}}}}\n")
    with pytest.raises(TemplateError) as raised:
        Sim.from_template(template)
    assert str(raised.value) == (f"{template}: the SAM transform refused the template: Resource with id [FE] is "
                                 "invalid. Missing required property 'Queue'.")


def test_the_transform_leaves_pyyaml_global_loaders_untouched():
    with Sim.from_template(TEMPLATE):
        pass
    with pytest.raises(yaml.constructor.ConstructorError):
        yaml.safe_load("x: !GetAtt A.Arn")
