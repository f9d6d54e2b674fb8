"""Reading plan and scenario files safely: bounded size, UTF-8 text only, bounded YAML alias expansion.

A YAML alias is a reference, so ten lines of anchors can describe a document of billions of values (an "alias
bomb"). :func:`compose_yaml` composes the node graph (which shares aliased nodes, so it stays as small as the
file), counts the values the document would expand to without building them, and refuses the file when the
count passes :data:`MAX_NODES`. Every refusal is a :class:`TextFileError` carrying the 1-based line and column,
so callers can print ``file:line:column: message``. Standard library only; PyYAML is passed in by the caller.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, Final

MAX_BYTES: Final = 4 * 1024 * 1024
"""Largest plan or scenario file read (4 MiB)."""
MAX_NODES: Final = 100_000
"""Most values (mappings, lists and scalars, aliases expanded) one YAML document may hold."""


_FLOAT_TAG: Final = "tag:yaml.org,2002:float"
_NON_FINITE: Final = re.compile(r"^[-+]?\.(inf|Inf|INF|nan|NaN|NAN)$")


class TextFileError(ValueError):
    """A file that cannot be read as a plan or scenario: ``line``/``column`` (1-based) say where."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


def decode(data: bytes, *, limit: int = MAX_BYTES) -> str:
    """``data`` as UTF-8 text; refuses files over ``limit`` bytes, binary files and invalid UTF-8."""
    if len(data) > limit:
        raise TextFileError(f"file size {len(data):,} bytes is over the limit of {limit:,} bytes")
    if b"\x00" in data:
        line, column = _position(data, data.index(b"\x00"))
        raise TextFileError("binary file (NUL byte): expected UTF-8 text", line, column)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _position(data, exc.start)
        raise TextFileError(f"not UTF-8 text: byte 0x{data[exc.start]:02x} cannot start or continue a character",
                            line, column) from None


def _position(data: bytes, offset: int) -> tuple[int, int]:
    line_start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, len(data[line_start:offset].decode("utf-8", "replace")) + 1


def compose_yaml(yaml: Any, text: str, *, limit: int = MAX_NODES, finite: bool = False) -> tuple[Any, Any]:
    """``(loader, node)``: the composed document of ``text`` (``node`` is None for an empty document).

    Refuses syntax errors, several documents, recursive aliases and documents that would expand past
    ``limit`` values; with ``finite``, also ``.nan`` and ``.inf`` numbers. The caller builds values from
    ``node`` with ``loader`` and then calls ``loader.dispose()``.
    """
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        loader.dispose()
        mark = exc.problem_mark or exc.context_mark
        raise TextFileError(str(exc.problem or exc.context), *_mark(mark)) from None
    except RecursionError:
        loader.dispose()
        raise TextFileError("values nested too deeply") from None
    if node is not None:
        try:
            _check_expansion(yaml, node, limit, finite)
        except TextFileError:
            loader.dispose()
            raise
    return loader, node


def _mark(mark: Any) -> tuple[int, int]:
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


def _check_expansion(yaml: Any, root: Any, limit: int, finite: bool) -> None:
    sizes: dict[int, int] = {}
    active: set[int] = set()
    # Iterative post-order walk: each distinct node is sized once, so the cost is that of the file.
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            children = _children(yaml, node)
            size = 1 + sum(sizes[id(c)] for c in children)
            active.discard(key)
            sizes[key] = size
            if size > limit:
                raise TextFileError(
                    f"with its aliases expanded this value holds {size:,} values, over the limit of {limit:,} "
                    "per document; write the values out or use fewer aliases",
                    *_mark(node.start_mark),
                )
            continue
        if key in sizes:
            continue
        if key in active:
            raise TextFileError("recursive alias: a value contains itself", *_mark(node.start_mark))
        if finite and isinstance(node, yaml.ScalarNode) and node.tag == _FLOAT_TAG and _NON_FINITE.match(node.value):
            raise TextFileError(f"{node.value} is not a JSON number: give a finite number (AWS refuses NaN and "
                                "Infinity)", *_mark(node.start_mark))
        active.add(key)
        stack.append((node, True))
        for child in _children(yaml, node):
            if id(child) in active:
                raise TextFileError("recursive alias: a value contains itself", *_mark(child.start_mark))
            if id(child) not in sizes:
                stack.append((child, False))


def _children(yaml: Any, node: Any) -> list[Any]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def non_finite(value: Any) -> bool:
    """Whether ``value`` is a float NaN or infinity (JSON has no such numbers; AWS refuses them)."""
    return isinstance(value, float) and not math.isfinite(value)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number (JSON numbers are finite; AWS refuses NaN and Infinity)")


def loads_json(text: str | bytes) -> Any:
    """Strict JSON: ``NaN``, ``Infinity`` and ``-Infinity`` are refused (``ValueError``)."""
    return json.loads(text, parse_constant=_refuse_constant)
