"""Hypothesis integration: the ``lambdachaos`` settings profile and the powertools type strategies.

Imported only when hypothesis is already in use (the pytest plugin checks ``sys.modules``), so loading
the plugin never imports hypothesis.
"""

from __future__ import annotations

import importlib
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
