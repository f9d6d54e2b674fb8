"""The ``Sim`` methods for push sources (S3 buckets, SNS and EventBridge subscriptions, HTTP front doors).

S3, SNS, EventBridge rules and schedules invoke through the asynchronous path; API Gateway, Function
URLs and ALB invoke synchronously (docs/aws-behaviour.md §7). See ``docs/push-sources.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from lambdachaos._clock import to_ns
from lambdachaos._errors import ConfigError

if TYPE_CHECKING:
    from lambdachaos._registry import Registry
    from lambdachaos._world import World
    from lambdachaos.resources._events import EventBus, Rule
    from lambdachaos.resources._s3 import Bucket, NotificationConfiguration
    from lambdachaos.resources._sns import Subscription, Topic
    from lambdachaos.resources._sqs import Queue
    from lambdachaos.service.invoke._async import AsyncInvoker
    from lambdachaos.service.invoke._function import Function
    from lambdachaos.service.invoke._service import LambdaService
    from lambdachaos.service.push._doors import AlbTargetGroup, ApiGatewayRest, FunctionUrl, HttpApi
    from lambdachaos.service.push._retry import RetryPolicy
    from lambdachaos.service.push._scheduler import Schedule


class PushFactories:
    """The :class:`lambdachaos.Sim` methods for push sources; they keep everything in ``self.registry``."""

    if TYPE_CHECKING:
        registry: Registry
        world: World
        service: LambdaService
        async_invoker: AsyncInvoker

        def event_bus(self, name: str = "default") -> EventBus: ...

    # ---- S3 -----------------------------------------------------------------------------------
    def s3_bucket(self, name: str, *, versioning: bool = False) -> Bucket:
        """Create a bucket that sends event notifications (docs/aws-behaviour.md §7.1).

        ``bucket.add_notification(function, events=["s3:ObjectCreated:*"], prefix=..., suffix=...)`` wires a
        function (invoked asynchronously); ``put_object``/``copy_object``/``delete_object`` notify.
        ``bucket.notify(event_name, key, ...)`` is the hook the boto3 bridge calls after a real request.
        """
        from lambdachaos.resources._s3 import Bucket

        if self.registry.get("buckets", name) is not None:
            raise ConfigError(f"name={name!r}: a bucket with this name already exists in this simulation")
        bucket = Bucket(self.world, name, versioning=versioning, deliver=self._deliver_s3)
        return self.registry.add("buckets", name, bucket, arns=(bucket.arn,))

    @property
    def buckets(self) -> dict[str, Bucket]:
        """The simulation's S3 buckets by name."""
        return dict(self.registry.all("buckets"))

    def _deliver_s3(self, target: Any, event: dict[str, Any], config: NotificationConfiguration) -> object:
        from lambdachaos.service.invoke._function import Function
        from lambdachaos.service.push._async import accept

        if not isinstance(target, Function):
            raise ConfigError(f"target={target!r}: S3 notifications in the simulation go to sim functions")
        bucket = event["Records"][0]["s3"]["bucket"]["arn"]
        return accept(self.async_invoker, target, event, qualifier=None, source=bucket)

    # ---- SNS ----------------------------------------------------------------------------------
    def subscribe(
        self, topic: Topic, function: Function, *, qualifier: str | None = None,
        filter_policy: str | Mapping[str, Any] | None = None, filter_policy_scope: str = "MessageAttributes",
        dead_letter_queue: Queue | None = None,
    ) -> Subscription:
        """Subscribe ``function`` to ``topic`` (protocol ``lambda``): each publish is an async invoke (§7.2).

        ``filter_policy`` is an SNS subscription filter policy (EventBridge pattern syntax) applied to the
        message attributes, or to the JSON message with ``filter_policy_scope="MessageBody"``.
        When SNS's ``Invoke`` fails it follows its delivery policy for AWS-managed endpoints (100,015
        attempts over about 23 days; none for a missing function or permission), then moves the message
        to ``dead_letter_queue`` (the subscription's ``RedrivePolicy``) or drops it. ``subscription.event_ids``
        lists each message's ledger id.
        """
        from lambdachaos.service.push._async import subscribe_function

        return subscribe_function(self.async_invoker, topic, function, qualifier=qualifier,
                                  filter_policy=filter_policy, filter_policy_scope=filter_policy_scope,
                                  dead_letter_queue=dead_letter_queue)

    # ---- EventBridge --------------------------------------------------------------------------
    def rule(
        self, bus: EventBus | str, name: str, *, event_pattern: str | Mapping[str, Any], target: Function,
        qualifier: str | None = None, retry_policy: RetryPolicy | dict[str, Any] | None = None,
        dead_letter_queue: Queue | None = None, input: str | None = None, input_path: str | None = None,
        input_transformer: Mapping[str, Any] | None = None,
    ) -> Rule:
        """An EventBridge rule on ``bus`` (a bus or its name) whose target is ``target``, invoked asynchronously.

        ``retry_policy`` (``{"MaximumRetryAttempts": 0-185, "MaximumEventAgeInSeconds": 60-86400}``, default
        185 and 86,400) and ``dead_letter_queue`` (a standard queue) apply when EventBridge's ``Invoke``
        fails; ``input``, ``input_path`` or ``input_transformer`` shape what the function receives.
        ``rule.event_ids`` lists each event's ledger id.
        """
        from lambdachaos.service.push._async import add_rule

        if isinstance(bus, str):
            bus = self.event_bus(bus)
        return add_rule(self.async_invoker, bus, name, target, event_pattern=event_pattern, qualifier=qualifier,
                        retry_policy=retry_policy, dead_letter_queue=dead_letter_queue, input=input,
                        input_path=input_path, input_transformer=input_transformer)

    def schedule(
        self, name: str, schedule_expression: str, *, target: Function, until: float | timedelta | None,
        scheduler: bool = False, qualifier: str | None = None, retry_policy: RetryPolicy | dict[str, Any] | None = None,
        dead_letter_queue: Queue | None = None, input: str | None = None, timezone: str = "UTC",
        flexible_window_minutes: int | None = None, start_date: datetime | None = None,
        end_date: datetime | None = None, group: str = "default",
    ) -> Schedule:
        """A scheduled EventBridge rule (or, with ``scheduler=True``, an EventBridge Scheduler schedule).

        ``schedule_expression`` is ``rate(...)``, ``cron(...)`` or (Scheduler) ``at(...)``, evaluated in UTC
        on the wall clock the virtual clock renders. ``until`` is required: the last virtual time (seconds
        since the simulation started) at which the schedule may fire. Firings are scheduled only up to it, so
        ``sim.run()`` returns; create a new schedule (or use ``sim.run(until=...)`` on a longer horizon) to
        go further. Each firing is an async invoke of the §7.3 scheduled event (or of ``input``).

        ``retry_policy`` and ``dead_letter_queue`` apply when the ``Invoke`` fails, as for rule targets.
        Scheduler only: ``timezone`` (IANA name for ``cron()``/``at()``), ``flexible_window_minutes``
        (1-1,440), ``start_date``/``end_date`` (UTC when naive), ``group`` (the schedule group in the ARN).

        Example::

            from lambdachaos import Sim

            with Sim(seed=1) as sim:
                fn = sim.function(lambda event, context: None, name="tick")
                every5 = sim.schedule("tick", "rate(5 minutes)", target=fn, until=3600)
                sim.run()
                assert every5.firings == [300.0 * i for i in range(1, 13)]
        """
        from lambdachaos.service.push._scheduler import Schedule

        bounded = end_date is not None or schedule_expression.startswith("at(")
        if until is None and not bounded:
            raise ConfigError(
                f"until=None: schedule {name!r} ({schedule_expression}) would fire forever and sim.run() would "
                "never return; give until=<virtual seconds> as the last time it may fire"
            )
        until_ns = to_ns(until) if until is not None else 1 << 62
        if until_ns < self.world.clock.now_ns:
            raise ConfigError(f"until={until!r} is before now={self.world.clock.now}s; give a later time")
        schedules = self.registry.all("schedules")
        key = name if group == "default" else f"{group}/{name}"
        if key in schedules:
            raise ConfigError(f"name={name!r}: a schedule with this name already exists in this simulation")
        made = Schedule(self.world, self.async_invoker, name=name, expression=schedule_expression, function=target,
                        until_ns=until_ns, scheduler=scheduler, qualifier=qualifier, retry_policy=retry_policy,
                        dead_letter_queue=dead_letter_queue, input=input, timezone=timezone,
                        flexible_window_minutes=flexible_window_minutes, start_date=start_date, end_date=end_date,
                        group=group)
        return self.registry.add("schedules", key, made)

    def find_schedule(self, name: str, group: str = "default") -> Schedule | None:
        """The schedule ``name`` of ``group`` (the boto3 bridge's hook), or None."""
        found: Schedule | None = self.registry.all("schedules").get(name if group == "default" else f"{group}/{name}")
        return found

    def forget_schedule(self, name: str, group: str = "default") -> None:
        """Drop a schedule from the registry (``DeleteSchedule``; disable it first)."""
        self.registry.remove("schedules", name if group == "default" else f"{group}/{name}")

    def sim_schedules(self) -> list[Schedule]:
        """Every schedule of the simulation, in creation order."""
        return list(self.registry.all("schedules").values())

    # ---- HTTP front doors (synchronous) -------------------------------------------------------
    def api_gateway_rest(
        self, function: Function, *, resource: str = "/{proxy+}", stage: str = "prod", method: str = "ANY",
        qualifier: str | None = None, integration_timeout: float = 29.0,
    ) -> ApiGatewayRest:
        """A REST API method with a Lambda proxy integration (payload 1.0); ``door.request(...)`` calls it.

        ``integration_timeout`` is the integration's ``timeoutInMillis`` in seconds (0.05–29, default 29).
        """
        from lambdachaos.service.push._doors import ApiGatewayRest

        return ApiGatewayRest(self.service, function, resource=resource, stage=stage, method=method,
                              qualifier=qualifier, integration_timeout=integration_timeout)

    def http_api(
        self, function: Function, *, route_key: str = "$default", payload_format_version: str = "2.0",
        stage: str = "$default", qualifier: str | None = None, integration_timeout: float = 30.0,
    ) -> HttpApi:
        """An HTTP API route (``$default`` or ``GET /orders/{id}``) with a Lambda integration.

        ``integration_timeout`` is in seconds (0.05–30, default 30).
        """
        from lambdachaos.service.push._doors import HttpApi

        return HttpApi(self.service, function, route_key=route_key, payload_format_version=payload_format_version,
                       stage=stage, qualifier=qualifier, integration_timeout=integration_timeout)

    def function_url(self, function: Function, *, auth_type: str = "NONE", qualifier: str | None = None
                     ) -> FunctionUrl:
        """The function's URL (``AuthType`` ``NONE`` or ``AWS_IAM``, ``InvokeMode`` BUFFERED)."""
        from lambdachaos.service.push._doors import FunctionUrl

        return FunctionUrl(self.service, function, auth_type=auth_type, qualifier=qualifier)

    def alb_target_group(
        self, function: Function, *, multi_value_headers: bool = False, name: str = "lambda-tg",
        qualifier: str | None = None,
    ) -> AlbTargetGroup:
        """An ALB target group with ``function`` as target (``lambda.multi_value_headers.enabled``)."""
        from lambdachaos.service.push._doors import AlbTargetGroup

        return AlbTargetGroup(self.service, function, multi_value_headers=multi_value_headers, name=name,
                              qualifier=qualifier)
