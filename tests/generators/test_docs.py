"""The python examples in docs/generators.md run, and its source table lists every source."""

from __future__ import annotations

import re
import sys
import types
from pathlib import Path

from lambdachaos.generators import SOURCES

DOC = Path(__file__).resolve().parents[2] / "docs" / "generators.md"


def test_every_python_block_of_the_generators_doc_runs():
    text = DOC.read_text()
    matches = list(re.finditer(r"```python\n(.*?)```", text, flags=re.S))
    assert len(matches) >= 3
    for match in matches:
        # Pad with the doc's preceding lines so that line numbers (tracebacks, inspect.getsource) are the doc's.
        block = "\n" * text.count("\n", 0, match.start(1)) + match.group(1)
        module = types.ModuleType("docs_example")
        sys.modules["docs_example"] = module  # dataclasses look their module up
        try:
            exec(compile(block, str(DOC), "exec"), module.__dict__)
        finally:
            del sys.modules["docs_example"]


def test_the_doc_table_lists_every_source():
    text = DOC.read_text()
    assert all(f"| `{name}` |" in text for name in SOURCES)
