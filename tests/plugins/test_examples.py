"""The example service's own test suite passes with the plugin (run as its team would run it)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "orders_service"


def test_the_example_service_suite_passes(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:randomly",
            "-o",
            f"cache_dir={tmp_path / 'cache'}",
            "--lambdachaos-summary=failed",
            str(EXAMPLE / "tests"),
        ],
        cwd=EXAMPLE,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout.splitlines()[-1]
