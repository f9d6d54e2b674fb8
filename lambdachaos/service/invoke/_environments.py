"""Execution environments: cold starts with an init phase, warm reuse, provisioned concurrency.

An environment runs the handler module's top-level code once (its init phase), then serves one
request at a time and is reused warm. An environment whose runtime process ended (timeout, exit,
out of memory) is discarded, so the next request there is a cold start again.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, final

from lambdachaos._timestamps import iso_z
from lambdachaos.service.invoke import _contract as contract
from lambdachaos.service.invoke._function import Function, Version
from lambdachaos.service.invoke._handler_time import InvocationDeadline, adopt
from lambdachaos.service.invoke._loading import InitError, load_handler


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
    scope: contract.Scope | None = None
    """What the environment's code sees (variables, working directory, sys.path, its own modules)."""
    scope_config: object = None
    """The settings ``scope``'s variables were built from (rebuilt when the version's settings change)."""


def handler_name(handler: Any) -> str:
    """``_HANDLER``: the handler string, or ``module.function`` of a callable."""
    if isinstance(handler, str):
        return handler
    return f"{getattr(handler, '__module__', 'handler')}.{getattr(handler, '__qualname__', 'handler')}"


_days: dict[int, str] = {}


def log_day(wall_ns: int) -> str:
    """``2026/01/01``: the UTC day of an epoch instant in nanoseconds, as a log stream name begins."""
    day = wall_ns // 86_400_000_000_000
    text = _days.get(day)
    if text is None:
        text = iso_z(wall_ns // 1_000_000_000)[:10].replace("-", "/")
        if len(_days) < 4096:
            _days[day] = text
    return text


_folders: dict[str, str] = {}
"""The folder of each absolute module file seen (a handler module's ``LAMBDA_TASK_ROOT``)."""


def _task_root(version: Version) -> str:
    if version.location is not None:
        return version.location.root
    if version.code_dir is not None:
        return version.code_dir
    module = sys.modules.get(getattr(version.handler, "__module__", "") or "")
    file = getattr(module, "__file__", None)
    if not isinstance(file, str):
        return os.getcwd()
    folder = _folders.get(file)
    if folder is None:
        folder = os.path.dirname(os.path.abspath(file))
        if os.path.isabs(file) and len(_folders) < 1024:  # a relative one depends on the working directory
            _folders[file] = folder
    return folder


def prepare_scope(env: Environment, version: Version, region: str, shared: dict[str, ModuleType] | None) -> None:
    """Build (or, after a configuration change, rebuild) the variables ``env``'s code sees."""
    config = version.config
    variables = contract.runtime_variables(
        function=env.function, version=env.version, memory_size=config.memory_size, runtime=config.runtime,
        region=region, handler=handler_name(version.handler), log_stream=env.log_stream_name,
        task_root=_task_root(version),
        initialization_type="on-demand" if env.provisioned_for is None else "provisioned-concurrency",
        environment=config.environment,
    )
    store = contract.build_store(variables)
    env.scope_config = config
    if env.scope is not None:
        env.scope.store = store
        return
    location = version.location
    env.scope = contract.Scope(store, location)
    if location is not None:
        env.scope.sys_path = [*location.paths, *(p for p in sys.path if p not in location.paths)]
        if shared is not None:
            env.scope.modules = shared


def runtime_environment(env: Environment) -> dict[str, str]:
    """The variables an environment's runtime sees (the process's, Lambda's reserved ones and the
    function's own), as handed to a worker process with ``isolation="process"``."""
    store = env.scope.store if env.scope is not None else {}
    return {os.fsdecode(key): os.fsdecode(value) for key, value in store.items()}


def initialise(env: Environment, version: Version, isolated: bool) -> None:
    """Run the init phase of ``env`` (module-level code) inside its scope; an error is kept on
    ``env.init_error``."""
    if callable(version.handler):
        env.handler = version.handler
        namespace = getattr(version.handler, "__globals__", None)
        if isinstance(namespace, dict):
            adopt(namespace)
        return
    scope = env.scope
    saved = contract.enter(scope) if scope is not None else None
    try:
        if scope is not None and saved is not None:
            contract.clear_own_modules(scope, saved)
        namespace = scope.modules if scope is not None and scope.location is not None else None
        env.handler, env.module = load_handler(version.handler, version.code_dir, isolated=isolated,
                                               namespace=namespace)
        adopt(vars(env.module))
    except InitError as exc:
        env.init_error = exc
    except InvocationDeadline:
        env.init_error = InitError("Sandbox.Timedout", "", [], exited=False)
    finally:
        if scope is not None and saved is not None:
            contract.leave(scope, saved)


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

    def discard(self, function: str, version: str) -> list[Environment]:
        """Drop the idle environments of one version (its code changed: the next request is a cold start)."""
        return self._idle.pop((function, version), [])

    def set_provisioned(self, fn: Function, qualifier: str, envs: list[Environment]) -> None:
        """Replace the provisioned environments of ``qualifier``."""
        self._provisioned[(fn.name, qualifier)] = envs

    def provisioned_count(self, fn: Function, qualifier: str) -> int:
        """Idle provisioned environments of ``qualifier`` right now."""
        return len(self._provisioned.get((fn.name, qualifier), ()))

    def idle_count(self, fn: Function) -> int:
        """Idle on-demand environments of every version of ``fn``."""
        return sum(len(v) for (name, _), v in self._idle.items() if name == fn.name)
