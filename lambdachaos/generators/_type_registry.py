"""``st.from_type`` for powertools parser models, registered lazily and once.

Powertools builds each parser model (a pydantic class) when its submodule of
``aws_lambda_powertools.utilities.parser.models`` is first imported; building them all up front costs the best
part of a second. So nothing here imports powertools or hypothesis: :func:`install` registers one resolver,
:func:`resolve`, for the models of every submodule already imported, and puts an import hook on
``sys.meta_path`` that does the same for each submodule imported later. :func:`resolve` builds the strategy on
the first ``st.from_type(Model)``, from the generator catalogue; models no source covers resolve to
``NotImplemented`` (hypothesis then uses its default). Each model class is registered at most once, so a
strategy the user registers afterwards for it stays.

Used by the ``hypothesis`` entry point (:mod:`lambdachaos.plugins._hypothesis`) and by
:func:`.strategies.register_powertools_types`.
"""

from __future__ import annotations

import importlib
import sys
import types
import warnings
from collections.abc import Callable, Sequence
from typing import Any

MODELS_PACKAGE = "aws_lambda_powertools.utilities.parser.models"
"""The package whose submodules define powertools' parser models."""

Register = Callable[[type, Callable[[type], Any]], None]
"""``hypothesis.strategies.register_type_strategy``, passed in by the caller (this module never imports it)."""

_registered: set[type] = set()
_state: dict[str, Any] = {"register": None, "hook": None}


def _is_model_module(name: str) -> bool:
    return name == MODELS_PACKAGE or name.startswith(MODELS_PACKAGE + ".")


def resolve(model: type) -> Any:
    """The strategy of ``model`` (events of the catalogue source that validates against it, parsed into
    ``model``), or ``NotImplemented`` when no source covers it or the strategies cannot be imported."""
    try:
        strategies = importlib.import_module(f"{__package__}.strategies")
        return strategies.powertools_strategy(model)
    except ImportError as exc:
        warnings.warn(f"lambdachaos: no strategy for {model.__name__} ({exc})", RuntimeWarning, stacklevel=2)
        return NotImplemented


def register_module(module: types.ModuleType) -> list[str]:
    """Register :func:`resolve` for each parser model defined in ``module`` not registered yet; return their
    names. Does nothing before :func:`install`."""
    register = _state["register"]
    if register is None:
        return []
    done = []
    for value in list(vars(module).values()):
        if (
            isinstance(value, type)
            and value.__module__ == module.__name__
            and callable(getattr(value, "model_validate", None))
            and value not in _registered
        ):
            register(value, resolve)
            _registered.add(value)
            done.append(value.__name__)
    return done


class _ModelImportHook:
    """A ``sys.meta_path`` finder that lets the real finders find a parser-model submodule, then registers its
    models right after it executes."""

    def find_spec(self, fullname: str, path: Sequence[str] | None, target: Any = None) -> Any:
        if not _is_model_module(fullname):
            return None
        for finder in sys.meta_path:
            find = getattr(finder, "find_spec", None)
            if finder is self or find is None:
                continue
            spec = find(fullname, path, target)
            if spec is not None:
                break
        else:
            return None
        loader = spec.loader
        run = getattr(loader, "exec_module", None)
        if run is None:
            return spec

        def exec_module(module: types.ModuleType) -> None:
            run(module)
            try:
                register_module(module)
            except Exception as exc:  # a failed registration must never fail the user's import
                warnings.warn(f"lambdachaos: st.from_type strategies not registered ({exc!r})", RuntimeWarning,
                              stacklevel=2)

        setattr(loader, "exec_module", exec_module)  # noqa: B010 - the loader belongs to this spec only
        return spec


def install(register: Register) -> None:
    """Register :func:`resolve` for every powertools parser model imported now or later; idempotent."""
    _state["register"] = register
    for name, module in list(sys.modules.items()):
        if _is_model_module(name) and module is not None:
            register_module(module)
    if _state["hook"] is None:
        hook = _state["hook"] = _ModelImportHook()
        sys.meta_path.insert(0, hook)


def registered() -> list[str]:
    """Names of the model classes registered so far."""
    return sorted(m.__name__ for m in _registered)
