"""The HTML report opened in a real headless Chromium: the timeline renders one box per attempt."""

from __future__ import annotations

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
