"""The boto3 ``scheduler`` client on schedules targeting sim functions: round trips and a failing push."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import boto3
import pytest
from botocore.exceptions import ClientError
from lambdachaos.faults import FaultPlan, PushInvokeFailure

from lambdachaos import Sim


@pytest.fixture
def sim():
    with Sim(seed=4) as s:
        yield s


def test_create_get_list_update_delete_round_trip(sim):
    seen = []
    fn = sim.function(lambda event, context: seen.append(event), name="report")
    dlq = sim.sqs_queue("report-dlq")
    client = boto3.client("scheduler", region_name="us-east-1")
    target = {"Arn": fn.arn, "RoleArn": "arn:aws:iam::123456789012:role/scheduler", "Input": '{"n": 1}',
              "RetryPolicy": {"MaximumRetryAttempts": 3}, "DeadLetterConfig": {"Arn": dlq.arn}}
    arn = client.create_schedule(Name="hourly", ScheduleExpression="rate(1 hour)", Target=target,
                                 FlexibleTimeWindow={"Mode": "OFF"},
                                 EndDate=datetime(2026, 1, 1, 3, tzinfo=UTC))["ScheduleArn"]
    assert arn == "arn:aws:scheduler:us-east-1:123456789012:schedule/default/hourly"
    got = client.get_schedule(Name="hourly")
    assert (got["Arn"], got["State"], got["ScheduleExpression"], got["ScheduleExpressionTimezone"]) == (
        arn, "ENABLED", "rate(1 hour)", "UTC")
    assert got["Target"]["RetryPolicy"] == {"MaximumEventAgeInSeconds": 86_400, "MaximumRetryAttempts": 3}
    assert got["Target"]["DeadLetterConfig"] == {"Arn": dlq.arn}
    assert [s["Name"] for s in client.list_schedules()["Schedules"]] == ["hourly"]
    with pytest.raises(ClientError) as info:
        client.create_schedule(Name="hourly", ScheduleExpression="rate(1 hour)", Target=target,
                               FlexibleTimeWindow={"Mode": "OFF"})
    assert info.value.response["Error"]["Code"] == "ConflictException"
    client.update_schedule(Name="hourly", ScheduleExpression="rate(2 hours)", Target=target,
                           FlexibleTimeWindow={"Mode": "OFF"}, EndDate=datetime(2026, 1, 1, 5, tzinfo=UTC))
    sim.run()
    assert seen == [{"n": 1}, {"n": 1}]
    assert [a.start for a in sim.ledger.attempts] == [7200.0, 14400.0]
    client.delete_schedule(Name="hourly")
    with pytest.raises(ClientError) as info:
        client.get_schedule(Name="hourly")
    assert info.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_a_schedule_made_through_boto3_dead_letters_a_denied_invoke(sim):
    fn = sim.function(lambda event, context: None, name="nightly")
    dlq = sim.sqs_queue("nightly-dlq")
    sim.apply_faults(FaultPlan.of(PushInvokeFailure(error="permission-denied", services=["scheduler"])))
    client = boto3.client("scheduler", region_name="us-east-1")
    client.create_schedule(Name="once", ScheduleExpression="at(2026-01-01T10:00:00)",
                           ScheduleExpressionTimezone="Europe/Paris", FlexibleTimeWindow={"Mode": "OFF"},
                           Target={"Arn": fn.arn, "RoleArn": "arn:aws:iam::123456789012:role/r",
                                   "DeadLetterConfig": {"Arn": dlq.arn}})
    sim.run()
    schedule = sim.find_schedule("once")
    assert schedule.firings == [9 * 3600.0]
    sqs = boto3.client("sqs", region_name="us-east-1")
    [message] = sqs.receive_message(QueueUrl=dlq.url, MessageAttributeNames=["All"])["Messages"]
    assert message["MessageAttributes"]["ERROR_CODE"]["StringValue"] == "AccessDeniedException"
    assert message["MessageAttributes"]["SCHEDULE_ARN"]["StringValue"] == schedule.arn
    assert json.loads(message["Body"])["source"] == "aws.scheduler"
    assert sim.ledger.fate(schedule.request_ids[0]).status == "dead_lettered"
