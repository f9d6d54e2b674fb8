"""The members of a ``full`` ledger that read or export every entry (mixed into
:class:`~lambdachaos.ledger._ledger.Ledger`).

Outside ``full`` mode each raises :class:`LedgerModeError` naming the mode and the way out.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Iterator
from dataclasses import fields
from io import StringIO
from typing import TYPE_CHECKING, Any, Final

from lambdachaos._gc import Relaxed
from lambdachaos.ledger import _io as io
from lambdachaos.ledger._entries import SCHEMA, Attempt, Delivery, Fate, FaultRecord
from lambdachaos.ledger._fate_json import fate_chunks
from lambdachaos.ledger._store import STATUS_TEXT, LedgerModeError, unpack
from lambdachaos.ledger._uncached import Uncached

_encode_fate: Final = io.fate_encoder(Fate)


class FullViews:
    """Readers of every attempt, delivery, fault firing and fate."""

    __slots__ = ()

    if TYPE_CHECKING:
        _attempts: list[Attempt]
        _deliveries: list[Delivery]
        _faults: list[FaultRecord]
        _fates: dict[str, Fate | int]
        _full: bool
        mode: str
        path: str | None
        seed: int

    def _need_full(self, member: str) -> None:
        if not self._full:
            where = f"writes them to {self.path} (read with Ledger.from_lines)" if self.path else "keeps only counts"
            raise LedgerModeError(
                f"ledger.{member} needs Sim(ledger='full'): this {self.mode!r} ledger {where}; ledger.counts(), "
                "pending_fates(), failed_fates(), fate(id) of a pending or failed record and len() work in every mode"
            )

    @property
    def attempts(self) -> tuple[Attempt, ...]:
        """Every attempt in the order it started."""
        self._need_full("attempts")
        return tuple(self._attempts)

    @property
    def deliveries(self) -> tuple[Delivery, ...]:
        """Every DLQ, destination and redrive delivery in time order."""
        self._need_full("deliveries")
        return tuple(self._deliveries)

    @property
    def faults(self) -> tuple[FaultRecord, ...]:
        """Every fault firing."""
        self._need_full("faults")
        return tuple(self._faults)

    @property
    def fates(self) -> dict[str, Fate]:
        """Fate per record/event id (a copy)."""
        self._need_full("fates")
        return {k: unpack(k, v) for k, v in self._fates.items()}

    @property
    def last(self) -> Attempt:
        """The most recent attempt; raises ``LookupError`` when there is none."""
        self._need_full("last")
        if not self._attempts:
            raise LookupError("the ledger has no attempts yet: nothing was invoked")
        return self._attempts[-1]

    def filter(self, **criteria: Any) -> list[Attempt]:
        """Attempts whose fields equal every keyword given, e.g. ``filter(function="f", outcome="success")``."""
        self._need_full("filter()")
        valid = {f.name for f in fields(Attempt)}
        unknown = sorted(set(criteria) - valid)
        if unknown:
            close = [m for u in unknown for m in difflib.get_close_matches(u, valid, n=1)]
            hint = f"did you mean {', '.join(close)}? " if close else ""
            raise TypeError(f"unknown attempt field(s) {unknown}; {hint}valid fields: {sorted(valid)}")
        return [a for a in self._attempts if all(getattr(a, k) == v for k, v in criteria.items())]

    def attempts_for(self, event_id: str) -> list[Attempt]:
        """Attempts whose event is ``event_id`` or whose batch contained record ``event_id``."""
        self._need_full("attempts_for()")
        return [a for a in self._attempts if a.event_id == event_id or event_id in a.records]

    def deliveries_to(self, target_arn: str) -> list[Delivery]:
        """Deliveries made to one ARN."""
        self._need_full("deliveries_to()")
        return [d for d in self._deliveries if d.target == target_arn]

    def __iter__(self) -> Iterator[Attempt]:
        self._need_full("__iter__")
        return iter(self._attempts)

    def concurrency(self, function: str | None = None) -> list[tuple[float, int]]:
        """Concurrent executions over virtual time: ``(seconds, count)`` at every change.

        Computed from the attempts that ran (throttled attempts hold no execution environment).
        """
        self._need_full("concurrency()")
        return io.concurrency(self._attempts, function)

    def timeline(self, events: Iterable[str] | None = None) -> list[str]:
        """Attempts and deliveries interleaved in time order as readable lines."""
        self._need_full("timeline()")
        return io.timeline(self._attempts, self._deliveries, events)

    # ---- export -------------------------------------------------------------------------------
    def _sorted_fates(self) -> Iterator[Fate]:
        fates = self._fates
        return (unpack(k, fates[k]) for k in sorted(fates))

    def to_dict(self) -> dict[str, Any]:
        """The ledger as plain JSON-ready data (schema :data:`SCHEMA`)."""
        self._need_full("to_dict()")
        return {
            "schema": SCHEMA,
            "seed": self.seed,
            "attempts": [io.entry_dict(a) for a in self._attempts],
            "deliveries": [io.entry_dict(d) for d in self._deliveries],
            "faults": [io.entry_dict(f) for f in self._faults],
            "fates": [io.entry_dict(f) for f in self._sorted_fates()],
        }

    def to_json(self, *, indent: int | None = None) -> str:
        """Stable JSON: same seed and scenario ⇒ identical bytes, across processes.

        Compact by default (the C encoder, entry by entry); ``indent=2`` pretty-prints.
        """
        self._need_full("to_json()")
        if indent is not None:
            return json.dumps(self.to_dict(), indent=indent, sort_keys=True)
        buffer = StringIO()
        self._write_to(buffer)
        return buffer.getvalue()

    def write(self, path: str) -> None:
        """Write the compact JSON export to ``path`` piece by piece (no whole-document string in memory)."""
        self._need_full("write()")
        with open(path, "w", encoding="utf-8") as out:
            self._write_to(Uncached(out))

    def _write_to(self, out: Any) -> None:
        # Relaxed: the export allocates only short-lived objects, so a collection would just walk the ledger (after a
        # large run, one middle-generation collection took 0.4 s of a 2.1 s export of a million records).
        with Relaxed():
            io.write_export(out, self.seed, SCHEMA, self._attempts, self._deliveries, self._faults,
                            fate_chunks(self._fates, STATUS_TEXT, _encode_fate))
