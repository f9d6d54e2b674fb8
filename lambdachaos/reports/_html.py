"""Self-contained HTML report pages: one per test (and per scenario run), an index, the ledger JSON beside each.

A page carries its CSS, SVG and a few lines of script inline (no network access needed). At the top:
the records that did not succeed, with their fate and the handler's error. Then the timeline, drawn in
SVG: a lane per function and source with its attempts coloured by outcome, a lane per record or event
with a mark for every attempt that carried it (coloured by what that attempt meant for the record:
``success``, ``failed``, ``not_checkpointed``...) and its fate at the end of the lane, and a lane per DLQ
or destination with its deliveries. Attempts at the same virtual instant are laid side by side in
ledger order. Poison records and records touched by a fault are marked. Bisected stream batches are
drawn as trees. Hovering shows the details, including the error message.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._html_parts import bisect_section, problems_section
from ._layout import LABEL, ROW, SLOT, Layout, layout
from ._summary import Figures

if TYPE_CHECKING:
    from lambdachaos.ledger._ledger import Ledger

_CSS = """
body{font:14px system-ui,sans-serif;margin:24px;color:#1d2433;background:#fff}
h1{font-size:18px;margin:0 0 4px} h2{font-size:15px;margin:18px 0 6px} .meta{color:#5b6475;margin-bottom:12px}
.figures span{display:inline-block;margin:0 10px 6px 0;padding:2px 8px;background:#eef1f6;border-radius:4px}
svg{border:1px solid #d5dae3;background:#fbfcfe;display:block} .lane-label{font-size:12px;fill:#334}
.axis{font-size:11px;fill:#5b6475} .lane{fill:none;stroke:#e3e7ee} .lane-record{fill:#f5f7fa;stroke:none}
.attempt,.mark{stroke:#223;stroke-width:.6;cursor:pointer} .retry{stroke-dasharray:3 2;stroke-width:1.2}
.faulted{stroke:#c9184a;stroke-width:2} .poison{stroke:#000;stroke-width:2.4}
.lane-poison{fill:#b02a37;font-weight:bold} .fate{font-size:12px} .delivery{stroke:#123;stroke-width:.8}
.kind-dlq,.kind-queue_dlq{fill:#b02a37}.kind-on_failure{fill:#e8743b}.kind-on_success{fill:#2f7ebc}
.delivery-failed{fill:#fff} #tip{position:fixed;display:none;background:#1d2433;color:#fff;padding:6px 8px;
border-radius:4px;font:12px ui-monospace,monospace;white-space:pre;pointer-events:none;max-width:640px}
table{border-collapse:collapse;margin-top:8px;font-size:12px}td,th{border-bottom:1px solid #e3e7ee;
padding:3px 8px;text-align:left} .legend{margin:8px 0;font-size:12px} .legend span{margin-right:12px;
white-space:nowrap} .swatch{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:middle;
border:1px solid #223} .poison-tag{background:#b02a37;color:#fff;border-radius:3px;padding:0 4px;font-size:11px}
.btree{margin:8px 0;overflow-x:auto} .bnode{display:inline-flex;flex-direction:column;align-items:center;
margin:4px;vertical-align:top} .blabel{border:1px solid #99a;border-radius:4px;padding:3px 6px;font-size:11px;
background:#fff;text-align:center;white-space:nowrap} .bnode.poison>.blabel{border:2px solid #b02a37}
.bkids{display:flex;flex-direction:row;align-items:flex-start;border-top:1px solid #99a;margin-top:4px}
.chip{display:inline-block;min-width:14px;margin:1px;border-radius:3px;color:#fff;font-size:10px}
.range{color:#5b6475} #failure pre{white-space:pre-wrap;background:#fdf0f0;border-left:4px solid #b02a37;
padding:8px;font-size:12px}
"""

_JS = r"""
(function(){const tip=document.getElementById('tip');
document.querySelectorAll('[data-tip]').forEach(e=>{const text=e.getAttribute('data-tip');
e.addEventListener('mousemove',ev=>{tip.style.display='block';tip.textContent=text;
tip.style.left=(ev.clientX+12)+'px';tip.style.top=(ev.clientY+12)+'px';});
e.addEventListener('mouseleave',()=>{tip.style.display='none';});});
document.getElementById('rendered').textContent=String(document.querySelectorAll('svg .attempt').length);})();
"""

_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title><style>{css}</style></head>
<body>{top}<h1>{title}</h1><div class="meta">{meta}{links} · rendered attempts: <span id="rendered">0</span></div>
<div class="figures">{figures}</div>{problems}
<h2>Timeline</h2><div class="legend">{legend}</div>
{svg}<div id="tip"></div>{bisect}
<h2>Every attempt and delivery</h2>
<table><thead><tr><th>#</th><th>timeline</th></tr></thead><tbody>{rows}</tbody></table>
<script type="application/json" id="ledger-data">{data}</script>
<script>{js}</script></body></html>
"""

_INDEX = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>lambdachaos report</title><style>{css}</style></head>
<body><h1>lambdachaos report</h1><div class="meta">run seed {seed} · {n} test(s)</div>
<table><thead><tr><th>test</th><th>outcome</th><th>seed</th>{heads}</tr></thead><tbody>{rows}</tbody></table>
</body></html>
"""

_COLOURS = {"success": "#3aa76d", "partial_failure": "#e0b400", "function_error": "#d9534f", "timeout": "#f0a020",
            "throttled": "#8a6fd1", "system_error": "#6c757d", "rejected": "#343a40"}
_RECORD_COLOURS = {"success": "#3aa76d", "failed": "#d9534f", "not_checkpointed": "#f3c8c6",
                   "function_error": "#d9534f", "timeout": "#f0a020", "throttled": "#8a6fd1",
                   "system_error": "#6c757d", "rejected": "#343a40", "partial_failure": "#e0b400"}
_FATES = {"succeeded": ("✓", "#2b8a4b"), "filtered": ("⊘", "#5b6475"), "dead_lettered": ("✗ DLQ", "#b02a37"),
          "on_failure": ("✗ on-failure", "#e8743b"), "dropped": ("✗ dropped", "#6c1d1d"),
          "pending": ("… pending", "#5b6475"), "expired": ("✗ expired", "#7a4b12")}
_CSS += "".join(f".outcome-{k}{{fill:{v};background:{v}}}" for k, v in _COLOURS.items())
_CSS += "".join(f".rec-{k}{{fill:{v}}}" for k, v in _RECORD_COLOURS.items())
_FATE_W = 190


def _attr(text: str) -> str:
    return html.escape(text, quote=True).replace("\n", "&#10;")


def _svg(lay: Layout) -> str:
    """The timeline as inline SVG."""
    height = (lay.lanes[-1].top + lay.lanes[-1].height if lay.lanes else 40) + 10
    width = lay.width + _FATE_W
    out = [f'<svg id="timeline" xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height}">']
    for x, label in lay.axis:
        out.append(f'<text class="axis" x="{x:.1f}" y="14">{html.escape(label)}</text>'
                   f'<line x1="{x:.1f}" x2="{x:.1f}" y1="18" y2="{height - 6}" stroke="#eef1f6"/>')
    out.append(f'<text class="axis" x="{lay.width:.0f}" y="14">fate</text>')
    for ln in lay.lanes:
        css = "lane-record" if ln.kind == "record" else "lane"
        out.append(f'<rect class="{css}" data-lane="{ln.kind}" x="{LABEL}" y="{ln.top + 2}" '
                   f'width="{lay.width - LABEL:.0f}" height="{ln.height - 4}"/>')
        label_css = "lane-label" + (" lane-poison" if ln.poison else "")
        prefix = "☠ " if ln.poison else ""
        out.append(f'<text class="{label_css}" data-lane-label="{ln.kind}" x="6" y="{ln.top + ROW / 2 + 6:.0f}">'
                   f'<title>{html.escape(ln.title)}</title>{html.escape(prefix + ln.label)}</text>')
        if ln.fate is not None:
            glyph, colour = _FATES[ln.fate.status.value]
            ended = f" {ln.fate.condition}" if ln.fate.condition and ln.fate.status.value != "succeeded" else ""
            at = "" if ln.fate.at is None else f" at t={ln.fate.at:g} s"
            tip = f"{ln.title}\nfate {ln.fate.status.value}{ended}{at}\nattempts {ln.fate.attempts}" + "".join(
                f"\n→ {d}" for d in ln.fate.destinations)
            out.append(f'<text class="fate fate-{ln.fate.status.value}" x="{lay.width + 4:.0f}" '
                       f'y="{ln.top + ROW / 2 + 6:.0f}" fill="{colour}" data-tip="{_attr(tip)}">'
                       f'{html.escape(glyph)}<title>{_attr(tip)}</title></text>')
    for b in lay.boxes:
        y = b.lane.top + 4 + b.row * ROW
        tip = _attr(b.tip)
        if b.css.startswith("delivery"):
            cx, cy = b.x + b.w / 2, y + (ROW - 4) / 2
            out.append(f'<path class="{b.css}" data-seq="{b.seq}" data-tip="{tip}" d="M{cx:.1f} {cy - 7:.1f} '
                       f'L{cx + 7:.1f} {cy:.1f} L{cx:.1f} {cy + 7:.1f} L{cx - 7:.1f} {cy:.1f} Z"><title>{tip}'
                       '</title></path>')
        else:
            out.append(f'<rect class="{b.css}" data-seq="{b.seq}" data-tip="{tip}" x="{b.x:.1f}" y="{y}" '
                       f'width="{b.w:.1f}" height="{ROW - 6}" rx="2"><title>{tip}</title></rect>')
    out.append("</svg>")
    return "".join(out)


def _legend() -> str:
    parts = [f"<span><i class='swatch outcome-{o}'></i>{o.replace('_', ' ')}</span>" for o in _COLOURS]
    parts.append("<span><i class='swatch' style='background:#f3c8c6'></i>record not checkpointed</span>")
    parts.append("<span><i class='swatch' style='border:2px solid #c9184a'></i>fault injected</span>")
    parts.append("<span><i class='swatch' style='border:2.4px solid #000'></i>☠ poison record</span>")
    parts.append("<span><i class='swatch kind-dlq' style='background:#b02a37'></i>DLQ delivery</span>")
    parts.append("<span><i class='swatch' style='background:#e8743b'></i>on-failure destination</span>")
    parts += [f"<span style='color:{c}'>{html.escape(g.split()[0])} {s.replace('_', ' ')}</span>"
              for s, (g, c) in _FATES.items()]
    parts.append(f"<span>same-instant attempts side by side ({SLOT} px each, in ledger order)</span>")
    return "".join(parts)


def page_name(nodeid: str) -> str:
    """A file-system-safe, collision-free base name for a test's page."""
    digest = hashlib.blake2b(nodeid.encode(), digest_size=4).hexdigest()
    return f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', nodeid)[-120:].strip('_')}-{digest}"


def _inline_json(value: Any) -> str:
    # "</" would end the script element early; "\u003c" keeps the JSON valid.
    return json.dumps(value, sort_keys=True).replace("<", "\\u003c")


def render_page(title: str, outcome: str, seed: int, ledgers: list[Ledger], figures: Figures, *,
                links: dict[str, str] | None = None, top: str = "") -> str:
    """One self-contained page; ``links`` maps link text to relative addresses (only links that exist)."""
    ledger = ledgers[-1]
    rows = "".join(f"<tr class='row'><td>{i + 1}</td><td>{html.escape(line)}</td></tr>"
                   for i, line in enumerate(ledger.timeline()))
    more = f" · timeline of the last of {len(ledgers)} simulations" if len(ledgers) > 1 else ""
    lay = layout(ledger)
    hidden = f" · {lay.hidden_records} more record(s) not drawn" if lay.hidden_records else ""
    return _PAGE.format(
        title=html.escape(title), css=_CSS, js=_JS, rows=rows, top=top,
        meta=f"{html.escape(outcome)} · seed {seed}{more}{hidden}",
        links="".join(f" · <a href='{html.escape(href)}'>{html.escape(text)}</a>"
                      for text, href in (links or {}).items()),
        figures="".join(f"<span class='tile' data-figure='{k}'>{k.replace('_', ' ')} <b>{html.escape(v)}</b></span>"
                        for k, v in figures.headline().items()),
        problems=problems_section(ledger), legend=_legend(), svg=_svg(lay), bisect=bisect_section(ledger),
        data=_inline_json(ledger.to_dict()),
    )


def write_page(directory: Path, nodeid: str, outcome: str, seed: int, ledgers: list[Ledger],
               figures: Figures, failure: str | None = None) -> Path:
    """Write ``<name>.html`` and its ``.ledger.json`` and ``.summary.json`` files; return the page.

    ``failure`` (the failed assertion's text) is shown first, above the records that did not succeed.
    """
    directory.mkdir(parents=True, exist_ok=True)
    name = page_name(nodeid)
    (directory / f"{name}.ledger.json").write_text(ledgers[-1].to_json(), encoding="utf-8")
    top = "" if failure is None else (
        f"<section id='failure'><h2>Why the test failed</h2><pre>{html.escape(failure[:4000])}</pre></section>")
    page = render_page(nodeid, outcome, seed, ledgers, figures, top=top,
                       links={"all tests": "index.html", "ledger JSON": f"{name}.ledger.json"})
    path = directory / f"{name}.html"
    path.write_text(page, encoding="utf-8")
    summary = {"nodeid": nodeid, "outcome": outcome, "seed": seed, "page": path.name, **figures.as_dict(),
               "headline": figures.headline()}
    (directory / f"{name}.summary.json").write_text(json.dumps(summary, sort_keys=True), encoding="utf-8")
    return path


def write_index(directory: Path, run_seed: int) -> Path:
    """Write ``index.html`` linking every test page in ``directory`` (pages from all xdist workers)."""
    directory.mkdir(parents=True, exist_ok=True)
    entries = sorted((json.loads(p.read_text(encoding="utf-8")) for p in directory.glob("*.summary.json")),
                     key=lambda e: e["nodeid"])
    keys = tuple(Figures().headline())
    rows = "".join(
        f"<tr><td><a href='{html.escape(e['page'])}'>{html.escape(e['nodeid'])}</a></td>"
        f"<td>{html.escape(e['outcome'])}</td><td>{e['seed']}</td>"
        + "".join(f"<td data-figure='{k}'>{html.escape(str(e.get('headline', {}).get(k, e.get(k, 0))))}</td>"
                  for k in keys) + "</tr>"
        for e in entries
    )
    path = directory / "index.html"
    path.write_text(_INDEX.format(css=_CSS, seed=run_seed, n=len(entries), rows=rows,
                                  heads="".join(f"<th>{k.replace('_', ' ')}</th>" for k in keys)), encoding="utf-8")
    return path
