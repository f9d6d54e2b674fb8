"""Resolve CloudFormation intrinsic functions offline: parameters, pseudo parameters, conditions and mappings.

``Ref`` and ``Fn::GetAtt`` of resources are answered by callbacks the loader gives (physical names and
attributes); everything else is computed here. An intrinsic that cannot be resolved raises
:class:`TemplateError` naming the property path.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Mapping
from typing import Any, Final

from lambdachaos.templates._dynamic import SECURE_PROPERTIES, DynamicError, Stores
from lambdachaos.templates._errors import TemplateError

NO_VALUE: Final = object()
"""``Ref: AWS::NoValue``: the property (or list item) is removed."""

_SUB_VARIABLE: Final = re.compile(r"\$\{([^}]*)\}")
_DYNAMIC_REFERENCE: Final = re.compile(r"\{\{resolve:(ssm|ssm-secure|secretsmanager):([^}]*)\}\}")
_SSM_TYPE: Final = "AWS::SSM::Parameter::Value<"
_FUNCTIONS: Final = frozenset({
    "Ref", "Fn::GetAtt", "Fn::Sub", "Fn::Join", "Fn::Select", "Fn::Split", "Fn::If", "Fn::FindInMap",
    "Fn::Base64", "Fn::GetAZs", "Fn::ImportValue", "Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not", "Condition",
})


class _Unresolvable(Exception):
    """Raised inside resolution; turned into a TemplateError carrying the property path."""


def parameter_values(declared: Mapping[str, Any], given: Mapping[str, Any]) -> dict[str, Any]:
    """The value of every template parameter from ``given`` overrides and ``Default``s, checked as AWS does."""
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise TemplateError(f"Parameters: {unknown} do not exist in the template")
    values: dict[str, Any] = {}
    missing = []
    for name, spec in declared.items():
        spec = spec if isinstance(spec, dict) else {}
        if name in given:
            raw: Any = given[name]
        elif "Default" in spec:
            raw = spec["Default"]
        else:
            missing.append(name)
            continue
        kind = str(spec.get("Type", "String"))
        text = ",".join(str(v) for v in raw) if isinstance(raw, (list, tuple)) else str(raw)
        allowed = spec.get("AllowedValues")
        if allowed is not None and text not in [str(a) for a in allowed]:
            raise TemplateError(
                f"Parameter '{name}' must be one of AllowedValues (value: {text!r}, allowed: {allowed})"
            )
        if kind == "Number":
            try:
                float(text)
            except ValueError:
                raise TemplateError(f"Parameter '{name}' must be a number (value: {text!r})") from None
        values[name] = text.split(",") if kind.startswith("List<") or kind == "CommaDelimitedList" else text
    if missing:
        raise TemplateError(f"Parameters: [{', '.join(missing)}] must have values")
    return values


class Resolver:
    """Evaluates intrinsic functions in one template's values."""

    def __init__(
        self, *, template: Mapping[str, Any], parameters: Mapping[str, Any], pseudo: Mapping[str, Any],
        ref: Callable[[str], Any], get_att: Callable[[str, str], Any], imports: Mapping[str, Any],
        ssm: Mapping[str, str], region: str, stores: Stores | None = None,
    ) -> None:
        self.parameters = dict(parameters)
        self.pseudo = dict(pseudo)
        self.mappings: Mapping[str, Any] = template.get("Mappings") or {}
        self.condition_specs: Mapping[str, Any] = template.get("Conditions") or {}
        self.resource_ids = set(template.get("Resources") or {})
        self._ref = ref
        self._get_att = get_att
        self.imports = imports
        self.stores = stores or Stores(region=region, given=ssm)
        self.region = region
        self.types = {lid: str((spec or {}).get("Type", "")) for lid, spec in (template.get("Resources") or {}).items()}
        self._resource: str | None = None
        self._ssm_types = {name: str(spec.get("Type")) for name, spec in (template.get("Parameters") or {}).items()
                           if isinstance(spec, dict) and str(spec.get("Type", "")).startswith(_SSM_TYPE)}
        """SSM parameter types not read yet: read when first referenced (CDK's unused BootstrapVersion never is)."""
        self._conditions: dict[str, bool] = {}
        self._evaluating: set[str] = set()

    # ---- entry points -------------------------------------------------------------------------
    def resolve(self, value: Any, where: str, *, resource: str | None = None) -> Any:
        """``value`` with every intrinsic evaluated; ``where`` prefixes errors (resource and line);
        ``resource``: the logical id whose ``Properties`` these are."""
        outer, self._resource = self._resource, resource  # a Ref inside may resolve another resource's name
        try:
            return self._value(value, [])
        except _Unresolvable as exc:
            path, message = exc.args
            raise TemplateError(f"{where}: {'.'.join(path) or '(value)'}: {message}") from None
        finally:
            self._resource = outer

    def condition(self, name: str, where: str) -> bool:
        """The value of the template condition ``name``."""
        try:
            return self._condition(name, [])
        except _Unresolvable as exc:
            path, message = exc.args
            raise TemplateError(f"{where}: {'.'.join(path) or 'Condition'}: {message}") from None

    # ---- evaluation ---------------------------------------------------------------------------
    def _value(self, value: Any, path: list[str]) -> Any:
        if isinstance(value, dict):
            if len(value) == 1:
                ((key, argument),) = value.items()
                if key in _FUNCTIONS:
                    result = self._function(key, argument, [*path, key])
                    if isinstance(result, str) and "{{resolve:" in result:  # built by Fn::Sub or Fn::Join
                        return _DYNAMIC_REFERENCE.sub(lambda m: self._dynamic(m, [*path, key]), result)
                    return result
            out = {}
            for key, item in value.items():
                resolved = self._value(item, [*path, str(key)])
                if resolved is not NO_VALUE:
                    out[key] = resolved
            return out
        if isinstance(value, list):
            items = [self._value(item, [*path, str(i)]) for i, item in enumerate(value)]
            return [item for item in items if item is not NO_VALUE]
        if isinstance(value, str) and "{{resolve:" in value:
            return _DYNAMIC_REFERENCE.sub(lambda m: self._dynamic(m, path), value)
        return value

    def _function(self, key: str, argument: Any, path: list[str]) -> Any:
        if key == "Ref":
            return self._ref_of(self._value(argument, path), path)
        if key == "Fn::GetAtt":
            argument = self._value(argument, path)
            if isinstance(argument, str):
                argument = argument.split(".", 1)
            if not (isinstance(argument, list) and len(argument) == 2):
                raise _Unresolvable(path, f"Fn::GetAtt takes [LogicalId, Attribute], got {argument!r}")
            return self._attribute(str(argument[0]), str(argument[1]), path)
        if key == "Fn::Sub":
            return self._sub(argument, path)
        if key == "Fn::If":
            if not (isinstance(argument, list) and len(argument) == 3):
                raise _Unresolvable(path, f"Fn::If takes [Condition, ValueIfTrue, ValueIfFalse], got {argument!r}")
            chosen = 1 if self._condition(str(argument[0]), path) else 2
            return self._value(argument[chosen], [*path, str(chosen)])
        if key in ("Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not", "Condition"):
            return self._boolean(key, argument, path)
        argument = self._value(argument, path)
        return self._plain(key, argument, path)

    def _plain(self, key: str, argument: Any, path: list[str]) -> Any:
        shape_error = _Unresolvable(path, f"{key}: unexpected arguments {argument!r}")
        if key == "Fn::Join":
            if not (isinstance(argument, list) and len(argument) == 2 and isinstance(argument[1], list)):
                raise shape_error
            return str(argument[0]).join(_text(item, path) for item in argument[1])
        if key == "Fn::Select":
            if not (isinstance(argument, list) and len(argument) == 2 and isinstance(argument[1], list)):
                raise shape_error
            try:
                return argument[1][int(argument[0])]
            except (ValueError, IndexError):
                raise _Unresolvable(path, f"Fn::Select index {argument[0]!r} is outside the list "
                                          f"of {len(argument[1])} items") from None
        if key == "Fn::Split":
            if not (isinstance(argument, list) and len(argument) == 2):
                raise shape_error
            return _text(argument[1], path).split(str(argument[0]))
        if key == "Fn::FindInMap":
            if not (isinstance(argument, list) and len(argument) in (3, 4)):
                raise shape_error
            name, top, second = (str(a) for a in argument[:3])
            try:
                return self.mappings[name][top][second]
            except (KeyError, TypeError):
                if len(argument) == 4 and isinstance(argument[3], dict) and "DefaultValue" in argument[3]:
                    return argument[3]["DefaultValue"]
                raise _Unresolvable(path, f"Fn::FindInMap: mapping {name!r} has no key [{top!r}][{second!r}]") from None
        if key == "Fn::Base64":
            return base64.b64encode(_text(argument, path).encode()).decode()
        if key == "Fn::GetAZs":
            region = str(argument) or self.region
            return [f"{region}{zone}" for zone in "abc"]
        if key == "Fn::ImportValue":
            if argument not in self.imports:
                raise _Unresolvable(path, f"Fn::ImportValue: no export named {argument!r} "
                                          f"(give it in imports=; known: {sorted(self.imports)})")
            return self.imports[argument]
        raise shape_error

    def _ref_of(self, name: Any, path: list[str]) -> Any:
        if not isinstance(name, str):
            raise _Unresolvable(path, f"Ref takes a name, got {name!r}")
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self._ssm_types:
            kind = self._ssm_types.pop(name)
            try:
                text = self.stores.parameter(str(self.parameters[name]))
            except DynamicError as exc:
                self._ssm_types[name] = kind
                raise _Unresolvable(path, f"Ref {name!r}: {exc}") from None
            self.parameters[name] = text.split(",") if "List<" in kind or "CommaDelimitedList" in kind else text
        if name in self.parameters:
            return self.parameters[name]
        if name in self.pseudo:
            return self.pseudo[name]
        if name in self.resource_ids:
            return self._ref(name)
        raise _Unresolvable(path, f"Ref {name!r}: no parameter, pseudo parameter or resource has this name")

    def _attribute(self, logical: str, attribute: str, path: list[str]) -> Any:
        if logical not in self.resource_ids:
            raise _Unresolvable(path, f"Fn::GetAtt {logical}.{attribute}: no resource {logical!r} in the template")
        try:
            return self._get_att(logical, attribute)
        except KeyError as exc:
            raise _Unresolvable(path, f"Fn::GetAtt {logical}.{attribute}: {exc.args[0]}") from None

    def _sub(self, argument: Any, path: list[str]) -> str:
        if isinstance(argument, list) and len(argument) == 2 and isinstance(argument[1], dict):
            text, variables = argument[0], self._value(argument[1], [*path, "1"])
        elif isinstance(argument, str):
            text, variables = argument, {}
        else:
            raise _Unresolvable(path, f"Fn::Sub takes a string or [string, {{variables}}], got {argument!r}")

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in variables:
                return _text(variables[name], path)
            if "." in name and name.split(".", 1)[0] in self.resource_ids:
                logical, attribute = name.split(".", 1)
                return _text(self._attribute(logical, attribute, path), path)
            return _text(self._ref_of(name, path), path)

        return _SUB_VARIABLE.sub(replace, str(text))

    def _dynamic(self, match: re.Match[str], path: list[str]) -> str:
        service, reference = match.groups()
        try:
            if service == "ssm":
                return self.stores.ssm(reference)
            if service == "secretsmanager":
                return self.stores.secret(reference)
        except DynamicError as exc:
            raise _Unresolvable(path, f"dynamic reference {match.group(0)}: {exc}") from None
        kind = self.types.get(self._resource or "", "")
        where = "/".join([kind, "Properties", *(p for p in path if p not in _FUNCTIONS)] if kind else path)
        raise _Unresolvable(path, f"dynamic reference {match.group(0)}: {SECURE_PROPERTIES}: [{where}] (the "
                                  "simulated resources take no SecureString: use {{resolve:ssm:...}} or "
                                  "{{resolve:secretsmanager:...}})")

    # ---- conditions ---------------------------------------------------------------------------
    def _condition(self, name: str, path: list[str]) -> bool:
        if name in self._conditions:
            return self._conditions[name]
        if name not in self.condition_specs:
            raise _Unresolvable(path, f"condition {name!r} is not declared in Conditions")
        if name in self._evaluating:
            raise _Unresolvable(path, f"condition {name!r} refers to itself")
        self._evaluating.add(name)
        try:
            result = self._truth(self.condition_specs[name], ["Conditions", name])
        finally:
            self._evaluating.discard(name)
        self._conditions[name] = result
        return result

    def _truth(self, value: Any, path: list[str]) -> bool:
        if isinstance(value, dict) and len(value) == 1:
            ((key, argument),) = value.items()
            if key in ("Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not", "Condition"):
                return self._boolean(key, argument, [*path, key])
        resolved = self._value(value, path)
        if isinstance(resolved, bool):
            return resolved
        if str(resolved).lower() in ("true", "false"):
            return str(resolved).lower() == "true"
        raise _Unresolvable(path, f"a condition must be true or false, got {resolved!r}")

    def _boolean(self, key: str, argument: Any, path: list[str]) -> bool:
        if key == "Condition":
            return self._condition(str(argument), path)
        if key == "Fn::Equals":
            if not (isinstance(argument, list) and len(argument) == 2):
                raise _Unresolvable(path, f"Fn::Equals takes two values, got {argument!r}")
            left, right = (self._value(item, path) for item in argument)
            return _text(left, path) == _text(right, path) if not isinstance(left, list) else left == right
        if not isinstance(argument, list):
            raise _Unresolvable(path, f"{key} takes a list of conditions, got {argument!r}")
        values = [self._truth(item, [*path, str(i)]) for i, item in enumerate(argument)]
        if key == "Fn::Not":
            if len(values) != 1:
                raise _Unresolvable(path, "Fn::Not takes exactly one condition")
            return not values[0]
        return all(values) if key == "Fn::And" else any(values)


def _text(value: Any, path: list[str]) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    raise _Unresolvable(path, f"expected a string here, got {value!r}")
