"""Nothing passes silently: every fault rule of a scenario must fire at least once.

A rule that never fired means the run tested nothing of what the rule describes, so its verdict
(``fault <id> fires``) fails. A rule marked ``optional: true`` may stay unfired. A rule that the chosen
target cannot fire at all (:func:`unreachable`) makes the run NOT EVALUATED, with the reason, never
passed: on LocalStack and AWS the deployable wrapper injects invocation and outbound faults only, and on
LocalStack every AWS call goes to a loopback endpoint, which an egress fault always lets through.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from typing import TYPE_CHECKING, Final

from lambdachaos.faults import FaultPlan
from lambdachaos.faults._catalogue import FaultCategory
from lambdachaos.scenarios._expect import Verdict

if TYPE_CHECKING:
    from lambdachaos.ledger._ledger import Ledger
    from lambdachaos.scenarios._model import Scenario

KIND: Final = "fault"
"""The ``kind`` of the verdicts this module adds."""
_SERVICE_CATEGORIES: Final = {FaultCategory.THROTTLE: "concurrency", FaultCategory.DELIVERY: "delivery"}


def unreachable(plan: FaultPlan, target: str) -> dict[str, str]:
    """Rule id → why ``target`` (``sim``, ``localstack`` or ``aws``) cannot fire that rule at all."""
    if target == "sim":
        return {}
    out: dict[str, str] = {}
    for rule in plan.rules:
        fault = rule.fault
        what = _SERVICE_CATEGORIES.get(type(fault).category)
        if what is not None:
            out[str(rule.id)] = (f"{fault.kind} is a {what} fault of the Lambda service, which the simulator "
                                 f"applies; on {target} the deployable wrapper injects invocation and outbound "
                                 "faults only")
        elif fault.kind == "egress-loss" and target == "localstack" and not getattr(fault, "blocked_hosts", ()):
            out[str(rule.id)] = ("on localstack every AWS call goes to the loopback endpoint, which egress-loss "
                                 "always lets through (loopback stays inside a VPC); list a host the handler "
                                 "calls in blocked_hosts, or run on the simulator")
    return out


def firings(plan: FaultPlan, ledger: Ledger) -> dict[str, int]:
    """How often each rule of ``plan`` fired in ``ledger`` (the simulator writes ``<kind>:<id>``, a rebuilt
    LocalStack or AWS ledger the id alone)."""
    seen = Counter(record.fault for record in ledger.faults)
    return {str(r.id): seen.get(str(r.id), 0) + seen.get(f"{r.fault.kind}:{r.id}", 0) for r in plan.rules}


def fault_verdicts(scenario: Scenario, ledger: Ledger, *, skip: Collection[str] = ()) -> list[Verdict]:
    """One verdict per rule that must fire (not optional, not in ``skip``): passed when it fired at least once."""
    fired = firings(scenario.faults, ledger)
    verdicts = []
    for rule in scenario.faults.rules:
        rid = str(rule.id)
        if rid in scenario.optional_faults or rid in skip:
            continue
        n = fired.get(rid, 0)
        evidence = () if n else (
            f"no ledger entry names fault {rid}: its target and when never matched what ran",
            "mark the rule optional: true if a run may rightly leave it unfired",
        )
        verdicts.append(Verdict(name=f"fault {rid} fires", kind=KIND, line=scenario.fault_lines.get(rid, 0),
                                passed=n > 0, expected="at least 1 firing", observed=f"{n} firing(s)",
                                evidence=evidence))
    return verdicts


def blocking(scenario: Scenario, target: str) -> list[tuple[str, int, str]]:
    """``(rule id, line, reason)`` for each required rule ``target`` cannot fire: the run is NOT EVALUATED."""
    return [(rid, scenario.fault_lines.get(rid, 0), reason)
            for rid, reason in unreachable(scenario.faults, target).items() if rid not in scenario.optional_faults]


def notes(scenario: Scenario, target: str) -> list[str]:
    """A note per optional rule ``target`` cannot fire (it is left out of the verdicts)."""
    return [f"faults.{rid} (optional) cannot fire on {target}: {reason}"
            for rid, reason in unreachable(scenario.faults, target).items() if rid in scenario.optional_faults]


