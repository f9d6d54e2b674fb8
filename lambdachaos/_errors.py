"""Usage errors and warnings raised by lambdachaos itself (not simulated AWS errors)."""

from __future__ import annotations


class LambdaChaosError(Exception):
    """Base class of every usage error lambdachaos raises."""


class ConfigError(LambdaChaosError, ValueError):
    """A setting is outside the range AWS accepts; the message names the setting, the value and the range."""


class LambdaChaosWarning(UserWarning):
    """Base class of the warnings lambdachaos emits (a setting AWS accepts but advises against)."""
