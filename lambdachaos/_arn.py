"""``Arn``: one parsed Amazon Resource Name, partition-aware (``aws``, ``aws-cn``, ``aws-us-gov``).

ARN format (AWS documentation, "Amazon Resource Names (ARNs)",
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html)::

    arn:partition:service:region:account-id:resource-id
    arn:partition:service:region:account-id:resource-type/resource-id
    arn:partition:service:region:account-id:resource-type:resource-id
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, final

from lambdachaos._errors import ConfigError

PARTITIONS: Final = ("aws", "aws-cn", "aws-us-gov")


def partition_of(region: str) -> str:
    """The partition a region belongs to (``cn-north-1`` → ``aws-cn``, ``us-gov-west-1`` → ``aws-us-gov``)."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


@final
@dataclass(frozen=True, slots=True)
class Arn:
    """An ARN split into its parts; ``str(arn)`` gives it back unchanged."""

    partition: str
    service: str
    region: str
    account: str
    resource: str

    @classmethod
    def parse(cls, text: str) -> Arn:
        """Split ``text``; a string that is not an ARN raises :class:`ConfigError` naming it."""
        parts = text.split(":", 5) if isinstance(text, str) else []
        if len(parts) != 6 or parts[0] != "arn" or not parts[2] or not parts[5]:
            raise ConfigError(f"{text!r} is not an ARN (arn:partition:service:region:account-id:resource)")
        return cls(parts[1], parts[2], parts[3], parts[4], parts[5])

    @classmethod
    def maybe(cls, text: object) -> Arn | None:
        """:meth:`parse`, or None for anything that is not an ARN."""
        try:
            return cls.parse(text) if isinstance(text, str) else None
        except ConfigError:
            return None

    @property
    def resource_type(self) -> str:
        """The part before the first ``/`` or ``:`` of the resource (``table`` in ``table/orders``); "" if none."""
        for i, ch in enumerate(self.resource):
            if ch in "/:":
                return self.resource[:i]
        return ""

    @property
    def resource_id(self) -> str:
        """The resource without its type (``orders`` in ``table/orders``, the queue name for SQS)."""
        kind = self.resource_type
        return self.resource[len(kind) + 1:] if kind else self.resource

    @property
    def name(self) -> str:
        """The resource's own name: the first segment of :attr:`resource_id` (``orders`` for
        ``table/orders/stream/…``, ``fn`` for ``function:fn:3``, the queue name for SQS)."""
        head = self.resource_id
        for i, ch in enumerate(head):
            if ch in "/:":
                return head[:i]
        return head

    @property
    def qualifier(self) -> str | None:
        """A Lambda function ARN's version or alias (``3`` in ``function:fn:3``), else None."""
        if self.service != "lambda" or self.resource_type != "function":
            return None
        parts = self.resource_id.split(":")
        return parts[1] if len(parts) > 1 else None

    def unqualified(self) -> str:
        """The ARN without a Lambda qualifier (unchanged for anything else)."""
        qualifier = self.qualifier
        return str(self)[: -len(qualifier) - 1] if qualifier is not None else str(self)

    def __str__(self) -> str:
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{self.resource}"


def qualifier_of(text: str) -> str | None:
    """The version or alias of a Lambda function ARN (``3`` in ``...:function:fn:3``); None for anything else."""
    parsed = Arn.maybe(text)
    return parsed.qualifier if parsed is not None else None
