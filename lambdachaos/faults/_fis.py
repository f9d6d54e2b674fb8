"""Export a fault plan to an AWS FIS experiment template for a real game day.

Lambda faults map to the FIS Lambda extension's actions (``aws:lambda:invocation-add-delay``,
``aws:lambda:invocation-error``, ``aws:lambda:invocation-http-integration-response``) on
``aws:lambda:function``
targets; VPC egress loss maps to ``aws:network:disrupt-connectivity`` on ``aws:ec2:subnet`` targets.
Everything
FIS cannot express is listed in :attr:`FisExport.unsupported` with the reason, never dropped silently.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, final

from ._catalogue import HttpIntegrationResponse, InvocationDelay, InvocationError
from ._errors import bad_value
from ._net_faults import EgressLoss

if TYPE_CHECKING:
    from ._plan import FaultPlan, FaultRule

__all__ = ["FisExport", "to_fis_template"]

_FUNCTIONS = "Functions"
_SUBNETS = "Subnets"


@final
@dataclasses.dataclass(frozen=True, kw_only=True)
class FisExport:
    """The experiment template (``template``, the ``CreateExperimentTemplate`` request shape) and the rules it
    could not express as ``(rule id, reason)`` pairs."""

    template: dict[str, Any]
    unsupported: tuple[tuple[str, str], ...]


_WAIT = "aws:fis:wait"


def _percentage(rule: FaultRule, unsupported: list[tuple[str, str]]) -> str:
    """``invocationPercentage``: FIS takes an integer from 1 to 100; anything else is listed, never rounded away."""
    pct = rule.when.invocation_percentage
    if pct is None:
        return "100"
    exported = min(100, max(1, round(pct)))
    if exported != pct:
        unsupported.append((str(rule.id), f"invocation_percentage={pct:g}: FIS takes a whole percentage from 1 to "
                            f"100, exported as {exported}"))
    return str(exported)


def _iso(seconds: float) -> str:
    return f"PT{int(seconds)}S"


def _window(rule: FaultRule, duration: str, unsupported: list[tuple[str, str]]) -> tuple[float, str]:
    """The rule's start (whole seconds after the experiment starts) and its FIS ``duration``.

    A window ``[start, end)`` is exact in FIS as a wait action of ``start`` seconds followed (``startAfter``) by
    the fault action lasting ``end - start``; fractional seconds are rounded and listed.
    """
    start, end = rule.when.start_seconds or 0.0, rule.when.end_seconds
    whole_start = float(round(start))
    if end is None:
        if whole_start != start:
            unsupported.append((str(rule.id), f"start_seconds={start:g} exported as {whole_start:g} (FIS waits whole "
                                "seconds)"))
        return whole_start, duration
    whole_end = float(round(end))
    if (whole_start, whole_end) != (start, end):
        unsupported.append((str(rule.id), f"window [{start:g}, {end:g}) exported as [{whole_start:g}, {whole_end:g}) "
                            "(FIS waits and lasts whole seconds)"))
    return whole_start, _iso(max(1.0, whole_end - whole_start))


def _lost_conditions(rule: FaultRule) -> str | None:
    w, t = rule.when, rule.target
    lost = [
        name
        for name, value in (
            ("attempts", w.attempts),
            ("every_nth", w.every_nth),
            ("first", w.first),
            ("target.records", t.records),
            ("target.event_source", t.event_source),
        )
        if value
    ]
    return ", ".join(lost) or None


def _checked_arns(name: str, arns: Iterable[str], kind: str, example: str) -> list[str]:
    out = list(arns)
    for arn in out:
        if not (isinstance(arn, str) and arn.startswith("arn:") and kind in arn):
            raise bad_value(name, arn, f"FIS targets resources by ARN ({kind}...)", f"Pass {example}.")
    return out


def to_fis_template(
    plan: FaultPlan,
    *,
    role_arn: str,
    function_arns: Iterable[str] = (),
    subnet_arns: Iterable[str] = (),
    subnet_tags: Mapping[str, str] | None = None,
    duration: str = "PT10M",
    description: str = "lambdachaos fault plan",
) -> FisExport:
    """Build an FIS experiment template from ``plan``.

    ``function_arns`` are the Lambda functions' ARNs (with the FIS Lambda extension layer attached; names are
    refused) and ``subnet_arns`` (or ``subnet_tags``) the function's VPC subnets; ``duration`` is the ISO-8601
    duration of a rule without an end. A time window ``[start, end)`` becomes an ``aws:fis:wait`` action and
    the fault action ``startAfter`` it, lasting ``end - start``. What FIS cannot express (attempts, every_nth,
    first, record matches, fractional percentages or seconds, host-level egress rules) is listed in
    ``unsupported``; a target with nothing to select is refused.
    """
    if not role_arn.startswith("arn:"):
        raise bad_value(
            "role_arn", role_arn, "FIS needs the ARN of the experiment role", "Pass arn:aws:iam::..."
        )
    functions = _checked_arns("function_arns", function_arns, ":function:",
                              "arn:aws:lambda:<region>:<account>:function:<name>")
    subnets = _checked_arns("subnet_arns", subnet_arns, ":subnet/", "arn:aws:ec2:<region>:<account>:subnet/<id>")
    actions: dict[str, Any] = {}
    unsupported: list[tuple[str, str]] = []
    for rule in plan.rules:
        f, rid = rule.fault, str(rule.id)
        if isinstance(f, InvocationDelay | InvocationError | HttpIntegrationResponse):
            params: dict[str, str] = {"invocationPercentage": _percentage(rule, unsupported)}
            if isinstance(f, InvocationDelay):
                action = "aws:lambda:invocation-add-delay"
                params["startupDelayMilliseconds"] = str(f.startup_delay_milliseconds)
            elif isinstance(f, InvocationError):
                action = "aws:lambda:invocation-error"
                params["preventExecution"] = "true" if f.prevent_execution else "false"
            else:
                action = "aws:lambda:invocation-http-integration-response"
                params.update(
                    statusCode=str(f.status_code),
                    contentTypeHeader=f.content_type_header,
                    preventExecution="true" if f.prevent_execution else "false",
                )
            target, what = _FUNCTIONS, ""
        elif isinstance(f, EgressLoss):
            if f.nat_gateway or f.allowed_hosts or f.blocked_hosts:
                unsupported.append((rid, "disrupt-connectivity cuts whole scopes; NAT/host-level rules need a "
                                    "security group or NACL change instead"))
                continue
            # scope "all" denies everything leaving the subnets; endpoint exceptions cannot be kept.
            params, action = {"scope": "all"}, "aws:network:disrupt-connectivity"
            target, what = _SUBNETS, " (egress loss)"
            if f.gateway_endpoints or f.interface_endpoints or f.mode.value != "blackhole":
                unsupported.append((rid, "exported as scope=all: FIS drops traffic (blackhole) and cannot keep "
                                    "VPC endpoints reachable or choose the failure mode"))
        else:
            unsupported.append((rid, f"FIS has no action for {f.kind!r}"))
            continue
        start, params["duration"] = _window(rule, duration, unsupported)
        params = {"duration": params.pop("duration"), **params}
        entry: dict[str, Any] = {"actionId": action, "description": f"lambdachaos rule {rid}{what}",
                                 "parameters": params, "targets": {target: target}}
        if start > 0:
            actions[f"{rid}-wait"] = {"actionId": _WAIT, "description": f"start of rule {rid}'s window",
                                      "parameters": {"duration": _iso(start)}}
            entry["startAfter"] = [f"{rid}-wait"]
        actions[rid] = entry
        if isinstance(f, EgressLoss):
            continue
        if (lost := _lost_conditions(rule)) is not None:
            unsupported.append((rid, f"exported without its conditions FIS cannot express: {lost}"))
    targets: dict[str, Any] = {}
    if any(a.get("targets", {}).get(_FUNCTIONS) for a in actions.values()):
        if not functions:
            raise bad_value("function_arns", functions, "the Functions target would select nothing",
                            "Pass the ARN of every function the plan faults.")
        targets[_FUNCTIONS] = {"resourceType": "aws:lambda:function", "resourceArns": functions,
                               "selectionMode": "ALL"}
    if any(a.get("targets", {}).get(_SUBNETS) for a in actions.values()):
        if not subnets and not subnet_tags:
            raise bad_value("subnet_arns", subnets, "the Subnets target of an egress fault would select nothing",
                            "Pass the function's subnet ARNs (or a subnet tag filter).")
        targets[_SUBNETS] = {"resourceType": "aws:ec2:subnet", "selectionMode": "ALL",
                             **({"resourceArns": subnets} if subnets else {"resourceTags": dict(subnet_tags or {})})}
    template = {
        "description": description,
        "roleArn": role_arn,
        "targets": targets,
        "actions": actions,
        "stopConditions": [{"source": "none"}],
        "tags": {"lambdachaos": "fault-plan"},
    }
    return FisExport(template=template, unsupported=tuple(unsupported))
