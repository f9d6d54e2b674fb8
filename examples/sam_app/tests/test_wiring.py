"""The settings the template declares, as the simulation carries them over (and parameters changing them)."""

from __future__ import annotations

from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent


def test_each_function_runs_its_own_folder_with_the_shared_layer(lambda_sim):
    layer = str(APP / "src" / "layers" / "common")
    for logical, folder in [("ApiFunction", "api"), ("WorkerFunction", "worker"), ("ReceiptsFunction", "receipts")]:
        fn = lambda_sim.functions[logical]
        assert fn.versions["$LATEST"].code_dir == str(APP / "src" / folder)
        assert fn.versions["$LATEST"].location.layers == (layer,)
    receipts = lambda_sim.functions["ReceiptsFunction"]
    assert (receipts.config.timeout, receipts.config.memory_size, receipts.config.architecture) == (
        30, 256, "arm64")
    config = receipts.event_invoke_configs["$LATEST"]
    assert (config.maximum_retry_attempts, config.maximum_event_age_in_seconds) == (1, 3600)
    assert config.on_success is lambda_sim.resources["ReceiptsDoneQueue"]
    assert config.on_failure is lambda_sim.resources["ReceiptsFailedQueue"]


def test_mappings_and_queues_keep_the_template_settings(lambda_sim):
    resources = lambda_sim.resources
    worker = resources["WorkerFunctionOrders"].config
    assert (worker.batch_size, worker.function_response_types) == (10, ("ReportBatchItemFailures",))
    stream = resources["FulfilmentFunctionNewOrders"].config
    assert (stream.batch_size, stream.bisect_batch_on_function_error, stream.maximum_retry_attempts,
            stream.starting_position) == (4, True, 1, "TRIM_HORIZON")
    queue = resources["OrdersQueue"].config
    assert (queue.visibility_timeout, queue.redrive_policy.max_receive_count) == (60, 3)
    assert lambda_sim.templates[0].skipped.keys() == {"NightlyFunctionNightly"}


@pytest.mark.lambdachaos(template_parameters={"Stage": "prod", "WorkerBatchSize": "5"})
def test_parameters_reach_conditions_environment_and_batch_sizes(lambda_sim):
    notify = lambda_sim.functions["NotifyFunction"]
    assert notify.config.memory_size == 1024  # Globals: !If [IsProd, 1024, 256]
    assert dict(notify.config.environment) == {"STAGE": "prod", "SENDER": "orders@prod.example.com"}
    assert lambda_sim.resources["WorkerFunctionOrders"].config.batch_size == 5


@pytest.mark.lambdachaos(template_schedule_until=86400)
def test_push_sources_keep_the_template_settings(lambda_sim):
    resources, functions = lambda_sim.resources, lambda_sim.functions
    notify, audit = resources["NotifyFunctionOrderPlaced"], resources["AuditSubscription"]
    assert (notify.protocol, notify.endpoint, notify.raw_message_delivery) == ("lambda", functions["NotifyFunction"].arn,
                                                                            False)
    assert (audit.protocol, audit.queue, audit.raw_message_delivery) == ("sqs", resources["AuditQueue"], True)
    (notification,) = resources["UploadsBucket"].notifications
    assert (notification.events, notification.prefix, notification.suffix, notification.target_arn) == (
        ("s3:ObjectCreated:*",), "receipts/", ".csv", functions["ReceiptsFunction"].arn)
    assert resources["OrdersTable"].stream_view_type == "NEW_IMAGE"
    nightly = resources["NightlyFunctionNightly"]
    assert (nightly.expression, nightly.input, nightly.function) == (
        "rate(1 day)", '{"report": "daily-orders"}', functions["NightlyFunction"])
    assert list(resources["ServerlessRestApi"]) == ["POST /orders"]
