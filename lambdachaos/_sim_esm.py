"""The ``Sim`` methods for event source mappings and their stream sources (``map``, streams, tables)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final, TypeVar

from lambdachaos._errors import ConfigError
from lambdachaos.service.mappings._common import FilterCriteriaInput, reject

if TYPE_CHECKING:
    from lambdachaos._world import World
    from lambdachaos.ledger._ledger import Ledger
    from lambdachaos.resources._dynamodb_streams import DynamoDBTable
    from lambdachaos.resources._kinesis import KinesisStream
    from lambdachaos.resources._sqs import Queue
    from lambdachaos.service.invoke._function import Function
    from lambdachaos.service.invoke._service import LambdaService
    from lambdachaos.service.mappings._sqs import SqsEventSourceMapping
    from lambdachaos.service.mappings._stream import StreamEventSourceMapping

_STREAM_ONLY: Final = {
    "starting_position": None, "starting_position_timestamp": None, "parallelization_factor": 1,
    "maximum_retry_attempts": -1, "maximum_record_age_in_seconds": -1,
    "bisect_batch_on_function_error": False, "on_failure": None, "tumbling_window_in_seconds": 0,
}
_STREAM_ONLY_HINT: Final = {
    "on_failure": "SQS mappings have no on-failure destination: give the queue a dead_letter_queue instead",
}


_M = TypeVar("_M", "SqsEventSourceMapping", "StreamEventSourceMapping")

class EsmMixin:
    """Mixed into :class:`lambdachaos.Sim`; holds the mapping and stream-source factories."""

    if TYPE_CHECKING:
        world: World
        service: LambdaService
        ledger: Ledger
        queues: dict[str, Queue]

        def find_resource(self, arn: str) -> object | None: ...

    def map(
        self,
        source: Queue | KinesisStream | DynamoDBTable,
        function: Function,
        *,
        batch_size: int | None = None,
        maximum_batching_window_in_seconds: int = 0,
        function_response_types: Iterable[str] = (),
        filter_criteria: FilterCriteriaInput = None,
        maximum_concurrency: int | None = None,
        scaling_config: Mapping[str, int] | None = None,
        starting_position: str | None = None,
        starting_position_timestamp: float | None = None,
        parallelization_factor: int = 1,
        maximum_retry_attempts: int = -1,
        maximum_record_age_in_seconds: int = -1,
        bisect_batch_on_function_error: bool = False,
        on_failure: Any = None,
        tumbling_window_in_seconds: int = 0,
        qualifier: str | None = None,
        enabled: bool = True,
    ) -> SqsEventSourceMapping | StreamEventSourceMapping:
        """``CreateEventSourceMapping``: connect an SQS queue, Kinesis stream or DynamoDB table stream to ``function``.

        Keywords are the snake_case of the AWS settings and are validated with AWS's ranges
        (docs/aws-behaviour.md §5.1, §6.1). ``scaling_config={"MaximumConcurrency": n}`` and
        ``maximum_concurrency=n`` are the same setting. Stream mappings default to
        ``starting_position="TRIM_HORIZON"``; ``on_failure`` is an SQS queue, SNS topic or S3 bucket
        (``DestinationConfig.OnFailure``). The mapping starts polling as soon as there is something to
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
        from lambdachaos.resources._sqs import Queue
        from lambdachaos.service.invoke._validation import check_sqs_mapping_destination, check_starting_position

        if scaling_config is not None:
            if set(scaling_config) - {"MaximumConcurrency"}:
                raise ConfigError(f"scaling_config={dict(scaling_config)!r}: ScalingConfig has only MaximumConcurrency")
            if maximum_concurrency is not None:
                raise ConfigError("give maximum_concurrency or scaling_config={'MaximumConcurrency': n}, not both")
            maximum_concurrency = scaling_config.get("MaximumConcurrency")
        if isinstance(source, Queue):
            check_sqs_mapping_destination(on_failure)
            given = {
                "starting_position": starting_position, "starting_position_timestamp": starting_position_timestamp,
                "parallelization_factor": parallelization_factor, "maximum_retry_attempts": maximum_retry_attempts,
                "maximum_record_age_in_seconds": maximum_record_age_in_seconds,
                "bisect_batch_on_function_error": bisect_batch_on_function_error, "on_failure": on_failure,
                "tumbling_window_in_seconds": tumbling_window_in_seconds,
            }
            for keyword, value in given.items():
                if value != _STREAM_ONLY[keyword]:
                    raise reject(keyword, value, "Amazon SQS", _STREAM_ONLY_HINT.get(
                        keyword, "retries, record age and bisect come from the queue's redrive policy"))
            return self._registered(self._map_sqs(source, function, batch_size=batch_size,
                                 maximum_batching_window_in_seconds=maximum_batching_window_in_seconds,
                                 function_response_types=tuple(function_response_types),
                                 filter_criteria=filter_criteria, maximum_concurrency=maximum_concurrency,
                                 qualifier=qualifier, enabled=enabled))
        from lambdachaos.service.mappings._stream import StreamEventSourceMapping, StreamMappingConfig, stream_kind

        kind = stream_kind(source)
        if kind is None:
            raise ConfigError(
                f"source={source!r} is not an event source this simulation can map: use sim.sqs_queue(...), "
                "sim.kinesis_stream(...) or sim.dynamodb_table(...)"
            )
        check_starting_position(starting_position, source_kind=kind.name,
                                source_arn=getattr(source, "stream_arn", getattr(source, "arn", "")), required=False)
        if maximum_concurrency is not None:
            raise reject("maximum_concurrency", maximum_concurrency, kind.title,
                         "ScalingConfig applies to SQS mappings; use parallelization_factor")
        config = StreamMappingConfig(
            source=kind.name, batch_size=100 if batch_size is None else batch_size,
            maximum_batching_window_in_seconds=maximum_batching_window_in_seconds,
            function_response_types=tuple(function_response_types), filter_criteria=filter_criteria,
            starting_position=starting_position or "TRIM_HORIZON",
            starting_position_timestamp=starting_position_timestamp,
            parallelization_factor=parallelization_factor, maximum_retry_attempts=maximum_retry_attempts,
            maximum_record_age_in_seconds=maximum_record_age_in_seconds,
            bisect_batch_on_function_error=bisect_batch_on_function_error, on_failure=on_failure,
            tumbling_window_in_seconds=tumbling_window_in_seconds, enabled=enabled,
        )
        return self._registered(StreamEventSourceMapping(self.service, source, function, config, qualifier=qualifier,
                                                         resolve=self.find_resource))

    def _registered(self, mapping: _M) -> _M:
        """Keep ``mapping`` by UUID (the Lambda API lists, updates and deletes it by UUID)."""
        self._esm_registry("mappings")[mapping.uuid] = mapping
        return mapping

    def _map_sqs(self, queue: Queue, function: Function, *, batch_size: int | None, **settings: Any
                 ) -> SqsEventSourceMapping:
        from lambdachaos.service.mappings._sqs import BATCH_SIZE_DEFAULT, SqsEventSourceMapping, SqsMappingConfig

        qualifier = settings.pop("qualifier")
        config = SqsMappingConfig(fifo=queue.fifo, batch_size=BATCH_SIZE_DEFAULT if batch_size is None else batch_size,
                                  **settings)
        return SqsEventSourceMapping(self.service, queue, function, config, qualifier=qualifier)

    def kinesis_stream(self, name: str, *, shards: int = 1, retention_period_hours: int = 24) -> KinesisStream:
        """Create a Kinesis data stream with ``shards`` shards (hash key ranges split evenly, as AWS does).

        ``retention_period_hours`` is 24–8,760; records older than that are trimmed.
        """
        from lambdachaos.resources._kinesis import KinesisStream

        streams = self._esm_registry("kinesis")
        if name in streams:
            raise ConfigError(f"name={name!r}: a Kinesis stream with this name already exists in this simulation")
        stream = KinesisStream(self.world, name, shards=shards, retention_period_hours=retention_period_hours)
        streams[name] = stream
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

        tables = self._esm_registry("dynamodb")
        if name in tables:
            raise ConfigError(f"name={name!r}: a DynamoDB table with this name already exists in this simulation")
        keys = (key_schema,) if isinstance(key_schema, str) else tuple(key_schema)
        table = DynamoDBTable(self.world, name, key_schema=keys, stream_view_type=stream_view_type)
        tables[name] = table
        return table

    def _esm_registry(self, kind: str) -> dict[str, Any]:
        registries: dict[str, dict[str, Any]] = self.__dict__.setdefault("_esm_sources", {})
        return registries.setdefault(kind, {})
