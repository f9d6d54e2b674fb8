"""The ``Sim`` methods for event source mappings and their stream sources (``map``, streams, tables)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypedDict, Unpack, overload

from lambdachaos._errors import ConfigError
from lambdachaos.service.mappings._common import FilterCriteriaInput

if TYPE_CHECKING:
    from lambdachaos._registry import Registry
    from lambdachaos._world import World
    from lambdachaos.ledger._ledger import Ledger
    from lambdachaos.resources._dynamodb_streams import DynamoDBTable
    from lambdachaos.resources._kinesis import KinesisStream
    from lambdachaos.resources._sqs import Queue
    from lambdachaos.service.invoke._function import Function
    from lambdachaos.service.invoke._service import LambdaService
    from lambdachaos.service.mappings._sqs import SqsEventSourceMapping
    from lambdachaos.service.mappings._stream import StreamEventSourceMapping

class MappingSettings(TypedDict, total=False):
    """The ``Sim.map`` settings: the snake_case of ``CreateEventSourceMapping``'s, each checked with AWS's range
    (docs/mappings.md). Which of them a source accepts is in its row of the source table."""

    batch_size: int | None
    """``BatchSize`` (SQS default 10, max 10,000, FIFO max 10; streams default 100, max 10,000)."""
    maximum_batching_window_in_seconds: int
    """``MaximumBatchingWindowInSeconds``, 0–300."""
    function_response_types: Iterable[str]
    """``FunctionResponseTypes``: ``["ReportBatchItemFailures"]`` or none."""
    filter_criteria: FilterCriteriaInput
    """``FilterCriteria``: up to 5 patterns (EventBridge pattern syntax)."""
    maximum_concurrency: int | None
    """SQS ``ScalingConfig.MaximumConcurrency``, 2–1,000."""
    scaling_config: Mapping[str, int] | None
    """``{"MaximumConcurrency": n}``, the same setting as ``maximum_concurrency``."""
    starting_position: str | None
    """Streams: ``TRIM_HORIZON`` (the default here), ``LATEST`` or (Kinesis) ``AT_TIMESTAMP``."""
    starting_position_timestamp: float | None
    """With ``AT_TIMESTAMP``: virtual seconds."""
    parallelization_factor: int
    """Streams: ``ParallelizationFactor``, 1–10."""
    maximum_retry_attempts: int
    """Streams: ``MaximumRetryAttempts``, -1 (infinite) to 10,000."""
    maximum_record_age_in_seconds: int
    """Streams: ``MaximumRecordAgeInSeconds``, -1 (infinite) or 60–604,800."""
    bisect_batch_on_function_error: bool
    """Streams: ``BisectBatchOnFunctionError``."""
    on_failure: Any
    """Streams: ``DestinationConfig.OnFailure``: a sim queue, topic or bucket (or its ARN)."""
    tumbling_window_in_seconds: int
    """Streams: ``TumblingWindowInSeconds``, 0–900."""
    consumer_group_id: str | None
    """Kafka: ``ConsumerGroupId`` (default: the mapping's UUID)."""
    provisioned_poller_config: Mapping[str, Any] | None
    """Kafka: ``ProvisionedPollerConfig`` (``MinimumPollers``, ``MaximumPollers``, ``PollerGroupName``)."""
    full_document: str
    """DocumentDB: ``DocumentDBEventSourceConfig.FullDocument``, ``Default`` or ``UpdateLookup``."""


class EsmFactories:
    """The :class:`lambdachaos.Sim` methods for event source mappings and their stream sources. They keep
    everything in ``self.registry``; which sources can be mapped is the source table's business."""

    if TYPE_CHECKING:
        world: World
        service: LambdaService
        ledger: Ledger
        registry: Registry

        def find_resource(self, arn: str) -> object | None: ...

    @overload
    def map(self, source: Queue, function: Function, *, qualifier: str | None = None, enabled: bool = True,
            **settings: Unpack[MappingSettings]) -> SqsEventSourceMapping: ...

    @overload
    def map(self, source: KinesisStream | DynamoDBTable, function: Function, *, qualifier: str | None = None,
            enabled: bool = True, **settings: Unpack[MappingSettings]) -> StreamEventSourceMapping: ...

    @overload
    def map(self, source: object, function: Function, *, qualifier: str | None = None, enabled: bool = True,
            **settings: Unpack[MappingSettings]) -> Any: ...

    def map(self, source: object, function: Function, *, qualifier: str | None = None, enabled: bool = True,
            **settings: Unpack[MappingSettings]) -> Any:
        """``CreateEventSourceMapping``: connect a poll-based source (an SQS queue, Kinesis stream, DynamoDB table
        stream, or any source of the source table) to ``function``.

        Keywords are the snake_case of the AWS settings (:class:`MappingSettings`) and are validated with AWS's
        ranges (docs/mappings.md); a setting the source does not have is refused, naming it.
        ``scaling_config={"MaximumConcurrency": n}`` and ``maximum_concurrency=n`` are the same setting. Stream
        mappings default to ``starting_position="TRIM_HORIZON"``; ``on_failure`` is an SQS queue, SNS topic or
        S3 bucket (``DestinationConfig.OnFailure``). The mapping starts polling as soon as there is something to
        read; ``sim.run()`` returns once everything is processed.

        Example::

            from lambdachaos import Sim

            def handler(event, context):
                return None

            with Sim(seed=1) as sim:
                queue = sim.sqs_queue("orders")
                fn = sim.function(handler, name="orders")
                sim.map(queue, fn, batch_size=10)
                sent = queue.send('{"order": 1}')
                sim.run()
                assert sim.ledger.fate(sent.message_id).status == "succeeded"
        """
        from lambdachaos.service.mappings._sources import source_of, sources
        from lambdachaos.service.mappings._table import MapRequest

        given: dict[str, Any] = dict(settings)
        unknown = sorted(set(given) - set(MappingSettings.__annotations__))
        if unknown:
            raise ConfigError(f"unknown mapping setting(s) {unknown}; valid: {sorted(MappingSettings.__annotations__)}")
        scaling_config = given.pop("scaling_config", None)
        if scaling_config is not None:
            if set(scaling_config) - {"MaximumConcurrency"}:
                raise ConfigError(f"scaling_config={dict(scaling_config)!r}: ScalingConfig has only MaximumConcurrency")
            if given.get("maximum_concurrency") is not None:
                raise ConfigError("give maximum_concurrency or scaling_config={'MaximumConcurrency': n}, not both")
            given["maximum_concurrency"] = scaling_config.get("MaximumConcurrency")
        row = source_of(source)
        if row is None:
            names = ", ".join(r.title for r in sources().values())
            raise ConfigError(f"source={source!r} is not an event source this simulation can map; the sources are "
                              f"{names} (docs/mappings.md says how to create each one)")
        if row.precheck is not None:
            row.precheck(given)
        request = MapRequest(service=self.service, resource=source, function=function, settings=row.check(given),
                             qualifier=qualifier, enabled=enabled, resolve=self.find_resource,
                             existing=lambda: tuple(self.registry.all("mappings").values()))
        mapping = row.create(request)
        self.registry.add("mappings", mapping.uuid, mapping)
        return mapping

    def kinesis_stream(self, name: str, *, shards: int = 1, retention_period_hours: int = 24) -> KinesisStream:
        """Create a Kinesis data stream with ``shards`` shards (hash key ranges split evenly, as AWS does).

        ``retention_period_hours`` is 24–8,760; records older than that are trimmed.
        """
        from lambdachaos.resources._kinesis import KinesisStream

        if self.registry.get("streams", name) is not None:
            raise ConfigError(f"name={name!r}: a Kinesis stream with this name already exists in this simulation")
        stream = KinesisStream(self.world, name, shards=shards, retention_period_hours=retention_period_hours)
        self.registry.add("streams", name, stream, arns=(stream.arn,))
        injector = self.service.injector
        if injector is not None:  # a fault plan applied earlier also covers streams created later
            injector.watch(stream)
        return stream

    def dynamodb_table(
        self, name: str, *, key_schema: Iterable[str] | str = ("pk",), stream_view_type: str = "NEW_AND_OLD_IMAGES",
    ) -> DynamoDBTable:
        """Create a DynamoDB table with a stream.

        ``stream_view_type`` is ``StreamViewType``: KEYS_ONLY, NEW_IMAGE, OLD_IMAGE or NEW_AND_OLD_IMAGES.

        ``key_schema`` names the partition key (and optional sort key) attributes.
        """
        from lambdachaos.resources._dynamodb_streams import DynamoDBTable

        keys = (key_schema,) if isinstance(key_schema, str) else tuple(key_schema)
        if self.registry.get("tables", name) is not None:
            raise ConfigError(f"name={name!r}: a DynamoDB table with this name already exists in this simulation")
        table = DynamoDBTable(self.world, name, key_schema=keys, stream_view_type=stream_view_type)
        return self.registry.add("tables", name, table, arns=(table.arn, table.stream_arn))
