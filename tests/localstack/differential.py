"""Run one scenario on the simulator and on LocalStack and reduce both ledgers to comparable facts.

Resource names differ (LocalStack runs get a per-run prefix, accounts differ), ids differ (request
and message ids are minted by each target), so each scenario returns its inputs in order and the
comparison is made per input: fate, condition, where it went (by resource name), attempt count and
the outcome of each attempt, in order.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

from lambdachaos import Sim


def facts(ledger: Any, ids: list[str], name_of: Callable[[str], str]) -> list[dict[str, Any]]:
    """Per input id: what the ledger says happened to it."""
    out = []
    for event_id in ids:
        fate = ledger.fate(event_id)
        out.append({
            "fate": fate.status.value,
            "condition": fate.condition,
            "destinations": [name_of(d) for d in fate.destinations],
            "attempts": fate.attempts,
            "outcomes": [a.outcome.value for a in ledger.attempts_for(event_id)],
            "deliveries": sorted((d.kind, name_of(d.target), d.condition or "") for d in ledger.deliveries
                                 if d.event_id == event_id),
        })
    return out


def sim_name(arn: str) -> str:
    return arn.rsplit(":", 1)[-1]


def on_sim(scenario: Callable[[Any], list[str]], **sim_options: Any) -> tuple[Sim, list[dict[str, Any]]]:
    """Run ``scenario`` on a fresh simulator; returns it (still open for reading) and the facts."""
    sim = Sim(seed=1, **sim_options)
    with sim, warnings.catch_warnings():
        # The scenarios use 1-2 s visibility timeouts so LocalStack's wall-clock redrive stays short.
        warnings.filterwarnings("ignore", message=r"queue .* has VisibilityTimeout=")
        ids = scenario(sim)
        sim.run()
    return sim, facts(sim.ledger, ids, sim_name)


def on_localstack(ls: Any, scenario: Callable[[Any], list[str]], *, timeout: float = 60.0) -> list[dict[str, Any]]:
    """Run ``scenario`` on a LocalStack target and wait for every input's fate."""
    ids = scenario(ls)
    ls.run(timeout=timeout)
    return facts(ls.ledger, ids, ls.logical)
