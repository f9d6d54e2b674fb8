"""Key figures of a simulation, computed from its ledger (terminal summary, JUnit properties, reports)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, final

if TYPE_CHECKING:
    from lambdachaos._ledger import Ledger


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
    dlq: int = 0
    """Successful deliveries to a dead-letter queue."""
    destinations: int = 0
    """Successful deliveries to an on-success or on-failure destination."""
    faults: int = 0
    """Fault firings."""

    @classmethod
    def of(cls, ledger: Ledger) -> Figures:
        """The figures of one ledger."""
        ran = [a for a in ledger.attempts if a.outcome.value not in ("throttled", "rejected")]
        ok = [d for d in ledger.deliveries if d.ok]
        return cls(
            invocations=len(ran),
            retries=sum(1 for a in ran if a.attempt > 1),
            throttles=sum(1 for a in ledger.attempts if a.outcome.value == "throttled"),
            dlq=sum(1 for d in ok if d.kind == "dlq"),
            destinations=sum(1 for d in ok if d.kind.startswith("on_")),
            faults=len(ledger.faults),
        )

    def __add__(self, other: Figures) -> Figures:
        mine, theirs = asdict(self), asdict(other)
        return Figures(**{k: mine[k] + theirs[k] for k in mine})

    def as_dict(self) -> dict[str, int]:
        """The figures by name, in declaration order."""
        return asdict(self)

    def line(self) -> str:
        """``invocations=3 retries=2 throttles=0 dlq=1 destinations=1 faults=0``."""
        return " ".join(f"{k}={v}" for k, v in asdict(self).items())
