"""The ``Sim`` methods for event source mappings and push sources (streams, tables, buckets, ``map``)."""

from __future__ import annotations


class EsmMixin:
    """Mixed into :class:`lambdachaos.Sim`; holds the mapping and push-source factories."""
