"""Game days, before anything changes: where (account and region), whether it can run, and what it relies on.

- :func:`resolve_region`: ``--region``, else the scenario's ``settings.region``, else ``AWS_REGION``, else the
  boto3 session's region (``AWS_DEFAULT_REGION`` / the profile); never a built-in default.
- :func:`identity`: the account and caller from ``sts:GetCallerIdentity`` (the plan prints them).
- :func:`setting_checks`: the settings the scenario's expectations rely on (dead-letter queues, asynchronous
  invocation settings, event source mapping settings, queue redrive policies), read from the account and
  compared with the scenario.
- :func:`preflight`: all of the above plus a describe call on every target and a permission check; ``--apply``
  stops with exit 2 before its first change when anything is missing.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final, final

from lambdachaos._arn import Arn
from lambdachaos._errors import LambdaChaosError
from lambdachaos.scenarios._model import Scenario

#: The API actions a game day calls (``iam:SimulatePrincipalPolicy`` checks them before ``--apply``).
ACTIONS: Final = (
    "ssm:GetParameter", "ssm:PutParameter", "ssm:DeleteParameter", "lambda:GetFunctionConfiguration",
    "lambda:UpdateFunctionConfiguration", "lambda:GetFunctionConcurrency", "lambda:PutFunctionConcurrency",
    "lambda:DeleteFunctionConcurrency", "lambda:InvokeFunction", "sqs:GetQueueUrl", "sqs:SendMessage",
    "sqs:ReceiveMessage", "sqs:GetQueueAttributes", "logs:FilterLogEvents", "kinesis:PutRecord",
)
_ASYNC_DEFAULTS: Final = {"MaximumRetryAttempts": 2, "MaximumEventAgeInSeconds": 21600}


class PreflightError(LambdaChaosError):
    """A game day cannot start: nothing was changed (``lambdachaos run --target aws --apply`` exits 2)."""


@final
@dataclass(frozen=True, slots=True)
class Check:
    """One setting the scenario relies on, as the account has it."""

    what: str
    ok: bool
    detail: str

    def __str__(self) -> str:
        return f"{'ok  ' if self.ok else 'DIFF'} {self.what}: {self.detail}"


def resolve_region(scenario: Scenario, explicit: str | None, session: Any) -> str:
    """The region a game day runs in (see the module docstring); :class:`PreflightError` when there is none."""
    region = (explicit or scenario.settings.get("region") or os.environ.get("AWS_REGION")
              or getattr(session, "region_name", None))
    if not region:
        raise PreflightError("no region: pass --region, set AWS_REGION, or set settings.region in the scenario")
    return str(region)


def identity(clients: Any) -> tuple[str | None, str]:
    """``(account id, caller ARN)``, or ``(None, why not)`` when the credentials do not work."""
    if clients.session is not None and clients.session.get_credentials() is None:
        return None, "no AWS credentials found (environment, profile, SSO or instance role)"
    try:
        ident = clients.sts.get_caller_identity()
    except Exception as exc:  # NoCredentialsError, ClientError (expired token, ...), EndpointConnectionError
        return None, f"sts:GetCallerIdentity failed: {_short(exc)}"
    return str(ident["Account"]), str(ident["Arn"])


def _short(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}".rstrip(": ")


def _named(arn: str | None, name: str) -> bool:
    parsed = Arn.maybe(arn)
    return parsed is not None and parsed.name == name


def _compare(what: str, pairs: Iterable[tuple[str, Any, Any]]) -> Check:
    diffs = [f"{key} is {actual!r} in the account, the scenario says {wanted!r}" for key, wanted, actual in pairs
             if wanted != actual]
    return Check(what, not diffs, "; ".join(diffs) or "as the scenario says")


def _function_checks(scenario: Scenario, clients: Any) -> list[Check]:
    checks: list[Check] = []
    lam = clients.lambda_
    for name, f in scenario.functions.items():
        try:
            cfg = lam.get_function_configuration(FunctionName=name)
        except Exception as exc:
            checks.append(Check(f"function {name}", False, f"cannot be described: {_short(exc)}"))
            continue
        checks.append(Check(f"function {name}", True, f"{cfg.get('FunctionArn', name)} exists"))
        if f.dead_letter_queue:
            target = (cfg.get("DeadLetterConfig") or {}).get("TargetArn")
            checks.append(Check(f"function {name} dead-letter queue", _named(target, f.dead_letter_queue),
                                f"DeadLetterConfig.TargetArn is {target!r}, the scenario says {f.dead_letter_queue}"))
        if f.async_config:
            checks.append(_async_check(name, f.async_config, lam))
    return checks


def _async_check(name: str, wanted: Any, lam: Any) -> Check:
    try:
        eic = lam.get_function_event_invoke_config(FunctionName=name)
    except Exception as exc:
        if "ResourceNotFound" not in type(exc).__name__ and "ResourceNotFound" not in str(exc):
            return Check(f"function {name} async settings", False, f"cannot be read: {_short(exc)}")
        eic = {}
    dest = eic.get("DestinationConfig") or {}
    pairs = [("MaximumRetryAttempts", wanted.get("maximum_retry_attempts", 2),
              eic.get("MaximumRetryAttempts", _ASYNC_DEFAULTS["MaximumRetryAttempts"])),
             ("MaximumEventAgeInSeconds", wanted.get("maximum_event_age_in_seconds", 21600),
              eic.get("MaximumEventAgeInSeconds", _ASYNC_DEFAULTS["MaximumEventAgeInSeconds"]))]
    for key, aws_key in (("on_failure", "OnFailure"), ("on_success", "OnSuccess")):
        actual = (dest.get(aws_key) or {}).get("Destination")
        want = wanted.get(key)
        pairs.append((f"DestinationConfig.{aws_key}", want, actual.rsplit(":", 1)[-1] if actual else None))
    return _compare(f"function {name} async settings", pairs)


_MAPPING_KEYS: Final = (("batch_size", "BatchSize"), ("maximum_retry_attempts", "MaximumRetryAttempts"),
                        ("maximum_batching_window_in_seconds", "MaximumBatchingWindowInSeconds"),
                        ("bisect_batch_on_function_error", "BisectBatchOnFunctionError"),
                        ("maximum_record_age_in_seconds", "MaximumRecordAgeInSeconds"))


def _mapping_checks(scenario: Scenario, clients: Any) -> list[Check]:
    checks: list[Check] = []
    for m in scenario.mappings:
        what = f"mapping {m.source} → {m.function}"
        try:
            found = clients.lambda_.list_event_source_mappings(FunctionName=m.function)["EventSourceMappings"]
        except Exception as exc:
            checks.append(Check(what, False, f"cannot be listed: {_short(exc)}"))
            continue
        esm = next((e for e in found if _named(e.get("EventSourceArn"), m.source)
                    or str(e.get("EventSourceArn", "")).endswith(f"/{m.source}")), None)
        if esm is None:
            checks.append(Check(what, False, "no such event source mapping in the account"))
            continue
        pairs = [(aws, m.settings[key], esm.get(aws)) for key, aws in _MAPPING_KEYS if key in m.settings]
        if "report_batch_item_failures" in m.settings:
            pairs.append(("FunctionResponseTypes", bool(m.settings["report_batch_item_failures"]),
                          "ReportBatchItemFailures" in (esm.get("FunctionResponseTypes") or ())))
        if "on_failure" in m.settings:
            actual = ((esm.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
            pairs.append(("DestinationConfig.OnFailure", m.settings["on_failure"],
                          actual.rsplit(":", 1)[-1] if actual else None))
        checks.append(_compare(what, pairs))
    return checks


def _queue_checks(scenario: Scenario, clients: Any) -> list[Check]:
    checks: list[Check] = []
    for name, q in scenario.queues.items():
        if "dead_letter_queue" not in q:
            continue
        what = f"queue {name} redrive policy"
        try:
            url = clients.sqs.get_queue_url(QueueName=name)["QueueUrl"]
            attrs = clients.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"])["Attributes"]
        except Exception as exc:
            checks.append(Check(what, False, f"cannot be read: {_short(exc)}"))
            continue

        policy = json.loads(attrs.get("RedrivePolicy") or "{}")
        target = str(policy.get("deadLetterTargetArn", "")).rsplit(":", 1)[-1] or None
        checks.append(_compare(what, [("deadLetterTargetArn", q["dead_letter_queue"], target),
                                      ("maxReceiveCount", q["max_receive_count"],
                                       int(policy["maxReceiveCount"]) if "maxReceiveCount" in policy else None)]))
    return checks


def setting_checks(scenario: Scenario, clients: Any) -> list[Check]:
    """Every setting the scenario's expectations rely on, compared with the account."""
    return _function_checks(scenario, clients) + _mapping_checks(scenario, clients) + _queue_checks(scenario, clients)


def _target_checks(scenario: Scenario, clients: Any) -> list[Check]:
    checks = []
    for t in scenario.traffic:
        what = f"traffic {t.name} target {t.kind} {t.target}"
        try:
            if t.kind == "queue":
                clients.sqs.get_queue_url(QueueName=t.target)
            elif t.kind == "stream":
                clients.kinesis.describe_stream_summary(StreamName=t.target)
            elif t.kind == "function":
                clients.lambda_.get_function_configuration(FunctionName=t.target)
            else:
                checks.append(Check(what, False, f"{t.kind} traffic is not injected by this game day"))
                continue
        except Exception as exc:
            checks.append(Check(what, False, f"cannot be described: {_short(exc)}"))
            continue
        checks.append(Check(what, True, "exists"))
    return checks


def permission_problems(clients: Any, caller_arn: str) -> list[str]:
    """Actions ``iam:SimulatePrincipalPolicy`` says the caller may not call (``[]`` when it cannot tell: then
    the describe calls above are the check, and a denied change is restored like any failure)."""
    principal = caller_arn
    if ":assumed-role/" in caller_arn:  # arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION → the role
        prefix, _, rest = caller_arn.partition(":assumed-role/")
        principal = prefix.replace(":sts:", ":iam:") + ":role/" + rest.split("/", 1)[0]
    try:
        result = clients.iam.simulate_principal_policy(PolicySourceArn=principal, ActionNames=list(ACTIONS))
    except Exception:
        return []
    return [f"{r['EvalActionName']} is {r['EvalDecision']}" for r in result.get("EvaluationResults", ())
            if r.get("EvalDecision") != "allowed"]


def preflight(scenario: Scenario, clients: Any) -> tuple[str, str]:
    """Check everything ``--apply`` needs; returns ``(account, caller ARN)`` or raises :class:`PreflightError`
    listing every problem."""
    account, caller = identity(clients)
    if account is None:
        raise PreflightError(f"pre-flight failed, nothing was changed: {caller}")
    problems = [str(c) for c in _target_checks(scenario, clients) + setting_checks(scenario, clients) if not c.ok]
    problems += [f"permission: {p}" for p in permission_problems(clients, caller)]
    if problems:
        raise PreflightError("pre-flight failed, nothing was changed:\n" + "".join(f"  {p}\n" for p in problems)
                             .rstrip("\n"))
    return account, caller
