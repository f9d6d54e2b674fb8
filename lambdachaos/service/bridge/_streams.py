"""The Kinesis Data Streams API over sim streams, for the boto3 bridge.

Request parameters in, botocore-parsed responses out: ``PutRecord``, ``PutRecords``,
``GetShardIterator``, ``GetRecords``, ``DescribeStream``, ``DescribeStreamSummary`` and ``ListShards``.
Sequence numbers are the stream's 56-digit strings, ``Data`` comes back as bytes and
``ApproximateArrivalTimestamp`` as a datetime, as botocore parses them. Shard iterators are opaque
strings that name the stream, so ``GetRecords`` needs nothing else. AWS page: "Amazon Kinesis Data
Streams API Reference".
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from lambdachaos._errors import ConfigError
from lambdachaos.resources._errors import AWSError

if TYPE_CHECKING:
    from lambdachaos.resources._kinesis import KinesisStream, Shard

Params = Mapping[str, Any]
Response = dict[str, Any]
Find = Callable[[str], "KinesisStream | None"]

PUT_RECORDS_MAX: Final = 500
PUT_RECORDS_MAX_BYTES: Final = 5 * 1_048_576
GET_RECORDS_MAX: Final = 10_000
_ITERATOR_PREFIX: Final = "lambdachaos-iterator|"


class KinesisResourceNotFound(AWSError):
    """The stream (or shard) does not exist."""

    code = "ResourceNotFoundException"


class KinesisInvalidArgument(AWSError):
    """A parameter is out of range or malformed."""

    code = "InvalidArgumentException"


class KinesisValidation(AWSError):
    """The request fails a modelled constraint."""

    code = "ValidationException"


class ExpiredIterator(AWSError):
    """The shard iterator is not one this simulation handed out."""

    code = "ExpiredIteratorException"


def stream_key(p: Params) -> str | None:
    """The stream a request addresses (``StreamARN`` or ``StreamName``), or the one its iterator names."""
    key = p.get("StreamARN") or p.get("StreamName")
    if isinstance(key, str):
        return key
    iterator = p.get("ShardIterator")
    if isinstance(iterator, str):
        decoded = _decode_iterator(iterator)
        return decoded[0] if decoded is not None else None
    return None


def not_found(key: str, account_id: str) -> AWSError:
    """AWS's error for a stream that does not exist."""
    name = key.rsplit("/", 1)[-1]
    return KinesisResourceNotFound(f"Stream {name} under account {account_id} not found.")


def _data(value: Any) -> bytes:
    if isinstance(value, str):
        return value.encode()
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    read = getattr(value, "read", None)
    if read is not None:
        return _data(read())
    raise KinesisValidation(f"1 validation error detected: Value at 'data' failed to satisfy constraint: {value!r}")


def _put_record(stream: KinesisStream, p: Params) -> Response:
    try:
        out = stream.put_record(_data(p["Data"]), p["PartitionKey"], explicit_hash_key=p.get("ExplicitHashKey"))
    except ConfigError as exc:
        raise KinesisInvalidArgument(str(exc)) from None
    return {"ShardId": out["ShardId"], "SequenceNumber": out["SequenceNumber"]}


def _put_records(stream: KinesisStream, p: Params) -> Response:
    entries = list(p.get("Records") or [])
    if not 1 <= len(entries) <= PUT_RECORDS_MAX:
        raise KinesisValidation(
            f"1 validation error detected: Value '{len(entries)}' at 'records' failed to satisfy constraint: "
            f"Member must have length less than or equal to {PUT_RECORDS_MAX}"
        )
    rows = [{"Data": _data(e["Data"]), "PartitionKey": e["PartitionKey"],
             **({"ExplicitHashKey": e["ExplicitHashKey"]} if e.get("ExplicitHashKey") else {})} for e in entries]
    total = sum(len(r["Data"]) + len(str(r["PartitionKey"]).encode()) for r in rows)
    if total > PUT_RECORDS_MAX_BYTES:
        raise KinesisInvalidArgument(
            f"Records size exceeds {PUT_RECORDS_MAX_BYTES // 1_048_576} MB limit: {total} bytes"
        )
    try:
        results = stream.put_records(rows)
    except ConfigError as exc:
        raise KinesisInvalidArgument(str(exc)) from None
    return {"FailedRecordCount": 0, "Records": [dict(r) for r in results]}


def _encode_iterator(stream: KinesisStream, internal: str) -> str:
    return base64.b64encode(f"{_ITERATOR_PREFIX}{stream.arn}|{internal}".encode()).decode()


def _decode_iterator(iterator: str) -> tuple[str, str] | None:
    try:
        text = base64.b64decode(iterator.encode(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    if not text.startswith(_ITERATOR_PREFIX):
        return None
    arn, _, internal = text[len(_ITERATOR_PREFIX):].partition("|")
    return arn, internal


def _datetime(seconds: float) -> datetime:
    """A timestamp as botocore parses one (a datetime in the local time zone)."""
    from botocore.utils import parse_timestamp

    parsed: datetime = parse_timestamp(repr(seconds))
    return parsed


def _epoch_seconds(value: Any) -> float:
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        from botocore.utils import parse_timestamp

        return float(parse_timestamp(value).timestamp())
    raise KinesisInvalidArgument(f"Timestamp {value!r} is not a timestamp")


def _get_shard_iterator(stream: KinesisStream, p: Params) -> Response:
    shard_id = p["ShardId"]
    if not any(s.shard_id == shard_id for s in stream.shards):
        raise KinesisResourceNotFound(
            f"Shard {shard_id} in stream {stream.name} under account {stream.world.account_id} does not exist"
        )
    kind = p["ShardIteratorType"]
    sequence = p.get("StartingSequenceNumber")
    timestamp = None
    if kind in ("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER") and not sequence:
        raise KinesisInvalidArgument(f"StartingSequenceNumber is required for ShardIteratorType {kind}")
    if kind == "AT_TIMESTAMP":
        if p.get("Timestamp") is None:
            raise KinesisInvalidArgument("Timestamp is required for ShardIteratorType AT_TIMESTAMP")
        timestamp = _epoch_seconds(p["Timestamp"]) - stream.world.epoch_ns / 1e9
    try:
        internal = stream.get_shard_iterator(shard_id, kind, starting_sequence_number=sequence, timestamp=timestamp)
    except ConfigError as exc:
        raise KinesisInvalidArgument(str(exc)) from None
    return {"ShardIterator": _encode_iterator(stream, internal)}


def _get_records(stream: KinesisStream, p: Params) -> Response:
    decoded = _decode_iterator(p["ShardIterator"])
    if decoded is None or decoded[0] != stream.arn:
        raise ExpiredIterator(f"Iterator {p['ShardIterator']} is not valid for stream {stream.name}")
    limit = p.get("Limit", GET_RECORDS_MAX)
    if not 1 <= limit <= GET_RECORDS_MAX:
        raise KinesisInvalidArgument(f"Limit {limit} is out of range: use 1 to {GET_RECORDS_MAX}")
    out = stream.get_records(decoded[1], limit=limit)
    records = [{"SequenceNumber": r["SequenceNumber"],
                "ApproximateArrivalTimestamp": _datetime(r["ApproximateArrivalTimestamp"]),
                "Data": bytes(r["Data"]), "PartitionKey": r["PartitionKey"]} for r in out["Records"]]
    return {"Records": records, "NextShardIterator": _encode_iterator(stream, out["NextShardIterator"]),
            "MillisBehindLatest": out["MillisBehindLatest"]}


def _shard(shard: Shard) -> dict[str, Any]:
    first = shard.records[shard.trimmed].sequence_number if len(shard.records) > shard.trimmed else None
    if first is None:
        first = f"{getattr(shard, '_next_seq', 0):056d}"
    return {
        "ShardId": shard.shard_id,
        "HashKeyRange": {"StartingHashKey": str(shard.starting_hash_key), "EndingHashKey": str(shard.ending_hash_key)},
        "SequenceNumberRange": {"StartingSequenceNumber": first},
    }


def _summary_fields(stream: KinesisStream) -> dict[str, Any]:
    return {
        "StreamName": stream.name,
        "StreamARN": stream.arn,
        "StreamStatus": "ACTIVE",
        "StreamModeDetails": {"StreamMode": "PROVISIONED"},
        "RetentionPeriodHours": stream.retention_period_hours,
        "StreamCreationTimestamp": _datetime(stream.world.epoch_ns // 1_000_000 / 1000),
        "EnhancedMonitoring": [{"ShardLevelMetrics": []}],
        "EncryptionType": "NONE",
    }


def _describe_stream(stream: KinesisStream, p: Params) -> Response:
    stream.trim()
    description = _summary_fields(stream)
    shards = [_shard(s) for s in stream.shards]
    description = {**{k: description[k] for k in ("StreamName", "StreamARN", "StreamStatus", "StreamModeDetails")},
                   "Shards": shards, "HasMoreShards": False,
                   **{k: description[k] for k in ("RetentionPeriodHours", "StreamCreationTimestamp",
                                                  "EnhancedMonitoring", "EncryptionType")}}
    return {"StreamDescription": description}


def _describe_stream_summary(stream: KinesisStream, p: Params) -> Response:
    summary = _summary_fields(stream)
    summary["OpenShardCount"] = len(stream.shards)
    summary["ConsumerCount"] = 0
    return {"StreamDescriptionSummary": summary}


def _list_shards(stream: KinesisStream, p: Params) -> Response:
    stream.trim()
    shards = [_shard(s) for s in stream.shards]
    start = p.get("ExclusiveStartShardId")
    if start:
        shards = [s for s in shards if s["ShardId"] > start]
    return {"Shards": shards}


OPERATIONS: Final[dict[str, Callable[[KinesisStream, Params], Response]]] = {
    "PutRecord": _put_record,
    "PutRecords": _put_records,
    "GetShardIterator": _get_shard_iterator,
    "GetRecords": _get_records,
    "DescribeStream": _describe_stream,
    "DescribeStreamSummary": _describe_stream_summary,
    "ListShards": _list_shards,
}
