"""lambdachaos.reports: what a run leaves behind for people, from its ledger alone.

Used by both the pytest plugin (``--lambdachaos-report``, the terminal summary) and ``lambdachaos run``:

- :class:`Figures`: the key figures of a simulation (invocations, retries, throttles, DLQ routes...);
- :func:`render_page`, :func:`write_page`, :func:`write_index`: the self-contained HTML timeline pages;
- :func:`cause`, :func:`causes`: why a record did not succeed, as one line (the handler's error).

Standard library only; this package never imports pytest or the pytest plugin.

>>> from lambdachaos import Sim
>>> from lambdachaos.reports import Figures, cause
>>> with Sim(seed=1) as sim:
...     fn = sim.function(lambda event, context: 1 / 0, name="divide")
...     request_id = fn.invoke_async({})
...     sim.run()
...     print(Figures.of(sim.ledger).line())
...     print(cause(sim.ledger, request_id))
invocations=3 retries=2 throttles=0 partial_failures=0 dlq=0 (async 0, redrive 0, on-failure 0) destinations=0 faults=0
ZeroDivisionError: division by zero
"""

from __future__ import annotations

from ._explain import cause, causes, last_error
from ._html import page_name, render_page, write_index, write_page
from ._summary import DLQ_ROUTES, Figures, dlq_route

__all__ = [
    "DLQ_ROUTES",
    "Figures",
    "cause",
    "causes",
    "dlq_route",
    "last_error",
    "page_name",
    "render_page",
    "write_index",
    "write_page",
]
