"""Helpers over the loaded template: every resource is found by its logical id, nothing is built by hand."""

from __future__ import annotations

import pytest


@pytest.fixture
def orders_api(lambda_sim):
    """``POST /orders`` on the template's REST API (the SAM ``Api`` event)."""
    return lambda_sim.resources["ServerlessRestApi"]["POST /orders"]
