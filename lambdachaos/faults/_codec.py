"""JSON-ready encoding of the plan dataclasses: camelCase keys (FIS spelling), validation of unknown keys."""

from __future__ import annotations

import dataclasses
import enum
import re
from collections.abc import Mapping
from typing import Any, TypeVar

from ._errors import FaultPlanError

T = TypeVar("T")

_CAMEL = re.compile(r"_([a-z0-9])")
_SNAKE = re.compile(r"(?<!^)([A-Z])")


def to_camel(name: str) -> str:
    """``startup_delay_milliseconds`` -> ``startupDelayMilliseconds``."""
    return _CAMEL.sub(lambda m: m.group(1).upper(), name)


def to_snake(name: str) -> str:
    """``startupDelayMilliseconds`` -> ``startup_delay_milliseconds``."""
    return _SNAKE.sub(lambda m: "_" + m.group(1).lower(), name)


def plain(value: Any) -> Any:
    """Turn enums, tuples and dataclasses into JSON-ready values."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [plain(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return encode(value)
    return value


def encode(obj: Any, *, skip: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Encode a dataclass as a dict with camelCase keys, leaving out fields that equal their default."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(obj):
        if f.name in skip or not f.init:
            continue
        value = getattr(obj, f.name)
        if f.default is not dataclasses.MISSING and value == f.default:
            continue
        if f.default_factory is not dataclasses.MISSING and value == f.default_factory():
            continue
        out[to_camel(f.name)] = plain(value)
    return out


def decode(cls: type[T], data: Any, where: str, *, skip: frozenset[str] = frozenset()) -> T:
    """Build ``cls`` from a camelCase (or snake_case) mapping; unknown keys raise :class:`FaultPlanError`."""
    if not isinstance(data, Mapping):
        raise FaultPlanError(f"{where} must be a JSON object, got {type(data).__name__}: {data!r}")
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init and f.name not in skip}  # type: ignore[arg-type]
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        name = to_snake(str(key))
        if name not in fields:
            valid = ", ".join(sorted(to_camel(n) for n in fields)) or "(none)"
            raise FaultPlanError(f"{where}: unknown key {key!r}; valid keys are {valid}.")
        _check_type(where, key, value, fields[name].type)
        kwargs[name] = value
    return cls(**kwargs)


_SIMPLE: dict[str, tuple[type, ...]] = {"str": (str,), "bool": (bool,), "int": (int,), "float": (int, float),
                                        "None": (type(None),)}


def _check_type(where: str, key: Any, value: Any, annotation: Any) -> None:
    """Refuse a value of the wrong JSON type for a field annotated with plain types (``str``, ``float | None``);
    other annotations (enums, tuples) are checked by the dataclass itself."""
    parts = [p.strip() for p in str(annotation).split("|")]
    if not all(p in _SIMPLE for p in parts):
        return
    allowed = tuple(t for p in parts for t in _SIMPLE[p])
    if (isinstance(value, bool) and bool not in allowed) or not isinstance(value, allowed):
        raise FaultPlanError(f"{where}: {key}={value!r} must be {' or '.join(parts)}, got {type(value).__name__}.")
