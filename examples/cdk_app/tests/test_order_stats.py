"""OrderStatsStack from cdk.out: a Kinesis stream feeding StatsFunction (partial batch responses, two retries,
an SQS on-failure destination) and an SNS topic feeding AlertFunction (no async retry, an on-failure queue).

Logical ids are the CDK's (``<path><hash>``); the code is the ``asset.<hash>`` folder each function's
``S3Key`` names through OrderStatsStack.assets.json.
"""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
from lambdachaos.faults import FaultPlan, InvocationError, Target
from lambdachaos.generators import Order, payload, poison

CDK_OUT = Path(__file__).resolve().parent.parent / "cdk.out"
STREAM, FAILURES = "OrderStream3FA7969B", "StatsFailures71968FA7"
STATS, ALERT = "StatsFunctionE4A6FC3A", "AlertFunction5F7D4C26"
ONCALL, ALERT_FAILURES = "OnCallQueue41936E6E", "AlertFailuresC03B141B"


def _attempts(sim, logical_id):
    return [a for a in sim.ledger.attempts if a.function == sim.functions[logical_id].name]


def _put(sim, data):
    kinesis = boto3.client("kinesis")
    return kinesis.put_record(StreamName=sim.resources[STREAM].name, Data=data, PartitionKey="orders")["SequenceNumber"]


def _orders(lambda_events, totals):
    orders = [payload(Order, seed=lambda_events.next_seed(f"order-{i}")) for i in range(len(totals))]
    for order, total in zip(orders, totals):
        order["total"] = total
    return orders


def test_the_synthesized_stack_loads_with_its_assets_and_cdk_bookkeeping_set_aside(lambda_sim):
    (load,) = lambda_sim.templates
    assert (load.kind, load.stack_name, load.skipped) == ("cdk", "OrderStatsStack", {})
    assets = json.loads((CDK_OUT / "OrderStatsStack.assets.json").read_text())["files"]
    for logical in (STATS, ALERT):
        code_dir = Path(lambda_sim.functions[logical].versions["$LATEST"].code_dir)
        assert code_dir.parent == CDK_OUT and code_dir.name.removeprefix("asset.") in assets
    assert load.recorded["CDKMetadata"] == "CDK bookkeeping"
    assert sorted(k for k, v in load.recorded.items() if v.startswith("IAM")) == [
        "AlertFunctionServiceRole41CF59CC", "AlertFunctionServiceRoleDefaultPolicyBA39D814",
        "StatsFunctionServiceRoleD203E006", "StatsFunctionServiceRoleDefaultPolicy793B2D3A"]
    mapping = lambda_sim.resources["StatsFunctionKinesisEventSourceOrderStatsStackOrderStream4CF3DECC17B86F65"]
    assert (mapping.config.batch_size, mapping.config.bisect_batch_on_function_error,
            mapping.config.maximum_retry_attempts, mapping.config.function_response_types) == (
        10, True, 2, ("ReportBatchItemFailures",))
    assert lambda_sim.functions[ALERT].event_invoke_configs["$LATEST"].maximum_retry_attempts == 0


@pytest.mark.parametrize(("logical", "source"), [(STATS, "stats"), (ALERT, "alerts")])
def test_each_asset_folder_is_a_copy_of_the_function_source_as_cdk_synth_makes_it(lambda_sim, logical, source):
    asset = Path(lambda_sim.functions[logical].versions["$LATEST"].code_dir)
    source_dir = CDK_OUT.parent / "lambda" / source

    def files(folder):
        return {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*.py")}

    assert files(asset) == files(source_dir)  # edit lambda/, then copy it into the asset folder (or re-synth)


def test_a_large_order_is_alerted_through_the_topic_to_the_on_call_queue(lambda_sim, lambda_events):
    small, large = _orders(lambda_events, [250.0, 1200.0])
    for order in (small, large):
        _put(lambda_sim, json.dumps(order))
    lambda_sim.run()

    (stats,) = _attempts(lambda_sim, STATS)
    assert (stats.outcome, len(stats.records)) == ("success", 2)
    (alert,) = _attempts(lambda_sim, ALERT)
    assert alert.source == lambda_sim.resources["AlertsTopic3414BE91"].arn
    assert [json.loads(m.body) for m in lambda_sim.resources[ONCALL].messages] == [
        {"text": f"Large order {large['orderId']}: 1200.00"}]


def test_a_bad_record_is_the_checkpoint_and_its_batch_goes_to_the_failure_queue_after_two_retries(
        lambda_sim, lambda_events):
    orders = _orders(lambda_events, [250.0, 1200.0, 80.0, 40.0])
    sequence = [_put(lambda_sim, json.dumps(order)) for order in orders[:2]]
    sequence.append(_put(lambda_sim, poison.make("truncated_json", seed=lambda_events.seed).text))
    sequence += [_put(lambda_sim, json.dumps(order)) for order in orders[2:]]
    lambda_sim.run()

    runs = [(a.start, len(a.records), a.outcome, a.failed_items) for a in _attempts(lambda_sim, STATS)]
    bad = (sequence[2],)
    # the first batch reports the bad record; Lambda retries from it (with what follows) after 1 s, then 2 s more
    assert runs == [(0.0, 5, "partial_failure", bad), (1.0, 3, "partial_failure", bad),
                    (3.0, 3, "partial_failure", bad)]
    (record,) = [json.loads(m.body) for m in lambda_sim.resources[FAILURES].messages]
    assert record["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 3
    info = record["KinesisBatchInfo"]
    # the records after the bad one share its fate: they are in the failure record, never processed again
    assert (info["startSequenceNumber"], info["endSequenceNumber"], info["batchSize"]) == (
        sequence[2], sequence[4], 3)
    assert info["streamArn"] == lambda_sim.resources[STREAM].arn
    # the large order came before the bad record: alerted once, in the first batch
    assert len(lambda_sim.resources[ONCALL].messages) == 1


@pytest.mark.lambdachaos(faults=FaultPlan.of(
    InvocationError(error_type="Sandbox.Timedout", error_message="Task timed out after 3.00 seconds"),
    target=Target(function_name="*-AlertFunction*")))
def test_a_failing_alert_is_not_retried_and_lands_in_the_on_failure_queue(lambda_sim, lambda_events):
    (large,) = _orders(lambda_events, [5000.0])
    _put(lambda_sim, json.dumps(large))
    lambda_sim.run()

    (alert,) = _attempts(lambda_sim, ALERT)  # MaximumRetryAttempts: 0
    assert (alert.outcome, alert.error_type) == ("function_error", "Sandbox.Timedout")
    (record,) = [json.loads(m.body) for m in lambda_sim.resources[ALERT_FAILURES].messages]
    assert (record["requestContext"]["condition"], record["requestContext"]["approximateInvokeCount"]) == (
        "RetriesExhausted", 1)
    (sns_record,) = record["requestPayload"]["Records"]
    assert json.loads(sns_record["Sns"]["Message"]) == {"orderId": large["orderId"], "total": 5000.0}
    assert sns_record["Sns"]["Subject"] == "Large order"
    assert lambda_sim.resources[ONCALL].messages == []
