"""Self-contained HTML report pages: one interactive timeline per test, an index, the ledger JSON beside each.

Pages carry their CSS, JavaScript and data inline (no network access needed). The timeline is drawn
in SVG by the page's script: one swimlane per function and source (shard, queue, message group),
attempts as boxes coloured by outcome, retries linked, bisect depth labelled, deliveries to DLQs and
destinations as diamonds on their target's lane, fault firings as ticks; hovering shows the details.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lambdachaos._ledger import Ledger

    from ._summary import Figures

_CSS = """
body{font:14px system-ui,sans-serif;margin:24px;color:#1d2433;background:#fff}
h1{font-size:18px;margin:0 0 4px} .meta{color:#5b6475;margin-bottom:12px}
.figures span{display:inline-block;margin-right:14px;padding:2px 8px;background:#eef1f6;border-radius:4px}
svg{border:1px solid #d5dae3;background:#fbfcfe} .lane-label{font-size:12px;fill:#334}
.lane{fill:none;stroke:#e3e7ee} .attempt{stroke:#223;stroke-width:.6;cursor:pointer}
.retry{stroke-dasharray:3 2;stroke-width:1.4}.retry-link{stroke:#99a;stroke-dasharray:2 3;fill:none}
.bisect-label{font-size:10px;fill:#223}.delivery{stroke:#123;stroke-width:.8}.kind-dlq{fill:#b02a37}
.kind-on_failure{fill:#e8743b}.kind-on_success{fill:#2f7ebc}.delivery-failed{fill:#fff}.fault{fill:#c9184a}
#tip{position:fixed;display:none;background:#1d2433;color:#fff;padding:6px 8px;border-radius:4px;
font:12px ui-monospace,monospace;white-space:pre;pointer-events:none;max-width:640px}
table{border-collapse:collapse;margin-top:16px;font-size:12px}td,th{border-bottom:1px solid #e3e7ee;
padding:3px 8px;text-align:left}.legend span{margin-right:12px}.swatch{display:inline-block;width:10px;
height:10px;margin-right:4px;vertical-align:middle}
"""

_JS = r"""
(function(){
const data=JSON.parse(document.getElementById('ledger-data').textContent);
const NS='http://www.w3.org/2000/svg', svg=document.getElementById('timeline');
const tip=document.getElementById('tip');
const A=data.attempts, D=data.deliveries, F=data.faults;
const laneOf=a=>a.function+(a.source?' \u00b7 '+a.source.split(':').pop():'');
const lanes=[]; const idx={};
function lane(k){if(!(k in idx)){idx[k]=lanes.length;lanes.push(k);}return idx[k];}
A.forEach(a=>lane(laneOf(a))); D.forEach(d=>lane('\u2192 '+d.target.split(':').pop()));
const t=x=>parseFloat(x); let t0=Infinity,t1=-Infinity;
A.forEach(a=>{t0=Math.min(t0,t(a.start_s));t1=Math.max(t1,t(a.end_s));});
D.forEach(d=>{t0=Math.min(t0,t(d.at_s));t1=Math.max(t1,t(d.at_s));});
if(!isFinite(t0)){t0=0;t1=1;} if(t1<=t0)t1=t0+1;
const L=220,W=900,H=34,top=24; const x=s=>L+(s-t0)/(t1-t0)*W;
svg.setAttribute('width',L+W+70); svg.setAttribute('height',top+lanes.length*H+20);
function el(name,attrs,parent){const e=document.createElementNS(NS,name);
for(const k in attrs)e.setAttribute(k,attrs[k]);(parent||svg).appendChild(e);return e;}
function hover(e,text){const ti=el('title',{},e);ti.textContent=text;
e.addEventListener('mousemove',ev=>{tip.style.display='block';tip.textContent=text;
tip.style.left=(ev.clientX+12)+'px';tip.style.top=(ev.clientY+12)+'px';});
e.addEventListener('mouseleave',()=>{tip.style.display='none';});}
for(let i=0;i<=4;i++){const s=t0+(t1-t0)*i/4;const tx=el('text',{x:x(s),y:14,'class':'lane-label'});
tx.textContent=s.toFixed(3)+'s';}
lanes.forEach((k,i)=>{el('rect',{x:L,y:top+i*H+4,width:W,height:H-8,'class':'lane'});
const tx=el('text',{x:6,y:top+i*H+H/2+4,'class':'lane-label'});tx.textContent=k;});
const lastOf={};
A.forEach(a=>{const y=top+lane(laneOf(a))*H+8, x0=x(t(a.start_s)), w=Math.max(8,x(t(a.end_s))-x0);
const prev=lastOf[a.event_id];
if(prev&&a.attempt>1){el('path',{d:'M'+prev[0]+' '+prev[1]+' L'+x0+' '+(y+9),'class':'retry-link'});}
const r=el('rect',{x:x0,y:y,width:w,height:H-16,rx:2,'data-seq':a.seq,
'class':'attempt outcome-'+a.outcome+(a.attempt>1?' retry':'')+(a.bisect_depth>0?' bisect':'')});
hover(r,['attempt '+a.attempt+' of '+a.event_id,'function '+a.function+(a.qualifier?':'+a.qualifier:''),
'outcome '+a.outcome+(a.error_type?' '+a.error_type+': '+a.error_message:''),
'start '+a.start_s+'s end '+a.end_s+'s',(a.cold?'cold ':'warm ')+'env '+(a.env_id||'-'),
a.records.length?'records '+a.records.length+' batch '+(a.batch_id||'-')+' depth '+a.bisect_depth:'',
a.faults.length?'faults '+a.faults.join(', '):'',a.reason?'reason '+a.reason:''].filter(Boolean).join('\n'));
if(a.bisect_depth>0){const b=el('text',{x:x0+1,y:y-1,'class':'bisect-label'});
b.textContent='\u00bd'+a.bisect_depth;}
lastOf[a.event_id]=[x0+w,y+9];});
D.forEach(d=>{const cx=x(t(d.at_s)),cy=top+lane('\u2192 '+d.target.split(':').pop())*H+H/2;
const p=el('path',{d:'M'+cx+' '+(cy-7)+' L'+(cx+7)+' '+cy+' L'+cx+' '+(cy+7)+' L'+(cx-7)+' '+cy+' Z',
'class':'delivery kind-'+d.kind+(d.ok?'':' delivery-failed')});
hover(p,[d.kind+' \u2192 '+d.target,'event '+d.event_id,'at '+d.at_s+'s',
d.condition?'condition '+d.condition:'',
d.ok?'':'FAILED: '+d.detail].filter(Boolean).join('\n'));});
F.forEach(f=>{const cx=x(t(f.at_s)); const k=A.find(a=>a.event_id===f.event_id);
const cy=top+(k?lane(laneOf(k)):0)*H+4;
const p=el('path',{d:'M'+(cx-4)+' '+cy+' L'+(cx+4)+' '+cy+' L'+cx+' '+(cy+6)+' Z','class':'fault'});
hover(p,['fault '+f.fault,'effect '+f.effect,'at '+f.at_s+'s','event '+(f.event_id||'-')].join('\n'));});
document.getElementById('rendered').textContent=String(svg.querySelectorAll('.attempt').length);
})();
"""

_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title><style>{css}</style></head>
<body><h1>{title}</h1><div class="meta">{meta} · <a href="index.html">all tests</a> ·
<a href="{json_name}">ledger JSON</a> · rendered attempts: <span id="rendered">0</span></div>
<div class="figures">{figures}</div>
<div class="legend">{legend}</div>
<svg id="timeline" xmlns="http://www.w3.org/2000/svg" width="1160" height="60"></svg><div id="tip"></div>
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

_COLOURS = {"success": "#3aa76d", "function_error": "#d9534f", "timeout": "#f0a020", "throttled": "#8a6fd1",
            "system_error": "#6c757d", "rejected": "#343a40"}
_CSS += "".join(f".outcome-{k}{{fill:{v}}}.swatch.outcome-{k}{{background:{v}}}" for k, v in _COLOURS.items())


def page_name(nodeid: str) -> str:
    """A file-system-safe, collision-free base name for a test's page."""
    digest = hashlib.blake2b(nodeid.encode(), digest_size=4).hexdigest()
    return f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', nodeid)[-120:].strip('_')}-{digest}"


def _inline_json(value: Any) -> str:
    # "</" would end the script element early; "\u003c" keeps the JSON valid.
    return json.dumps(value, sort_keys=True).replace("<", "\\u003c")


def write_page(directory: Path, nodeid: str, outcome: str, seed: int, ledgers: list[Ledger],
               figures: Figures) -> Path:
    """Write ``<name>.html`` and its ``.ledger.json`` and ``.summary.json`` files; return the page."""
    directory.mkdir(parents=True, exist_ok=True)
    name = page_name(nodeid)
    ledger = ledgers[-1]
    (directory / f"{name}.ledger.json").write_text(ledger.to_json(), encoding="utf-8")
    data = ledger.to_dict()
    rows = "".join(f"<tr class='row'><td>{i + 1}</td><td>{html.escape(line)}</td></tr>"
                   for i, line in enumerate(ledger.timeline()))
    more = f" · timeline of the last of {len(ledgers)} simulations" if len(ledgers) > 1 else ""
    page = _PAGE.format(
        title=html.escape(nodeid), css=_CSS, js=_JS, json_name=f"{name}.ledger.json", rows=rows,
        meta=f"{html.escape(outcome)} · seed {seed}{more}",
        figures="".join(f"<span class='tile' data-figure='{k}'>{k.replace('_', ' ')} <b>{html.escape(v)}</b></span>"
                        for k, v in figures.headline().items()),
        legend="".join(f"<span><i class='swatch outcome-{o}'></i>{o}</span>" for o in _COLOURS),
        data=_inline_json(data),
    )
    path = directory / f"{name}.html"
    path.write_text(page, encoding="utf-8")
    summary = {"nodeid": nodeid, "outcome": outcome, "seed": seed, "page": path.name, **figures.as_dict(),
               "headline": figures.headline()}
    (directory / f"{name}.summary.json").write_text(json.dumps(summary, sort_keys=True), encoding="utf-8")
    return path


def write_index(directory: Path, run_seed: int) -> Path:
    """Write ``index.html`` linking every test page in ``directory`` (pages from all xdist workers)."""
    from ._summary import Figures

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
