"""The ``Sim`` entry points for templates: ``Sim.from_template``, ``sim.load_template`` and lookups by logical id."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lambdachaos._registry import Registry
    from lambdachaos._sim import Sim
    from lambdachaos.service.invoke._function import Function
    from lambdachaos.templates._report import TemplateLoad


class TemplateMixin:
    """The :class:`lambdachaos.Sim` methods for templates; loads are kept in ``self.registry``."""

    if TYPE_CHECKING:
        registry: Registry

    @classmethod
    def from_template(
        cls, path: str | os.PathLike[str], *, parameters: Mapping[str, Any] | None = None,
        code_root: str | os.PathLike[str] | None = None, imports: Mapping[str, Any] | None = None,
        ssm: Mapping[str, str] | None = None, stack_name: str | None = None, stack: str | None = None,
        schedule_until: float | None = None, **sim_kwargs: Any,
    ) -> Sim:
        """A new ``Sim(**sim_kwargs)`` holding the template's resources (see :meth:`load_template`)."""
        sim: Sim = cls(**sim_kwargs)  # type: ignore[assignment]
        try:
            sim.load_template(path, parameters=parameters, code_root=code_root, imports=imports, ssm=ssm,
                              stack_name=stack_name, stack=stack, schedule_until=schedule_until)
        except BaseException:
            sim.close()
            raise
        return sim

    def load_template(
        self, path: str | os.PathLike[str], *, parameters: Mapping[str, Any] | None = None,
        code_root: str | os.PathLike[str] | None = None, imports: Mapping[str, Any] | None = None,
        ssm: Mapping[str, str] | None = None, stack_name: str | None = None, stack: str | None = None,
        schedule_until: float | None = None,
    ) -> TemplateLoad:
        """Create the resources of a SAM, CloudFormation or CDK template; returns the load report.

        ``path`` is a template file (YAML or JSON), a ``cdk.out`` folder (``stack`` picks a stack) or a
        ``*.template.json`` in it. ``parameters`` override the template's defaults; ``imports`` answer
        ``Fn::ImportValue``; ``ssm`` answers ``{{resolve:ssm:...}}`` and SSM parameter types;
        ``stack_name`` (default: the file name) is ``AWS::StackName`` and the prefix of generated
        names; ``schedule_until`` lets scheduled rules fire up to that virtual time. Call it again to
        load more stacks into the same simulation. See docs/templates.md.
        """
        from lambdachaos.templates._load import load_template

        return load_template(self, path, parameters=parameters, code_root=code_root,  # type: ignore[arg-type]
                             imports=imports, ssm=ssm, stack_name=stack_name, stack=stack,
                             schedule_until=schedule_until)

    @property
    def templates(self) -> list[TemplateLoad]:
        """The loaded templates, in load order."""
        return list(self.registry.all("templates").values())

    @property
    def resources(self) -> dict[str, Any]:
        """Every simulated template resource by logical id (queues, functions, mappings...), across loads."""
        merged: dict[str, Any] = {}
        for load in self.templates:
            merged.update(load.resources)
        return merged

    @property
    def functions(self) -> dict[str, Function]:
        """The template functions by logical id, across loads."""
        from lambdachaos.service.invoke._function import Function

        return {lid: obj for lid, obj in self.resources.items() if isinstance(obj, Function)}
