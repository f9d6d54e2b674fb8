"""The ``Sim`` methods for SQS queues, SNS topics and EventBridge buses, and resource lookup by ARN."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Unpack

from lambdachaos._arn import Arn
from lambdachaos._errors import ConfigError
from lambdachaos._sim_settings import QueueSettings, TopicSettings
from lambdachaos.resources import Queue, QueueConfig, RedrivePolicy

if TYPE_CHECKING:
    from lambdachaos._registry import Registry
    from lambdachaos._world import World
    from lambdachaos.resources import EventBus, Topic
    from lambdachaos.service.invoke._service import LambdaService


class ResourceFactories:
    """The :class:`lambdachaos.Sim` methods for queues, topics and buses; everything is kept in ``self.registry``."""

    if TYPE_CHECKING:
        registry: Registry
        world: World
        service: LambdaService

    @property
    def queues(self) -> Mapping[str, Queue]:
        """The simulation's SQS queues by name."""
        return self.registry.all("queues")

    @property
    def topics(self) -> Mapping[str, Topic]:
        """The simulation's SNS topics by name."""
        return self.registry.all("topics")

    @property
    def buses(self) -> Mapping[str, EventBus]:
        """The simulation's EventBridge buses by name."""
        return self.registry.all("buses")

    def sqs_queue(
        self,
        name: str,
        *,
        dead_letter_queue: Queue | None = None,
        max_receive_count: int | None = None,
        **attributes: Unpack[QueueSettings],
    ) -> Queue:
        """Create an SQS queue (standard, or FIFO when the name ends in ``.fifo``).

        ``attributes`` are :class:`QueueConfig` fields (``visibility_timeout``, ``delay_seconds``,
        ``message_retention_period``, ``maximum_message_size``, ``content_based_deduplication``...).
        ``dead_letter_queue`` with ``max_receive_count`` sets the queue's redrive policy.
        """
        if name in self.registry.all("queues"):
            raise ConfigError(f"name={name!r}: a queue with this name already exists in this simulation")
        if (dead_letter_queue is None) != (max_receive_count is None):
            raise ConfigError(
                f"dead_letter_queue={getattr(dead_letter_queue, 'name', None)!r}, max_receive_count="
                f"{max_receive_count!r}: a redrive policy needs both (RedrivePolicy deadLetterTargetArn and "
                "maxReceiveCount)"
            )
        if dead_letter_queue is not None and max_receive_count is not None:
            attributes["redrive_policy"] = RedrivePolicy(
                dead_letter_target=dead_letter_queue, max_receive_count=max_receive_count
            )
        attributes.setdefault("fifo_queue", name.endswith(".fifo"))
        queue = Queue(self.world, name, QueueConfig(**attributes))
        if self.service.injector is not None:  # a fault plan applied earlier also covers queues created later
            self.service.injector.watch(queue)
        return self.registry.add("queues", name, queue, arns=(queue.arn,))

    def sns_topic(self, name: str, **attributes: Unpack[TopicSettings]) -> Topic:
        """Create an SNS topic."""
        from lambdachaos.resources import Topic

        if name in self.registry.all("topics"):
            raise ConfigError(f"name={name!r}: a topic with this name already exists in this simulation")
        topic = Topic(self.world, name, **attributes)
        return self.registry.add("topics", name, topic, arns=(topic.arn,))

    def event_bus(self, name: str = "default") -> EventBus:
        """Create (or return the existing) EventBridge bus."""
        bus: EventBus | None = self.registry.get("buses", name)
        if bus is None:
            from lambdachaos.resources import EventBus

            created = EventBus(self.world, name)
            bus = self.registry.add("buses", name, created, arns=(created.arn,))
        return bus

    def find_resource(self, arn: str) -> object | None:
        """A sim resource (queue, topic, bus, bucket, stream, table, function) by ARN, or ``None``."""
        found: object | None = self.registry.find(arn)
        if found is None and arn.startswith("arn:") and arn.split(":", 3)[2:3] == ["lambda"]:
            parsed = Arn.maybe(arn)
            if parsed is not None and parsed.resource_type == "function":
                return self.service.functions.get(parsed.name)
        return found
