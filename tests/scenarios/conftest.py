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


def fake_aws_env(monkeypatch, tmp_path, region: str) -> None:
    """Test credentials and ``region`` only: no profile, no config file, no instance metadata lookups."""
    for name in ("AWS_PROFILE", "AWS_DEFAULT_REGION", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_REGION", region)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
