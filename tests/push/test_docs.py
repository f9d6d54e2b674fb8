"""The python examples of docs/push-sources.md run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "push-sources.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


@pytest.mark.parametrize("code", BLOCKS, ids=[f"example-{i}" for i in range(len(BLOCKS))])
def test_push_sources_doc_example_runs(code):
    exec(compile(code, str(DOC), "exec"), {"__name__": "docs_example"})


def test_the_doc_has_examples_for_http_s3_sns_schedules_and_failed_pushes():
    assert len(BLOCKS) == 8
