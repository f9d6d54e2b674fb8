"""The HTML report opened in a real headless Chromium: the timeline renders one box per attempt."""

from __future__ import annotations

import itertools
import os
import re
import shutil
import struct
import subprocess
import zlib

import pytest

SCENARIO = """
def fails(event, context):
    raise RuntimeError("payment down")

def test_three_attempts_then_the_dlq(lambda_sim):
    dlq = lambda_sim.sqs_queue("dlq")
    fn = lambda_sim.function(fails, name="orders", dead_letter_queue=dlq)
    fn.invoke_async({"order": 1})
    fn.invoke_async({"order": 2})
    lambda_sim.run()
"""
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
    # nothing leaves the machine: no background requests, component updates or DNS prefetching
    "--disable-background-networking",
    "--disable-component-update",
    "--dns-prefetch-disable",
]


def _under_ci():
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def _chromium():
    """The Chromium binary. Never installed from here: .ci/run installs Debian's ``chromium`` when it is missing."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if _under_ci():
        pytest.fail("Chromium is not installed under CI=true: .ci/run installs it (apt-get install -y chromium)")
    pytest.skip("Chromium is not installed (no chromium or chromium-browser on PATH); .ci/run installs it, or "
                "run: apt-get install -y chromium")


@pytest.fixture(scope="module")
def chromium():
    return _chromium()


def _png_pixels_vary(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        if kind == b"IHDR":
            width = struct.unpack(">I", data[pos + 8 : pos + 12])[0]
        elif kind == b"IDAT":
            idat += data[pos + 8 : pos + 8 + length]
        pos += 12 + length
    return width > 0 and len(set(zlib.decompress(idat))) > 16


def test_the_timeline_renders_one_box_per_attempt(pytester, chromium, tmp_path):
    pytester.makepyfile(SCENARIO)
    pytester.runpytest("-p", "no:cacheprovider", "--lambdachaos-report=rep").assert_outcomes(passed=1)
    [page] = (pytester.path / "rep").glob("*three_attempts*.html")
    base = [chromium, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run(
        [*base, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=60
    ).stdout
    assert len(re.findall(r'class="attempt outcome-function_error', dom)) == 6
    assert len(re.findall(r'class="delivery kind-dlq', dom)) == 2
    assert re.search(r'id="rendered">6<', dom)
    shot = tmp_path / "timeline.png"
    subprocess.run(
        [*base, f"--screenshot={shot}", "--window-size=1280,720", page.as_uri()],
        capture_output=True,
        timeout=60,
        check=True,
    )
    assert _png_pixels_vary(shot.read_bytes())


# ---- the rendered page, measured by the browser ------------------------------------------------------------

PROBE = """<script>
(function(){const box=e=>{const r=e.getBoundingClientRect();return {x:r.left,y:r.top,w:r.width,h:r.height,
cls:e.getAttribute('class')||'',seq:e.getAttribute('data-seq'),tip:e.getAttribute('data-tip')||'',
text:Array.from(e.childNodes).filter(n=>n.nodeType===3).map(n=>n.textContent).join('')||e.textContent,
lane:e.getAttribute('data-lane-label'),depth:e.parentElement?e.parentElement.getAttribute('data-depth'):null};};
const pick=s=>Array.from(document.querySelectorAll(s)).map(box);
const out={attempts:pick('svg rect.attempt'),marks:pick('svg rect.mark'),deliveries:pick('svg path.delivery'),
labels:pick('svg text.lane-label'),axis:pick('svg text.axis'),fates:pick('svg text.fate'),
nodes:pick('.bnode>.blabel'),problems:pick('#problems tr.problem'),links:Array.from(document.querySelectorAll('a'))
.map(a=>a.getAttribute('href')),verdicts:pick('#lambdachaos-verdicts tr.fail')};
const pre=document.createElement('pre');pre.id='probe';pre.textContent=JSON.stringify(out);
document.body.appendChild(pre);})();
</script>"""

BISECT = """
import base64, json

def poison(event, context):
    for r in event["Records"]:
        if json.loads(base64.b64decode(r["kinesis"]["data"]))["n"] == 3:
            raise ValueError("poison order 3")

def test_bisect(lambda_sim):
    stream = lambda_sim.kinesis_stream("orders", shards=1)
    failures = lambda_sim.sqs_queue("orders-failures")
    fn = lambda_sim.function(poison, name="consumer")
    lambda_sim.map(stream, fn, batch_size=4, bisect_batch_on_function_error=True, maximum_retry_attempts=0,
                   on_failure=failures)
    records = stream.put([json.dumps({"n": n}) for n in (1, 2, 3, 4)])
    open("poison.txt", "w").write(records[2].event_id)
    lambda_sim.run()
"""

PARTIAL = """
def partial(event, context):
    return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in event["Records"] if r["body"] == "bad"]}

def test_partial(lambda_sim):
    dlq = lambda_sim.sqs_queue("orders-dlq")
    queue = lambda_sim.sqs_queue("orders", visibility_timeout=30, dead_letter_queue=dlq, max_receive_count=2)
    fn = lambda_sim.function(partial, name="orders")
    lambda_sim.map(queue, fn, batch_size=10, function_response_types=["ReportBatchItemFailures"])
    for b in ("good", "bad", "good", "good"):
        queue.send(b)
    lambda_sim.run()
"""


def _measure(chromium, page, tmp_path):
    probe = page.with_name(page.stem + ".probe.html")
    probe.write_text(page.read_text().replace("</body>", PROBE + "</body>"), encoding="utf-8")
    dom = subprocess.run(
        [chromium, *FLAGS, "--dns-prefetch-disable", f"--user-data-dir={tmp_path / 'profile'}",
         "--window-size=1400,1000", "--dump-dom", probe.as_uri()],
        capture_output=True, text=True, timeout=60,
    ).stdout
    found = re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S)
    assert found, dom[-2000:]
    import html
    import json

    return json.loads(html.unescape(found.group(1)))


def _overlap(a, b):
    across = a["x"] < b["x"] + b["w"] and b["x"] < a["x"] + a["w"]
    return across and a["y"] < b["y"] + b["h"] and b["y"] < a["y"] + a["h"]


def _no_overlaps(items):
    clashes = [(a["text"] or a["cls"], b["text"] or b["cls"]) for i, a in enumerate(items) for b in items[i + 1:]
               if _overlap(a, b)]
    assert not clashes, clashes


def _page(pytester, source, pattern):
    pytester.makepyfile(source)
    pytester.runpytest("-p", "no:cacheprovider", "--lambdachaos-report=rep").assert_outcomes(passed=1)
    [page] = (pytester.path / "rep").glob(f"*{pattern}*[!e].html")
    return page


def _common(m):
    _no_overlaps(m["labels"] + m["axis"] + m["fates"])
    _no_overlaps(m["attempts"])
    _no_overlaps(m["marks"])
    _no_overlaps(m["nodes"])
    for a in m["attempts"] + m["marks"]:
        assert a["w"] >= 20 and a["h"] >= 10  # visible, not a sliver


def test_a_bisect_draws_every_attempt_apart_a_tree_and_the_poison_record(pytester, chromium, tmp_path):
    m = _measure(chromium, _page(pytester, BISECT, "test_bisect"), tmp_path)
    _common(m)
    attempts = sorted(m["attempts"], key=lambda a: int(a["seq"]))
    assert [a["cls"].split()[1] for a in attempts] == [
        "outcome-function_error", "outcome-success", "outcome-function_error", "outcome-function_error",
        "outcome-success"]
    xs = [a["x"] for a in attempts]
    assert xs == sorted(xs) and len(set(xs)) == 5  # all at t=0, laid out by sequence
    assert len({a["y"] for a in attempts}) == 1
    assert [lb["lane"] for lb in m["labels"]] == ["function", "record", "record", "record", "record", "target"]
    poison_id = (pytester.path / "poison.txt").read_text()
    [poison] = [lb for lb in m["labels"] if "lane-poison" in lb["cls"]]
    assert poison["text"].startswith("☠") and poison_id.endswith(poison["text"].split("…")[-1])
    poison_marks = [k for k in m["marks"] if "poison" in k["cls"]]
    assert len(poison_marks) == 3 and len({round(k["y"]) for k in poison_marks}) == 1
    assert abs(poison_marks[0]["y"] - poison["y"]) < 16  # on the poison record's lane
    # the tree: 1 root, 2 halves, 2 quarters of the second half; each level below the one above
    depths = {}
    for n in m["nodes"]:
        depths.setdefault(n["depth"], []).append(n)
    assert {d: len(v) for d, v in depths.items()} == {"0": 1, "1": 2, "2": 2}
    assert min(n["y"] for n in depths["1"]) > depths["0"][0]["y"] + depths["0"][0]["h"]
    assert min(n["y"] for n in depths["2"]) > max(n["y"] + n["h"] for n in depths["1"])
    assert any("poison" in n["text"] for n in depths["2"])
    [problem] = m["problems"]
    assert "ValueError: poison order 3" in problem["text"] and "on_failure" in problem["text"]
    [delivery] = m["deliveries"]
    assert "kind-on_failure" in delivery["cls"]


def test_a_partial_sqs_batch_shows_which_message_failed_and_where_it_ended(pytester, chromium, tmp_path):
    m = _measure(chromium, _page(pytester, PARTIAL, "test_partial"), tmp_path)
    _common(m)
    assert [a["cls"].split()[1] for a in m["attempts"]] == ["outcome-partial_failure"] * 2
    failed = [k for k in m["marks"] if "rec-failed" in k["cls"]]
    ok = [k for k in m["marks"] if "rec-success" in k["cls"]]
    assert (len(failed), len(ok)) == (2, 3)
    assert len({round(k["y"]) for k in failed}) == 1  # both on one record's lane
    assert failed[0]["x"] == min(a["x"] for a in m["attempts"])  # aligned with the attempts that carried it
    assert "reported failed: " in failed[0]["tip"]
    fates = sorted(m["fates"], key=lambda f: f["y"])
    assert [f["text"] for f in fates] == ["✓", "✗ DLQ", "✓", "✓"]
    assert abs(fates[1]["y"] - failed[0]["y"]) < 16
    [delivery] = m["deliveries"]
    assert "kind-queue_dlq" in delivery["cls"] and delivery["x"] > max(a["x"] for a in m["attempts"])
    [problem] = m["problems"]
    assert "dead_lettered" in problem["text"] and "reported in batchItemFailures" in problem["text"]


def test_an_async_retry_page_lines_up_attempts_records_and_deliveries(pytester, chromium, tmp_path):
    m = _measure(chromium, _page(pytester, SCENARIO.replace("    fn.invoke_async({\"order\": 2})\n", ""),
                                 "three_attempts"), tmp_path)
    _common(m)
    attempts = sorted(m["attempts"], key=lambda a: a["x"])
    assert len(attempts) == 3 and all("RuntimeError: payment down" in a["tip"] for a in attempts)
    gaps = [b["x"] - a["x"] for a, b in itertools.pairwise(attempts)]
    assert gaps[1] > gaps[0] > 0  # 60 s, then 120 s: the later gap is wider
    assert sorted(k["x"] for k in m["marks"]) == [a["x"] for a in attempts]
    [delivery] = m["deliveries"]
    assert delivery["x"] > attempts[-1]["x"]
    assert [f["text"] for f in m["fates"]] == ["✗ DLQ"]
    assert set(m["links"]) >= {"index.html"} and any(link.endswith(".ledger.json") for link in m["links"])


def test_without_chromium_the_browser_test_skips_with_the_reason_outside_ci(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"^Chromium is not installed \(no chromium or "):
        _chromium()


def test_without_chromium_the_browser_test_fails_under_ci(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=r"^Chromium is not installed under CI=true: \.ci/run installs"):
        _chromium()


def test_chromium_is_started_with_every_networking_feature_off():
    for flag in ("--disable-background-networking", "--disable-component-update", "--dns-prefetch-disable"):
        assert flag in FLAGS
