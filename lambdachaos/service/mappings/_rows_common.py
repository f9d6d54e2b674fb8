"""Helpers shared by the rows of the source table."""

from __future__ import annotations

from typing import Any

from lambdachaos.service.mappings._table import Record


def records_list(event_source: str) -> Any:
    """``event -> event["Records"]`` when its records come from ``event_source`` (else None)."""

    def records_of(event: Record) -> list[Record] | None:
        records = event.get("Records") if isinstance(event, dict) else None
        if isinstance(records, list) and records and isinstance(records[0], dict) and \
                records[0].get("eventSource") == event_source:
            return records
        return None

    return records_of


def key_of(name: str) -> Any:
    """``record -> record[name]`` when it is a string (else None)."""

    def record_id(record: Record) -> str | None:
        value = record.get(name) if isinstance(record, dict) else None
        return value if isinstance(value, str) else None

    return record_id
