"""The ledger: an append-only record of every attempt, delivery and fault, and each record's fate.

Every entry is a frozen dataclass. Virtual times are integer nanoseconds; JSON renders them as
seconds with nine decimals so the export is exact and byte-stable. The JSON schema is documented in
``docs/ledger.md`` and versioned by :data:`SCHEMA`.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
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
    amended,
)
from lambdachaos.ledger._store import (
    CODE,
    MODES,
    PENDING_CODE,
    STATUS_TEXT,
    STATUSES,
    LedgerModeError,
    LineSink,
    Tally,
    pack,
    unpack,
)
from lambdachaos.ledger._views import FullViews

__all__ = [
    "RECORD_OUTCOMES", "SCHEMA", "Attempt", "Delivery", "Fate", "FateStatus", "FaultRecord", "Ledger",
    "LedgerModeError", "Outcome", "Path",
]

_KEPT_BY_SUMMARY: Final = frozenset(CODE[s] for s in (FateStatus.DEAD_LETTERED, FateStatus.ON_FAILURE,
                                                       FateStatus.DROPPED, FateStatus.EXPIRED))
_SUCCEEDED: Final = FateStatus.SUCCEEDED
_DEAD_LETTERED: Final = FateStatus.DEAD_LETTERED
_PENDING: Final = FateStatus.PENDING
_encode_fate: Final = io.fate_encoder(Fate)
_attempt_line: Final = io.attempt_encoder(Attempt, "attempt")
_delivery_line: Final = io.entry_encoder(Delivery, "delivery")
_fault_line: Final = io.entry_encoder(FaultRecord, "fault")
_FATE_LINE_END: Final = tuple(f',"status":"{text}"}}\n' for text in STATUS_TEXT)
_SUCCEEDED_CODE: Final = CODE[_SUCCEEDED]
_SUCCEEDED_LINE_END: Final = _FATE_LINE_END[_SUCCEEDED_CODE]


@final
class Ledger(FullViews):
    """The flight recorder of one simulation. Read-only for users; the service appends.

    ``mode`` is ``"full"`` (everything in memory, the default), ``"stream"`` (every entry written to
    ``path`` as JSON Lines while the run goes; only pending and failed fates and the counts kept) or
    ``"summary"`` (no file; pending and failed fates and the counts). Members that need every entry
    (``attempts``, ``fates``, ``filter`` ...) raise :class:`LedgerModeError` outside ``full`` mode;
    ``counts()``, ``fate()``/``status()`` of pending and failed records, ``pending_fates()``,
    ``failed_fates()`` and ``len()`` work in every mode.
    """

    __slots__ = ("_attempts", "_deliveries", "_fates", "_faults", "_full", "_named", "_seen", "_seq", "_sink",
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
        # Outside ``full`` mode a settled record is forgotten; a copy of it can only exist once a fault firing
        # (a duplicate delivery) named it, so the ids named by firings are remembered: ``_seen`` those that
        # entered as records, ``_named`` the others (they may enter later).
        self._seen: set[str] = set()
        self._named: set[str] = set()

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
            self._sink.add(_attempt_line(attempt))

    def add_delivery(self, delivery: Delivery) -> None:
        """Record one DLQ/destination/redrive delivery.

        A ``queue_dlq`` redrive of a message that never entered as a record (it reached the mapped queue
        without being sent to it) is not one of this ledger's deliveries: it is left out, and the sequence
        number taken for it given back, in every mode alike.
        """
        if self._full:
            self._deliveries.append(delivery)
            return
        if delivery.kind == "queue_dlq" and not self._entered(delivery.event_id):
            if delivery.seq == self._seq:
                self._seq -= 1
            return
        self._tally.delivery(delivery.ok)
        if self._sink is not None:
            self._sink.add(_delivery_line(delivery))

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
                attempts[i] = amended(attempts[i], changes)
                return
        raise LookupError(f"no attempt with request id {request_id!r}")

    def add_fault(self, record: FaultRecord) -> None:
        """Record one fault firing."""
        if self._full:
            self._faults.append(record)
            return
        event_id = record.event_id
        if event_id is not None:
            (self._seen if event_id in self._fates else self._named).add(event_id)
        self._tally.fault()
        if self._sink is not None:
            self._sink.add(_fault_line(record))

    def open(self, event_id: str, at_ns: int) -> None:
        """Register a record or event that entered the system (its fate is pending until settled)."""
        fates = self._fates
        if event_id not in fates:
            fates[event_id] = (at_ns << 15) | PENDING_CODE if at_ns >= 0 else Fate(
                event_id=event_id, status=_PENDING, at_ns=at_ns)
            if self._named and event_id in self._named:
                self._named.discard(event_id)
                self._seen.add(event_id)

    def open_many(self, event_ids: Iterable[str], at_ns: int) -> None:
        """:meth:`open` each of ``event_ids``, all entered at ``at_ns``."""
        fates = self._fates
        if at_ns < 0 or self._named:
            for event_id in event_ids:
                self.open(event_id, at_ns)
            return
        pending = (at_ns << 15) | PENDING_CODE
        for event_id in event_ids:
            if event_id not in fates:
                fates[event_id] = pending

    def _entered(self, event_id: str) -> bool:
        """Whether ``event_id`` entered as a record (outside ``full`` mode: kept, or settled after a firing named it).

        A record settled and forgotten without any firing naming it has no copy left, so no later entry names it.
        """
        return event_id in self._fates or event_id in self._seen

    def settle(self, fate: Fate) -> None:
        """Give a record its final fate; settling twice is a bug in the simulator."""
        event_id = fate.event_id
        fates = self._fates
        previous = fates.get(event_id)
        if previous is not None and (previous & 7 != PENDING_CODE if type(previous) is int
                                     else previous.status is not _PENDING):  # type: ignore[union-attr]
            raise RuntimeError(f"record {event_id} already has fate {unpack(event_id, previous).status.value}")
        at = fate.at_ns
        code = CODE[fate.status]
        if self._full:
            if (fate.condition is None and not fate.destinations and at is not None and at >= 0
                    and type(fate.attempts) is int and 0 <= fate.attempts < 4096):
                fates[event_id] = (at << 15) | (fate.attempts << 3) | code
            else:
                fates[event_id] = fate
            return
        self._settle_counted(fate, previous, code)

    def settle_pending_succeeded(self, settled: list[tuple[str, int]], at_ns: int) -> None:
        """For each ``(event_id, attempts)`` in order whose fate is pending:
        ``settle(Fate(event_id=..., status=SUCCEEDED, at_ns=at_ns, attempts=...))`` without building the fate
        (the hot path of every mapping: the records of a batch processed and deleted). A record with another
        fate, or none, is left as it is."""
        fates = self._fates
        full = self._full
        lines: list[str] = []
        string, end = io.string, _SUCCEEDED_LINE_END
        head = (f'{{"type":"fate","at_s":"{at_ns // 1_000_000_000}.{at_ns % 1_000_000_000:09d}","attempts":'
                if at_ns >= 0 else "")
        for event_id, attempts in settled:
            previous = fates.get(event_id)
            if type(previous) is not int or at_ns < 0 or not 0 <= attempts < 4096:
                if previous is not None and self.status(event_id) is _PENDING:
                    self._flush_succeeded(lines)
                    lines = []
                    self.settle(Fate(event_id=event_id, status=_SUCCEEDED, at_ns=at_ns, attempts=attempts))
                continue
            if previous & 7 != PENDING_CODE:
                continue
            if full:
                fates[event_id] = (at_ns << 15) | (attempts << 3) | _SUCCEEDED_CODE
                continue
            del fates[event_id]
            lines.append(f'{head}{attempts},"condition":null,"destinations":[],"event_id":{string(event_id)}{end}')
        self._flush_succeeded(lines)

    def _flush_succeeded(self, lines: list[str]) -> None:
        """Count and write the lines of records just settled as succeeded (outside ``full`` mode)."""
        if lines:
            counts = self._tally.fates
            counts["succeeded"] = counts.get("succeeded", 0) + len(lines)
            if self._sink is not None:
                self._sink.extend(lines)

    def _settle_counted(self, fate: Fate, previous: Fate | int | None, code: int) -> None:
        event_id = fate.event_id
        condition = fate.condition
        tally = self._tally
        status = STATUS_TEXT[code]
        counts = tally.fates
        counts[status] = counts.get(status, 0) + 1
        if condition is not None:
            tally.conditions[condition] = tally.conditions.get(condition, 0) + 1
        if code in _KEPT_BY_SUMMARY:
            self._fates[event_id] = fate
        elif previous is not None:
            del self._fates[event_id]
        sink = self._sink
        if sink is None:
            return
        at = fate.at_ns
        if condition is None and not fate.destinations and at is not None and at >= 0 and type(fate.attempts) is int:
            sink.add(f'{{"type":"fate","at_s":"{at // 1_000_000_000}.{at % 1_000_000_000:09d}",'
                     f'"attempts":{fate.attempts},"condition":null,"destinations":[],'
                     f'"event_id":{io.string(event_id)}{_FATE_LINE_END[code]}')
        else:
            sink.write("fate", _encode_fate(fate))

    def settle_copy_dead_lettered(self, fate: Fate) -> None:
        """Settle a record one of whose copies reached a DLQ (``fate.status`` is ``dead_lettered``).

        ``dead_lettered`` replaces whatever another copy left (``succeeded``, ``dropped``); a record already
        dead-lettered keeps its first such fate (docs/ledger.md, "Copies of a record"). In a ``stream``
        ledger the new fate is a later ``fate`` line for the same record, which replaces the earlier one.
        A message that never entered as a record gets no fate, in every mode.
        """
        if fate.status is not FateStatus.DEAD_LETTERED:
            raise ValueError(f"fate {fate.status.value} is not dead_lettered")
        event_id = fate.event_id
        previous = self._fates.get(event_id)
        if previous is None and not self._entered(event_id):
            return
        if previous is not None and unpack(event_id, previous).status is _DEAD_LETTERED:
            return
        if self._full:
            self._fates[event_id] = pack(fate)
            return
        if previous is not None:
            was = unpack(event_id, previous)
            if was.status is not FateStatus.PENDING:
                self._tally.unsettled(was.status.value, was.condition)
        else:  # counted and not kept: it succeeded (a filtered message is deleted, so no copy remains)
            self._tally.unsettled(_SUCCEEDED.value, None)
        self._settle_counted(fate, previous, CODE[_DEAD_LETTERED])

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
            pending = sum(1 for v in self._fates.values() if unpack("", v).status is FateStatus.PENDING)
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
            fate = unpack(key, v)
            if fate.status is FateStatus.PENDING:
                pending += 1
            else:
                tally.settled(fate.status.value, fate.condition)
        return tally.as_dict(pending)

    def pending_fates(self) -> list[Fate]:
        """Fates still pending, sorted by id (every mode)."""
        return [unpack(k, self._fates[k]) for k in sorted(self._fates)
                if unpack(k, self._fates[k]).status is FateStatus.PENDING]

    def failed_fates(self) -> list[Fate]:
        """Dead-lettered, on-failure, dropped and expired fates, sorted by id (every mode)."""
        fates = self._fates
        return [f for f in (unpack(k, fates[k]) for k in sorted(fates)) if CODE[f.status] in _KEPT_BY_SUMMARY]

    def status(self, event_id: str) -> FateStatus | None:
        """The fate status of one record in O(1), or ``None`` when it never entered (outside ``full`` mode
        also when it succeeded or was filtered: those are counted, not kept)."""
        packed = self._fates.get(event_id)
        if type(packed) is int:
            return STATUSES[packed & 7]
        return None if packed is None else packed.status  # type: ignore[union-attr]

    def get_fate(self, event_id: str) -> Fate | None:
        """The fate of one record, or ``None`` when it never entered (O(1); see :meth:`status` for modes)."""
        packed = self._fates.get(event_id)
        return None if packed is None else unpack(event_id, packed)

    def fate(self, event_id: str) -> Fate:
        """The fate of one record/event; ``KeyError`` names a few known ids when it is unknown."""
        packed = self._fates.get(event_id)
        if packed is not None:
            return unpack(event_id, packed)
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
                ledger._fates[entry.event_id] = pack(entry)
            else:
                lists[kind].append(entry)
        return ledger
