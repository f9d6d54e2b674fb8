"""The python examples of docs/mappings.md run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "mappings.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)


@pytest.mark.parametrize("code", BLOCKS, ids=[f"example-{i}" for i in range(len(BLOCKS))])
def test_mapping_doc_example_runs(code):
    exec(compile(code, str(DOC), "exec"), {"__name__": "docs_example"})


def test_the_doc_has_an_example_per_mapping_type_plus_tumbling_windows_and_recursion():
    assert len(BLOCKS) == 12  # plus SQS throttle backoff, what send/put return, Kafka, Amazon MQ, DocumentDB
