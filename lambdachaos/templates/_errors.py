"""The error a template load raises."""

from __future__ import annotations

from lambdachaos._errors import ConfigError


class TemplateError(ConfigError):
    """A template cannot be loaded: the message names the file, the resource, the property path and the line."""
