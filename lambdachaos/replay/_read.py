"""Replay inputs: readers for recorded AWS data, and the timing modes that place it on the virtual clock.

Every reader turns a file into :class:`Recorded` items, each with the wall-clock time AWS stamped on it
(``None`` when the format has none) and what to send again:

========================  ======================================================================================
``lambda-events``         JSON Lines (or a JSON array) of Lambda events, optionally ``{"at": ..., "event": ...}``
``sqs-messages``          ReceiveMessage output (``{"Messages": [...]}``, one per line, or a list), e.g. a queue
                          DLQ dump; time from ``Attributes.SentTimestamp``
``lambda-dlq``            messages from a function's dead-letter queue: the body is the original event, the
                          ``RequestID`` / ``ErrorCode`` / ``ErrorMessage`` attributes are kept as metadata
``destination-records``   async invocation records (bare, an SQS ``Body`` or an EventBridge ``detail``); the
                          ``requestPayload`` is sent again; time from ``timestamp``
``eventbridge``           event envelopes (list, JSON Lines, an archive export) or PutEvents ``Entries``
``kinesis``               GetRecords output (``Data`` base64 as the CLI prints it, or bytes)
``dynamodb``              DynamoDB Streams GetRecords output or Lambda stream records
========================  ======================================================================================

Timing (:func:`place`): ``preserve`` keeps the recorded inter-arrival times, ``compress`` divides them by a
factor, ``fast`` sends everything at the start in file order.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Final, cast, final

from lambdachaos._errors import ConfigError

FORMATS: Final = ("lambda-events", "sqs-messages", "lambda-dlq", "destination-records", "eventbridge",
                  "kinesis", "dynamodb")
_DLQ_ATTRIBUTES: Final = ("RequestID", "ErrorCode", "ErrorMessage")


@final
@dataclass(slots=True)
class Recorded:
    """One recorded item: ``kind`` says what ``payload`` is (``event``: a Lambda event or an original
    invocation payload; ``message``: an SQS body string; ``eventbridge``: an envelope; ``kinesis``: record
    bytes; ``dynamodb``: a stream record), ``at`` the epoch seconds AWS stamped it with."""

    kind: str
    payload: Any
    at: float | None = None
    meta: dict[str, Any] = field(default_factory=dict)


def load_items(path: str | Path) -> list[Any]:
    """The JSON values in a file: a JSON document (a list is spread) or JSON Lines."""
    return list(iter_items(path))


_CHUNK: Final = 1 << 20
_decoder: Final = json.JSONDecoder()
# Both patterns match every position (possibly empty), so their match is never None.
_WHITESPACE: Final = cast("Callable[[str, int], re.Match[str]]", re.compile(r"[ \t\r\n]*").match)
_SEPARATORS: Final = cast("Callable[[str, int], re.Match[str]]", re.compile(r"[ \t\r\n,]*").match)


def iter_items(path: str | Path) -> Iterator[Any]:
    """The JSON values in a file, read in 1 MB chunks: the elements of a top-level JSON array, else every JSON
    value in turn (JSON Lines, or one document). Memory holds one chunk and the value being read."""
    decode = _decoder.raw_decode
    with open(path, encoding="utf-8") as f:
        buf = f.read(_CHUNK)
        eof = not buf
        pos = 0
        lines_before = 0  # newlines in the text already dropped from buf (for the line number of an error)
        skip = _WHITESPACE
        first = True
        while True:
            while True:  # skip whitespace (and the commas between array elements)
                pos = skip(buf, pos).end()
                if pos < len(buf) or eof:
                    break
                lines_before += buf.count("\n")
                buf, pos = f.read(_CHUNK), 0
                eof = not buf
            if pos >= len(buf):
                return
            if first:
                first = False
                if buf[pos] == "[":
                    skip = _SEPARATORS
                    pos += 1
                    continue
            elif skip is _SEPARATORS and buf[pos] == "]":
                return
            while True:
                try:
                    value, end = decode(buf, pos)
                except ValueError as exc:
                    if not eof:
                        more = f.read(_CHUNK)
                        eof = not more
                        lines_before += buf.count("\n", 0, pos)
                        buf, pos = buf[pos:] + more, 0
                        continue
                    line = lines_before + buf.count("\n", 0, pos) + 1
                    raise ConfigError(f"{path}:{line}: not JSON and not JSON Lines ({exc})") from None
                if end == len(buf) and not eof:  # a number may go on in the next chunk
                    more = f.read(_CHUNK)
                    eof = not more
                    lines_before += buf.count("\n", 0, pos)
                    buf, pos = buf[pos:] + more, 0
                    if more:
                        continue
                    value, end = decode(buf, pos)
                break
            pos = end
            if pos > _CHUNK:
                lines_before += buf.count("\n", 0, pos)
                buf, pos = buf[pos:], 0
            yield value


def epoch(value: Any) -> float | None:
    """Epoch seconds from an AWS timestamp: epoch seconds or milliseconds (number or digit string), or
    ISO-8601 text."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)) or (isinstance(value, str) and value.replace(".", "", 1).isdecimal()):
        number = float(value)
        return number / 1000 if number > 1e11 else number
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError:
            return None
    return None


def event_time(event: Any) -> float | None:
    """When AWS says a Lambda event happened (first record's send/arrival/creation time)."""
    if not isinstance(event, dict):
        return None
    records = event.get("Records")
    rec = records[0] if isinstance(records, list) and records and isinstance(records[0], dict) else event
    candidates = (
        (rec.get("attributes") or {}).get("SentTimestamp") if isinstance(rec.get("attributes"), dict) else None,
        (rec.get("kinesis") or {}).get("approximateArrivalTimestamp") if isinstance(rec.get("kinesis"), dict)
        else None,
        (rec.get("dynamodb") or {}).get("ApproximateCreationDateTime") if isinstance(rec.get("dynamodb"), dict)
        else None,
        (rec.get("Sns") or {}).get("Timestamp") if isinstance(rec.get("Sns"), dict) else None,
        rec.get("eventTime"), rec.get("time"), rec.get("timestamp"),
        (rec.get("requestContext") or {}).get("timeEpoch") if isinstance(rec.get("requestContext"), dict) else None,
    )
    return next((t for t in map(epoch, candidates) if t is not None), None)


def _messages(items: Iterable[Any]) -> Iterator[dict[str, Any]]:
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("Messages"), list):
            yield from item["Messages"]
        elif isinstance(item, dict) and "Body" in item:
            yield item
        else:
            raise ConfigError(f"not an SQS message or ReceiveMessage output: {json.dumps(item)[:80]}")


def _attrs(attrs: dict[str, Any]) -> dict[str, Any]:
    return {k: {kk: vv for kk, vv in v.items() if kk in ("DataType", "StringValue", "BinaryValue")}
            for k, v in attrs.items()}


def read_sqs(items: Iterable[Any]) -> Iterator[Recorded]:
    """``ReceiveMessage`` output: each message's ``Body`` again, with its message attributes and group."""
    no_attributes: dict[str, Any] = {}
    for item in items:
        for msg in (item,) if type(item) is dict and "Body" in item else _messages((item,)):
            a = msg.get("Attributes") or no_attributes
            attrs = msg.get("MessageAttributes")
            body = msg["Body"]
            sent = a.get("SentTimestamp")
            # The common form first (epoch milliseconds as digits), read as epoch() reads it.
            at = (float(sent) / 1000 if type(sent) is str and len(sent) > 12 and sent[0] != "0" and sent.isdecimal()
                  else epoch(sent))
            yield Recorded("message", body if type(body) is str else json.dumps(body), at,
                           {"message_id": msg.get("MessageId"), "message_attributes": _attrs(attrs) if attrs else {},
                            "message_group_id": a.get("MessageGroupId"),
                            "receive_count": a.get("ApproximateReceiveCount")})


def read_lambda_dlq(items: Iterable[Any]) -> Iterator[Recorded]:
    """A function's dead-letter queue: the body is the original event; AWS's three attributes are kept."""
    for msg in _messages(items):
        attrs = msg.get("MessageAttributes") or {}
        missing = [a for a in _DLQ_ATTRIBUTES if a not in attrs]
        if missing:
            raise ConfigError(
                f"message {msg.get('MessageId')!r} lacks the Lambda DLQ attribute(s) {', '.join(missing)}: "
                "not a function dead-letter queue message; read it with format sqs-messages"
            )
        body = msg["Body"]
        try:
            event = json.loads(body) if isinstance(body, str) else body
        except ValueError:
            event = body
        meta = {a: attrs[a].get("StringValue") for a in _DLQ_ATTRIBUTES}
        yield Recorded("event", event, epoch((msg.get("Attributes") or {}).get("SentTimestamp")), meta)


def _destination(item: Any) -> dict[str, Any]:
    if isinstance(item, dict) and "Body" in item:  # an SQS message carrying the record
        item = json.loads(item["Body"]) if isinstance(item["Body"], str) else item["Body"]
    if isinstance(item, dict) and isinstance(item.get("Sns"), dict):
        item = json.loads(item["Sns"]["Message"])
    if isinstance(item, dict) and isinstance(item.get("detail"), dict) and "requestContext" in item["detail"]:
        item = item["detail"]
    if not isinstance(item, dict) or "requestContext" not in item:
        raise ConfigError(f"not a Lambda destination record: {json.dumps(item)[:80]}")
    return item


def read_destinations(items: Iterable[Any]) -> Iterator[Recorded]:
    """Asynchronous invocation records: ``requestPayload`` is invoked again."""
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("Messages"), list):
            yield from read_destinations(item["Messages"])
            continue
        rec = _destination(item)
        if "requestPayload" not in rec:
            batch = next((k for k in rec if k.endswith("BatchInfo")), "batch info")
            raise ConfigError(
                f"this destination record carries {batch} but no requestPayload: stream on-failure records "
                "hold only metadata; read the records from the stream (startSequenceNumber to "
                "endSequenceNumber) and replay them with format kinesis or dynamodb"
            )
        ctx = rec["requestContext"]
        meta = {"RequestID": ctx.get("requestId"), "condition": ctx.get("condition"),
                "approximateInvokeCount": ctx.get("approximateInvokeCount")}
        yield Recorded("event", rec["requestPayload"], epoch(rec.get("timestamp")), meta)


def read_eventbridge(items: Iterable[Any]) -> Iterator[Recorded]:
    """Event envelopes (as delivered, archived or logged) and PutEvents ``Entries``."""
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("Entries"), list):
            for e in item["Entries"]:
                detail = json.loads(e.get("Detail") or "{}")
                env = {"source": e.get("Source"), "detail-type": e.get("DetailType"), "detail": detail,
                       "resources": e.get("Resources", [])}
                yield Recorded("eventbridge", env, epoch(e.get("Time")))
            continue
        if isinstance(item, dict) and isinstance(item.get("Events"), list):
            yield from read_eventbridge(item["Events"])
            continue
        if not isinstance(item, dict) or "detail-type" not in item or "source" not in item:
            raise ConfigError(f"not an EventBridge event (needs source and detail-type): {json.dumps(item)[:80]}")
        yield Recorded("eventbridge", item, epoch(item.get("time")), {"id": item.get("id")})


def _b64(data: Any) -> bytes:
    if isinstance(data, bytes):
        return data
    try:
        return base64.b64decode(str(data), validate=True)
    except (binascii.Error, ValueError):
        raise ConfigError(f"Kinesis Data {str(data)[:40]!r} is not base64") from None


def read_kinesis(items: Iterable[Any]) -> Iterator[Recorded]:
    """GetRecords output (or Lambda Kinesis events): record bytes with partition key and sequence number."""
    for item in items:
        records = item.get("Records") if isinstance(item, dict) else None
        if not isinstance(records, list):
            raise ConfigError(f"not Kinesis GetRecords output: {json.dumps(item)[:80]}")
        for r in records:
            if "kinesis" in r:  # a Lambda event record
                k = r["kinesis"]
                yield (Recorded("kinesis", _b64(k["data"]), epoch(k.get("approximateArrivalTimestamp")),
                                    {"partition_key": k["partitionKey"], "sequence_number": k["sequenceNumber"]}))
            else:
                yield (Recorded("kinesis", _b64(r["Data"]), epoch(r.get("ApproximateArrivalTimestamp")),
                                    {"partition_key": r["PartitionKey"], "sequence_number": r["SequenceNumber"]}))


def read_dynamodb(items: Iterable[Any]) -> Iterator[Recorded]:
    """DynamoDB Streams GetRecords output (or Lambda DynamoDB events): one stream record each."""
    for item in items:
        records = item.get("Records") if isinstance(item, dict) and "Records" in item else [item]
        for r in records or []:
            if not isinstance(r, dict) or not isinstance(r.get("dynamodb"), dict):
                raise ConfigError(f"not a DynamoDB stream record: {json.dumps(r)[:80]}")
            yield (Recorded("dynamodb", r, epoch(r["dynamodb"].get("ApproximateCreationDateTime")),
                                {"sequence_number": r["dynamodb"].get("SequenceNumber")}))


def read_lambda_events(items: Iterable[Any]) -> Iterator[Recorded]:
    """Lambda events, one per line; a line ``{"at": <time>, "event": {...}}`` gives the time explicitly."""
    for item in items:
        if isinstance(item, dict) and set(item) == {"at", "event"}:
            yield Recorded("event", item["event"], epoch(item["at"]))
        else:
            yield Recorded("event", item, event_time(item))


READERS: Final = {
    "lambda-events": read_lambda_events, "sqs-messages": read_sqs, "lambda-dlq": read_lambda_dlq,
    "destination-records": read_destinations, "eventbridge": read_eventbridge, "kinesis": read_kinesis,
    "dynamodb": read_dynamodb,
}


def detect(items: list[Any]) -> str:
    """Guess the format of recorded ``items`` from the first one."""
    first = items[0] if items else {}
    if isinstance(first, dict) and isinstance(first.get("Messages"), list):
        first = first["Messages"][0] if first["Messages"] else {}
    if not isinstance(first, dict):
        return "lambda-events"
    records = first.get("Records")
    rec = records[0] if isinstance(records, list) and records and isinstance(records[0], dict) else {}
    body = first.get("Body")
    if "Body" in first:
        if set(_DLQ_ATTRIBUTES) <= set(first.get("MessageAttributes") or {}):
            return "lambda-dlq"
        return "destination-records" if isinstance(body, str) and '"requestContext"' in body else "sqs-messages"
    if ("requestContext" in first and "requestPayload" in first) or (
            isinstance(first.get("detail"), dict) and "requestPayload" in first["detail"]):
        return "destination-records"
    if "Entries" in first or ("detail-type" in first and "source" in first):
        return "eventbridge"
    if "SequenceNumber" in rec and "PartitionKey" in rec:
        return "kinesis"
    if ("dynamodb" in rec and "eventSourceARN" not in rec) or "dynamodb" in first:
        return "dynamodb"
    return "lambda-events"


def read(path: str | Path, fmt: str = "auto") -> tuple[str, list[Recorded]]:
    """Read a recording; returns the format used (detected when ``fmt`` is ``auto``) and its items."""
    fmt, items = iter_read(path, fmt)
    return fmt, list(items)


def iter_read(path: str | Path, fmt: str = "auto") -> tuple[str, Iterator[Recorded]]:
    """Like :func:`read`, but the items are read from the file as they are consumed (the format is detected
    from the first value)."""
    values = iter_items(path)
    first = next(values, None)
    if fmt == "auto":
        fmt = detect([] if first is None else [first])
    if fmt not in READERS:
        raise ConfigError(f"format={fmt!r} is not a replay format; use auto or one of {', '.join(FORMATS)}")
    return fmt, READERS[fmt](values if first is None else itertools.chain((first,), values))


def place(items: list[Recorded], *, timing: str = "preserve", factor: float = 1.0,
          start: float = 0.0) -> list[tuple[float, Recorded]]:
    """Virtual send times for recorded items.

    - ``preserve``: the recorded gaps, from ``start`` (items sorted by time; an item without a time is sent
      with the one before it);
    - ``compress``: the recorded gaps divided by ``factor``;
    - ``fast``: everything at ``start``, in file order.
    """
    if timing not in ("preserve", "compress", "fast"):
        raise ConfigError(f"timing={timing!r}: use preserve, compress or fast")
    if factor <= 0:
        raise ConfigError(f"factor={factor!r} must be greater than 0 (gaps are divided by it)")
    if timing == "fast":
        return [(start, it) for it in items]
    known: list[float] = []
    times: list[float] = []
    for it in items:
        t = it.at if it.at is not None else (times[-1] if times else None)
        times.append(t if t is not None else 0.0)
        if it.at is not None:
            known.append(it.at)
    origin = min(known) if known else 0.0
    scale = factor if timing == "compress" else 1.0
    order = sorted(range(len(items)), key=lambda i: (times[i], i))
    return [(start + max(0.0, times[i] - origin) / scale, items[i]) for i in order]
