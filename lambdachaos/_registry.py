"""The simulation's resources, in one typed registry owned by :class:`lambdachaos.Sim`.

Every resource is kept under a *kind* (``"queues"``, ``"topics"``, ``"buses"``, ``"buckets"``, ``"streams"``,
``"tables"``, ``"schedules"``, ``"mappings"``, or a poll-based source's own kind from the source table) and a
name, and is found again by name or by any of its ARNs. The service, the boto3 bridge and the fault injector
all read this registry; nothing keeps resources anywhere else.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final, TypeVar, final

from lambdachaos._errors import ConfigError

_R = TypeVar("_R")

TITLES: Final = {
    "queues": "a queue", "topics": "a topic", "buses": "an event bus", "buckets": "a bucket",
    "streams": "a Kinesis stream", "tables": "a DynamoDB table", "schedules": "a schedule",
    "mappings": "an event source mapping",
}


@final
class Registry:
    """Resources by kind and name, and by ARN."""

    __slots__ = ("_by_arn", "_kinds")

    def __init__(self) -> None:
        self._kinds: dict[str, dict[str, Any]] = {}
        self._by_arn: dict[str, Any] = {}

    def add(self, kind: str, name: str, resource: _R, *, arns: Iterable[str] = ()) -> _R:
        """Keep ``resource`` as ``kind``/``name`` (refusing a second one of that name) and index its ``arns``."""
        kept = self._kinds.setdefault(kind, {})
        if name in kept:
            title = TITLES.get(kind, f"a resource of kind {kind!r}")
            raise ConfigError(f"name={name!r}: {title} with this name already exists in this simulation")
        kept[name] = resource
        for arn in arns:
            self._by_arn[arn] = resource
        return resource

    def remove(self, kind: str, name: str) -> Any:
        """Forget ``kind``/``name`` (and its ARNs); returns it, or None when it was not kept."""
        resource = self._kinds.get(kind, {}).pop(name, None)
        if resource is not None:
            for arn in [a for a, r in self._by_arn.items() if r is resource]:
                del self._by_arn[arn]
        return resource

    def get(self, kind: str, name: str) -> Any:
        """The resource ``kind``/``name``, or None."""
        found = self._kinds.get(kind)
        return None if found is None else found.get(name)

    def all(self, kind: str) -> Mapping[str, Any]:
        """Every resource of ``kind`` by name, in creation order (a live, read-only view)."""
        return self._kinds.setdefault(kind, {})

    def find(self, arn: str) -> Any:
        """The resource with this ARN, or None."""
        return self._by_arn.get(arn)

    def kinds(self) -> tuple[str, ...]:
        """The kinds that hold at least one resource."""
        return tuple(k for k, v in self._kinds.items() if v)

    def __repr__(self) -> str:
        return "<Registry " + " ".join(f"{k}={len(v)}" for k, v in self._kinds.items() if v) + ">"
