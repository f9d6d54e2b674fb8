"""Shrinking stays fast after the real-time guard stopped a handler in the same process.

The guard stops a runaway handler with an asynchronous exception and, when the invocation ends, withdraws
any that is still pending. On CPython 3.11 and 3.12 withdrawing one still raises the interpreter's
"asynchronous exception pending" flag, and only a thread that then finds an exception of its own lowers it.
Left raised, a traced thread spins at its next function entry: hypothesis traces the test function once an
example failed (``find`` counts every match as one), so a shrink after such a test ran until the suite's
timeout while it takes about a second in a fresh interpreter. Each check runs in a child interpreter with a
hard deadline, since the failure mode is a hang.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytest.importorskip("hypothesis")

_AFTER_THE_GUARD = """
import faulthandler, json, sys, time
faulthandler.dump_traceback_later(30, exit=True)  # a hang ends the child with its stacks
from lambdachaos import Sim

with Sim(seed=1, guard_seconds=0.2) as sim:
    def spins(event, context):
        while True:
            pass
    result = sim.function(spins, name="spins").invoke({})
stopped = result.payload["errorType"]

def traced():
    return sum(range(10))

sys.settrace(lambda *args: None)  # what a coverage tool, a debugger or hypothesis's explain phase does
value = traced()
sys.settrace(None)

from hypothesis import find, settings
from lambdachaos.generators import strategies
start = time.process_time()
found = find(strategies.sqs_records(), lambda v: True, settings=settings(max_examples=50, deadline=None,
                                                                          database=None))
print(json.dumps({"stopped": stopped, "traced": value, "records": len(found),
                  "shrink_cpu_s": time.process_time() - start}))
"""


def test_a_shrink_after_the_guard_stopped_a_handler_finishes(tmp_path):
    proc = subprocess.run([sys.executable, "-P", "-c", _AFTER_THE_GUARD], capture_output=True, text=True,
                          cwd=tmp_path, timeout=150)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout)
    assert (out["stopped"], out["traced"], out["records"]) == ("LambdaChaos.RealTimeGuard", 45, 1)
    assert out["shrink_cpu_s"] < 30, out  # about 1 s of CPU; before the fix it never finished
