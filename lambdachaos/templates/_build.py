"""Create simulation objects from a resolved template, resource by resource, in dependency order.

Each resource type has one maker (in ``_make_sources`` and ``_make_lambda``); a maker returns the sim
object, or raises :class:`Skip` with the reason it cannot be simulated. Types without a maker are recorded.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from lambdachaos._errors import ConfigError
from lambdachaos.templates._errors import TemplateError
from lambdachaos.templates._report import RECORDED, SIMULATED, SKIPPED, LoadedResource, TemplateLoad

if TYPE_CHECKING:
    from lambdachaos._sim import Sim
    from lambdachaos.templates._intrinsics import Resolver
    from lambdachaos.templates._physical import Physical

RECORDED_ONLY: Final = {
    "AWS::Lambda::Permission": "permissions are recorded, not enforced: every wired source may invoke",
    "AWS::IAM::Role": "IAM is not simulated: handlers run with every permission",
    "AWS::IAM::Policy": "IAM is not simulated: handlers run with every permission",
    "AWS::IAM::ManagedPolicy": "IAM is not simulated: handlers run with every permission",
    "AWS::SQS::QueuePolicy": "resource policies are not enforced",
    "AWS::SNS::TopicPolicy": "resource policies are not enforced",
    "AWS::S3::BucketPolicy": "resource policies are not enforced",
    "AWS::Logs::LogGroup": "logs are kept in the ledger, not in log groups",
    "AWS::CDK::Metadata": "CDK bookkeeping",
    "AWS::ApiGateway::Deployment": "part of its REST API", "AWS::ApiGateway::Stage": "part of its REST API",
    "AWS::ApiGatewayV2::Stage": "part of its HTTP API",
}


class Skip(Exception):
    """A resource the simulation cannot create; the message says why."""


class Record(Exception):
    """A resource read but with nothing the simulation can run (the message says why): recorded only."""


class Builder:
    """Turns one template's resources into simulation objects and fills a :class:`TemplateLoad`."""

    def __init__(
        self, sim: Sim, *, template: dict[str, Any], resolver: Resolver, physical: Physical, load: TemplateLoad,
        lines: dict[str, int], base_dir: Path, code_for: Callable[[str, Any], str],
        schedule_until: float | None,
    ) -> None:
        self.sim = sim
        self.resources: dict[str, Any] = template["Resources"]
        self.resolver = resolver
        self.physical = physical
        self.load = load
        self.lines = lines
        self.base_dir = base_dir
        self.code_for = code_for
        self.schedule_until = schedule_until
        self.by_arn: dict[str, Any] = {}
        """Every simulated object by its ARN, URL and ``Ref`` value."""
        self.layer_dirs: dict[str, str] = {}
        self.deferred: list[tuple[str, str, dict[str, Any]]] = []
        """Inline topic subscriptions (topic logical id, property path, subscription), made after the rest."""
        self.notes: dict[str, list[str]] = {}
        """What of a simulated resource is read but not simulated (a rule's RetryPolicy...), by logical id."""

    # ---- helpers used by the makers -----------------------------------------------------------
    def where(self, logical: str) -> str:
        """``template.yaml: OrdersQueue (line 12)``: the prefix of every error about a resource."""
        line = self.lines.get(logical)
        return f"{self.load.path}: {logical}" + (f" (line {line})" if line else "")

    def properties(self, logical: str) -> dict[str, Any]:
        """The resource's ``Properties`` with every intrinsic resolved."""
        where = f"{self.where(logical)}: Properties"
        props = self.resolver.resolve(self.resources[logical].get("Properties") or {}, where, resource=logical)
        return props if isinstance(props, dict) else {}

    def target(self, reference: Any, what: str) -> Any:
        """The simulated object an ARN, URL or name refers to; ``Skip`` when it is not simulated."""
        text = str(reference)
        found = self.by_arn.get(text)
        if found is None and text.startswith("arn:") and text.count(":") == 7:
            found = self.by_arn.get(text.rsplit(":", 1)[0])
        if found is None:
            raise Skip(f"{what} {text} is not a resource this simulation holds")
        return found

    def number(self, logical: str, props: dict[str, Any], key: str, default: Any = None) -> Any:
        """An integer property (parameters arrive as strings); a clear error when it is not a number."""
        if key not in props:
            return default
        value = props[key]
        try:
            return int(value)
        except (TypeError, ValueError):
            raise TemplateError(f"{self.where(logical)}: Properties.{key}={value!r} must be an integer") from None

    def note(self, logical: str, text: str) -> None:
        """Record a setting of ``logical`` that is read but not simulated (shown in the load report)."""
        self.notes.setdefault(logical, []).append(text)

    def register(self, logical: str, obj: Any, *extra_keys: str) -> None:
        """Make ``obj`` reachable by its Ref value, ARN and any extra key."""
        keys = [str(self.physical.ref(logical)), *extra_keys]
        with contextlib.suppress(KeyError):
            keys.append(str(self.physical.get_att(logical, "Arn")))
        for key in keys:
            self.by_arn[key] = obj

    # ---- the load -----------------------------------------------------------------------------
    def build(self, makers: dict[str, Callable[[Builder, str, dict[str, Any]], tuple[Any, str]]],
              order: list[str]) -> None:
        """Create every resource: types in ``order`` first (that order), then the rest in template order."""
        rank = {kind: i for i, kind in enumerate(order)}
        pending = sorted(self.resources, key=lambda lid: rank.get(self.physical.kind(lid), len(order)))
        for logical in self.resources:  # entries keep the template's order
            self.load.entries[logical] = LoadedResource(logical, self.physical.kind(logical), SKIPPED,
                                                        line=self.lines.get(logical))
        retry: list[str] = []
        for logical in pending:
            if not self._make(logical, makers, final=False):
                retry.append(logical)
        while retry:  # resources that need one made later of the same type (a queue and its DLQ)
            progress = [lid for lid in retry if self._make(lid, makers, final=False)]
            retry = [lid for lid in retry if lid not in progress]
            if not progress:
                for logical in retry:
                    self._make(logical, makers, final=True)
                break
        self._inline_subscriptions(makers["AWS::SNS::Subscription"])

    def _inline_subscriptions(self, subscribe: Callable[[Builder, str, dict[str, Any]], tuple[Any, str]]) -> None:
        for logical, path, props in self.deferred:
            try:
                _, detail = subscribe(self, logical, props)
            except Skip as exc:
                detail = f"not subscribed: {exc}"
            entry = self.load.entries[logical]
            self.load.entries[logical] = LoadedResource(
                entry.logical_id, entry.type, entry.status, entry.object, entry.reason, entry.line,
                f"{entry.detail}; {path}: {detail}",
            )

    def _make(self, logical: str, makers: dict[str, Any], *, final: bool) -> bool:
        spec = self.resources[logical]
        kind = self.physical.kind(logical)
        line = self.lines.get(logical)

        def entry(status: str, obj: Any = None, reason: str = "", detail: str = "") -> bool:
            self.load.entries[logical] = LoadedResource(logical, kind, status, obj, reason, line, detail)
            return True

        condition = spec.get("Condition")
        if condition is not None and not self.resolver.condition(str(condition), self.where(logical)):
            return entry(SKIPPED, reason=f"condition {condition} is false")
        maker = makers.get(kind)
        if maker is None:
            reason = RECORDED_ONLY.get(kind, f"{kind} is not simulated")
            return entry(RECORDED, reason=reason)
        try:
            obj, detail = maker(self, logical, self.properties(logical))
        except TemplateError:
            raise
        except ConfigError as exc:  # the simulation refused a setting: name the resource it came from
            raise TemplateError(f"{self.where(logical)}: {exc}") from None
        except Record as exc:
            return entry(RECORDED, reason=str(exc))
        except Skip as exc:
            if not final and "is not a resource this simulation holds" in str(exc) and self._made_later(exc):
                return False
            return entry(SKIPPED, reason=str(exc))
        return entry(SIMULATED, obj, reason="; ".join(self.notes.pop(logical, [])), detail=detail)

    def _made_later(self, exc: Skip) -> bool:
        return any(e.status == SKIPPED and not e.reason for e in self.load.entries.values())
