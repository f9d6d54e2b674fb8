"""The rows of the source table (:mod:`lambdachaos.service.mappings._table`), and lookups over them.

A new poll-based source adds one line to ``BUILT_IN``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from lambdachaos._errors import ConfigError
from lambdachaos.faults import _target
from lambdachaos.service.mappings._docdb_source import DOCDB_SOURCE
from lambdachaos.service.mappings._kafka_source import KAFKA_SOURCE
from lambdachaos.service.mappings._mq_source import MQ_SOURCE
from lambdachaos.service.mappings._sqs_source import SQS_SOURCE
from lambdachaos.service.mappings._stream_source import DYNAMODB_SOURCE, KINESIS_SOURCE
from lambdachaos.service.mappings._table import PollSource

BUILT_IN: Final[tuple[PollSource, ...]] = (
    SQS_SOURCE,
    KINESIS_SOURCE,
    DYNAMODB_SOURCE,
    KAFKA_SOURCE,
    MQ_SOURCE,
    DOCDB_SOURCE,
)

_ROWS: Final[dict[str, PollSource]] = {row.name: row for row in BUILT_IN}


def register(source: PollSource) -> PollSource:
    """Add a row; refuses a second row with the same name. Returns ``source``."""
    if source.name in _ROWS:
        raise ConfigError(f"name={source.name!r}: the source table already has a row with this name")
    _ROWS[source.name] = source
    _publish_shapes()
    return source


def unregister(name: str) -> None:
    """Remove a row added with :func:`register` (built-in rows stay)."""
    if any(row.name == name for row in BUILT_IN):
        raise ConfigError(f"name={name!r} is a built-in source and cannot be removed")
    _ROWS.pop(name, None)
    _publish_shapes()


def sources() -> Mapping[str, PollSource]:
    """Every row by name, built-in rows first."""
    return _ROWS


def source_of(resource: object) -> PollSource | None:
    """The row whose resource types include ``resource``'s, or None."""
    for row in _ROWS.values():
        if isinstance(resource, row.resource_types()):
            return row
    return None


def by_order_key(by: str) -> list[PollSource]:
    """The rows whose ordering key (or an alias) is ``by``."""
    return [row for row in _ROWS.values() if by == row.order_key or by in row.aliases]


def _publish_shapes() -> None:
    """Tell the fault planner (which never imports the core) how each source's events hold their records."""
    _target.set_record_shapes(tuple((row.records_of, row.record_id) for row in _ROWS.values()))


_publish_shapes()
