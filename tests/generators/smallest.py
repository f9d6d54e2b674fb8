"""The smallest example of a strategy (its shrink target), found in this process.

It used to run in a fresh interpreter: after a test where the real-time guard stopped a handler, a shrink
here ran until the suite's timeout. The cause (the guard left CPython's asynchronous-exception flag raised,
and hypothesis traces the test function while shrinking) is fixed in the guard, and
``test_shrink_after_guard.py`` keeps it fixed.
"""

from __future__ import annotations

from typing import Any

from hypothesis import find, settings

from lambdachaos.generators import strategies


def smallest(expression: str) -> Any:
    """The shrunk example of ``expression`` (Python code naming ``strategies.<name>(...)``)."""
    strategy = eval(expression, {"strategies": strategies})
    return find(strategy, lambda value: True, settings=settings(max_examples=50, deadline=None, database=None))
