"""What SNS, EventBridge rules and Scheduler do when their Invoke of a function fails (docs/aws-behaviour.md,
"Push delivery"): retries on the virtual clock, errors that skip retries, dead-letter messages, ledger fates."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from lambdachaos import ConfigError, Sim
from lambdachaos.faults import FaultPlan, PushInvokeFailure
from lambdachaos.service.push._retry import SNS_TOTAL_ATTEMPTS, sns_delay_ns


def ok(event, context):
    return None


def recorder(sim, name="f"):
    seen = []
    return sim.function(lambda event, context: seen.append(event), name=name), seen


def throttle(until=None, services=(), error="throttled"):
    return FaultPlan.of(PushInvokeFailure(error=error, services=list(services), end_seconds=until))


def push_attempts(sim, event_id):
    return [d for d in sim.ledger.deliveries if d.kind == "push" and d.event_id == event_id]


# ---- SNS -------------------------------------------------------------------------------------------


def test_sns_delivery_policy_phases_for_aws_managed_endpoints():
    delays = [sns_delay_ns(n) for n in range(1, 17)]
    assert delays[:5] == [0, 0, 1_000_000_000, 1_000_000_000, 1_000_000_000]  # 3 immediate, 2 × 1 s apart
    assert [d / 1e9 for d in delays[4:14]] == [1.0, 1.395, 1.946, 2.714, 3.786, 5.282, 7.368, 10.278, 14.337, 20.0]
    assert delays[14] == delays[15] == 20_000_000_000
    assert SNS_TOTAL_ATTEMPTS == 100_015
    assert sns_delay_ns(100_014) == 20_000_000_000 and sns_delay_ns(100_015) is None


def test_sns_retries_a_throttled_invoke_by_its_delivery_policy_then_lambda_runs_the_event(sim: Sim):
    topic = sim.sns_topic("orders")
    fn, seen = recorder(sim)
    sub = sim.subscribe(topic, fn)
    sim.apply_faults(throttle(until=30))
    topic.publish("hello")
    sim.run()
    [event_id] = sub.event_ids
    tries = push_attempts(sim, event_id)
    assert [round(d.at_ns / 1e9, 3) for d in tries] == [0.0, 0.0, 0.0, 1.0, 2.0, 3.0, 4.395, 6.341, 9.055, 12.841,
                                                      18.123, 25.491, 35.769]
    assert [d.ok for d in tries] == [False] * 12 + [True]
    assert tries[0].detail == "TooManyRequestsException: Rate Exceeded."
    [attempt] = sim.ledger.attempts_for(event_id)
    assert attempt.start == pytest.approx(35.769) and attempt.source == topic.arn
    assert seen[0]["Records"][0]["Sns"]["Message"] == "hello"
    assert sim.ledger.fate(event_id).status == "succeeded"
    assert len([f for f in sim.ledger.faults if f.event_id == event_id]) == 12


@pytest.mark.parametrize(("how", "code"), [("deleted", "ResourceNotFoundException"),
                                           ("permission-denied", "AccessDeniedException")])
def test_sns_client_errors_skip_retries_and_redrive_the_envelope_to_the_dlq(sim: Sim, how, code):
    topic = sim.sns_topic("orders")
    dlq = sim.sqs_queue("orders-dlq")
    fn, seen = recorder(sim)
    sub = sim.subscribe(topic, fn, dead_letter_queue=dlq)
    if how == "deleted":
        del sim.service.functions["f"]
    else:
        sim.apply_faults(throttle(error="permission-denied"))
    message_id = topic.publish("hello", subject="s",
                               message_attributes={"k": {"DataType": "String", "StringValue": "v"}})
    sim.run()
    [event_id] = sub.event_ids
    assert len(push_attempts(sim, event_id)) == 1 and seen == []
    fate = sim.ledger.fate(event_id)
    assert (fate.status, fate.condition, fate.attempts, fate.destinations) == ("dead_lettered", code, 0, (dlq.arn,))
    [moved] = dlq.receive()
    body = json.loads(moved.body)
    assert body["Type"] == "Notification" and body["MessageId"] == message_id and body["Message"] == "hello"
    assert body["TopicArn"] == topic.arn and body["UnsubscribeURL"].endswith(sub.arn)
    assert body["MessageAttributes"] == {"k": {"Type": "String", "Value": "v"}}
    assert moved.body == topic.history[0].envelope_text(sub.arn)
    [dlq_delivery] = [d for d in sim.ledger.deliveries if d.kind == "push_dlq"]
    assert (dlq_delivery.target, dlq_delivery.ok, dlq_delivery.condition) == (dlq.arn, True, code)


def test_sns_without_a_dlq_drops_the_message_when_the_function_is_gone(sim: Sim):
    topic = sim.sns_topic("orders")
    fn, _ = recorder(sim)
    sub = sim.subscribe(topic, fn)
    del sim.service.functions["f"]
    topic.publish("x")
    fate = sim.ledger.fate(sub.event_ids[0])
    assert (fate.status, fate.condition, fate.destinations) == ("dropped", "ResourceNotFoundException", ())


@pytest.mark.slow
def test_sns_gives_up_after_100015_attempts_over_23_days(sim: Sim):
    topic = sim.sns_topic("orders")
    dlq = sim.sqs_queue("dlq")
    fn, _ = recorder(sim)
    sub = sim.subscribe(topic, fn, dead_letter_queue=dlq)
    sim.apply_faults(throttle())
    topic.publish("x")
    sim.run()
    tries = push_attempts(sim, sub.event_ids[0])
    assert len(tries) == 100_015
    assert tries[-1].at_ns == 2_000_070_106_000_000  # 23.15 days: 2 × 1 s + 68.106 s of backoff + 100,000 × 20 s
    fate = sim.ledger.fate(sub.event_ids[0])
    assert (fate.status, fate.condition, fate.at_ns) == ("dead_lettered", "DeliveryPolicyExhausted", tries[-1].at_ns)


def test_sns_fifo_topics_take_a_fifo_dlq(sim: Sim):
    topic = sim.sns_topic("orders.fifo", content_based_deduplication=True)
    fn, _ = recorder(sim)
    with pytest.raises(ConfigError, match=r"^dead_letter_queue='std': an SNS subscription of this topic needs a "
                                          r"FIFO SQS queue as dead-letter queue$"):
        sim.subscribe(topic, fn, dead_letter_queue=sim.sqs_queue("std"))
    dlq = sim.sqs_queue("dlq.fifo")
    sim.subscribe(topic, fn, dead_letter_queue=dlq)
    del sim.service.functions["f"]
    topic.publish("x", message_group_id="g")
    [moved] = dlq.receive()
    assert moved.attributes["MessageGroupId"] == "g"


# ---- EventBridge rules ------------------------------------------------------------------------------


def put(sim, detail=None):
    return sim.event_bus("default").put_event(source="shop", detail_type="Order", detail=detail or {"id": 7})


def test_eventbridge_default_retry_policy_is_185_retries_with_backoff_to_300_s(sim: Sim):
    dlq = sim.sqs_queue("dlq")
    fn, _ = recorder(sim)
    rule = sim.rule("default", "orders", event_pattern={"source": ["shop"]}, target=fn, dead_letter_queue=dlq)
    sim.apply_faults(throttle())
    event_id = put(sim)
    sim.run()
    tries = push_attempts(sim, rule.event_ids[0])
    starts = [d.at_ns // 1_000_000_000 for d in tries]
    assert len(tries) == 186
    assert starts[:11] == [0, 1, 3, 7, 15, 31, 63, 127, 255, 511, 811] and starts[-1] == 53_311
    [moved] = dlq.receive()
    assert json.loads(moved.body)["id"] == event_id
    assert moved.message_attributes == {
        "RULE_ARN": {"DataType": "String", "StringValue": rule.arn},
        "TARGET_ARN": {"DataType": "String", "StringValue": fn.arn},
        "ERROR_CODE": {"DataType": "String", "StringValue": "THROTTLING"},
        "ERROR_MESSAGE": {"DataType": "String", "StringValue": "Rate Exceeded."},
        "RETRY_ATTEMPTS": {"DataType": "String", "StringValue": "185"},
        "EXHAUSTED_RETRY_CONDITION": {"DataType": "String", "StringValue": "MaximumRetryAttempts"},
    }
    fate = sim.ledger.fate(rule.event_ids[0])
    assert (fate.status, fate.condition, fate.attempts) == ("dead_lettered", "MaximumRetryAttempts", 0)


def test_eventbridge_maximum_event_age_stops_retries_that_would_start_too_late(sim: Sim):
    dlq = sim.sqs_queue("dlq")
    fn, _ = recorder(sim)
    rule = sim.rule("default", "orders", event_pattern={"source": ["shop"]}, target=fn, dead_letter_queue=dlq,
                    retry_policy={"MaximumEventAgeInSeconds": 60})
    sim.apply_faults(throttle())
    put(sim)
    sim.run()
    assert [d.at_ns / 1e9 for d in push_attempts(sim, rule.event_ids[0])] == [0, 1, 3, 7, 15, 31]
    attributes = dlq.receive()[0].message_attributes
    assert attributes["EXHAUSTED_RETRY_CONDITION"]["StringValue"] == "MaximumEventAgeInSeconds"
    assert attributes["RETRY_ATTEMPTS"]["StringValue"] == "5"
    assert sim.ledger.fate(rule.event_ids[0]).at_ns == 31_000_000_000


@pytest.mark.parametrize(("error", "code"), [("function-missing", "NO_RESOURCE"),
                                             ("permission-denied", "NO_PERMISSIONS")])
def test_eventbridge_sends_client_errors_to_the_dlq_without_retrying(sim: Sim, error, code):
    dlq = sim.sqs_queue("dlq")
    fn, seen = recorder(sim)
    rule = sim.rule("default", "orders", event_pattern={"source": ["shop"]}, target=fn, dead_letter_queue=dlq,
                    retry_policy={"MaximumRetryAttempts": 3})
    sim.apply_faults(throttle(error=error, services=["events"]))
    put(sim)
    sim.run()
    assert len(push_attempts(sim, rule.event_ids[0])) == 1 and seen == []
    attributes = {k: v["StringValue"] for k, v in dlq.receive()[0].message_attributes.items()}
    assert attributes["ERROR_CODE"] == code and attributes["RETRY_ATTEMPTS"] == "0"
    assert "EXHAUSTED_RETRY_CONDITION" not in attributes


def test_a_fault_limited_to_sns_leaves_eventbridge_alone(sim: Sim):
    fn, seen = recorder(sim)
    sim.rule("default", "orders", event_pattern={"source": ["shop"]}, target=fn, retry_policy={
        "MaximumRetryAttempts": 0})
    sim.apply_faults(throttle(error="function-missing", services=["sns"]))
    put(sim)
    sim.run()
    assert len(seen) == 1


@pytest.mark.parametrize(("policy", "message"), [
    ({"MaximumRetryAttempts": 186}, "maximum_retry_attempts=186: RetryPolicy.MaximumRetryAttempts must be an "
                                    "integer from 0 to 185"),
    ({"MaximumEventAgeInSeconds": 59}, "maximum_event_age_in_seconds=59: RetryPolicy.MaximumEventAgeInSeconds "
                                       "must be an integer from 60 to 86400"),
    ({"MaximumEventAgeInSeconds": 86_401}, "maximum_event_age_in_seconds=86401: RetryPolicy."
                                           "MaximumEventAgeInSeconds must be an integer from 60 to 86400"),
])
def test_retry_policy_ranges_are_enforced(sim: Sim, policy, message):
    fn, _ = recorder(sim)
    with pytest.raises(ConfigError, match="^" + message.replace(".", r"\.") + "$"):
        sim.rule("default", "r", event_pattern={"source": ["shop"]}, target=fn, retry_policy=policy)


def test_eventbridge_dlq_must_be_a_standard_queue(sim: Sim):
    fn, _ = recorder(sim)
    with pytest.raises(ConfigError, match=r"needs a standard SQS queue as dead-letter queue$"):
        sim.rule("default", "r", event_pattern={"source": ["shop"]}, target=fn,
                 dead_letter_queue=sim.sqs_queue("d.fifo"))


def test_input_path_and_constant_input_replace_the_event(sim: Sim):
    by_path, seen_path = recorder(sim, "p")
    constant, seen_constant = recorder(sim, "c")
    sim.rule("default", "p", event_pattern={"source": ["shop"]}, target=by_path, input_path="$.detail.items[1]")
    sim.rule("default", "c", event_pattern={"source": ["shop"]}, target=constant, input='{"fixed": true}')
    put(sim, {"items": [{"n": 1}, {"n": 2}]})
    sim.run()
    assert seen_path == [{"n": 2}] and seen_constant == [{"fixed": True}]


def test_input_transformer_fills_quoted_and_unquoted_placeholders(sim: Sim):
    fn, seen = recorder(sim)
    rule = sim.rule("default", "t", event_pattern={"source": ["shop"]}, target=fn, input_transformer={
        "InputPathsMap": {"id": "$.detail.id", "items": "$.detail.items", "gone": "$.detail.nothing"},
        "InputTemplate": '{"order": <id>, "label": "order <id> via <aws.events.rule-name>", "items": <items>, '
                         '"gone": <gone>, "rule": "<aws.events.rule-arn>"}',
    })
    put(sim, {"id": "A-1", "items": [1, 2]})
    sim.run()
    assert seen == [{"order": "A-1", "label": "order A-1 via t", "items": [1, 2], "gone": None, "rule": rule.arn}]


def test_a_target_takes_only_one_input_setting(sim: Sim):
    fn, _ = recorder(sim)
    with pytest.raises(ConfigError, match=r"^input and input_path: a target takes only one of Input, InputPath "
                                          r"and InputTransformer$"):
        sim.rule("default", "t", event_pattern={"source": ["shop"]}, target=fn, input="{}", input_path="$")


# ---- EventBridge Scheduler ---------------------------------------------------------------------------


def test_scheduler_at_in_a_time_zone_fires_at_the_matching_utc_instant(sim: Sim):
    fn, _ = recorder(sim)
    schedule = sim.schedule("once", "at(2026-01-01T09:00:00)", target=fn, until=None, scheduler=True,
                            timezone="America/New_York")
    sim.run()
    assert schedule.firings == [14 * 3600.0]  # 09:00 EST is 14:00 UTC


def test_scheduler_cron_follows_daylight_saving_time_in_its_zone():
    with Sim(seed=1, epoch=datetime(2026, 3, 27, tzinfo=UTC)) as sim:
        fn, _ = recorder(sim)
        schedule = sim.schedule("nine", "cron(0 9 * * ? *)", target=fn, until=4 * 86_400, scheduler=True,
                                timezone="Europe/Paris")
        sim.run()
        # 09:00 in Paris is 08:00 UTC before 29 March 2026 and 07:00 UTC after
        assert schedule.firings == [8 * 3600.0, 86_400 + 8 * 3600.0, 2 * 86_400 + 7 * 3600.0,
                                    3 * 86_400 + 7 * 3600.0]


def test_scheduler_start_and_end_dates_bound_a_rate_schedule(sim: Sim):
    fn, _ = recorder(sim)
    schedule = sim.schedule("r", "rate(1 hour)", target=fn, until=None, scheduler=True,
                            start_date=datetime(2026, 1, 1, 3), end_date=datetime(2026, 1, 1, 6))
    sim.run()
    assert schedule.firings == [4 * 3600.0, 5 * 3600.0, 6 * 3600.0]


def test_scheduler_flexible_window_delays_each_invocation_within_the_window_the_same_way_per_seed():
    runs = []
    for _ in range(2):
        with Sim(seed=5) as sim:
            fn, _ = recorder(sim)
            schedule = sim.schedule("f", "rate(1 hour)", target=fn, until=3 * 3600, scheduler=True,
                                    flexible_window_minutes=15)
            sim.run()
            runs.append(schedule.firings)
            for n, fired in enumerate(schedule.firings, 1):
                assert n * 3600 <= fired < n * 3600 + 900
    assert runs[0] == runs[1] and len(runs[0]) == 3 and runs[0] != [3600.0, 7200.0, 10800.0]


def test_scheduler_dlq_message_names_the_schedule(sim: Sim):
    dlq = sim.sqs_queue("dlq")
    fn, _ = recorder(sim)
    schedule = sim.schedule("nightly", "at(2026-01-01T01:00:00)", target=fn, until=None, scheduler=True,
                            retry_policy={"MaximumRetryAttempts": 2}, dead_letter_queue=dlq, input='{"job": 1}')
    sim.apply_faults(throttle(services=["scheduler"]))
    sim.run()
    assert [d.at_ns / 1e9 for d in push_attempts(sim, schedule.request_ids[0])] == [3600, 3601, 3603]
    [moved] = dlq.receive()
    assert moved.body == '{"job": 1}'
    assert {k: v["StringValue"] for k, v in moved.message_attributes.items()} == {
        "ERROR_CODE": "TooManyRequestsException", "ERROR_MESSAGE": "Rate Exceeded.",
        "EXECUTION_ID": schedule.request_ids[0], "EXHAUSTED_RETRY_CONDITION": "MaximumRetryAttempts",
        "IS_PAYLOAD_TRUNCATED": "false", "RETRY_ATTEMPTS": "2", "SCHEDULED_TIME": "2026-01-01T01:00:00Z",
        "SCHEDULE_ARN": schedule.arn, "TARGET_ARN": fn.arn,
    }
    assert schedule.arn == "arn:aws:scheduler:us-east-1:123456789012:schedule/default/nightly"


def test_scheduler_settings_need_scheduler_true(sim: Sim):
    fn, _ = recorder(sim)
    with pytest.raises(ConfigError, match=r"^schedule 'r': timezone, flexible windows and start/end dates are "
                                          r"EventBridge Scheduler settings; pass scheduler=True$"):
        sim.schedule("r", "rate(1 hour)", target=fn, until=10, timezone="Europe/Paris")


def test_an_unknown_time_zone_is_refused(sim: Sim):
    fn, _ = recorder(sim)
    with pytest.raises(ConfigError, match=r"^timezone='Mars/Olympus': ScheduleExpressionTimezone must be an IANA"):
        sim.schedule("r", "cron(0 9 * * ? *)", target=fn, until=10, scheduler=True, timezone="Mars/Olympus")


def test_push_invoke_failure_validates_its_settings():
    from lambdachaos.faults import FaultPlanError

    with pytest.raises(FaultPlanError, match=r"^error='gone' is invalid: it must be one of function-missing, "
                                             r"permission-denied, throttled\."):
        PushInvokeFailure(error="gone")
    with pytest.raises(FaultPlanError, match=r"^services=\('lambda',\) is invalid: each entry is one of sns, "
                                             r"events, scheduler\."):
        PushInvokeFailure(services=["lambda"])
    plan = FaultPlan.of(PushInvokeFailure(error="permission-denied", services=["events"], end_seconds=5))
    assert FaultPlan.from_json(plan.to_json()) == plan
