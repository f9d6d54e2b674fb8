"""Settings of a Kinesis or DynamoDB Streams event source mapping (docs/aws-behaviour.md §6.1) and the
on-failure record (§6.6)."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, final

from lambdachaos._arn import Arn
from lambdachaos._errors import ConfigError
from lambdachaos.service.mappings._common import (
    BATCH_WINDOW_MAX_S,
    FilterCriteriaInput,
    check_range,
    check_response_types,
    compile_filters,
)

if TYPE_CHECKING:
    from lambdachaos.resources._patterns import EventPattern

BATCH_SIZE_DEFAULT: Final = 100
BATCH_SIZE_MAX: Final = 10_000
PARALLELIZATION_MAX: Final = 10
RETRY_MAX: Final = 10_000
RECORD_AGE_MIN: Final = 60
RECORD_AGE_MAX: Final = 604_800
TUMBLING_WINDOW_MAX: Final = 900
RETRY_INTERVAL_CAP_S: Final = 12
"""Decision A8: retries after 1 s, doubling, capped at 12 s."""
RETRY_ATTEMPTS_EXHAUSTED: Final = "RetryAttemptsExhausted"
RECORD_AGE_EXCEEDED: Final = "RecordAgeExceeded"
NOT_ON_STREAMS: Final = ("not applied: a shard delivers its records in sequence-number order "
                         "(docs/aws-behaviour.md §6.2)")


@final
@dataclass(frozen=True, slots=True)
class SourceKind:
    """Per-source differences of stream mappings, in one table."""

    name: str
    title: str
    starting_positions: tuple[str, ...]
    batch_info_key: str
    poll_interval_ns: int
    arrival_ms: bool


KINESIS: Final = SourceKind("kinesis", "Amazon Kinesis", ("TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"),
                            "KinesisBatchInfo", 1_000_000_000, True)
DYNAMODB: Final = SourceKind("dynamodb", "Amazon DynamoDB Streams", ("TRIM_HORIZON", "LATEST"),
                             "DDBStreamBatchInfo", 250_000_000, False)
KINDS: Final = {"kinesis": KINESIS, "dynamodb": DYNAMODB}


@final
@dataclass(frozen=True, kw_only=True, slots=True)
class StreamMappingConfig:
    """Settings of a stream event source mapping, checked on construction (docs/aws-behaviour.md §6.1).

    ``batch_size`` 1–10,000 (default 100); ``maximum_batching_window_in_seconds`` 0–300;
    ``starting_position`` TRIM_HORIZON, LATEST or (Kinesis) AT_TIMESTAMP with
    ``starting_position_timestamp`` (virtual seconds); ``parallelization_factor`` 1–10;
    ``maximum_retry_attempts`` −1 (until the record expires) or 0–10,000;
    ``maximum_record_age_in_seconds`` −1 or 60–604,800; ``tumbling_window_in_seconds`` 0–900;
    ``on_failure`` an SQS queue, SNS topic or S3 bucket (``DestinationConfig.OnFailure``; a bucket gets
    the record plus ``"payload"``, the failed invocation's event as a JSON string, docs/aws-behaviour.md §6.6).
    """

    source: str = "kinesis"
    batch_size: int = BATCH_SIZE_DEFAULT
    maximum_batching_window_in_seconds: int = 0
    function_response_types: tuple[str, ...] = ()
    filter_criteria: FilterCriteriaInput = None
    starting_position: str = "TRIM_HORIZON"
    starting_position_timestamp: float | None = None
    parallelization_factor: int = 1
    maximum_retry_attempts: int = -1
    maximum_record_age_in_seconds: int = -1
    bisect_batch_on_function_error: bool = False
    on_failure: Any = None
    tumbling_window_in_seconds: int = 0
    enabled: bool = True
    patterns: tuple[EventPattern, ...] = field(init=False, repr=False, compare=False, default=())

    def __post_init__(self) -> None:
        kind = KINDS.get(self.source)
        if kind is None:
            raise ConfigError(f"source={self.source!r}: use 'kinesis' or 'dynamodb'")
        check_range("BatchSize", "batch_size", self.batch_size, 1, BATCH_SIZE_MAX)
        check_range("MaximumBatchingWindowInSeconds", "maximum_batching_window_in_seconds",
                    self.maximum_batching_window_in_seconds, 0, BATCH_WINDOW_MAX_S)
        if self.starting_position not in kind.starting_positions:
            raise ConfigError(
                f"starting_position={self.starting_position!r}: StartingPosition for {kind.title} must be one of "
                f"{', '.join(kind.starting_positions)}"
            )
        if (self.starting_position == "AT_TIMESTAMP") != (self.starting_position_timestamp is not None):
            raise ConfigError(
                f"starting_position={self.starting_position!r}, starting_position_timestamp="
                f"{self.starting_position_timestamp!r}: StartingPositionTimestamp goes with AT_TIMESTAMP only"
            )
        check_range("ParallelizationFactor", "parallelization_factor", self.parallelization_factor, 1,
                    PARALLELIZATION_MAX)
        check_range("MaximumRetryAttempts", "maximum_retry_attempts", self.maximum_retry_attempts, 0, RETRY_MAX,
                    also=(-1,))
        check_range("MaximumRecordAgeInSeconds", "maximum_record_age_in_seconds",
                    self.maximum_record_age_in_seconds, RECORD_AGE_MIN, RECORD_AGE_MAX, also=(-1,))
        check_range("TumblingWindowInSeconds", "tumbling_window_in_seconds", self.tumbling_window_in_seconds, 0,
                    TUMBLING_WINDOW_MAX)
        if self.tumbling_window_in_seconds and self.parallelization_factor > 1:
            raise ConfigError(
                f"tumbling_window_in_seconds={self.tumbling_window_in_seconds}, parallelization_factor="
                f"{self.parallelization_factor}: how AWS combines TumblingWindowInSeconds with ParallelizationFactor "
                "> 1 is undocumented, so lambdachaos refuses it (decision A16); set parallelization_factor=1"
            )
        if not isinstance(self.bisect_batch_on_function_error, bool):
            raise ConfigError(f"bisect_batch_on_function_error={self.bisect_batch_on_function_error!r} must be a bool")
        if self.on_failure is not None:
            arn = self.on_failure if isinstance(self.on_failure, str) else getattr(self.on_failure, "arn", "")
            parsed = Arn.maybe(arn)
            service = parsed.service if parsed is not None else ""
            if service not in ("sqs", "sns", "s3") or arn.endswith(".fifo"):
                raise ConfigError(
                    f"on_failure={arn or self.on_failure!r}: DestinationConfig.OnFailure for {kind.title} must be "
                    "a standard SQS queue, a standard SNS topic or an S3 bucket"
                )
        object.__setattr__(self, "function_response_types", check_response_types(self.function_response_types))
        object.__setattr__(self, "patterns", compile_filters(self.filter_criteria))

    @property
    def kind(self) -> SourceKind:
        """The per-source table row."""
        return KINDS[self.source]


def retry_delay_ns(retry: int) -> int:
    """Decision A8: delay before retry number ``retry`` (1-based): 1, 2, 4, 8, 12, 12 … seconds."""
    seconds: int = min(RETRY_INTERVAL_CAP_S, 2 ** (retry - 1))
    return seconds * 1_000_000_000


def failure_record(
    *, kind: SourceKind, request_id: str, function_arn: str, condition: str, invoke_count: int,
    executed_version: str | None, function_error: str | None, timestamp: str, shard_id: str, start: str, end: str,
    first_arrival: str, last_arrival: str, batch_size: int, stream_arn: str,
) -> dict[str, Any]:
    """The on-failure destination record in AWS's key order (docs/aws-behaviour.md §6.6)."""
    record: dict[str, Any] = {
        "requestContext": {"requestId": request_id, "functionArn": function_arn, "condition": condition,
                           "approximateInvokeCount": invoke_count},
    }
    if condition != RECORD_AGE_EXCEEDED:
        record["responseContext"] = {"statusCode": 200, "executedVersion": executed_version or "$LATEST",
                                     "functionError": function_error}
    record["version"] = "1.0"
    record["timestamp"] = timestamp
    record[kind.batch_info_key] = {
        "shardId": shard_id, "startSequenceNumber": start, "endSequenceNumber": end,
        "approximateArrivalOfFirstRecord": first_arrival, "approximateArrivalOfLastRecord": last_arrival,
        "batchSize": batch_size, "streamArn": stream_arn,
    }
    return record


def stream_kind(source: object) -> SourceKind | None:
    """The per-source row for a Kinesis stream or DynamoDB table, else None."""
    from lambdachaos.resources._dynamodb_streams import DynamoDBTable
    from lambdachaos.resources._kinesis import KinesisStream

    if isinstance(source, KinesisStream):
        return KINESIS
    if isinstance(source, DynamoDBTable):
        return DYNAMODB
    return None


def decode_data(record: dict[str, Any]) -> bytes:
    """The raw bytes of a Kinesis Lambda record's ``kinesis.data``."""
    return base64.b64decode(record["kinesis"]["data"])
