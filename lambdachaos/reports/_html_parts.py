"""Sections of a report page besides the timeline: what did not succeed (with the handler's error) and
the bisect trees of stream batches."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, final

from ._explain import cause
from ._layout import poison_records, short

if TYPE_CHECKING:
    from lambdachaos.ledger._ledger import Attempt, Ledger


def problems_section(ledger: Ledger, limit: int = 25) -> str:
    """A table of the records that did not succeed: fate, condition, attempts, cause and where they ended."""
    bad = [f for f in ledger.fates.values() if f.status.value not in ("succeeded", "filtered")]
    if not bad:
        return "<section id='problems'><h2>Every record succeeded</h2></section>"
    poison = poison_records(ledger)
    rows = []
    for f in sorted(bad, key=lambda f: (f.at_ns or 0, f.event_id))[:limit]:
        where = ", ".join(short(d, 40) for d in f.destinations) or "-"
        mark = " <span class='poison-tag'>poison</span>" if f.event_id in poison else ""
        rows.append(
            f"<tr class='problem'><td title='{html.escape(f.event_id)}'>{html.escape(short(f.event_id, 40))}{mark}"
            f"</td><td>{f.status.value}</td><td>{html.escape(f.condition or '-')}</td><td>{f.attempts}</td>"
            f"<td class='cause'>{html.escape(cause(ledger, f.event_id)) or '-'}</td><td>{html.escape(where)}</td></tr>")
    more = f"<p>{len(bad) - limit} more not shown</p>" if len(bad) > limit else ""
    return (f"<section id='problems'><h2>{len(bad)} record(s) did not succeed</h2><table><thead><tr><th>record</th>"
            "<th>fate</th><th>condition</th><th>attempts</th><th>cause (handler error)</th><th>ended in</th>"
            f"</tr></thead><tbody>{''.join(rows)}</tbody></table>{more}</section>")


@final
@dataclass(slots=True)
class _Node:
    records: tuple[str, ...]
    depth: int
    attempts: list[Attempt] = field(default_factory=list)
    children: list[_Node] = field(default_factory=list)


def bisect_trees(ledger: Ledger) -> list[_Node]:
    """Per stream batch that was bisected: a tree of its halves, each node with its attempts."""
    nodes: dict[tuple[str, int, tuple[str, ...]], _Node] = {}
    roots: list[_Node] = []
    open_nodes: dict[str, list[_Node]] = {}
    for a in ledger.attempts:
        if not a.records or a.source is None:
            continue
        key = (a.source, a.bisect_depth, a.records)
        node = nodes.get(key)
        if node is None:
            node = nodes[key] = _Node(a.records, a.bisect_depth)
            parents = [n for n in open_nodes.get(a.source, ()) if n.depth == a.bisect_depth - 1
                       and set(a.records) <= set(n.records)]
            if parents:
                parents[-1].children.append(node)
            elif a.bisect_depth == 0:
                roots.append(node)
            open_nodes.setdefault(a.source, []).append(node)
        node.attempts.append(a)
    return [r for r in roots if r.children]


def _node_html(node: _Node, poison: set[str]) -> str:
    chips = "".join(
        f"<span class='chip outcome-{a.outcome.value}' title='{html.escape(_chip_tip(a))}'>{a.attempt}</span>"
        for a in node.attempts)
    first, last = short(node.records[0], 14), short(node.records[-1], 14)
    span = first if len(node.records) == 1 else f"{first} … {last}"
    bad = len(node.records) == 1 and node.records[0] in poison
    kids = "".join(_node_html(c, poison) for c in node.children)
    return (f"<div class='bnode{' poison' if bad else ''}' data-depth='{node.depth}'><div class='blabel'>"
            f"<b>{len(node.records)} record(s)</b> depth {node.depth}{' · poison' if bad else ''}<br>"
            f"<span class='range'>{html.escape(span)}</span><br>{chips}</div>"
            + (f"<div class='bkids'>{kids}</div>" if kids else "") + "</div>")


def _chip_tip(a: Attempt) -> str:
    err = f" {a.error_type}: {a.error_message}" if a.error_type else ""
    return f"attempt {a.attempt} at t={a.start:.3f} s (#{a.seq}): {a.outcome.value}{err}"


def bisect_section(ledger: Ledger) -> str:
    """The bisect trees as nested boxes (empty when no batch was split)."""
    trees = bisect_trees(ledger)
    if not trees:
        return ""
    poison = poison_records(ledger)
    return ("<section id='bisect'><h2>Bisected batches</h2><p>Each box is a batch or half of one; the numbered "
            "chips are its attempts, coloured by outcome.</p>"
            + "".join(f"<div class='btree'>{_node_html(t, poison)}</div>" for t in trees) + "</section>")
