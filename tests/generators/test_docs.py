"""The python examples in docs/generators.md run, and its source table lists every source."""

from __future__ import annotations

import re
import sys
import types
from pathlib import Path

from lambdachaos.generators import SOURCES

DOC = Path(__file__).resolve().parents[2] / "docs" / "generators.md"


def test_every_python_block_of_the_generators_doc_runs():
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)
    assert len(blocks) >= 3
    for block in blocks:
        module = types.ModuleType("docs_example")
        sys.modules["docs_example"] = module  # dataclasses look their module up
        try:
            exec(compile(block, str(DOC), "exec"), module.__dict__)
        finally:
            del sys.modules["docs_example"]


def test_the_doc_table_lists_every_source():
    text = DOC.read_text()
    assert all(f"| `{name}` |" in text for name in SOURCES)
