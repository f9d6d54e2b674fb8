"""Read a CloudFormation or SAM template file: JSON, or YAML with the short-form intrinsic tags.

YAML is parsed with a private ``SafeLoader`` subclass, so PyYAML's shared loaders are never changed
(``yaml.safe_load("x: !Ref A")`` still raises after a template is read).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped, unused-ignore]

from lambdachaos.templates._errors import TemplateError

_LONG_FORM = {"Ref": "Ref", "Condition": "Condition"}


_SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's when PyYAML was built with it


class _TemplateLoader(_SAFE_LOADER):  # type: ignore[misc]
    """PyYAML's safe loader plus CloudFormation's ``!Tag`` short forms, registered on this class only."""


def _construct_tag(loader: _TemplateLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    key = _LONG_FORM.get(suffix, f"Fn::{suffix}")
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if suffix == "GetAtt" and isinstance(value, str):
            logical, _, attribute = value.partition(".")
            value = [logical, attribute]
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {key: value}


_TemplateLoader.add_multi_constructor("!", _construct_tag)
# YAML 1.1 timestamps would turn a date-like value (a Version: 2012-10-17) into a date object; keep strings.
_TemplateLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse_template(text: str, *, source: str = "<template>") -> dict[str, Any]:
    """The template document in ``text`` (JSON or YAML); ``TemplateError`` when it is neither a mapping."""
    try:
        document = json.loads(text) if text.lstrip().startswith("{") else yaml.load(text, Loader=_TemplateLoader)
    except (ValueError, yaml.YAMLError) as exc:
        raise TemplateError(f"{source}: not a valid JSON or YAML template: {exc}") from None
    if not isinstance(document, dict):
        raise TemplateError(
            f"{source}: a template is a mapping with a Resources section, got {type(document).__name__}"
        )
    if not isinstance(document.get("Resources"), dict) or not document["Resources"]:
        raise TemplateError(f"{source}: the template has no Resources (CloudFormation needs at least one)")
    return document


def read_template(path: Path) -> tuple[dict[str, Any], str]:
    """The template document and text of the file at ``path``."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise TemplateError(f"template={str(path)!r}: cannot read the file ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise TemplateError(f"template={str(path)!r}: the file is not UTF-8 text") from None
    return parse_template(text, source=str(path)), text


def resource_lines(text: str, logical_ids: list[str]) -> dict[str, int]:
    """The 1-based line where each resource is declared in ``text`` (JSON or YAML), where it can be found."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if re.match(r'\s*"?Resources"?\s*:', line)), 0)
    found: dict[str, int] = {}
    for logical in logical_ids:
        pattern = re.compile(rf'^\s*"?{re.escape(logical)}"?\s*:')
        for number in range(start, len(lines)):
            if pattern.match(lines[number]):
                found[logical] = number + 1
                break
    return found
