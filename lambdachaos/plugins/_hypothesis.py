"""Hypothesis integration: the ``lambdachaos`` settings profile and the powertools type strategies.

Imported only when hypothesis is already in use: by the pytest plugin (which checks ``sys.modules``, so
loading the plugin never imports hypothesis) and by hypothesis itself, through the ``hypothesis`` entry point
:func:`_hypothesis_setup_hook`, in every hypothesis run -- with or without pytest. Neither imports pytest.
"""

from __future__ import annotations

import importlib
import warnings
from typing import Final

PROFILE: Final = "lambdachaos"
"""Name of the settings profile: ``--hypothesis-profile=lambdachaos`` or ``settings.load_profile(...)``."""

def register_hypothesis_profile(*, derandomize: bool = False) -> str:
    """Register the ``lambdachaos`` hypothesis profile and the powertools model strategies; return the name.

    The profile suits simulation tests: no ``deadline`` (a simulated six-hour retry policy may take a
    few real milliseconds more on a cold cache, which is not a bug) and the ``too_slow`` health check
    suppressed (realistic events are large). ``derandomize=True`` makes hypothesis itself draw the same
    examples on every run. Also calls
    :func:`lambdachaos.generators.strategies.register_powertools_types`, so ``st.from_type(SqsModel)``
    draws realistic events. Safe to call more than once.
    """
    from hypothesis import HealthCheck, settings

    strategies = importlib.import_module("lambdachaos.generators.strategies")

    settings.register_profile(
        PROFILE, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=derandomize
    )
    strategies.register_powertools_types()
    return PROFILE


def _hypothesis_setup_hook() -> None:
    """The ``hypothesis`` entry point: make ``st.from_type(<powertools parser model>)`` draw realistic events.

    Runs while hypothesis is being imported, so it stays cheap: it imports neither powertools nor the
    strategies, only registers a resolver for the parser models imported so far and an import hook for the
    others (see :mod:`lambdachaos.generators._type_registry`). The same registration as
    :func:`register_hypothesis_profile` makes, done once whichever runs first. Never raises: if lambdachaos
    cannot be imported in full, hypothesis still imports and ``from_type`` falls back to its default.
    """
    try:
        from hypothesis import strategies as st

        registry = importlib.import_module("lambdachaos.generators._type_registry")
        registry.install(st.register_type_strategy)
    except Exception as exc:  # a broken install must not break every hypothesis user in this environment
        warnings.warn(f"lambdachaos: st.from_type strategies not registered ({exc!r})", RuntimeWarning, stacklevel=2)
