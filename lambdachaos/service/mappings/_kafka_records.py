"""Kafka records and events as Lambda delivers them, and the on-failure records.

Event shape: "Using Lambda with Amazon MSK" / "Using Lambda with self-managed Apache Kafka" (records
grouped under ``"<topic>-<partition>"``, base64 ``key`` and ``value``, headers as one-entry objects of
signed byte values, ``timestamp`` in epoch ms). On-failure records: "Capturing discarded batches for
Amazon MSK and self-managed Apache Kafka event sources" (SQS, SNS, S3) and "Using a Kafka topic as an
on-failure destination" (one message per record, the payload an object).
"""

from __future__ import annotations

from binascii import a2b_base64
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from lambdachaos.generators import kafka as kafka_wire  # type: ignore[import-not-found, unused-ignore]

if TYPE_CHECKING:
    from collections.abc import Sequence

    from lambdachaos._world import World
    from lambdachaos.resources._kafka import KafkaCluster, KafkaRecord

RETRY_ATTEMPTS_EXHAUSTED: Final = "RetryAttemptsExhausted"
"""Condition of an SQS, SNS or S3 on-failure record (as documented)."""
RETRIES_EXHAUSTED: Final = "RetriesExhausted"
"""Condition of a ``kafka://`` on-failure message (as documented)."""
RECORD_AGE_EXCEEDED: Final = "RecordAgeExceeded"
"""Condition when ``MaximumRecordAgeInSeconds`` discards records (decision: AWS does not document it for Kafka)."""
PAYLOAD_SIZE_EXCEEDED: Final = "MaximumPayloadSizeExceeded"
"""Condition of a single record too large for a 6 MB invocation payload (its ``responseContext`` is null)."""
RECORD_OVERHEAD: Final = 160
"""Bytes of JSON around one record's key, value and headers (used to keep a batch within 6 MB)."""


def render(record: KafkaRecord) -> dict[str, Any]:
    """One record in Lambda's key order (``key`` and ``value`` left out when null): the generators' wire shape."""
    return kafka_wire.wire_record(
        topic=record.topic.name, partition=record.partition, offset=record.offset, timestamp=record.timestamp_ms,
        timestamp_type=record.timestamp_type, key=record.key, value=record.value, headers=record.headers,
    )


def size_of(record: KafkaRecord) -> int:
    """Approximate bytes of the rendered record in the event."""
    key, value = record.key, record.value
    size = RECORD_OVERHEAD + len(record.topic.name)
    if key is not None:
        size += (len(key) + 2) // 3 * 4
    if value is not None:
        size += (len(value) + 2) // 3 * 4
    for name, raw in record.headers:
        size += len(name) + 8 + 4 * len(raw)
    return size


def partition_key(record: KafkaRecord) -> str:
    """``"<topic>-<partition>"``: the key of the record's list in the event and in ``itemIdentifier``."""
    return f"{record.topic.name}-{record.partition}"


def event(cluster: KafkaCluster, records: Sequence[KafkaRecord]) -> dict[str, Any]:
    """The invocation event: records grouped by partition, each list in offset order (the generators' wire
    shape)."""
    return kafka_wire.wire_event(
        [render(r) for r in records], bootstrap_servers=cluster.bootstrap_string,
        variant="self_managed" if cluster.self_managed else "msk",
        cluster_arn=None if cluster.self_managed else cluster.arn,
    )


def _context(request_id: str, function_arn: str, condition: str, invoke_count: int, executed_version: str | None,
             function_error: str | None, ran: bool) -> dict[str, Any]:
    return {
        "requestContext": {"requestId": request_id, "functionArn": function_arn, "condition": condition,
                           "approximateInvokeCount": invoke_count},
        "responseContext": {"statusCode": 200, "executedVersion": executed_version or "$LATEST",
                            "functionError": function_error} if ran else None,
    }


def batch_failure_record(
    *, world: World, cluster: KafkaCluster, records: Sequence[KafkaRecord], request_id: str, function_arn: str,
    condition: str, invoke_count: int, executed_version: str | None, function_error: str | None, payload_size: int,
) -> dict[str, Any]:
    """The SQS / SNS / S3 on-failure record of a discarded batch, in the documented key order.

    ``responseContext`` is null when no invocation result belongs to the discard (payload too large, record
    age exceeded). ``recordsInfo`` has one entry per partition, offsets as strings.
    """
    out = _context(request_id, function_arn, condition, invoke_count, executed_version, function_error,
                   condition not in (PAYLOAD_SIZE_EXCEEDED, RECORD_AGE_EXCEEDED))
    out["version"] = "1.0"
    out["timestamp"] = world.iso_ms()
    info: dict[str, Any] = {"batchSize": len(records)}
    if not cluster.self_managed:
        info["eventSourceArn"] = cluster.arn
    info["bootstrapServers"] = cluster.bootstrap_string
    info["payloadSize"] = payload_size
    spans: dict[str, list[KafkaRecord]] = {}
    for record in records:
        spans.setdefault(partition_key(record), []).append(record)
    info["recordsInfo"] = {
        key: {"firstRecordOffset": str(run[0].offset), "lastRecordOffset": str(run[-1].offset),
              "firstRecordTimestamp": _iso(run[0].timestamp_ms), "lastRecordTimestamp": _iso(run[-1].timestamp_ms)}
        for key, run in spans.items()
    }
    out["KafkaBatchInfo"] = info
    return out


def topic_failure_message(
    *, world: World, cluster: KafkaCluster, record: KafkaRecord, request_id: str, function_arn: str,
    condition: str, invoke_count: int, executed_version: str | None, function_error: str | None, payload_size: int,
) -> dict[str, Any]:
    """The message a ``kafka://`` destination gets for one failed record (kafka-on-failure-destination).

    ``functionArn`` carries the executed version's qualifier; ``payload`` is an object holding only this
    record, its keys in the documented (alphabetical) order.
    """
    out = _context(request_id, f"{function_arn}:{executed_version or '$LATEST'}" if function_arn.count(":") == 6
                   else function_arn, condition, invoke_count, executed_version, function_error,
                   condition not in (PAYLOAD_SIZE_EXCEEDED, RECORD_AGE_EXCEEDED))
    out["version"] = "1.0"
    out["timestamp"] = world.iso_ms()
    info: dict[str, Any] = {"batchSize": 1}
    if not cluster.self_managed:
        info["eventSourceArn"] = cluster.arn
    info["bootstrapServers"] = cluster.bootstrap_string
    info["payloadSize"] = payload_size
    info["recordInfo"] = {"offset": str(record.offset), "timestamp": _iso(record.timestamp_ms)}
    out["KafkaBatchInfo"] = info
    payload: dict[str, Any] = {"bootstrapServers": cluster.bootstrap_string, "eventSource": cluster.event_source}
    if not cluster.self_managed:
        payload["eventSourceArn"] = cluster.arn
    payload["records"] = {partition_key(record): [dict(sorted(render(record).items()))]}
    out["payload"] = payload
    return out


def _iso(epoch_ms: int) -> str:
    from datetime import UTC, datetime

    at = datetime.fromtimestamp(epoch_ms // 1000, tz=UTC)
    return f"{at:%Y-%m-%dT%H:%M:%S}.{epoch_ms % 1000:03d}Z"


def produce_recorded(topic: Any, event: Mapping[str, Any]) -> list[str]:
    """Produce the records of a recorded Lambda Kafka event into ``topic`` (replay); returns their ledger ids.

    Each record keeps its partition (modulo the topic's partitions), key, value, headers (signed bytes back to
    bytes) and timestamp; records are produced in the event's order (partition lists in key order).
    """
    out: list[str] = []
    grouped = event.get("records")
    if not isinstance(grouped, Mapping):
        raise ValueError("not a Lambda Kafka event: it has no 'records' object keyed '<topic>-<partition>'")
    count = len(topic.partitions)
    for records in grouped.values():
        for r in records:
            headers = [(name, bytes(b & 0xFF for b in raw)) for h in r.get("headers") or [] for name, raw in h.items()]
            key = a2b_base64(r["key"]) if r.get("key") is not None else None
            value = a2b_base64(r["value"]) if r.get("value") is not None else None
            made = topic.produce(value, key=key, headers=headers, partition=int(r.get("partition", 0)) % count,
                                 timestamp_ms=r.get("timestamp"), timestamp_type=r.get("timestampType", "CREATE_TIME"))
            out.append(made.event_id)
    return out
