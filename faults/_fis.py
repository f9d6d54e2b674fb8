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
from collections.abc import Iterable
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


def _percentage(rule: FaultRule) -> str:
    pct = rule.when.invocation_percentage
    return str(round(pct if pct is not None else 100.0))


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


def to_fis_template(
    plan: FaultPlan,
    *,
    role_arn: str,
    function_arns: Iterable[str] = (),
    subnet_arns: Iterable[str] = (),
    duration: str = "PT10M",
    description: str = "lambdachaos fault plan",
) -> FisExport:
    """Build an FIS experiment template from ``plan``.

    ``function_arns`` are the Lambda functions (with the FIS Lambda extension layer attached) and
    ``subnet_arns`` the function's VPC subnets; ``duration`` is the ISO-8601 action duration. Rules whose
    ``when`` has conditions FIS has no term for (attempts, every_nth, first, record matches) are exported
    without
    them and listed in ``unsupported`` too.
    """
    if not role_arn.startswith("arn:"):
        raise bad_value(
            "role_arn", role_arn, "FIS needs the ARN of the experiment role", "Pass arn:aws:iam::..."
        )
    functions, subnets = list(function_arns), list(subnet_arns)
    actions: dict[str, Any] = {}
    unsupported: list[tuple[str, str]] = []
    for rule in plan.rules:
        f, rid = rule.fault, str(rule.id)
        params: dict[str, str] = {"duration": duration}
        if isinstance(f, InvocationDelay | InvocationError | HttpIntegrationResponse):
            params["invocationPercentage"] = _percentage(rule)
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
            actions[rid] = {
                "actionId": action,
                "description": f"lambdachaos rule {rid}",
                "parameters": params,
                "targets": {_FUNCTIONS: _FUNCTIONS},
            }
        elif isinstance(f, EgressLoss):
            if f.nat_gateway or f.allowed_hosts or f.blocked_hosts:
                unsupported.append(
                    (
                        rid,
                        "disrupt-connectivity cuts whole scopes; NAT/host-level rules need a "
                        "security group or NACL change instead",
                    )
                )
                continue
            # scope "all" denies everything leaving the subnets; endpoint exceptions cannot be kept.
            params["scope"] = "all"
            actions[rid] = {
                "actionId": "aws:network:disrupt-connectivity",
                "description": f"lambdachaos rule {rid} (egress loss)",
                "parameters": params,
                "targets": {_SUBNETS: _SUBNETS},
            }
            if f.gateway_endpoints or f.interface_endpoints or f.mode.value != "blackhole":
                unsupported.append(
                    (
                        rid,
                        "exported as scope=all: FIS drops traffic (blackhole) and cannot keep "
                        "VPC endpoints reachable or choose the failure mode",
                    )
                )
            continue
        else:
            unsupported.append((rid, f"FIS has no action for {f.kind!r}"))
            continue
        if (lost := _lost_conditions(rule)) is not None:
            unsupported.append((rid, f"exported without its conditions FIS cannot express: {lost}"))
    targets: dict[str, Any] = {}
    if any(a["targets"].get(_FUNCTIONS) for a in actions.values()):
        targets[_FUNCTIONS] = {
            "resourceType": "aws:lambda:function",
            "resourceArns": functions,
            "selectionMode": "ALL",
        }
    if any(a["targets"].get(_SUBNETS) for a in actions.values()):
        targets[_SUBNETS] = {
            "resourceType": "aws:ec2:subnet",
            "resourceArns": subnets,
            "selectionMode": "ALL",
        }
    template = {
        "description": description,
        "roleArn": role_arn,
        "targets": targets,
        "actions": actions,
        "stopConditions": [{"source": "none"}],
        "tags": {"lambdachaos": "fault-plan"},
    }
    return FisExport(template=template, unsupported=tuple(unsupported))
