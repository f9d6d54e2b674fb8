"""lambdachaos: chaos testing for AWS Lambda on a deterministic virtual clock."""

from __future__ import annotations

from lambdachaos._errors import LambdaChaosError, LambdaChaosWarning

__all__ = ["LambdaChaosError", "LambdaChaosWarning"]
