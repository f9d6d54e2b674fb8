from __future__ import annotations

import pytest

from lambdachaos import Sim


@pytest.fixture
def sim():
    with Sim(seed=1) as s:
        yield s
