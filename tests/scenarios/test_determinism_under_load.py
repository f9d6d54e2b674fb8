"""Determinism under load: the bundled scenarios give byte-identical ledgers with CPU hogs running beside them."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys

import pytest

from lambdachaos.scenarios import bundled, load_scenario, run_scenario

BUNDLED = ("async-dlq", "egress-outage", "kinesis-poison")
HOG = "while True: pass"


def ledger_bytes(name: str) -> str:
    return run_scenario(load_scenario(bundled(name)), seed=7).sim.ledger.to_json()


@contextlib.contextmanager
def cpu_hogs():
    """One busy-looping process per CPU, started here and stopped by PID on the way out."""
    hogs = [subprocess.Popen([sys.executable, "-c", HOG]) for _ in range(min(os.cpu_count() or 2, 4))]
    try:
        yield [hog.pid for hog in hogs]
    finally:
        for hog in hogs:
            os.kill(hog.pid, signal.SIGKILL)
            hog.wait(timeout=30)


@pytest.mark.parametrize("name", BUNDLED)
def test_a_bundled_scenario_gives_the_same_ledger_bytes_with_cpu_hogs_beside_it(name):
    quiet = ledger_bytes(name)
    with cpu_hogs() as pids:
        loaded = ledger_bytes(name)
        assert all(os.waitpid(pid, os.WNOHANG) == (0, 0) for pid in pids)  # the hogs ran the whole time
    assert loaded == quiet
