"""The ``Sim`` factories of the Kafka, Amazon MQ and DocumentDB event sources.

Everything they create is kept in ``self.registry``: clusters and brokers under their own kinds, and the
resources a mapping reads (Kafka topics, broker queues, DocumentDB collections) under the kind of their
source-table row, so delivery faults and lookups find them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from lambdachaos._errors import ConfigError

if TYPE_CHECKING:
    from lambdachaos._registry import Registry
    from lambdachaos._world import World
    from lambdachaos.resources._docdb import DocDbCluster
    from lambdachaos.resources._kafka import KafkaCluster
    from lambdachaos.resources._mq import MqBroker
    from lambdachaos.service.invoke._service import LambdaService


class PollSourceFactories:
    """The :class:`lambdachaos.Sim` methods creating Kafka clusters, Amazon MQ brokers and DocumentDB clusters."""

    if TYPE_CHECKING:
        world: World
        service: LambdaService
        registry: Registry

    def _watched(self, kind: str, name: str, resource: Any) -> None:
        """Keep a mapped resource and put it under a fault plan applied earlier."""
        self.registry.add(kind, name, resource)
        injector = self.service.injector
        if injector is not None:
            injector.watch(resource)

    def kafka_cluster(self, name: str, *, self_managed: bool = False,
                      bootstrap_servers: Sequence[str] | str | None = None, brokers: int = 3) -> KafkaCluster:
        """Create an Amazon MSK cluster, or a self-managed Apache Kafka cluster with ``self_managed=True``.

        ``bootstrap_servers`` are its ``host:port`` entries (default: ``brokers`` made-up hosts). Make topics
        with ``cluster.topic(name, partitions=n)`` and map one with ``sim.map(topic, fn, ...)``.

        Example::

            from lambdachaos import Sim

            with Sim(seed=1) as sim:
                topic = sim.kafka_cluster("payments").topic("orders", partitions=3)
                fn = sim.function(lambda event, context: None, name="orders")
                sim.map(topic, fn, batch_size=10)
                record = topic.produce(b'{"order": 1}', key=b"customer-1")
                sim.run()
                assert sim.ledger.fate(record.event_id).status == "succeeded"
        """
        from lambdachaos.resources._kafka import KafkaCluster

        if self.registry.get("kafka_clusters", name) is not None:
            raise ConfigError(f"name={name!r}: a Kafka cluster with this name already exists in this simulation")
        cluster = KafkaCluster(self.world, name, self_managed=self_managed, bootstrap_servers=bootstrap_servers,
                               brokers=brokers)
        self.registry.add("kafka_clusters", name, cluster, arns=(cluster.arn,))
        cluster.on_topic.append(lambda topic: self._watched("kafka_topics", f"{name}/{topic.name}", topic))
        return cluster

    def mq_broker(self, name: str, *, engine: str = "activemq", maximum_redeliveries: int = 6) -> MqBroker:
        """Create an Amazon MQ broker: ``engine="activemq"`` or ``"rabbitmq"``.

        Make queues with ``broker.queue(name)`` (RabbitMQ: ``vhost=``, ``delivery_limit=``,
        ``dead_letter_queue=``) and map one with ``sim.map(queue, fn, ...)``. ActiveMQ dead-letters a message
        after ``maximum_redeliveries`` redeliveries (6, as Lambda's redelivery policy sets it).

        Example::

            from lambdachaos import Sim

            with Sim(seed=1) as sim:
                queue = sim.mq_broker("orders-broker").queue("orders")
                fn = sim.function(lambda event, context: None, name="orders")
                sim.map(queue, fn, batch_size=10)
                message = queue.send('{"order": 1}')
                sim.run()
                assert sim.ledger.fate(message.event_id).status == "succeeded"
        """
        from lambdachaos.resources._mq import MqBroker

        if self.registry.get("mq_brokers", name) is not None:
            raise ConfigError(f"name={name!r}: an Amazon MQ broker with this name already exists in this simulation")
        broker = MqBroker(self.world, name, engine=engine, maximum_redeliveries=maximum_redeliveries)
        self.registry.add("mq_brokers", name, broker, arns=(broker.arn,))
        broker.on_queue.append(lambda queue: self._watched("mq_queues", f"{name}/{queue.key}", queue))
        return broker

    def docdb_cluster(self, name: str, *, change_stream_log_retention_duration: int = 10_800) -> DocDbCluster:
        """Create an Amazon DocumentDB cluster with change streams (log retention 3 hours by default, 1 hour to 7
        days). Write with ``cluster.collection(db, name).insert_one(...)`` and friends; map a collection (or
        ``cluster.database(db)`` for all its collections) with ``sim.map(collection, fn, ...)``.

        Example::

            from lambdachaos import Sim

            with Sim(seed=1) as sim:
                orders = sim.docdb_cluster("shop").collection("shop", "orders")
                fn = sim.function(lambda event, context: None, name="orders")
                mapping = sim.map(orders, fn, full_document="UpdateLookup")
                orders.insert_one({"sku": "A-1", "qty": 2})
                sim.run()
                assert [a.outcome for a in sim.ledger.attempts] == ["success"]
        """
        from lambdachaos.resources._docdb import DocDbCluster

        if self.registry.get("docdb_clusters", name) is not None:
            raise ConfigError(f"name={name!r}: a DocumentDB cluster with this name already exists in this simulation")
        cluster = DocDbCluster(self.world, name,
                               change_stream_log_retention_duration=change_stream_log_retention_duration)
        self.registry.add("docdb_clusters", name, cluster, arns=(cluster.arn,))
        cluster.on_collection.append(
            lambda c: self.registry.add("docdb_collections", f"{name}/{c.namespace}", c))
        return cluster
