"""A validator for the subset of JSON Schema the scenario schema uses, with messages a person can act on."""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from typing import Any, Final


@dataclass(frozen=True, slots=True)
class SchemaIssue:
    """One violation: the path of the value (``("functions", "orders", "timeout")``), the message, and
    whether it concerns the key itself (unknown key) rather than its value."""

    path: tuple[str | int, ...]
    message: str


def dotted(path: tuple[str | int, ...]) -> str:
    """``functions.orders.timeout`` / ``traffic[0].rate``; the document root is ``(root)``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(root)"


_TYPES: Final = {
    "object": (dict,), "array": (list,), "string": (str,), "boolean": (bool,),
    "integer": (int,), "number": (int, float),
}
_ARTICLE: Final = {"object": "a mapping", "array": "a list", "string": "a string", "boolean": "true or false",
                   "integer": "an integer", "number": "a number"}


def _is(value: Any, kind: str) -> bool:
    if kind in ("integer", "number") and isinstance(value, bool):
        return False
    if kind == "integer" and isinstance(value, float):
        return value.is_integer()
    return isinstance(value, _TYPES[kind])


def _show(value: Any) -> str:
    return json.dumps(value) if isinstance(value, (str, bool)) or value is None else repr(value)


def check(data: Any, schema: dict[str, Any]) -> list[SchemaIssue]:
    """Every violation of ``schema`` in ``data``, in document order."""
    issues: list[SchemaIssue] = []
    _check(data, schema, (), issues)
    return issues


def _check(value: Any, schema: dict[str, Any], path: tuple[str | int, ...], out: list[SchemaIssue]) -> None:
    if "anyOf" in schema:
        branches = [check(value, b) for b in schema["anyOf"]]
        if all(branches):
            allowed = " or ".join(_describe(b) for b in schema["anyOf"])
            out.append(SchemaIssue(path, f"{_show(value)} is not allowed: expected {allowed}"))
        return
    if "const" in schema and value != schema["const"]:
        out.append(SchemaIssue(path, f"{_show(value)} is not allowed: it must be {_show(schema['const'])}"))
        return
    if "enum" in schema and value not in schema["enum"]:
        choices = ", ".join(str(c) for c in schema["enum"])
        out.append(SchemaIssue(path, f"{_show(value)} is not one of {choices}"))
        return
    kind = schema.get("type")
    if kind is not None and not _is(value, kind):
        out.append(SchemaIssue(path, f"expected {_ARTICLE[kind]}, got {_show(value)} ({_json_type(value)})"))
        return
    if kind in ("integer", "number"):
        _check_range(value, schema, path, out)
    elif kind == "string" and "pattern" in schema and not re.search(schema["pattern"], value):
        out.append(SchemaIssue(path, f"{_show(value)} does not match the pattern {schema['pattern']}"))
    elif kind == "array":
        _check_array(value, schema, path, out)
    elif kind == "object":
        _check_object(value, schema, path, out)


def _describe(schema: dict[str, Any]) -> str:
    if "enum" in schema:
        return "one of " + ", ".join(str(c) for c in schema["enum"])
    if "const" in schema:
        return _show(schema["const"])
    if schema.get("pattern") and schema.get("type") == "string":
        return "a string like '>= 5' or 'all'"
    return _ARTICLE.get(schema.get("type", ""), "a value")


def _json_type(value: Any) -> str:
    for name in ("boolean", "integer", "number", "string", "array", "object"):
        if isinstance(value, _TYPES[name]) and (name != "integer" or not isinstance(value, bool)):
            return name
    return "null" if value is None else type(value).__name__


def _check_range(value: float, schema: dict[str, Any], path: tuple[str | int, ...], out: list[SchemaIssue]) -> None:
    low, high = schema.get("minimum"), schema.get("maximum")
    low_open = schema.get("exclusiveMinimum")
    bad = (low is not None and value < low) or (high is not None and value > high) or (
        low_open is not None and value <= low_open)
    if not bad:
        return
    if low_open is not None:
        bounds = f"greater than {low_open}"
    elif high is None:
        bounds = f"at least {low}"
    else:
        bounds = f"{low} to {high}"
    aws = schema.get("x-aws")
    out.append(SchemaIssue(path, f"{_show(value)} is out of range ({f'{aws}, ' if aws else ''}{bounds})"))


def _check_array(value: list[Any], schema: dict[str, Any], path: tuple[str | int, ...], out: list[SchemaIssue]) -> None:
    lo, hi = schema.get("minItems"), schema.get("maxItems")
    if lo is not None and len(value) < lo:
        out.append(SchemaIssue(path, f"needs at least {lo} item{'s' if lo != 1 else ''}, got {len(value)}"))
    if hi is not None and len(value) > hi:
        out.append(SchemaIssue(path, f"takes at most {hi} items, got {len(value)}"))
    items = schema.get("items")
    if items:
        for i, item in enumerate(value):
            _check(item, items, (*path, i), out)


def _check_object(
    value: dict[str, Any], schema: dict[str, Any], path: tuple[str | int, ...], out: list[SchemaIssue]
) -> None:
    props: dict[str, Any] = schema.get("properties", {})
    for key in schema.get("required", []):
        if key not in value:
            out.append(SchemaIssue(path, f"missing required key '{key}'"))
    one_of = schema.get("x-exactly-one")
    if one_of:
        given = [k for k in one_of if k in value]
        if len(given) != 1:
            what = "none" if not given else ", ".join(given)
            out.append(SchemaIssue(path, f"give exactly one of {', '.join(one_of)} (got {what})"))
    names = schema.get("propertyNames")
    extra = schema.get("additionalProperties", True)
    for key, item in value.items():
        if names is not None and not (isinstance(key, str) and re.search(names["pattern"], key)):
            out.append(SchemaIssue((*path, key), f"{_show(key)} is not a valid name (letters, digits, _.:-)"))
            continue
        if key in props:
            _check(item, props[key], (*path, key), out)
        elif extra is False:
            hint = difflib.get_close_matches(str(key), list(props), n=1)
            tip = f"did you mean '{hint[0]}'?" if hint else f"valid keys: {', '.join(props)}"
            out.append(SchemaIssue((*path, key), f"unknown key; {tip}"))
        elif isinstance(extra, dict):
            _check(item, extra, (*path, key), out)


