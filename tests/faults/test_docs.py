"""Every python block of docs/faults.md runs (so the fault docs cannot rot)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "faults.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


@pytest.mark.parametrize("code", BLOCKS, ids=[f"faults.md#{i}" for i in range(len(BLOCKS))])
def test_the_fault_docs_example_runs(code):
    exec(compile(code, str(DOC), "exec"), {"__name__": "docs_faults_example"})


def test_the_fault_docs_have_examples():
    assert len(BLOCKS) >= 4
