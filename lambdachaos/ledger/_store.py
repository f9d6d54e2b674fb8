"""What a ``stream`` or ``summary`` ledger keeps instead of every entry: counts, and the JSON Lines file.

A ``stream`` ledger's file (schema ``lambdachaos.ledger-lines/1``, ``docs/scale.md``) holds one JSON object
per line: a ``header`` line, then every attempt, delivery, fault firing and settled fate in the order they
happened, then the fates still pending when the simulation closed (sorted by id) and a ``summary`` line
with the counts. The same seed and scenario give the same bytes, across runs and processes.
"""

from __future__ import annotations

from typing import IO, Any, Final, final

from lambdachaos._errors import ConfigError
from lambdachaos.ledger._entries import Fate, FateStatus
from lambdachaos.ledger._io import LINES_SCHEMA, encode, line
from lambdachaos.ledger._uncached import Uncached

MODES: Final = ("full", "stream", "summary")

STATUSES: Final = tuple(FateStatus)
CODE: Final = {status: i for i, status in enumerate(STATUSES)}
"""A fate status as the 3-bit code of a packed fate."""
PENDING_CODE: Final = CODE[FateStatus.PENDING]
STATUS_TEXT: Final = tuple(status.value for status in STATUSES)


def pack(fate: Fate) -> Fate | int:
    """A plain fate (no condition, no destinations) as one int: status in bits 0-2, attempts in bits 3-14 and
    the time above; any other fate as itself."""
    at = fate.at_ns
    if fate.condition is None and not fate.destinations and at is not None and at >= 0 and 0 <= fate.attempts < 4096:
        return (at << 15) | (fate.attempts << 3) | CODE[fate.status]
    return fate


def unpack(event_id: str, packed: Fate | int) -> Fate:
    """The fate of ``event_id`` from its packed form."""
    if type(packed) is int:
        return Fate(event_id=event_id, status=STATUSES[packed & 7], at_ns=packed >> 15,
                    attempts=(packed >> 3) & 4095)
    return packed  # type: ignore[return-value]


class LedgerModeError(ConfigError):
    """A ledger member needs every entry in memory, which a ``stream`` or ``summary`` ledger does not keep."""


@final
class Tally:
    """Counts per attempt outcome, fate status and fate condition."""

    __slots__ = ("attempts", "conditions", "deliveries", "failed_deliveries", "fates", "faults_fired", "outcomes")

    def __init__(self) -> None:
        self.attempts = 0
        self.deliveries = 0
        self.failed_deliveries = 0
        self.faults_fired = 0
        self.outcomes: dict[str, int] = {}
        self.fates: dict[str, int] = {}
        self.conditions: dict[str, int] = {}

    def attempt(self, outcome: str) -> None:
        """Count one attempt."""
        self.attempts += 1
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1

    def delivery(self, ok: bool) -> None:
        """Count one delivery."""
        self.deliveries += 1
        if not ok:
            self.failed_deliveries += 1

    def fault(self) -> None:
        """Count one fault firing."""
        self.faults_fired += 1

    def settled(self, status: str, condition: str | None) -> None:
        """Count one settled fate."""
        self.fates[status] = self.fates.get(status, 0) + 1
        if condition is not None:
            self.conditions[condition] = self.conditions.get(condition, 0) + 1

    def recount(self, old: str, new: str) -> None:
        """Move one attempt from outcome ``old`` to ``new`` (an amended attempt)."""
        self.outcomes[old] -= 1
        if not self.outcomes[old]:
            del self.outcomes[old]
        self.outcomes[new] = self.outcomes.get(new, 0) + 1

    def unsettled(self, status: str, condition: str | None) -> None:
        """Take back one settled fate (a copy of the record later reached a DLQ); nothing when none was counted."""
        for counts, key in ((self.fates, status), (self.conditions, condition)):
            if key is None or not counts.get(key):
                continue
            counts[key] -= 1
            if not counts[key]:
                del counts[key]

    def as_dict(self, pending: int) -> dict[str, Any]:
        """The counts as plain data (keys sorted), ``pending`` fates included."""
        fates = dict(self.fates)
        if pending:
            fates["pending"] = pending
        return {
            "attempts": self.attempts, "deliveries": self.deliveries, "failed_deliveries": self.failed_deliveries,
            "faults": self.faults_fired, "records": sum(fates.values()),
            "outcomes": dict(sorted(self.outcomes.items())), "fates": dict(sorted(fates.items())),
            "conditions": dict(sorted(self.conditions.items())),
        }


@final
class LineSink:
    """The JSON Lines file of a ``stream`` ledger, written through a large buffer."""

    __slots__ = ("_file", "_lines", "_out", "closed")

    def __init__(self, path: str, seed: int) -> None:
        self._file: IO[str] = open(path, "w", encoding="utf-8", buffering=1 << 20)  # noqa: SIM115 - closed in finish
        self._out = Uncached(self._file)  # a 2 GB ledger does not fill the page cache
        self._lines: list[str] = [line("header", encode({"schema": LINES_SCHEMA, "seed": seed}))]
        self.closed = False

    def write(self, kind: str, body: str) -> None:
        """Append one entry (``body`` is its compact JSON object)."""
        self.add(f'{{"type":"{kind}",{body[1:]}\n')

    def add(self, text: str) -> None:
        """Append one whole line (newline included)."""
        lines = self._lines
        lines.append(text)
        if len(lines) >= 4096:
            self._out.write("".join(lines))
            lines.clear()

    def extend(self, texts: list[str]) -> None:
        """Append whole lines (newlines included)."""
        lines = self._lines
        lines.extend(texts)
        if len(lines) >= 4096:
            self._out.write("".join(lines))
            lines.clear()

    def finish(self, counts: dict[str, Any]) -> None:
        """Write the summary line and close the file."""
        self._lines.append(line("summary", encode(counts)))
        self._file.write("".join(self._lines))
        self._lines.clear()
        self._file.close()
        self.closed = True
