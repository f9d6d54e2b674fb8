"""Execution environments: cold starts with an init phase, warm reuse, provisioned concurrency.

An environment runs the handler module's top-level code once (its init phase), then serves one
request at a time and is reused warm. An environment whose runtime process ended (timeout, exit,
out of memory) is discarded, so the next request there is a cold start again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, final

from lambdachaos.service._function import Function, Version
from lambdachaos.service._handler_time import adopt
from lambdachaos.service._runtime import InitError, load_handler


@final
@dataclass(slots=True, eq=False)
class Environment:
    """One execution environment of one function version."""

    id: str
    function: str
    version: str
    handler: Callable[[Any, Any], Any] | None
    module: ModuleType | None
    log_stream_name: str
    provisioned_for: str | None = None
    invocations: int = 0
    broken: bool = False
    init_error: InitError | None = None
    tmp_used_mb: int = 0
    state: dict[str, Any] = field(default_factory=dict)


def initialise(env: Environment, version: Version, isolated: bool) -> None:
    """Run the init phase of ``env`` (module-level code); an error is kept on ``env.init_error``."""
    if callable(version.handler):
        env.handler = version.handler
        namespace = getattr(version.handler, "__globals__", None)
        if isinstance(namespace, dict):
            adopt(namespace)
        return
    try:
        env.handler, env.module = load_handler(version.handler, version.code_dir, isolated=isolated)
        adopt(vars(env.module))
    except InitError as exc:
        env.init_error = exc


@final
class EnvironmentPool:
    """Idle environments per function version, and provisioned ones per qualifier."""

    def __init__(self) -> None:
        self._idle: dict[tuple[str, str], list[Environment]] = {}
        self._provisioned: dict[tuple[str, str], list[Environment]] = {}
        self.created = 0

    def take_idle(self, fn: Function, version: Version, qualifier: str | None) -> Environment | None:
        """A warm environment for this request, provisioned ones for the qualifier first."""
        if qualifier is not None:
            prov = self._provisioned.get((fn.name, qualifier))
            if prov:
                for i in range(len(prov) - 1, -1, -1):
                    if prov[i].version == version.number:
                        return prov.pop(i)
        idle = self._idle.get((fn.name, version.number))
        if idle:
            return idle.pop()
        return None

    def give_back(self, env: Environment) -> None:
        """Return an environment after its request (dropped when it is broken)."""
        if env.broken:
            return
        if env.provisioned_for is not None:
            self._provisioned.setdefault((env.function, env.provisioned_for), []).append(env)
        else:
            self._idle.setdefault((env.function, env.version), []).append(env)

    def set_provisioned(self, fn: Function, qualifier: str, envs: list[Environment]) -> None:
        """Replace the provisioned environments of ``qualifier``."""
        self._provisioned[(fn.name, qualifier)] = envs

    def provisioned_count(self, fn: Function, qualifier: str) -> int:
        """Idle provisioned environments of ``qualifier`` right now."""
        return len(self._provisioned.get((fn.name, qualifier), ()))

    def idle_count(self, fn: Function) -> int:
        """Idle on-demand environments of every version of ``fn``."""
        return sum(len(v) for (name, _), v in self._idle.items() if name == fn.name)
