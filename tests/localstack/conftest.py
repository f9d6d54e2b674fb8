"""LocalStack for the ``localstack``-marked tests: started once per session by the manager.

If LocalStack cannot be installed or started the fixture fails when ``CI`` is set (CI must run
these tests) and skips otherwise.
"""

from __future__ import annotations

import os
import time

import pytest

from lambdachaos.targets import _ls_manager as manager
from lambdachaos.targets._ls_target import LocalStackTarget


@pytest.fixture(scope="session")
def localstack():
    """A running LocalStack with short retry and poll delays (``FAST_SETTINGS``)."""
    already = manager.status()
    started = time.monotonic()
    try:
        conn = manager.up(settings=dict(manager.FAST_SETTINGS), timeout=180)
    except Exception as exc:
        message = f"LocalStack {manager.LOCALSTACK_VERSION} could not be installed or started: {exc}"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    print(f"\nLocalStack ready at {conn.endpoint_url} after {time.monotonic() - started:.1f} s")
    yield conn
    if already is None or already.pid != conn.pid:
        manager.down()


@pytest.fixture
def ls(localstack, request):
    """A scenario run on LocalStack; its functions are deleted afterwards."""
    with LocalStackTarget(localstack, seed=1) as target:
        yield target
