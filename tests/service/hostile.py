"""Running a hostile-handler case in a child interpreter with a hard timeout, so a regression fails
instead of hanging the suite."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from typing import Any

HARD_TIMEOUT_S = 120


def run_case(body: str, *, timeout: float = HARD_TIMEOUT_S) -> tuple[dict[str, Any], subprocess.CompletedProcess[str]]:
    """Run ``body`` (which must print one JSON line starting with ``RESULT ``) in a fresh interpreter."""
    script = "import json, sys, warnings\nwarnings.simplefilter('ignore')\n" + textwrap.dedent(body)
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=timeout, check=False
    )
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT "):]), proc
    raise AssertionError(f"no result (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
