"""The example applications' own test suites pass, run as their teams would run them (so they cannot rot)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.mark.parametrize(("app", "tests"), [("sam_app", 19), ("cdk_app", 6)])
def test_the_example_suite_passes(tmp_path, app, tests):
    folder = EXAMPLES / app
    if not (folder / "tests").is_dir():
        pytest.fail(f"{folder} has no tests folder")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider",
         "--lambdachaos-summary=none", "--basetemp", str(tmp_path / "base"), str(folder / "tests")],
        cwd=folder, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert result.stdout.splitlines()[-1].startswith(f"{tests} passed")
