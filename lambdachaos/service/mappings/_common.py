"""What every event source mapping shares: limits, range checks, filter criteria and batch responses.

AWS pages: "Lambda event source mappings", "Control which events Lambda sends to your function"
(filtering, docs/aws-behaviour.md §10), "Handling errors for an SQS event source" and "Configuring partial
batch response" (§5.3, §6.4).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, TypeAlias, final

from lambdachaos._errors import ConfigError, LambdaChaosWarning
from lambdachaos.service.invoke._errors import InvalidParameterValueError as InvalidParameterValueError

if TYPE_CHECKING:
    from lambdachaos.resources._patterns import EventPattern

REPORT_BATCH_ITEM_FAILURES: Final = "ReportBatchItemFailures"
"""The only ``FunctionResponseTypes`` value AWS accepts."""
BATCH_WINDOW_MAX_S: Final = 300
"""``MaximumBatchingWindowInSeconds`` upper bound (0–300 s)."""
SYNC_PAYLOAD_LIMIT: Final = 6_291_456
"""A batch is invoked synchronously: its event must stay within 6 MB (docs/aws-behaviour.md §1, §5.2)."""
MAX_FILTERS: Final = 5
"""Patterns per ``FilterCriteria`` (quota, raisable to 10)."""

FilterCriteriaInput: TypeAlias = "Mapping[str, Any] | Sequence[str | Mapping[str, Any]] | None"
"""``{"Filters": [{"Pattern": "<json>"}]}`` as the API takes it, or a plain list of patterns (JSON text or dicts)."""


class VisibilityTimeoutWarning(LambdaChaosWarning):
    """The queue's visibility timeout is below AWS's guidance of 6 × the function timeout (+ batching window)."""


def check_range(aws_name: str, keyword: str, value: object, low: int, high: int, *, also: tuple[int, ...] = (),
                what: str = "") -> int:
    """Return ``value`` if it is an integer in ``low..high`` (or one of ``also``), else raise ``ConfigError``.

    The message quotes AWS's parameter name and our keyword, the value, the allowed range and the fix.
    """
    if isinstance(value, bool) or not isinstance(value, int) or not (low <= value <= high or value in also):
        extra = "".join(f" or {v}" for v in also)
        where = f" for {what}" if what else ""
        raise ConfigError(
            f"{keyword}={value!r}: {aws_name} must be between {low:,} and {high:,}{extra}{where}; "
            f"pick an integer in that range"
        )
    return value


def check_response_types(value: Iterable[str]) -> tuple[str, ...]:
    """Validate ``FunctionResponseTypes`` (``[]`` or ``["ReportBatchItemFailures"]``)."""
    if isinstance(value, str):
        value = (value,)
    types = tuple(value)
    for item in types:
        if item != REPORT_BATCH_ITEM_FAILURES:
            raise ConfigError(
                f"function_response_types={types!r}: FunctionResponseTypes accepts only "
                f"{REPORT_BATCH_ITEM_FAILURES!r}; pass () or ({REPORT_BATCH_ITEM_FAILURES!r},)"
            )
    return tuple(dict.fromkeys(types))


def compile_filters(criteria: FilterCriteriaInput) -> tuple[EventPattern, ...]:
    """Compile ``FilterCriteria`` with the Lambda pattern dialect (invalid → ``InvalidParameterValueException``)."""
    if criteria is None:
        return ()
    from lambdachaos.resources._patterns import compile_pattern

    patterns: list[Any]
    if isinstance(criteria, Mapping):
        filters = criteria.get("Filters")
        if not isinstance(filters, list):
            raise ConfigError(
                f"filter_criteria={criteria!r}: FilterCriteria must be {{'Filters': [{{'Pattern': '<json>'}}]}} "
                "or a list of patterns"
            )
        patterns = [f.get("Pattern") if isinstance(f, Mapping) else f for f in filters]
    else:
        patterns = list(criteria)
    if len(patterns) > MAX_FILTERS:
        raise ConfigError(
            f"filter_criteria has {len(patterns)} patterns: FilterCriteria.Filters allows at most {MAX_FILTERS} "
            "(a quota AWS can raise to 10); merge patterns with $or"
        )
    return tuple(compile_pattern(p, dialect="lambda") for p in patterns)


def data_view(text: str) -> Any:
    """What a filter sees for a message body / record data: the JSON object, or the plain string.

    docs/aws-behaviour.md §10: a JSON body is matched as an object; a plain-string body as a string, so a
    pattern of the other kind never matches it (the message is dropped).
    """
    if text[:1] in ("{", " ", "\n", "\t", "\r"):
        try:
            parsed = json.loads(text)
        except ValueError:
            return text
        if isinstance(parsed, dict):
            return parsed
    return text


def matches(patterns: tuple[EventPattern, ...], view: Mapping[str, Any]) -> bool:
    """Patterns are ORed; no patterns means everything passes."""
    return not patterns or any(p.matches(view) for p in patterns)


@final
@dataclass(frozen=True, slots=True)
class BatchResponse:
    """How Lambda read a function's batch response.

    ``complete_failure`` means the whole batch failed (§5.3 / §6.4); otherwise ``failed`` lists the
    reported item identifiers (empty: complete success).
    """

    complete_failure: bool
    failed: tuple[str, ...] = ()


INVALID_RESPONSE: Final = "batch response not understood: the whole batch failed"
"""The ledger ``reason`` of an attempt whose batch response Lambda read as a complete failure."""

SUCCESS: Final = BatchResponse(False)
FAILURE: Final = BatchResponse(True)


def parse_batch_response(payload: bytes, batch_ids: Mapping[str, object] | frozenset[str]) -> BatchResponse:
    """Read ``{"batchItemFailures": [{"itemIdentifier": id}]}`` per docs/aws-behaviour.md §5.3 / §6.4.

    Complete success: empty payload, ``null``, ``""``, ``[]``, ``{}``, ``batchItemFailures`` empty or
    null, and any other value without ``batchItemFailures`` (failures are then silently lost, as users
    report). Complete failure: not JSON, ``batchItemFailures`` not a list, an item that is not an
    object, an ``itemIdentifier`` missing, null, empty or not a string, or an identifier not in the batch.
    """
    if not payload:
        return SUCCESS
    try:
        body = json.loads(payload)
    except ValueError:
        return FAILURE
    if not isinstance(body, dict):
        return SUCCESS
    items = body.get("batchItemFailures")
    if items is None:
        return SUCCESS
    if not isinstance(items, list):
        return FAILURE
    failed: list[str] = []
    for item in items:
        if not isinstance(item, dict):
            return FAILURE
        ident = item.get("itemIdentifier")
        if not isinstance(ident, str) or not ident or ident not in batch_ids:
            return FAILURE
        failed.append(ident)
    return BatchResponse(False, tuple(dict.fromkeys(failed)))


def reject(keyword: str, value: object, source: str, hint: str) -> ConfigError:
    """The error for a setting that does not apply to this kind of event source."""
    return ConfigError(f"{keyword}={value!r} is not supported for {source} event sources; {hint}")


POLLER_FUNCTION_TIMEOUT_MAX_S: Final = 840
"""Kafka, Amazon MQ and DocumentDB mappings support functions with a timeout of 14 minutes at most."""


def check_poller_timeout(function: Any, source: str) -> None:
    """Refuse a function whose ``Timeout`` is over 14 minutes for a Kafka, Amazon MQ or DocumentDB mapping."""
    timeout = function.config.timeout
    if timeout > POLLER_FUNCTION_TIMEOUT_MAX_S:
        raise ConfigError(
            f"function {function.name!r} has Timeout={timeout:g} s: {source} event source mappings support "
            f"functions with a timeout of at most {POLLER_FUNCTION_TIMEOUT_MAX_S} s (14 minutes); lower timeout"
        )
