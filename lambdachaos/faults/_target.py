"""Where and when a fault applies: :class:`Target`, :class:`FieldMatch` and :class:`When`."""

from __future__ import annotations

import dataclasses
import fnmatch
import json
import re
from collections.abc import Callable, Sequence
from typing import Any, final

from ._catalogue import float_range, int_range, tupled
from ._codec import decode, encode
from ._errors import FaultPlanError, bad_value

__all__ = ["FieldMatch", "Target", "When", "record_id", "records_of"]


def _pattern(value: str | None, pattern: str | None) -> bool:
    return pattern is None or (value is not None and fnmatch.fnmatchcase(value, pattern))


_SHAPES: list[tuple[Callable[[Any], Any], Callable[[Any], str | None]]] = []


def set_record_shapes(shapes: Sequence[tuple[Callable[[Any], Any], Callable[[Any], str | None]]]) -> None:
    """Install the record shapes of the simulation's event sources: (the records of an event or None,
    the identity of one record) per source. The simulation's source table calls this; without it the
    shapes of SQS, Kinesis, DynamoDB Streams, SNS, S3 and EventBridge events are still known."""
    _SHAPES[:] = shapes


def records_of(event: Any) -> list[Any]:
    """The records of a Lambda event: ``event["Records"]`` when present, a source's own shape when one of
    the installed shapes knows it, else the event itself as one record."""
    if isinstance(event, dict):
        records = event.get("Records", event.get("records"))
        if isinstance(records, list):
            return records
        for shape, _identity in _SHAPES:
            found = shape(event)
            if isinstance(found, list):
                return found
    return [event]


def record_id(record: Any) -> str | None:
    """The source identity of a record: SQS messageId, Kinesis/DynamoDB sequence number, SNS/S3/EventBridge
    id."""
    if not isinstance(record, dict):
        return None
    for key in ("messageId", "eventID", "id"):
        if isinstance(record.get(key), str):
            return str(record[key])
    kinesis = record.get("kinesis")
    if isinstance(kinesis, dict) and isinstance(kinesis.get("sequenceNumber"), str):
        return str(kinesis["sequenceNumber"])
    ddb = record.get("dynamodb")
    if isinstance(ddb, dict) and isinstance(ddb.get("SequenceNumber"), str):
        return str(ddb["SequenceNumber"])
    sns = record.get("Sns")
    if isinstance(sns, dict) and isinstance(sns.get("MessageId"), str):
        return str(sns["MessageId"])
    for _shape, identity in _SHAPES:
        found = identity(record)
        if isinstance(found, str):
            return found
    return None


_MISSING = object()


def _lookup(obj: Any, path: Sequence[str]) -> Any:
    for part in path:
        if isinstance(obj, str):
            # SQS body / SNS Message are JSON strings on the wire: a path may continue into them.
            try:
                obj = json.loads(obj)
            except ValueError:
                return _MISSING
        if isinstance(obj, dict) and part in obj:
            obj = obj[part]
        elif isinstance(obj, list) and part.isdigit() and int(part) < len(obj):
            obj = obj[int(part)]
        else:
            return _MISSING
    return obj


@final
@dataclasses.dataclass(frozen=True, kw_only=True)
class FieldMatch:
    """Match a record by a field: dotted ``path`` (descends into JSON-string bodies) and one of ``equals``,
    ``prefix`` or ``regex`` (searched in ``str(value)``). ``path="body.order.id", prefix="poison-"``."""

    path: str
    equals: Any = None
    prefix: str | None = None
    regex: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.path, str) or not self.path:
            raise bad_value(
                "path", self.path, "it must be a dotted path such as 'body.orderId'", "Give a path."
            )
        given = [n for n in ("equals", "prefix", "regex") if getattr(self, n) is not None]
        if len(given) != 1:
            raise bad_value(
                "FieldMatch",
                given,
                "exactly one of equals, prefix, regex must be set",
                f"Set one of them for path={self.path!r}.",
            )
        if self.regex is not None:
            try:
                re.compile(self.regex)
            except re.error as exc:
                raise bad_value(
                    "regex", self.regex, f"it does not compile ({exc})", "Fix the pattern."
                ) from None

    def matches(self, record: Any) -> bool:
        """Whether ``record`` has the field and its value matches."""
        value = _lookup(record, self.path.split("."))
        if value is _MISSING:
            return False
        if self.equals is not None:
            return bool(value == self.equals)
        text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
        if self.prefix is not None:
            return text.startswith(self.prefix)
        return re.search(str(self.regex), text) is not None


@final
@dataclasses.dataclass(frozen=True, kw_only=True)
class Target:
    """Where a fault applies; every field left ``None`` matches anything. Patterns take ``*`` wildcards.

    ``function_name`` / ``qualifier`` (version or alias), ``event_source`` (source ARN or name),
    ``records`` (all
    field matches must hold for one record of the event), and for outbound faults ``outbound_host``
    (``host`` or ``host:port``), ``outbound_service`` (botocore endpoint prefix, e.g. ``dynamodb``) and
    ``outbound_operation`` (API name, e.g. ``PutItem``).
    """

    function_name: str | None = None
    qualifier: str | None = None
    event_source: str | None = None
    records: tuple[FieldMatch, ...] = ()
    outbound_host: str | None = None
    outbound_service: str | None = None
    outbound_operation: str | None = None

    def __post_init__(self) -> None:
        records = [
            r if isinstance(r, FieldMatch) else decode(FieldMatch, r, "target.records[]")
            for r in self.records
        ]
        object.__setattr__(self, "records", tuple(records))

    def matches_function(self, function_name: str, qualifier: str | None) -> bool:
        """Whether the function and qualifier match (``qualifier=None`` targets every qualifier)."""
        return _pattern(function_name, self.function_name) and _pattern(
            qualifier or "$LATEST", self.qualifier
        )

    def matches_source(self, event_source: str | None) -> bool:
        """Whether the event source matches by full ARN or by its last name segment."""
        if self.event_source is None:
            return True
        if event_source is None:
            return False
        name = re.split(r"[:/]", event_source)[-1]
        return _pattern(event_source, self.event_source) or _pattern(name, self.event_source)

    def matching_records(self, event: Any) -> list[Any] | None:
        """The records of ``event`` that satisfy ``records`` (all of them when no field match is set);
        ``None`` when field matches are set and no record satisfies them."""
        records = records_of(event)
        if not self.records:
            return records
        hits = [r for r in records if all(m.matches(r) for m in self.records)]
        return hits or None

    def matches_outbound(
        self, host: str | None, port: int | None, service: str | None, operation: str | None
    ) -> bool:
        """Whether an outbound call matches ``outbound_host`` / ``outbound_service`` /
        ``outbound_operation``."""
        if self.outbound_host is not None:
            if host is None:
                return False
            candidates = [host] + ([f"{host}:{port}"] if port is not None else [])
            if not any(fnmatch.fnmatchcase(c, self.outbound_host) for c in candidates):
                return False
        return _pattern(service, self.outbound_service) and _pattern(operation, self.outbound_operation)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with camelCase keys; fields left at None are omitted."""
        return encode(self)

    @classmethod
    def from_dict(cls, data: Any) -> Target:
        """Inverse of :meth:`to_dict`."""
        return decode(cls, data, "target")


@final
@dataclasses.dataclass(frozen=True, kw_only=True)
class When:
    """When a targeted fault fires; all set conditions must hold.

    ``attempts``: attempt numbers (1-based; async retries are 2 and 3, SQS uses the receive count).
    ``start_seconds`` / ``end_seconds``: virtual-time window ``[start, end)``. ``every_nth``: only the n-th,
    2n-th, ... matching opportunity. ``first``: fire at most this many times. ``invocation_percentage``
    (FIS term, 0-100): chance per opportunity, drawn from the simulation's seeded source per record and
    attempt.
    """

    attempts: tuple[int, ...] | None = None
    start_seconds: float | None = None
    end_seconds: float | None = None
    every_nth: int | None = None
    first: int | None = None
    invocation_percentage: float | None = None

    def __post_init__(self) -> None:
        if self.attempts is not None:
            tupled(self, "attempts")
            for a in self.attempts:
                int_range("attempts[]", a, 1, 1_000_000, "an attempt number (1-based)")
        for name in ("start_seconds", "end_seconds"):
            value = getattr(self, name)
            if value is not None:
                float_range(name, value, 0, 1e12, "a virtual time in seconds")
        if (
            self.start_seconds is not None
            and self.end_seconds is not None
            and self.end_seconds <= self.start_seconds
        ):
            raise bad_value(
                "end_seconds",
                self.end_seconds,
                f"the window [start, end) needs end > start_seconds={self.start_seconds}",
                "Raise end_seconds.",
            )
        if self.every_nth is not None:
            int_range("every_nth", self.every_nth, 1, 1_000_000, "every_nth")
        if self.first is not None:
            int_range("first", self.first, 1, 1_000_000_000, "first")
        if self.invocation_percentage is not None:
            float_range(
                "invocation_percentage", self.invocation_percentage, 0, 100, "FIS invocationPercentage"
            )

    def in_window(self, time: float) -> bool:
        """Whether virtual ``time`` (seconds) lies in ``[start_seconds, end_seconds)``."""
        if self.start_seconds is not None and time < self.start_seconds:
            return False
        return self.end_seconds is None or time < self.end_seconds

    def allows_attempt(self, attempt: int) -> bool:
        """Whether ``attempt`` is one of ``attempts`` (any attempt when unset)."""
        return self.attempts is None or attempt in self.attempts

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with camelCase keys; unset fields omitted."""
        return encode(self)

    @classmethod
    def from_dict(cls, data: Any) -> When:
        """Inverse of :meth:`to_dict`."""
        if isinstance(data, dict) and "probability" in data:
            raise FaultPlanError(
                "when: use invocationPercentage (0-100, the FIS term) instead of probability."
            )
        return decode(cls, data, "when")
