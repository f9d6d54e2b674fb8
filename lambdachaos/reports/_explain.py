"""Why a record did not succeed, in one line: the handler error of its latest failed attempt.

Shared by the HTML report's problems table, the scenario verdicts (``lambdachaos run``) and their text output.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from ._layout import FAILED

if TYPE_CHECKING:
    from lambdachaos.ledger._ledger import Attempt, Ledger


def last_error(ledger: Ledger, record_id: str) -> Attempt | None:
    """The latest attempt that failed for ``record_id`` (its error type and message say why)."""
    found = None
    for a in ledger.attempts_for(record_id):
        what = a.outcome_of(record_id) if a.records else a.outcome.value
        if what in FAILED:
            found = a
    return found


def cause(ledger: Ledger, record_id: str) -> str:
    """``ValueError: bad order`` (or the outcome) of the latest failed attempt of a record."""
    a = last_error(ledger, record_id)
    if a is None:
        return ""
    if a.error_type:
        return f"{a.error_type}: {a.error_message}"
    if a.records and record_id in a.failed_items:
        return "reported in batchItemFailures"
    return a.reason or a.outcome.value


def causes(ledger: Ledger, evidence: Iterable[str]) -> list[str]:
    """The distinct causes (:func:`cause`) of the records named in ``evidence`` lines, in ledger order."""
    text = "\n".join(evidence)
    found: dict[str, None] = {}
    for record_id in ledger.fates:
        if record_id in text:
            why = cause(ledger, record_id)
            if why:
                found.setdefault(why, None)
    return list(found)
