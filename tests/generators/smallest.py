"""The smallest example of a strategy, found in a fresh interpreter.

A shrink target is a property of the strategy alone. In the suite's process, after some earlier tests,
hypothesis's shrinker was seen running past the per-test timeout (bounded only by its own five-minute
budget), so the search runs where nothing else has run."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

_SCRIPT = """
import json, sys
from hypothesis import find, settings
from lambdachaos.generators import strategies

strategy = eval(sys.argv[1], {"strategies": strategies})
found = find(strategy, lambda value: True, settings=settings(max_examples=50, deadline=None, database=None))
print(json.dumps(found))
"""


def smallest(expression: str) -> Any:
    """The shrunk example of ``expression`` (Python code naming ``strategies.<name>(...)``)."""
    proc = subprocess.run([sys.executable, "-P", "-c", _SCRIPT, expression], capture_output=True, text=True,
                          timeout=100)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)
