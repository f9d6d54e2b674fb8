"""The usage error raised by :mod:`lambdachaos.faults`.

This module must work when the ``faults`` folder is shipped alone inside a deployed function, so the base
class from the core package is imported only when it is importable.
"""

from __future__ import annotations

try:  # pragma: no branch - depends on where the folder is installed
    from lambdachaos._errors import LambdaChaosError as _Base
except ImportError:  # shipped alone inside a function zip

    class _Base(Exception):  # type: ignore[no-redef]
        """Stand-in for ``lambdachaos.LambdaChaosError`` when the core package is absent."""


__all__ = ["FaultPlanError"]


class FaultPlanError(_Base, ValueError):
    """A fault plan setting is invalid; the message names the setting, its value, the valid range and the
    fix."""


def bad_value(name: str, value: object, rule: str, fix: str) -> FaultPlanError:
    """Build a :class:`FaultPlanError` that states ``name=value``, the rule it breaks and what to change."""
    return FaultPlanError(f"{name}={value!r} is invalid: {rule}. {fix}")
