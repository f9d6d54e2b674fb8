"""The ``Sim`` methods for push sources (S3 buckets, SNS and EventBridge subscriptions, HTTP front doors)."""

from __future__ import annotations


class PushMixin:
    """Mixed into :class:`lambdachaos.Sim`; holds the push-source factories."""
