"""What a template load made of each resource: simulated, recorded only, or skipped (and why)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

SIMULATED: Final = "simulated"
RECORDED: Final = "recorded"
SKIPPED: Final = "skipped"


@dataclass(frozen=True)
class LoadedResource:
    """One template resource after the load."""

    logical_id: str
    """The resource's logical id."""
    type: str
    """Its CloudFormation type (``AWS::SQS::Queue``)."""
    status: str
    """``"simulated"`` (a sim object exists), ``"recorded"`` (read, nothing to simulate) or ``"skipped"``."""
    object: Any = None
    """The simulation object (queue, function, mapping...) when simulated."""
    reason: str = ""
    """Why it is recorded only or skipped, or what of it is not simulated."""
    line: int | None = None
    """The template line that declares it, where known."""
    detail: str = ""
    """A short description (a function's handler and code folder, a mapping's source and target)."""


@dataclass
class TemplateLoad:
    """The result of loading one template (``sim.load_template`` returns it; ``sim.templates`` lists them)."""

    path: str
    """The template file."""
    stack_name: str
    """The stack name used for generated physical names and ``AWS::StackName``."""
    kind: str
    """``"cloudformation"``, ``"sam"`` or ``"cdk"``."""
    entries: dict[str, LoadedResource] = field(default_factory=dict)
    """Every resource of the (transformed) template by logical id, in template order."""
    outputs: dict[str, Any] = field(default_factory=dict)
    """The template's ``Outputs`` with their values resolved (unresolvable outputs are left out)."""

    @property
    def resources(self) -> dict[str, Any]:
        """The simulation object of each simulated resource, by logical id."""
        return {lid: e.object for lid, e in self.entries.items() if e.status == SIMULATED}

    @property
    def skipped(self) -> dict[str, str]:
        """The reason each skipped resource was not created, by logical id."""
        return {lid: e.reason for lid, e in self.entries.items() if e.status == SKIPPED}

    @property
    def recorded(self) -> dict[str, str]:
        """Resources read but with nothing to simulate (IAM, permissions, logs...), by logical id."""
        return {lid: e.reason for lid, e in self.entries.items() if e.status == RECORDED}

    def table(self) -> str:
        """The load as a plain-text table: one line per resource, status, type, detail and reason."""
        rows = [("LOGICAL ID", "STATUS", "TYPE", "DETAIL")]
        for e in self.entries.values():
            detail = "; ".join(part for part in (e.detail, e.reason) if part)
            rows.append((e.logical_id, e.status, e.type, detail))
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        lines = [f"{self.kind} template {self.path} (stack {self.stack_name})"]
        lines += ["  ".join(cell.ljust(widths[i]) if i < 3 else cell for i, cell in enumerate(row)).rstrip()
                  for row in rows]
        return "\n".join(lines)

    def __repr__(self) -> str:
        counts = {s: sum(e.status == s for e in self.entries.values()) for s in (SIMULATED, RECORDED, SKIPPED)}
        return f"<TemplateLoad {self.kind} {self.path} " + " ".join(f"{k}={v}" for k, v in counts.items()) + ">"
