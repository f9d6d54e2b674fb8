"""What an EventBridge rule target receives: the event, ``Input``, ``InputPath`` or ``InputTransformer``.

AWS page: "Amazon EventBridge input transformation". A target takes at most one of the three:

- ``Input``: constant JSON text sent instead of the event.
- ``InputPath``: a JSONPath (``$``, ``$.detail``, ``$.detail.items[0]``) selecting part of the event.
- ``InputTransformer``: ``InputPathsMap`` (up to 100 variables, each a JSONPath) and ``InputTemplate``
  with ``<variable>`` placeholders. In a JSON template a placeholder inside quotes takes the value's text
  and one outside quotes takes its JSON value; predefined variables ``<aws.events.rule-arn>``,
  ``<aws.events.rule-name>``, ``<aws.events.event.ingestion-time>``, ``<aws.events.event>`` and
  ``<aws.events.event.json>`` are always available. Decision: a path that matches nothing gives JSON
  ``null`` outside quotes and an empty text inside them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any, Final

from lambdachaos._errors import ConfigError

PATHS_MAX: Final = 100
_PATH: Final = re.compile(r"\$((?:\.[A-Za-z0-9_\-]+|\[\d+\])*)")
_STEP: Final = re.compile(r"\.([A-Za-z0-9_\-]+)|\[(\d+)\]")
_PLACEHOLDER: Final = re.compile(r"<([A-Za-z0-9_.\-]+)>")
_MISSING: Final = object()

Render = Callable[[dict[str, Any], str, str], str]
"""``(event, rule name, rule ARN) -> the text the target receives``."""


def _compile_path(path: str, setting: str) -> list[str | int]:
    match = _PATH.fullmatch(path) if isinstance(path, str) else None
    if match is None:
        raise ConfigError(f"{setting}={path!r} is not a JSONPath EventBridge accepts; write it like '$.detail.id'")
    return [name if name else int(index) for name, index in _STEP.findall(match[1])]


def _select(event: Any, steps: list[str | int]) -> Any:
    value = event
    for step in steps:
        if isinstance(step, int):
            if not isinstance(value, list) or step >= len(value):
                return _MISSING
            value = value[step]
        else:
            if not isinstance(value, dict) or step not in value:
                return _MISSING
            value = value[step]
    return value


def renderer(
    *, input: str | None = None, input_path: str | None = None, input_transformer: Mapping[str, Any] | None = None,
) -> Render:
    """The target's input rule; at most one of the three may be given (as ``PutTargets`` requires)."""
    given = [name for name, v in (("input", input), ("input_path", input_path),
                                  ("input_transformer", input_transformer)) if v is not None]
    if len(given) > 1:
        raise ConfigError(f"{' and '.join(given)}: a target takes only one of Input, InputPath and InputTransformer")
    if input is not None:
        try:
            json.loads(input)
        except (TypeError, ValueError):
            raise ConfigError(f"input={input!r}: Input must be valid JSON text") from None
        constant = input
        return lambda event, name, arn: constant
    if input_path is not None:
        steps = _compile_path(input_path, "input_path")

        def by_path(event: dict[str, Any], name: str, arn: str) -> str:
            value = _select(event, steps)
            return json.dumps(None if value is _MISSING else value, separators=(",", ":"))

        return by_path
    if input_transformer is not None:
        return _transformer(input_transformer)
    return lambda event, name, arn: json.dumps(event, separators=(",", ":"))


def _transformer(spec: Mapping[str, Any]) -> Render:
    if not isinstance(spec, Mapping) or "InputTemplate" not in spec or set(spec) - {"InputPathsMap", "InputTemplate"}:
        raise ConfigError(f"input_transformer={spec!r}: give InputTemplate and optionally InputPathsMap")
    paths = dict(spec.get("InputPathsMap") or {})
    if len(paths) > PATHS_MAX:
        raise ConfigError(f"input_transformer: InputPathsMap has {len(paths)} entries; at most {PATHS_MAX}")
    compiled = {name: _compile_path(path, f"InputPathsMap[{name!r}]") for name, path in paths.items()}
    template = spec["InputTemplate"]
    if not isinstance(template, str):
        raise ConfigError(f"input_transformer: InputTemplate={template!r} must be a string")

    def render(event: dict[str, Any], rule_name: str, rule_arn: str) -> str:
        values: dict[str, Any] = {name: _select(event, steps) for name, steps in compiled.items()}
        values.setdefault("aws.events.rule-arn", rule_arn)
        values.setdefault("aws.events.rule-name", rule_name)
        values.setdefault("aws.events.event.ingestion-time", event.get("time"))
        values.setdefault("aws.events.event", event)
        values.setdefault("aws.events.event.json", event)
        out: list[str] = []
        last = 0
        for match in _PLACEHOLDER.finditer(template):
            name = match[1]
            if name not in values:
                continue
            out.append(template[last:match.start()])
            value = values[name]
            quoted = template[:match.start()].count('"') % 2 == 1
            if quoted:
                text = "" if value is _MISSING or value is None else (
                    value if isinstance(value, str) else json.dumps(value, separators=(",", ":")))
                out.append(json.dumps(text)[1:-1])
            else:
                out.append(json.dumps(None if value is _MISSING else value, separators=(",", ":")))
            last = match.end()
        out.append(template[last:])
        return "".join(out)

    return render
