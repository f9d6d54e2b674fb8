"""Helpers for the scenario tests: a minimal valid scenario and a writer for files in ``tmp_path``."""

from __future__ import annotations

import textwrap

import pytest

MINIMAL = """\
version: 1
name: tiny
functions:
  orders:
    handler: lambdachaos.scenarios._handlers.accept
traffic:
  - function: orders
    count: 2
"""


@pytest.fixture
def write(tmp_path):
    def _write(text: str, name: str = "scenario.yaml"):
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return _write
