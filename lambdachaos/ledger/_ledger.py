"""The ledger: an append-only record of every attempt, delivery and fault, and each record's fate.

Every entry is a frozen dataclass. Virtual times are integer nanoseconds; JSON renders them as
seconds with nine decimals so the export is exact and byte-stable. The JSON schema is documented in
``docs/ledger.md`` and versioned by :data:`SCHEMA`.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Iterator
from dataclasses import fields, replace
from io import StringIO
from typing import Any, Final, final

from lambdachaos.ledger import _io as io
from lambdachaos.ledger._entries import (
    RECORD_OUTCOMES,
    SCHEMA,
    Attempt,
    Delivery,
    Fate,
    FateStatus,
    FaultRecord,
    Outcome,
    Path,
)
from lambdachaos.ledger._store import MODES, LedgerModeError, LineSink, Tally

__all__ = [
    "RECORD_OUTCOMES", "SCHEMA", "Attempt", "Delivery", "Fate", "FateStatus", "FaultRecord", "Ledger",
    "LedgerModeError", "Outcome", "Path",
]

_STATUSES: Final = tuple(FateStatus)
_CODE: Final = {status: i for i, status in enumerate(_STATUSES)}
_PENDING_CODE: Final = _CODE[FateStatus.PENDING]
_STATUS_TEXT: Final = tuple(status.value for status in _STATUSES)
_KEPT_BY_SUMMARY: Final = frozenset({FateStatus.DEAD_LETTERED, FateStatus.ON_FAILURE, FateStatus.DROPPED,
                                     FateStatus.EXPIRED})
_encode_fate: Final = io.fate_encoder(Fate)


def _pack(fate: Fate) -> Fate | int:
    """A plain fate (no condition, no destinations) as one int: status, attempts and time; else the fate."""
    at = fate.at_ns
    if fate.condition is None and not fate.destinations and at is not None and at >= 0 and 0 <= fate.attempts < 4096:
        return (at << 15) | (fate.attempts << 3) | _CODE[fate.status]
    return fate


def _unpack(event_id: str, packed: Fate | int) -> Fate:
    if type(packed) is int:
        return Fate(event_id=event_id, status=_STATUSES[packed & 7], at_ns=packed >> 15,
                    attempts=(packed >> 3) & 4095)
    return packed  # type: ignore[return-value]


@final
class Ledger:
    """The flight recorder of one simulation. Read-only for users; the service appends.

    ``mode`` is ``"full"`` (everything in memory, the default), ``"stream"`` (every entry written to
    ``path`` as JSON Lines while the run goes; only pending and failed fates and the counts kept) or
    ``"summary"`` (no file; pending and failed fates and the counts). Members that need every entry
    (``attempts``, ``fates``, ``filter`` ...) raise :class:`LedgerModeError` outside ``full`` mode;
    ``counts()``, ``fate()``/``status()`` of pending and failed records, ``pending_fates()``,
    ``failed_fates()`` and ``len()`` work in every mode.
    """

    __slots__ = ("_attempts", "_deliveries", "_fates", "_faults", "_full", "_seq", "_sink",
                 "_tally", "mode", "path", "seed")

    def __init__(self, seed: int = 0, *, mode: str = "full", path: str | None = None) -> None:
        if mode not in MODES:
            raise LedgerModeError(f"ledger={mode!r} is not a ledger mode; use one of {', '.join(MODES)}")
        if (mode == "stream") != (path is not None):
            raise LedgerModeError(
                f"ledger={mode!r}, ledger_path={path!r}: a 'stream' ledger needs ledger_path (the JSON Lines file "
                "it writes) and the other modes take none"
            )
        self.seed = seed
        self.mode = mode
        """``full``, ``stream`` or ``summary``."""
        self.path = path
        """The JSON Lines file of a ``stream`` ledger, else ``None``."""
        self._full = mode == "full"
        self._attempts: list[Attempt] = []
        self._deliveries: list[Delivery] = []
        self._faults: list[FaultRecord] = []
        self._fates: dict[str, Fate | int] = {}
        self._tally = Tally()
        self._sink = LineSink(path, seed) if path is not None else None
        self._seq = 0

    # ---- appending (service side) --------------------------------------------------------------
    def next_seq(self) -> int:
        """The next sequence number (shared by all entry kinds so they interleave in order)."""
        self._seq += 1
        return self._seq

    def add_attempt(self, attempt: Attempt) -> None:
        """Record one attempt."""
        if self._full:
            self._attempts.append(attempt)
            return
        self._tally.attempt(attempt.outcome.value)
        if self._sink is not None:
            self._sink.write("attempt", io.encode_entry(attempt))

    def add_delivery(self, delivery: Delivery) -> None:
        """Record one DLQ/destination/redrive delivery."""
        if self._full:
            self._deliveries.append(delivery)
            return
        self._tally.delivery(delivery.ok)
        if self._sink is not None:
            self._sink.write("delivery", io.encode_entry(delivery))

    def amend(self, request_id: str, **changes: Any) -> None:
        """Add to the latest attempt of ``request_id`` what was learned when it ended (batch item failures).

        Only for an attempt that ended in ``success`` (a batch response read after it). Outside ``full`` mode the
        attempt is already counted (and written): the counts move to the new outcome and a ``stream`` ledger
        writes an ``amend`` line that :meth:`from_lines` applies.
        """
        if not self._full:
            outcome = changes.get("outcome")
            if outcome is not None:
                self._tally.recount(Outcome.SUCCESS.value, Outcome(outcome).value)
            if self._sink is not None:
                self._sink.write("amend", io.encode_amend(request_id, changes))
            return
        attempts = self._attempts
        for i in range(len(attempts) - 1, -1, -1):
            if attempts[i].request_id == request_id:
                attempts[i] = replace(attempts[i], **changes)
                return
        raise LookupError(f"no attempt with request id {request_id!r}")

    def add_fault(self, record: FaultRecord) -> None:
        """Record one fault firing."""
        if self._full:
            self._faults.append(record)
            return
        self._tally.fault()
        if self._sink is not None:
            self._sink.write("fault", io.encode_entry(record))

    def open(self, event_id: str, at_ns: int) -> None:
        """Register a record or event that entered the system (its fate is pending until settled)."""
        fates = self._fates
        if event_id not in fates:
            fates[event_id] = (at_ns << 15) | _PENDING_CODE if at_ns >= 0 else Fate(
                event_id=event_id, status=FateStatus.PENDING, at_ns=at_ns)

    def settle(self, fate: Fate) -> None:
        """Give a record its final fate; settling twice is a bug in the simulator."""
        event_id = fate.event_id
        fates = self._fates
        previous = fates.get(event_id)
        if previous is not None and (previous & 7 != _PENDING_CODE if type(previous) is int
                                     else previous.status is not FateStatus.PENDING):  # type: ignore[union-attr]
            raise RuntimeError(f"record {event_id} already has fate {_unpack(event_id, previous).status.value}")
        if self._full:
            at = fate.at_ns
            if fate.condition is None and not fate.destinations and at is not None and at >= 0 and fate.attempts < 4096:
                fates[event_id] = (at << 15) | (fate.attempts << 3) | _CODE[fate.status]
            else:
                fates[event_id] = fate
            return
        self._settle_counted(fate, previous)

    def _settle_counted(self, fate: Fate, previous: Fate | int | None) -> None:
        event_id = fate.event_id
        fates = self._fates
        self._tally.settled(fate.status.value, fate.condition)
        if fate.status in _KEPT_BY_SUMMARY:
            fates[event_id] = fate
        elif previous is not None:
            del fates[event_id]
        if self._sink is not None:
            self._sink.write("fate", _encode_fate(fate))

    def settle_copy_dead_lettered(self, fate: Fate) -> None:
        """Settle a record one of whose copies reached a DLQ (``fate.status`` is ``dead_lettered``).

        ``dead_lettered`` replaces whatever another copy left (``succeeded``, ``dropped``); a record already
        dead-lettered keeps its first such fate (docs/ledger.md, "Copies of a record"). In a ``stream``
        ledger the new fate is a later ``fate`` line for the same record, which replaces the earlier one.
        """
        if fate.status is not FateStatus.DEAD_LETTERED:
            raise ValueError(f"fate {fate.status.value} is not dead_lettered")
        event_id = fate.event_id
        previous = self._fates.get(event_id)
        if previous is not None and _unpack(event_id, previous).status is FateStatus.DEAD_LETTERED:
            return
        if self._full:
            self._fates[event_id] = _pack(fate)
            return
        if previous is not None:
            was = _unpack(event_id, previous)
            if was.status is not FateStatus.PENDING:
                self._tally.unsettled(was.status.value, was.condition)
        else:  # counted and not kept: it succeeded (a filtered message is deleted, so no copy remains)
            self._tally.unsettled(FateStatus.SUCCEEDED.value, None)
        self._settle_counted(fate, previous)

    def close(self) -> None:
        """Finish a ``stream`` ledger: write the fates still pending and the counts, and close the file."""
        if self._sink is not None and not self._sink.closed:
            for fate in self.pending_fates():
                self._sink.write("fate", _encode_fate(fate))
            self._sink.finish(self.counts())

    # ---- reading in every mode ------------------------------------------------------------------
    def counts(self) -> dict[str, Any]:
        """Counts per fate status, attempt outcome and fate condition, plus entry totals (every mode)."""
        if not self._full:
            pending = sum(1 for v in self._fates.values() if _unpack("", v).status is FateStatus.PENDING)
            return self._tally.as_dict(pending)
        tally = Tally()
        for a in self._attempts:
            tally.attempt(a.outcome.value)
        for d in self._deliveries:
            tally.delivery(d.ok)
        for _ in self._faults:
            tally.fault()
        pending = 0
        for key, v in self._fates.items():
            fate = _unpack(key, v)
            if fate.status is FateStatus.PENDING:
                pending += 1
            else:
                tally.settled(fate.status.value, fate.condition)
        return tally.as_dict(pending)

    def pending_fates(self) -> list[Fate]:
        """Fates still pending, sorted by id (every mode)."""
        return [_unpack(k, self._fates[k]) for k in sorted(self._fates)
                if _unpack(k, self._fates[k]).status is FateStatus.PENDING]

    def failed_fates(self) -> list[Fate]:
        """Dead-lettered, on-failure, dropped and expired fates, sorted by id (every mode)."""
        return [f for f in (_unpack(k, self._fates[k]) for k in sorted(self._fates)) if f.status in _KEPT_BY_SUMMARY]

    def status(self, event_id: str) -> FateStatus | None:
        """The fate status of one record in O(1), or ``None`` when it never entered (outside ``full`` mode
        also when it succeeded or was filtered: those are counted, not kept)."""
        packed = self._fates.get(event_id)
        if type(packed) is int:
            return _STATUSES[packed & 7]
        return None if packed is None else packed.status  # type: ignore[union-attr]

    def get_fate(self, event_id: str) -> Fate | None:
        """The fate of one record, or ``None`` when it never entered (O(1); see :meth:`status` for modes)."""
        packed = self._fates.get(event_id)
        return None if packed is None else _unpack(event_id, packed)

    def fate(self, event_id: str) -> Fate:
        """The fate of one record/event; ``KeyError`` names a few known ids when it is unknown."""
        packed = self._fates.get(event_id)
        if packed is not None:
            return _unpack(event_id, packed)
        known = ", ".join(list(self._fates)[:5])
        close = difflib.get_close_matches(str(event_id), list(self._fates)[:5000], n=1, cutoff=0.8)
        hint = f"did you mean {close[0]!r}? " if close else ""
        kept = "" if self._full else (
            f"; a {self.mode!r} ledger keeps only pending and failed records, so a record that succeeded or was "
            "filtered is not kept either (use Sim(ledger='full') to read every fate)")
        raise KeyError(f"no record {event_id!r} entered this simulation; {hint}{len(self._fates)} known, "
                       f"e.g. {known}{kept}")

    def __len__(self) -> int:
        return len(self._attempts) if self._full else self._tally.attempts

    def __repr__(self) -> str:
        c = self.counts()
        mode = "" if self._full else f" mode={self.mode}"
        return (f"<Ledger{mode} attempts={c['attempts']} deliveries={c['deliveries']} records={c['records']} "
                f"pending={c['fates'].get('pending', 0)}>")

    # ---- reading a full ledger ------------------------------------------------------------------
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
        return {k: _unpack(k, v) for k, v in self._fates.items()}

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
        return (_unpack(k, fates[k]) for k in sorted(fates))

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
            self._write_to(out)

    def _write_to(self, out: Any) -> None:
        fates = self._fates
        texts = (map(_encode_fate, self._sorted_fates()) if _encode_fate is io.encode_entry  # Fate's fields changed
                 else io.fate_texts(fates, sorted(fates), _STATUS_TEXT, _encode_fate))
        io.write_export(out, self.seed, SCHEMA, self._attempts, self._deliveries, self._faults, texts, str)

    @classmethod
    def from_lines(cls, path: str) -> Ledger:
        """A full ledger rebuilt from a ``stream`` ledger's JSON Lines file (schema ``lambdachaos.ledger-lines/1``)."""
        ledger = cls(io.lines_seed(path))
        kinds = {"attempt": Attempt, "delivery": Delivery, "fault": FaultRecord, "fate": Fate}
        lists: dict[str, list[Any]] = {"attempt": ledger._attempts, "delivery": ledger._deliveries,
                                       "fault": ledger._faults}
        for kind, entry in io.read_entries(path, kinds, {"path": Path, "outcome": Outcome, "status": FateStatus}):
            if kind == "amend":
                ledger.amend(entry["request_id"], **io.amend_changes(entry["changes"], {"outcome": Outcome}))
            elif kind == "fate":
                ledger._fates[entry.event_id] = _pack(entry)
            else:
                lists[kind].append(entry)
        return ledger
