"""mypy --strict and ruff over the whole package, as it is installed (the three top-level folders
under the lambdachaos namespace), so the public surface stays typed and lint-clean.

Marked ``typecheck``: not part of the default run (they take minutes); ``.ci/run`` and
``python -m pytest -m typecheck tests/test_typing.py`` (with the ``dev`` extra) run them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _tree(tmp: Path) -> Path:
    """The installed layout, made of symbolic links to the sources."""
    pkg = tmp / "lambdachaos"
    pkg.mkdir(parents=True)
    for entry in (ROOT / "lambdachaos").iterdir():
        if entry.name != "__pycache__":
            (pkg / entry.name).symlink_to(entry)
    return tmp


@pytest.mark.slow
@pytest.mark.typecheck
@pytest.mark.timeout(660)  # mypy --strict over the whole package takes minutes on a loaded machine
def test_mypy_strict_passes_on_the_installed_layout(tmp_path):
    pytest.importorskip("mypy")
    tree = _tree(tmp_path / "tree")
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--config-file", str(ROOT / "pyproject.toml"),
         "-p", "lambdachaos"],
        cwd=tree, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]


@pytest.mark.slow
@pytest.mark.typecheck
@pytest.mark.timeout(360)
def test_ruff_finds_nothing():
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    if not Path(ruff).exists():
        pytest.skip("ruff is not installed")
    proc = subprocess.run([ruff, "check", "lambdachaos", "benchmarks"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-6000:]
