"""The Lambda runtime contract as a function's code sees it, while its module is imported and while
its handler runs: the environment variables Lambda's Python runtime sets, the working directory and
``sys.path`` of the function's code, and the function's own module namespace.

Each execution environment carries its own variables (a dict built on its cold start from the test
process's variables, Lambda's reserved ones and the function's ``Environment.Variables``); entering
the environment swaps that dict in as ``os.environ``'s storage and leaving it swaps the previous one
back, so switching costs two attribute assignments whatever the number of variables. A variable the
handler writes stays in its environment, as it would in a warm Lambda environment.

A function given a code folder (``code_dir``, plus ``layers``) gets its own modules: every module
whose top-level name is found in that folder or in a layer's ``python/`` folder is imported from
there, kept with the environment, and only present in ``sys.modules`` while that environment runs.
The test process's own modules of the same names are put back afterwards.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Final, final

from lambdachaos._errors import ConfigError

FAKE_CREDENTIALS: Final = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}
RUNTIME_DIR: Final = "/var/runtime"
_environ: Any = os.environ
_environb: Any = getattr(os, "environb", None)
_SHARED_STORE: Final = _environb is not None and _environb._data is _environ._data
_encode_key: Callable[[str], Any] = _environ.encodekey
_encode_value: Callable[[str], Any] = _environ.encodevalue


class Store(dict[Any, Any]):
    """``os.environ`` storage of one execution environment (so the process's own is always told apart)."""


_process_store: list[dict[Any, Any]] = [_environ._data]
"""The test process's own ``os.environ`` storage, as last seen while no environment was entered."""


def _swap(data: dict[Any, Any]) -> dict[Any, Any]:
    old: dict[Any, Any] = _environ._data
    _environ._data = data
    if _SHARED_STORE:
        _environb._data = data
    if old.__class__ is not Store:
        _process_store[0] = old
    return old


@final
@dataclass(frozen=True, slots=True)
class CodeLocation:
    """A function's code folder and layers: the import path and the module names its code owns."""

    root: str
    layers: tuple[str, ...]
    paths: tuple[str, ...]
    """``sys.path`` entries in Lambda's order: the code folder, then the layers (``/opt/python``)."""
    own: frozenset[str]
    """Top-level module and package names found on ``paths``."""

    def owns(self, module_name: str) -> bool:
        """True when ``module_name`` (or its top-level package) is imported from this location."""
        return module_name.partition(".")[0] in self.own


def _layer_paths(layer: str, index: int, python: str) -> list[str]:
    root = os.path.abspath(layer)
    if not os.path.isdir(root):
        raise ConfigError(f"layers[{index}]={layer!r} is not a folder (looked in {root})")
    found = [p for p in (os.path.join(root, "python", "lib", python, "site-packages"), os.path.join(root, "python"))
             if os.path.isdir(p)]
    if not found:
        raise ConfigError(
            f"layers[{index}]={layer!r} has no python/ folder: Lambda's Python runtime imports a layer's code "
            f"from /opt/python (and /opt/python/lib/{python}/site-packages), so put its modules in "
            f"{os.path.join(root, 'python')}"
        )
    return found


def _module_names(folder: str) -> set[str]:
    names = set()
    for entry in os.scandir(folder):
        name = entry.name
        if entry.is_dir():
            if name.isidentifier():
                names.add(name)
        elif name.endswith((".py", ".pyc")) or ".cpython-" in name or name.endswith((".so", ".pyd")):
            stem = name.partition(".")[0]
            if stem.isidentifier():
                names.add(stem)
    return names


def code_location(code_dir: str, layers: Iterable[str], runtime: str) -> CodeLocation:
    """Resolve ``code_dir`` and ``layers``; refuse a missing folder or a layer without ``python/``."""
    root = os.path.abspath(code_dir)
    if not os.path.isdir(root):
        raise ConfigError(f"code_dir={code_dir!r} is not a folder (looked in {root})")
    layer_list = tuple(layers)
    python = runtime if runtime.startswith("python") else "python3.12"
    paths = [root]
    for index, layer in reversed(list(enumerate(layer_list))):  # a later layer's files win, as in /opt
        paths.extend(_layer_paths(layer, index, python))
    own: set[str] = set()
    for path in paths:
        own |= _module_names(path)
    return CodeLocation(root, layer_list, tuple(paths), frozenset(own))


def runtime_variables(
    *, function: str, version: str, memory_size: int, runtime: str, region: str, handler: str,
    log_stream: str, task_root: str, initialization_type: str, environment: dict[str, str] | Any,
) -> dict[str, str]:
    """The variables Lambda's Python runtime sets, then the function's own ``Environment.Variables``."""
    return {
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "AWS_LAMBDA_FUNCTION_NAME": function,
        "AWS_LAMBDA_FUNCTION_VERSION": version,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(memory_size),
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{function}",
        "AWS_LAMBDA_LOG_STREAM_NAME": log_stream,
        "AWS_LAMBDA_INITIALIZATION_TYPE": initialization_type,
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{runtime}",
        "LAMBDA_TASK_ROOT": task_root,
        "LAMBDA_RUNTIME_DIR": RUNTIME_DIR,
        "_HANDLER": handler,
        "TZ": ":UTC",
        **FAKE_CREDENTIALS,
        **environment,
    }


def process_variables() -> dict[Any, Any]:
    """The test process's own variables (never those of an environment entered now)."""
    current: dict[Any, Any] = _environ._data
    return current if current.__class__ is not Store else _process_store[0]


_encoded_keys: dict[str, Any] = {}
_encoded_values: dict[str, Any] = {}
_ENCODED_MAX: Final = 4096
"""Encoded names and values kept (most repeat on every cold start: Lambda's reserved variables, the
credentials, the function's own); the memo starts over when it holds more."""


def build_store(variables: dict[str, str]) -> Store:
    """``os.environ`` storage for an environment: the process's variables with ``variables`` on top."""
    store = Store(process_variables())
    keys, values = _encoded_keys, _encoded_values
    if len(values) > _ENCODED_MAX or len(keys) > _ENCODED_MAX:
        keys.clear()
        values.clear()
    for key, value in variables.items():
        encoded_key = keys.get(key)
        if encoded_key is None:
            encoded_key = keys[key] = _encode_key(key)
        encoded_value = values.get(value)
        if encoded_value is None:
            encoded_value = values[value] = _encode_value(value)
        store[encoded_key] = encoded_value
    return store


@final
@dataclass(slots=True, eq=False)
class Scope:
    """What one execution environment's code sees; entered around its init and every invocation."""

    store: Store
    location: CodeLocation | None = None
    modules: dict[str, ModuleType] = field(default_factory=dict)
    sys_path: list[str] = field(default_factory=list)


@final
class _Saved:
    __slots__ = ("count", "cwd", "shadowed", "store", "sys_path")

    def __init__(self, store: dict[Any, Any]) -> None:
        self.store = store
        self.cwd = ""
        self.sys_path: list[str] = []
        self.shadowed: dict[str, ModuleType] = {}
        self.count = 0


def enter(scope: Scope) -> Any:
    """Make ``scope`` what the process sees; returns what :func:`leave` puts back."""
    if scope.location is None:
        return _swap(scope.store)  # a callable handler: its variables only (the cheap, common case)
    saved = _Saved(_swap(scope.store))
    location = scope.location
    try:
        saved.cwd = os.getcwd()
        os.chdir(location.root)
        saved.sys_path = sys.path
        sys.path = scope.sys_path
        modules = sys.modules
        shadowed = saved.shadowed
        for name in location.own:
            if name in modules and name not in scope.modules:
                shadowed[name] = modules.pop(name)
        for name in scope.modules:
            if name in modules:
                shadowed[name] = modules[name]
        modules.update(scope.modules)
        saved.count = len(modules)
    except BaseException:
        leave(scope, saved)
        raise
    return saved


def leave(scope: Scope, saved: Any) -> None:
    """Undo :func:`enter`; modules the code imported from its own location stay with ``scope``."""
    location = scope.location
    if location is None:
        _swap(saved)
        return
    modules = sys.modules
    if len(modules) != saved.count:
        for name in [n for n in modules if location.owns(n) and n not in scope.modules]:
            scope.modules[name] = modules[name]
    for name in scope.modules:
        modules.pop(name, None)
    modules.update(saved.shadowed)
    if saved.sys_path:
        sys.path = saved.sys_path
    if saved.cwd:
        os.chdir(saved.cwd)
    _swap(saved.store)


def clear_own_modules(scope: Scope, saved: _Saved) -> None:
    """Before an init: hide every module of the test process (or of a package) the location's code owns."""
    location = scope.location
    if location is None:
        return
    modules = sys.modules
    for name in [n for n in modules if location.owns(n) and n not in scope.modules]:
        saved.shadowed.setdefault(name, modules.pop(name))
    saved.count = -1  # the init imports: collect everything it brought in
