"""Where everything goes on a report page's timeline, computed from a ledger (no drawing here).

The horizontal axis is virtual time, but every distinct instant gets a column wide enough for each
attempt and delivery that happened at it, placed side by side in ledger order (``seq``): a bisect that
runs five attempts at t=0 shows five boxes, not one sliver. Gaps between instants grow with the
logarithm of the time between them. Lanes: one per function and source (attempt boxes), one per
record or event (a mark per attempt that carried it, coloured by what that attempt meant for the
record, and its fate at the end), one per delivery target. Boxes that would overlap inside a lane go
on a new row of that lane.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final, final

if TYPE_CHECKING:
    from lambdachaos.ledger._ledger import Attempt, Fate, Ledger

SLOT: Final = 34
"""Width of one attempt or delivery at an instant, in pixels."""
ROW: Final = 22
"""Height of one row of a lane, in pixels."""
LABEL: Final = 250
"""Width of the lane label column."""
MAX_RECORD_LANES: Final = 60
"""Record lanes drawn at most (records that did not succeed first)."""
FAILED: Final = frozenset({"function_error", "timeout", "failed", "not_checkpointed", "throttled", "system_error",
                           "rejected"})


@final
@dataclass(slots=True)
class Lane:
    """One horizontal lane: its label, kind (``function``, ``record``, ``target``) and rows used."""

    key: str
    label: str
    kind: str
    title: str
    rows: list[float] = field(default_factory=list)
    poison: bool = False
    fate: Fate | None = None
    top: int = 0

    def place(self, x: float, w: float) -> int:
        """The first row where ``[x, x + w)`` fits; the row is then taken up to ``x + w``."""
        for i, end in enumerate(self.rows):
            if x >= end:
                self.rows[i] = x + w
                return i
        self.rows.append(x + w)
        return len(self.rows) - 1

    @property
    def height(self) -> int:
        """Pixels this lane takes."""
        return max(1, len(self.rows)) * ROW + 6


@final
@dataclass(frozen=True, slots=True)
class Box:
    """A rectangle on a lane (attempt, record mark) or a diamond (delivery)."""

    lane: Lane
    row: int
    x: float
    w: float
    css: str
    tip: str
    seq: int


@final
@dataclass(slots=True)
class Layout:
    """Everything the page draws."""

    lanes: list[Lane]
    boxes: list[Box]
    axis: list[tuple[float, str]]
    width: float
    hidden_records: int = 0


def short(arn_or_id: str, keep: int = 28) -> str:
    """The tail of an ARN or id, short enough for a lane label."""
    tail = arn_or_id.rsplit(":", 1)[-1] if arn_or_id.startswith("arn:") else arn_or_id
    return tail if len(tail) <= keep else "…" + tail[-(keep - 1):]


def _gap(seconds: float) -> float:
    return 18 + 26 * math.log10(1 + seconds * 1000)


def _seconds(ns: int) -> str:
    return f"{ns / 1e9:.3f}".rstrip("0").rstrip(".") + " s"


def poison_records(ledger: Ledger) -> set[str]:
    """Records injected as poison by a fault rule, or isolated by bisection and still failing on their own."""
    out: set[str] = set()
    for f in ledger.faults:
        if f.fault.startswith("poison"):
            out.update(str(r) for r in f.detail.get("records", ()))
    for a in ledger.attempts:
        if a.bisect_depth > 0 and len(a.records) == 1 and a.outcome_of(a.records[0]) in FAILED:
            out.add(a.records[0])
    return out


def faulted_records(ledger: Ledger) -> set[str]:
    """Records and events a fault firing touched."""
    out = {f.event_id for f in ledger.faults if f.event_id}
    for f in ledger.faults:
        out.update(str(r) for r in f.detail.get("records", ()))
    return out


def attempt_tip(a: Attempt) -> str:
    """The hover text of an attempt."""
    lines = [f"attempt {a.attempt} of {a.event_id}", f"function {a.function}" + (f":{a.qualifier}" if a.qualifier
                                                                                   else ""),
             f"outcome {a.outcome.value}" + (f" — {a.error_type}: {a.error_message}" if a.error_type else ""),
             f"t={_seconds(a.start_ns)} → {_seconds(a.end_ns)} (#{a.seq})",
             f"{'cold' if a.cold else 'warm'} env {a.env_id or '-'}"]
    if a.records:
        lines.append(f"{len(a.records)} record(s), batch {a.batch_id or '-'}, bisect depth {a.bisect_depth}")
    if a.failed_items:
        lines.append("reported failed: " + ", ".join(a.failed_items))
    if a.checkpoint:
        lines.append(f"checkpoint {a.checkpoint}")
    if a.faults:
        lines.append("faults " + ", ".join(a.faults))
    if a.reason:
        lines.append(f"reason {a.reason}")
    return "\n".join(lines)


def _record_lanes(ledger: Ledger, attempts: list[Attempt]) -> tuple[list[str], int]:
    ids: dict[str, None] = {}
    for a in attempts:
        for r in a.records or (a.event_id,):
            ids.setdefault(r, None)
    fates = ledger.fates
    bad = [r for r in ids if (f := fates.get(r)) is not None and f.status.value not in ("succeeded", "filtered")]
    marked = poison_records(ledger) | faulted_records(ledger)
    first = [r for r in ids if r in marked and r not in bad]
    rest = [r for r in ids if r not in bad and r not in marked]
    chosen = set((bad + first + rest)[:MAX_RECORD_LANES])
    return [r for r in ids if r in chosen], max(0, len(ids) - MAX_RECORD_LANES)


def layout(ledger: Ledger) -> Layout:
    """The positions of every lane, attempt, record mark and delivery of ``ledger``."""
    attempts = list(ledger.attempts)
    deliveries = list(ledger.deliveries)
    slotted: dict[int, list[tuple[int, object]]] = {}
    for a in attempts:
        slotted.setdefault(a.start_ns, []).append((a.seq, a))
    for d in deliveries:
        slotted.setdefault(d.at_ns, []).append((d.seq, d))
    instants = sorted(set(slotted) | {a.end_ns for a in attempts})
    col: dict[int, float] = {}
    x = float(LABEL + 10)
    previous: int | None = None
    for t in instants:
        if previous is not None:
            x += _gap((t - previous) / 1e9)
        col[t] = x
        x += max(1, len(slotted.get(t, ()))) * SLOT
        previous = t
    lanes: dict[str, Lane] = {}

    def lane(key: str, label: str, kind: str, title: str) -> Lane:
        if key not in lanes:
            lanes[key] = Lane(key, label, kind, title)
        return lanes[key]

    for a in attempts:
        src = f" · {short(a.source, 18)}" if a.source else ""
        lane("f:" + a.function + (a.source or ""), a.function + src, "function", f"{a.function} {a.source or ''}")
    chosen, hidden = _record_lanes(ledger, attempts)
    poison = poison_records(ledger)
    fates = ledger.fates
    for r in chosen:
        ln = lane("r:" + r, short(r), "record", r)
        ln.poison = r in poison
        ln.fate = fates.get(r)
    for d in deliveries:
        lane("t:" + d.target, "→ " + short(d.target, 24), "target", d.target)
    faulted = faulted_records(ledger)
    at_x = {seq: col[t] + i * SLOT + 2 for t, entries in slotted.items()
            for i, seq in enumerate(sorted(e[0] for e in entries))}
    boxes: list[Box] = []
    for a in attempts:
        bx = at_x[a.seq]
        w = max(SLOT - 4.0, col[a.end_ns] - bx)
        fl = lanes["f:" + a.function + (a.source or "")]
        css = f"attempt outcome-{a.outcome.value}" + (" retry" if a.attempt > 1 else "")
        css += (" bisect" if a.bisect_depth else "") + (" faulted" if a.faults else "")
        tip = attempt_tip(a)
        boxes.append(Box(fl, fl.place(bx, w), bx, w, css, tip, a.seq))
        for r in a.records or (a.event_id,):
            rl = lanes.get("r:" + r)
            if rl is None:
                continue
            what = a.outcome_of(r) if a.records else a.outcome.value
            mark = f"mark rec-{what}" + (" poison" if r in poison else "") + (" faulted" if r in faulted else "")
            boxes.append(Box(rl, rl.place(bx, w), bx, w, mark, f"record {r}\nthis attempt: {what}\n{tip}", a.seq))
    for d in deliveries:
        bx = at_x[d.seq]
        tl = lanes["t:" + d.target]
        css = f"delivery kind-{d.kind}" + ("" if d.ok else " delivery-failed")
        parts = (f"{d.kind} → {d.target}", f"event {d.event_id}", f"t={_seconds(d.at_ns)} (#{d.seq})",
                 f"condition {d.condition}" if d.condition else "", "" if d.ok else f"FAILED: {d.detail}")
        tip = "\n".join(p for p in parts if p)
        boxes.append(Box(tl, tl.place(bx, SLOT - 4), bx, SLOT - 4, css, tip, d.seq))
    order = {"function": 0, "record": 1, "target": 2}
    ordered = sorted(lanes.values(), key=lambda ln: order[ln.kind])
    top = 30
    for ln in ordered:
        ln.top = top
        top += ln.height
    axis: list[tuple[float, str]] = []
    for t in instants:
        if not axis or col[t] - axis[-1][0] >= 64:
            axis.append((col[t], _seconds(t)))
    return Layout(ordered, boxes, axis, x + 20, hidden)
