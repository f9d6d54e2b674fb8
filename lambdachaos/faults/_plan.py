"""Fault plans: a list of rules (fault + target + when) that compose and serialise to JSON and YAML."""

from __future__ import annotations

import dataclasses
import importlib
import json
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, final

from . import _safe_text
from ._catalogue import Fault
from ._codec import to_snake
from ._errors import FaultPlanError, bad_value
from ._target import Target, When

if TYPE_CHECKING:
    from ._decide import PlanRunner
    from ._fis import FisExport

__all__ = ["PLAN_FORMAT_VERSION", "FaultPlan", "FaultRule"]

#: Version written to serialised plans; readers refuse other versions.
PLAN_FORMAT_VERSION = 1
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$")


@final
@dataclasses.dataclass(frozen=True, kw_only=True)
class FaultRule:
    """One entry of a plan: what (``fault``), where (``target``) and when (``when``); ``id`` names it in the
    ledger and keys its seeded draws (given by the plan when left out)."""

    fault: Fault
    target: Target = dataclasses.field(default_factory=Target)
    when: When = dataclasses.field(default_factory=When)
    id: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.fault, Fault):
            raise bad_value(
                "fault",
                self.fault,
                "it must be a catalogue entry such as InvocationError()",
                "Build the fault from lambdachaos.faults.",
            )
        if self.id is not None and not _ID.match(self.id):
            raise bad_value(
                "id", self.id, "ids are 1-128 characters of letters, digits and _.:- ", "Rename the rule."
            )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: ``{"id", "fault", "target", "when"}`` (empty target/when omitted)."""
        out: dict[str, Any] = {}
        if self.id is not None:
            out["id"] = self.id
        out["fault"] = self.fault.to_dict()
        if target := self.target.to_dict():
            out["target"] = target
        if when := self.when.to_dict():
            out["when"] = when
        return out

    @classmethod
    def from_dict(cls, data: Any) -> FaultRule:
        """Inverse of :meth:`to_dict`."""
        if not isinstance(data, dict):
            raise FaultPlanError(f"each rule must be an object, got {data!r}")
        unknown = set(data) - {"id", "fault", "target", "when"}
        if unknown:
            raise FaultPlanError(
                f"rule: unknown key(s) {sorted(unknown)}; valid keys are fault, id, target, when."
            )
        if "fault" not in data:
            raise FaultPlanError(f"rule {data!r} has no 'fault'.")
        return cls(
            id=data.get("id"),
            fault=Fault.from_dict(data["fault"]),
            target=Target.from_dict(data.get("target", {})),
            when=When.from_dict(data.get("when", {})),
        )


@final
@dataclasses.dataclass(frozen=True, kw_only=True)
class FaultPlan:
    """An ordered, immutable set of fault rules. Plans compose with ``+`` and :meth:`compose`.

    Rules without an id get ``<kind>-<n>`` (n counts rules of that kind, from 1); ids must be unique.

    >>> from lambdachaos.faults import FaultPlan, FaultRule, InvocationError, When
    >>> plan = FaultPlan(rules=[FaultRule(fault=InvocationError(), when=When(attempts=(1,)))])
    >>> plan.rules[0].id
    'invocation-error-1'
    """

    rules: tuple[FaultRule, ...] = ()

    def __post_init__(self) -> None:
        rules = tuple(self.rules)
        for r in rules:
            if not isinstance(r, FaultRule):
                raise bad_value(
                    "rules[]", r, "each entry must be a FaultRule", "Wrap the fault in FaultRule(...)."
                )
        counts: dict[str, int] = {}
        named: list[FaultRule] = []
        taken = {r.id for r in rules if r.id is not None}
        for r in rules:
            if r.id is None:
                n = counts.get(r.fault.kind, 0)
                while True:
                    n += 1
                    candidate = f"{r.fault.kind}-{n}"
                    if candidate not in taken:
                        break
                counts[r.fault.kind] = n
                taken.add(candidate)
                r = dataclasses.replace(r, id=candidate)
            named.append(r)
        seen: set[str] = set()
        for r in named:
            assert r.id is not None
            if r.id in seen:
                raise bad_value(
                    "id", r.id, "rule ids must be unique within a plan", "Rename one of the rules."
                )
            seen.add(r.id)
        object.__setattr__(self, "rules", tuple(named))

    @classmethod
    def of(
        cls, *faults: Fault | FaultRule, target: Target | None = None, when: When | None = None
    ) -> FaultPlan:
        """A plan from faults (wrapped with ``target``/``when``) or ready rules."""
        rules = [
            f
            if isinstance(f, FaultRule)
            else FaultRule(fault=f, target=target or Target(), when=when or When())
            for f in faults
        ]
        return cls(rules=tuple(rules))

    @classmethod
    def compose(cls, plans: Iterable[FaultPlan]) -> FaultPlan:
        """All rules of ``plans`` in order. Automatic ids (``<kind>-<n>``) are renumbered across the result;
        ids you chose must stay unique."""
        rules = [dataclasses.replace(r, id=None) if _is_auto_id(r) else r for p in plans for r in p.rules]
        return cls(rules=tuple(rules))

    def __add__(self, other: FaultPlan) -> FaultPlan:
        """``plan_a + plan_b``: the rules of both, in order."""
        if not isinstance(other, FaultPlan):
            return NotImplemented
        return FaultPlan.compose((self, other))

    def __len__(self) -> int:
        """Number of rules."""
        return len(self.rules)

    # ---- serialisation ---------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict ``{"version": 1, "rules": [...]}``."""
        return {"version": PLAN_FORMAT_VERSION, "rules": [r.to_dict() for r in self.rules]}

    @classmethod
    def from_dict(cls, data: Any) -> FaultPlan:
        """Inverse of :meth:`to_dict`; a bare list of rules is accepted too."""
        if isinstance(data, list):
            data = {"version": PLAN_FORMAT_VERSION, "rules": data}
        if not isinstance(data, dict):
            raise FaultPlanError(f"a fault plan must be an object with 'rules', got {type(data).__name__}")
        unknown = {to_snake(k) for k in data} - {"version", "rules"}
        if unknown:
            raise FaultPlanError(f"plan: unknown key(s) {sorted(unknown)}; valid keys are rules, version.")
        version = data.get("version", PLAN_FORMAT_VERSION)
        if version != PLAN_FORMAT_VERSION:
            raise bad_value(
                "version",
                version,
                f"this release reads plan version {PLAN_FORMAT_VERSION}",
                "Re-export the plan with this release.",
            )
        rules = data.get("rules", [])
        if not isinstance(rules, list):
            raise bad_value("rules", rules, "it must be a list", "Write rules as a list.")
        return cls(rules=tuple(FaultRule.from_dict(r) for r in rules))

    def to_json(self, *, indent: int | None = 2) -> str:
        """The plan as JSON text."""
        return json.dumps(self.to_dict(), indent=indent)

    @classmethod
    def from_json(cls, text: str | bytes) -> FaultPlan:
        """Read a plan from JSON text."""
        try:
            if isinstance(text, bytes):
                text = _safe_text.decode(text)
            elif len(text) > _safe_text.MAX_BYTES:
                raise _safe_text.TextFileError(f"{len(text):,} characters is over the limit of "
                                               f"{_safe_text.MAX_BYTES:,} bytes")
            data = _safe_text.loads_json(text)
        except _safe_text.TextFileError as exc:
            raise FaultPlanError(f"fault plan is not valid JSON: line {exc.line} column {exc.column}: "
                                 f"{exc.message}") from None
        except ValueError as exc:
            raise FaultPlanError(f"fault plan is not valid JSON: {exc}") from None
        return cls.from_dict(data)

    def to_yaml(self) -> str:
        """The plan as YAML text (needs PyYAML, a dependency of lambdachaos)."""
        return str(_yaml().safe_dump(self.to_dict(), sort_keys=False))

    @classmethod
    def from_yaml(cls, text: str) -> FaultPlan:
        """Read a plan from YAML text (needs PyYAML, a dependency of lambdachaos)."""
        yaml = _yaml()
        try:
            if len(text) > _safe_text.MAX_BYTES:
                raise _safe_text.TextFileError(f"{len(text):,} characters is over the limit of "
                                               f"{_safe_text.MAX_BYTES:,} bytes")
            loader, node = _safe_text.compose_yaml(yaml, text, finite=True)
            try:
                data = None if node is None else loader.construct_document(node)
            finally:
                loader.dispose()
        except _safe_text.TextFileError as exc:
            raise FaultPlanError(f"fault plan is not valid YAML: line {exc.line} column {exc.column}: "
                                 f"{exc.message}") from None
        except yaml.YAMLError as exc:
            raise FaultPlanError(f"fault plan is not valid YAML: {exc}") from None
        return cls.from_dict(data)

    # ---- use -------------------------------------------------------------------------------------------

    def runner(self) -> PlanRunner:
        """A fresh :class:`PlanRunner` (holds the per-rule counters for ``first`` and ``every_nth``)."""
        from ._decide import PlanRunner

        return PlanRunner(self)

    def to_fis_template(
        self,
        *,
        role_arn: str,
        function_arns: Iterable[str] = (),
        subnet_arns: Iterable[str] = (),
        duration: str = "PT10M",
        description: str = "lambdachaos fault plan",
    ) -> FisExport:
        """Export to an AWS FIS experiment template; see :func:`lambdachaos.faults.to_fis_template`."""
        from ._fis import to_fis_template

        return to_fis_template(
            self,
            role_arn=role_arn,
            function_arns=function_arns,
            subnet_arns=subnet_arns,
            duration=duration,
            description=description,
        )


def _is_auto_id(rule: FaultRule) -> bool:
    rid = rule.id or ""
    prefix = f"{rule.fault.kind}-"
    return rid.startswith(prefix) and rid[len(prefix) :].isdigit()


def _yaml() -> Any:
    try:
        return importlib.import_module("yaml")
    except ImportError:
        raise ImportError("YAML fault plans need PyYAML, a dependency of lambdachaos missing here: "
                          "pip install 'pyyaml>=6'") from None
