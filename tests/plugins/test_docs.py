"""Every python block of docs/pytest-plugin.md is a test module that passes under the plugin."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "pytest-plugin.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


def test_the_guide_has_examples():
    assert len(BLOCKS) >= 3


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_the_guide_example_passes(pytester, code):
    pytester.makepyfile(code)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)
