#!/usr/bin/env python3
"""The CDK program (aws-cdk-lib v2) whose synthesized output is checked in under cdk.out/ (docs/templates.md)."""

import aws_cdk as cdk
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs


class OrderStatsStack(cdk.Stack):
    def __init__(self, scope, construct_id, **kwargs):
        super().__init__(scope, construct_id, **kwargs)
        stream = kinesis.Stream(self, "OrderStream", shard_count=1)
        stats_failures = sqs.Queue(self, "StatsFailures")
        alerts = sns.Topic(self, "AlertsTopic")
        oncall = sqs.Queue(self, "OnCallQueue")
        alert_failures = sqs.Queue(self, "AlertFailures")

        stats = lambda_.Function(
            self, "StatsFunction", runtime=lambda_.Runtime.PYTHON_3_12, handler="index.handler",
            code=lambda_.Code.from_asset("lambda/stats"), memory_size=512, timeout=cdk.Duration.seconds(30),
            environment={"ALERTS_TOPIC_ARN": alerts.topic_arn, "LARGE_ORDER_TOTAL": "1000"},
        )
        stats.add_event_source(sources.KinesisEventSource(
            stream, starting_position=lambda_.StartingPosition.TRIM_HORIZON, batch_size=10,
            bisect_batch_on_error=True, retry_attempts=2, report_batch_item_failures=True,
            on_failure=sources.SqsDlq(stats_failures),
        ))
        alerts.grant_publish(stats)

        alerter = lambda_.Function(
            self, "AlertFunction", runtime=lambda_.Runtime.PYTHON_3_12, handler="index.handler",
            code=lambda_.Code.from_asset("lambda/alerts"), environment={"ONCALL_QUEUE_URL": oncall.queue_url},
            retry_attempts=0, on_failure=destinations.SqsDestination(alert_failures),
        )
        alerts.add_subscription(subscriptions.LambdaSubscription(alerter))
        oncall.grant_send_messages(alerter)


app = cdk.App()
OrderStatsStack(app, "OrderStatsStack")
app.synth()
