"""One event-pattern engine for Lambda event filtering (``FilterCriteria``) and EventBridge rules.

A pattern is a JSON object. Keys are ANDed; a key maps to a nested pattern object or to a list of
match values that are ORed: exact strings, numbers, ``true``/``false``, ``null``, and operator objects
(``prefix``, ``suffix``, ``equals-ignore-case``, ``anything-but``, ``numeric``, ``exists``, plus the
EventBridge-only ``wildcard``, ``cidr``, ``anything-but`` with ``prefix``/``suffix``/
``equals-ignore-case``/``wildcard`` and ``prefix``/``suffix`` with ``equals-ignore-case``). ``$or``
takes a list of at least two pattern objects. An array in the event matches when any element
matches. Exact numbers compare by their JSON text (``300`` is not ``300.0``). ``exists`` matches leaf
values only. AWS pages: "Control which events Lambda sends to your function" (docs/aws-behaviour.md §10),
"Creating event patterns in Amazon EventBridge".
"""

from __future__ import annotations

import ipaddress
import json
import math
import re
from collections.abc import Callable, Mapping
from typing import Any, Final, Literal, TypeAlias, final

from lambdachaos.resources._errors import (
    AWSError,
    InvalidEventPatternException,
    InvalidParameterValueException,
)

Dialect: TypeAlias = Literal["lambda", "eventbridge"]
"""Which service's operator set a pattern is checked against."""

_Pred: TypeAlias = Callable[[Any], bool]
_Obj: TypeAlias = Callable[[Any], bool]
_EVENTBRIDGE_ONLY: Final = ("wildcard", "cidr")
_NUMERIC_OPS: Final = {
    "=": lambda a, b: a == b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


class _Invalid(Exception):
    """Internal: a reason a pattern is invalid (turned into the dialect's AWS error)."""


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _number_text(value: Any) -> str:
    return json.dumps(value)


def _exact(expected: Any) -> _Pred:
    if expected is None:
        return lambda v: v is None
    if isinstance(expected, bool):
        return lambda v: v is expected
    if isinstance(expected, str):
        return lambda v: isinstance(v, str) and v == expected
    if _is_number(expected):
        text = _number_text(expected)
        return lambda v: _is_number(v) and _number_text(v) == text
    raise _Invalid("Match value must be String, number, true, false, or null")


def _string_arg(op: str, value: Any) -> str:
    if not isinstance(value, str):
        raise _Invalid(f"Value of {op} must be a string; got {json.dumps(value)}")
    return value


def _wildcard(value: Any) -> _Pred:
    text = _string_arg("wildcard", value)
    if "**" in text:
        raise _Invalid(f"Consecutive wildcard characters at pos {text.index('**') + 1}")
    parts = re.split(r"(?<!\\)\*", text)
    regex = re.compile(".*".join(re.escape(p.replace("\\*", "*")) for p in parts), re.DOTALL)
    return lambda v: isinstance(v, str) and regex.fullmatch(v) is not None


def _affix(op: str, value: Any, dialect: Dialect) -> _Pred:
    ignore_case = False
    if isinstance(value, Mapping):
        if dialect == "lambda":
            raise _Invalid(f"{op} with equals-ignore-case is an EventBridge-only operator")
        if list(value) != ["equals-ignore-case"]:
            raise _Invalid(f"Unsupported {op} pattern: {json.dumps(value)}")
        value, ignore_case = value["equals-ignore-case"], True
    text = _string_arg(op, value)
    if ignore_case:
        folded = text.casefold()
        if op == "prefix":
            return lambda v: isinstance(v, str) and v.casefold().startswith(folded)
        return lambda v: isinstance(v, str) and v.casefold().endswith(folded)
    if op == "prefix":
        return lambda v: isinstance(v, str) and v.startswith(text)
    return lambda v: isinstance(v, str) and v.endswith(text)


def _numeric(spec: Any) -> _Pred:
    if not isinstance(spec, list) or not spec or len(spec) % 2 or len(spec) > 4:
        raise _Invalid('Value of numeric must be an array like [">", 0, "<=", 5]')
    checks: list[tuple[Callable[[float, float], bool], float]] = []
    for i in range(0, len(spec), 2):
        op, bound = spec[i], spec[i + 1]
        if op not in _NUMERIC_OPS:
            raise _Invalid(f"Unrecognized numeric range operator: {json.dumps(op)}")
        if not _is_number(bound) or not math.isfinite(bound):
            raise _Invalid(f"Value of {op} must be a number; got {json.dumps(bound)}")
        checks.append((_NUMERIC_OPS[op], bound))
    ops = [spec[i] for i in range(0, len(spec), 2)]
    if (
        ("=" in ops and len(ops) > 1)
        or sum(o in (">", ">=") for o in ops) > 1
        or sum(o in ("<", "<=") for o in ops) > 1
    ):
        raise _Invalid(
            'Numeric range must have at most one lower bound (">", ">=") and one upper bound ("<", "<=")'
        )
    return lambda v: _is_number(v) and all(f(v, b) for f, b in checks)


def _anything_but(spec: Any, dialect: Dialect) -> _Pred:
    if isinstance(spec, Mapping):
        if dialect == "lambda":
            raise _Invalid(
                f"anything-but with {', '.join(spec) or 'an object'} is an EventBridge-only operator"
            )
        if len(spec) != 1:
            raise _Invalid(f"Unsupported anything-but pattern: {json.dumps(spec)}")
        [(op, value)] = spec.items()
        values = value if isinstance(value, list) else [value]
        if op in ("prefix", "suffix"):
            inner = [_affix(op, v, dialect) for v in values]
        elif op == "equals-ignore-case":
            folded = {_string_arg(op, v).casefold() for v in values}
            inner = [lambda v: isinstance(v, str) and v.casefold() in folded]
        elif op == "wildcard":
            inner = [_wildcard(v) for v in values]
        else:
            raise _Invalid(f"Unsupported anything-but pattern: {op}")
        return lambda v: isinstance(v, str) and not any(p(v) for p in inner)
    values = spec if isinstance(spec, list) else [spec]
    if not values or not all(isinstance(v, str) or _is_number(v) for v in values):
        raise _Invalid("Value of anything-but must be an array or single string/number value.")
    preds = [_exact(v) for v in values]
    return lambda v: v is not None and not any(p(v) for p in preds)


def _operator(rule: Mapping[str, Any], dialect: Dialect) -> tuple[_Pred, bool]:
    """Compile one operator object; returns (predicate on a present value, matches-when-absent)."""
    if len(rule) != 1:
        raise _Invalid(f"Match object must have exactly one operator; got {json.dumps(rule)}")
    [(op, arg)] = rule.items()
    if dialect == "lambda" and op in _EVENTBRIDGE_ONLY:
        raise _Invalid(f"{op} is an EventBridge-only operator")
    if op == "exists":
        if not isinstance(arg, bool):
            raise _Invalid("exists match pattern must be either true or false.")
        return (lambda v: True) if arg else (lambda v: False), not arg
    if op in ("prefix", "suffix"):
        return _affix(op, arg, dialect), False
    if op == "equals-ignore-case":
        folded = _string_arg(op, arg).casefold()
        return (lambda v: isinstance(v, str) and v.casefold() == folded), False
    if op == "anything-but":
        return _anything_but(arg, dialect), False
    if op == "numeric":
        return _numeric(arg), False
    if op == "wildcard":
        return _wildcard(arg), False
    if op == "cidr":
        try:
            network = ipaddress.ip_network(_string_arg(op, arg), strict=False)
        except ValueError:
            raise _Invalid(f"Nonstandard IP address: {arg}") from None

        def in_network(v: Any) -> bool:
            try:
                return isinstance(v, str) and ipaddress.ip_address(v) in network
            except ValueError:
                return False

        return in_network, False
    raise _Invalid(f"Unrecognized match type {op}")


def _leaf(key: str, values: list[Any], dialect: Dialect) -> _Obj:
    if not values:
        raise _Invalid(f'Empty arrays are not allowed: "{key}"')
    preds: list[_Pred] = []
    absent_ok = False
    for value in values:
        if isinstance(value, Mapping):
            pred, when_absent = _operator(value, dialect)
            absent_ok = absent_ok or when_absent
            preds.append(pred)
        elif isinstance(value, list):
            raise _Invalid(f'Match value must be String, number, true, false, or null: "{key}"')
        else:
            preds.append(_exact(value))

    def one(v: Any) -> bool:
        return not isinstance(v, (dict, list)) and any(p(v) for p in preds)

    def match(obj: Any) -> bool:
        if key not in obj:
            return absent_ok
        value = obj[key]
        if isinstance(value, list):
            return any(one(v) for v in value) if value else absent_ok
        return one(value)

    return match


def _nested(key: str, sub: _Obj) -> _Obj:
    def match(obj: Any) -> bool:
        value = obj.get(key)
        if isinstance(value, dict):
            return sub(value)
        if isinstance(value, list):
            return any(isinstance(v, dict) and sub(v) for v in value)
        return sub({}) if value is None and key not in obj else False

    return match


def _any_of(branches: list[_Obj]) -> _Obj:
    return lambda obj: any(branch(obj) for branch in branches)


def _object(pattern: Any, dialect: Dialect) -> _Obj:
    if not isinstance(pattern, Mapping):
        raise _Invalid("Filter is not an object")
    matchers: list[_Obj] = []
    for key, value in pattern.items():
        if key == "$or":
            if not isinstance(value, list) or len(value) < 2:
                raise _Invalid("Value of $or must be an array of at least 2 pattern objects")
            matchers.append(_any_of([_object(branch, dialect) for branch in value]))
        elif isinstance(value, Mapping):
            matchers.append(_nested(key, _object(value, dialect)))
        elif isinstance(value, list):
            matchers.append(_leaf(key, value, dialect))
        else:
            raise _Invalid(f'"{key}" must be an object or an array')
    if not matchers:
        raise _Invalid("Empty objects are not allowed")
    return lambda obj: isinstance(obj, Mapping) and all(m(obj) for m in matchers)


@final
class EventPattern:
    """A compiled pattern; :meth:`matches` is a pure function of the event."""

    __slots__ = ("_match", "dialect", "pattern")

    def __init__(self, pattern: dict[str, Any], dialect: Dialect, match: _Obj) -> None:
        self.pattern = pattern
        """The parsed pattern object."""
        self.dialect = dialect
        """``lambda`` or ``eventbridge``."""
        self._match = match

    def matches(self, event: Mapping[str, Any]) -> bool:
        """True when ``event`` (a parsed JSON object) matches the pattern."""
        return self._match(event)

    def __repr__(self) -> str:
        return f"<EventPattern {self.dialect} {json.dumps(self.pattern)[:60]}>"


def compile_pattern(pattern: str | Mapping[str, Any], *, dialect: Dialect = "lambda") -> EventPattern:
    """Validate ``pattern`` (JSON text or a dict) for ``dialect`` and compile it.

    Raises ``InvalidParameterValueException`` (Lambda) or ``InvalidEventPatternException``
    (EventBridge) with the reason, for example an EventBridge-only operator in a Lambda filter.
    """
    if dialect not in ("lambda", "eventbridge"):
        raise ValueError(f"dialect={dialect!r} is not a pattern dialect; use 'lambda' or 'eventbridge'")
    try:
        parsed = json.loads(pattern) if isinstance(pattern, str) else json.loads(json.dumps(pattern))
    except (ValueError, TypeError) as exc:
        raise _error(dialect, f"Filter is not valid JSON: {exc}") from None
    try:
        match = _object(parsed, dialect)
    except _Invalid as exc:
        raise _error(dialect, str(exc)) from None
    return EventPattern(parsed, dialect, match)


def _error(dialect: Dialect, reason: str) -> AWSError:
    if dialect == "lambda":
        return InvalidParameterValueException(
            f"Invalid filter pattern definition. Reason: {reason}. Lambda event filtering accepts "
            "null, empty, "
            "equals, equals-ignore-case, anything-but (values), numeric, exists, prefix, suffix and $or; "
            "rewrite the pattern with those operators"
        )
    return InvalidEventPatternException(f"Event pattern is not valid. Reason: {reason}")
