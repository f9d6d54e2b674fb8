"""Key figures of a simulation, computed from its ledger (terminal summary, JUnit properties, reports)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Final, final

if TYPE_CHECKING:
    from lambdachaos.ledger._ledger import Ledger


DLQ_ROUTES: Final = ("async", "redrive", "on_failure")
"""The routes into a dead-letter place, as labelled in summaries."""


def dlq_route(kind: str) -> str | None:
    """The DLQ route of a ledger delivery kind (``dlq``, ``queue_dlq``, ``on_failure``), else ``None``."""
    if kind == "queue_dlq":
        return "redrive"
    if kind == "on_failure":
        return "on_failure"
    if kind == "dlq" or kind.endswith("_dlq"):
        return "async"
    return None


@final
@dataclass(frozen=True, slots=True)
class Figures:
    """What happened in one test, summed over the simulations it created."""

    invocations: int = 0
    """Attempts that ran the handler (throttled and rejected attempts excluded)."""
    retries: int = 0
    """Attempts after the first of their event or batch (``attempt`` > 1)."""
    throttles: int = 0
    """Attempts refused with a throttle."""
    partial_failures: int = 0
    """Batches whose handler reported some items failed (outcome ``partial_failure``)."""
    dlq: int = 0
    """Records routed into a dead-letter place by any route: the three figures below summed."""
    dlq_async: int = 0
    """Successful deliveries to a function's (async) dead-letter queue."""
    dlq_redrive: int = 0
    """Messages an SQS redrive policy moved to their queue's dead-letter queue (``queue_dlq``)."""
    dlq_on_failure: int = 0
    """Successful deliveries to an on-failure destination (async and event source mappings)."""
    destinations: int = 0
    """Successful deliveries to an on-success or on-failure destination."""
    faults: int = 0
    """Fault firings."""

    @classmethod
    def of(cls, ledger: Ledger) -> Figures:
        """The figures of one ledger."""
        ran = [a for a in ledger.attempts if a.outcome.value not in ("throttled", "rejected")]
        ok = [d for d in ledger.deliveries if d.ok]
        routes = {route: sum(1 for d in ok if dlq_route(d.kind) == route) for route in DLQ_ROUTES}
        return cls(
            invocations=len(ran),
            retries=sum(1 for a in ran if a.attempt > 1),
            throttles=sum(1 for a in ledger.attempts if a.outcome.value == "throttled"),
            partial_failures=sum(1 for a in ran if a.outcome.value == "partial_failure"),
            dlq=sum(routes.values()),
            dlq_async=routes["async"],
            dlq_redrive=routes["redrive"],
            dlq_on_failure=routes["on_failure"],
            destinations=sum(1 for d in ok if d.kind.startswith("on_")),
            faults=len(ledger.faults),
        )

    def __add__(self, other: Figures) -> Figures:
        mine, theirs = asdict(self), asdict(other)
        return Figures(**{k: mine[k] + theirs[k] for k in mine})

    def as_dict(self) -> dict[str, int]:
        """The figures by name, in declaration order."""
        return asdict(self)

    def dlq_label(self) -> str:
        """``3 (async 1, redrive 1, on-failure 1)``: the DLQ total and its routes."""
        return (f"{self.dlq} (async {self.dlq_async}, redrive {self.dlq_redrive}, "
                f"on-failure {self.dlq_on_failure})")

    def headline(self) -> dict[str, str]:
        """The figures shown in summaries, by name: the DLQ routes folded into a labelled ``dlq``."""
        out: dict[str, str] = {}
        for k, v in asdict(self).items():
            if k.startswith("dlq_"):
                continue
            out[k] = self.dlq_label() if k == "dlq" else str(v)
        return out

    def line(self) -> str:
        """``invocations=3 retries=2 throttles=0 partial_failures=0 dlq=1 (async 1, redrive 0, on-failure 0)
        destinations=1 faults=0``."""
        return " ".join(f"{k}={v}" for k, v in self.headline().items())
