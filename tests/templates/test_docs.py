"""The python blocks of docs/templates.md run, from the repository root (they load the example applications)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
BLOCKS = re.findall(r"```python\n(.*?)```", (ROOT / "docs" / "templates.md").read_text(encoding="utf-8"), flags=re.S)


@pytest.mark.parametrize("code", BLOCKS)
def test_the_templates_page_examples_run(code, monkeypatch):
    monkeypatch.chdir(ROOT)
    exec(compile(code, "docs/templates.md", "exec"), {"__name__": "docs_templates"})


def test_the_readme_links_the_templates_page():
    assert "(docs/templates.md)" in (ROOT / "README.md").read_text(encoding="utf-8")
