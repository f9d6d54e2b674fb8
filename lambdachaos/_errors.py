"""Usage errors and warnings raised by lambdachaos itself (not simulated AWS errors)."""

from __future__ import annotations


class LambdaChaosError(Exception):
    """Base class of every usage error lambdachaos raises."""


class ConfigError(LambdaChaosError, ValueError):
    """A setting is outside the range AWS accepts; the message names the setting, the value and the range."""


class LambdaChaosWarning(UserWarning):
    """Base class of the warnings lambdachaos emits (a setting AWS accepts but advises against)."""


class HandlerNotStoppable(LambdaChaosError):
    """A handler did what the in-process mode cannot stop or contain (blocked in C code past the real-time
    guard's wall-clock backstop, a non-daemon thread left running); the message names the handler and says
    to run it with ``isolation="process"``."""


class MachineDependentOutcome(LambdaChaosWarning):
    """The real-time guard stopped a handler: the attempt's outcome depends on the machine, not on the seed."""
