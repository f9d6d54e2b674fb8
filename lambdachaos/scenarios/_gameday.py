"""Game days in a real AWS account (``lambdachaos run SCENARIO --target aws``).

:func:`plan` lists exactly what a game day would create or change, without calling AWS: the fault plan
and kill switch in SSM Parameter Store, each faulted function's handler and environment (pointed at the
deployable fault wrapper, ``docs/faults.md``), reserved concurrency, the events it will inject, and
where the results will be read from. :func:`apply` records the current value of everything it is about to
change, makes the changes, injects the traffic, reads the results, and restores every change in reverse
order — also when it is interrupted (Ctrl-C) or fails half-way. ``--dry-run`` (print the plan) is the
default; ``--apply`` is needed to touch the account.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, TextIO, final

from lambdachaos.scenarios import _gameday_read as _read
from lambdachaos.scenarios import _traffic
from lambdachaos.scenarios._model import Scenario

WRAPPER_HANDLER: Final = "chaos.wrapper.handler"
"""The handler of the deployable fault wrapper when the ``faults`` folder ships as ``chaos/`` (a layer)."""
PARAMETER_ROOT: Final = "/lambdachaos"
_EPOCH_S: Final = 1_767_225_600.0  # 2026-01-01T00:00:00Z, the simulator's epoch: generated payload dates


@final
@dataclass(frozen=True, slots=True)
class Change:
    """One change a game day makes: which API, on what, the new value, and how it is undone."""

    service: str
    action: str
    resource: str
    value: Any
    restore: str


@final
@dataclass(slots=True)
class GameDayPlan:
    """Everything a game day would do, in order."""

    scenario: str
    changes: list[Change] = field(default_factory=list)
    injections: list[tuple[float, str, str, Any, str | None]] = field(default_factory=list)
    """``(wall seconds after start, kind, target, payload, partition key or message group)``."""
    results: list[str] = field(default_factory=list)

    def render(self) -> str:
        """The plan as the text ``--dry-run`` prints."""
        lines = [f"game day plan for scenario {self.scenario!r} (dry run: nothing was changed)", "", "changes:"]
        for i, c in enumerate(self.changes, 1):
            value = c.value if isinstance(c.value, str) else json.dumps(c.value, sort_keys=True)
            lines.append(f"  {i}. {c.service} {c.action} {c.resource}")
            lines.append(f"       set: {value[:300]}")
            lines.append(f"       restore: {c.restore}")
        kinds: dict[tuple[str, str], int] = {}
        for _, kind, target, _, _ in self.injections:
            kinds[(kind, target)] = kinds.get((kind, target), 0) + 1
        span = self.injections[-1][0] if self.injections else 0.0
        lines += ["", f"event injection ({len(self.injections)} events over {span:.1f} s):"]
        lines += [f"  {n} × {kind} → {target}" for (kind, target), n in sorted(kinds.items())]
        lines += ["", "results will be read from:"] + [f"  {r}" for r in self.results]
        lines += ["", "run with --apply to make these changes; every change is restored afterwards (also on Ctrl-C)."]
        return "\n".join(lines) + "\n"


_INJECT: Final = {"function": ("lambda", "Invoke"), "queue": ("sqs", "SendMessage"), "topic": ("sns", "Publish"),
                  "bus": ("events", "PutEvents"), "stream": ("kinesis", "PutRecord"), "table": ("dynamodb", "PutItem")}


def plan(scenario: Scenario, *, seed: int | None = None, region: str = "us-east-1") -> GameDayPlan:
    """The game-day plan for ``scenario`` (no AWS call is made)."""
    seed = scenario.seed if seed is None else seed
    root = f"{PARAMETER_ROOT}/{scenario.name}"
    p = GameDayPlan(scenario.name)
    faulted = _faulted_functions(scenario)
    if faulted:
        p.changes.append(Change("ssm", "PutParameter", f"{root}/plan", scenario.faults.to_json(indent=None),
                                "put back the previous value, or DeleteParameter if there was none"))
        p.changes.append(Change("ssm", "PutParameter", f"{root}/kill-switch", "false",
                                "put back the previous value, or DeleteParameter if there was none"))
    for name in faulted:
        env = {"LAMBDACHAOS_ENABLED": "true", "LAMBDACHAOS_HANDLER": "<current handler>",
               "LAMBDACHAOS_PLAN_PARAMETER": f"{root}/plan", "LAMBDACHAOS_KILL_SWITCH_PARAMETER": f"{root}/kill-switch",
               "LAMBDACHAOS_SEED": str(seed)}
        p.changes.append(Change("lambda", "UpdateFunctionConfiguration", name,
                                {"Handler": WRAPPER_HANDLER, "Environment.Variables (added)": env},
                                "put back the previous Handler and Environment"))
    for name, f in scenario.functions.items():
        if f.reserved_concurrency is not None:
            p.changes.append(Change("lambda", "PutFunctionConcurrency", name, f.reserved_concurrency,
                                    "put back the previous reserved concurrency, or DeleteFunctionConcurrency"))
    for spec in scenario.traffic:
        sends = (_traffic.replayed(spec, seed=seed, region=region, target_kind=spec.kind)[1] if spec.replay
                 else _traffic.generated(spec, seed=seed, epoch_s=_EPOCH_S, region=region, target_kind=spec.kind))
        service, action = _INJECT[spec.kind]
        kind = f"{service} {action}" + (f" ({spec.invocation})" if spec.kind == "function" else "")
        p.injections += [(s.at, kind, spec.target, s.payload, s.key) for s in sends]
    p.injections.sort(key=lambda i: i[0])
    p.results = _result_sources(scenario, faulted)
    return p


def _faulted_functions(scenario: Scenario) -> list[str]:
    if not len(scenario.faults):
        return []
    names = []
    for name in scenario.functions:
        for rule in scenario.faults.rules:
            if rule.target.function_name is None or rule.target.matches_function(name, None):
                names.append(name)
                break
    return names


def _result_sources(scenario: Scenario, faulted: list[str]) -> list[str]:
    out = [f"CloudWatch Logs /aws/lambda/{n} (the wrapper's lambdachaos JSON lines)" for n in faulted]
    for name, f in scenario.functions.items():
        if f.dead_letter_queue:
            out.append(f"dead-letter queue {f.dead_letter_queue} of {name} (GetQueueAttributes, no message consumed)")
        for key in ("on_success", "on_failure"):
            if key in f.async_config:
                out.append(f"{key} destination {f.async_config[key]} of {name}")
    for m in scenario.mappings:
        if "on_failure" in m.settings:
            out.append(f"on-failure destination {m.settings['on_failure']} of the {m.source} → {m.function} mapping")
        out.append(f"event source mapping {m.source} → {m.function} (GetEventSourceMapping LastProcessingResult)")
    for q, cfg in scenario.queues.items():
        if "dead_letter_queue" in cfg:
            out.append(f"redrive dead-letter queue {cfg['dead_letter_queue']} of queue {q}")
    return out


class Clients:
    """The boto3 clients a game day uses (``endpoint_url`` points them at LocalStack)."""

    def __init__(self, *, region: str = "us-east-1", endpoint_url: str | None = None, session: Any = None) -> None:
        import boto3

        s: Any = session or boto3.session.Session(region_name=region)
        kw: dict[str, Any] = {"endpoint_url": endpoint_url} if endpoint_url else {}
        self.lambda_ = s.client("lambda", **kw)
        self.ssm = s.client("ssm", **kw)
        self.sqs = s.client("sqs", **kw)
        self.sns = s.client("sns", **kw)
        self.events = s.client("events", **kw)
        self.kinesis = s.client("kinesis", **kw)
        self.logs = s.client("logs", **kw)


def _not_found(exc: Exception) -> bool:
    code = getattr(exc, "response", {}).get("Error", {}).get("Code", "")
    return code in ("ParameterNotFound", "ResourceNotFoundException")


def apply(p: GameDayPlan, clients: Clients, *, out: TextIO, speed: float = 1.0,
          sleep: Callable[[float], None] = time.sleep, topic_arns: Mapping[str, str] | None = None,
          scenario: Scenario | None = None, wait_seconds: float = 300.0, poll_seconds: float = 10.0,
          clock: Callable[[], float] = time.monotonic) -> dict[str, Any]:
    """Make the plan's changes, inject its events (paced: ``speed`` virtual seconds per wall second), and restore
    every change in reverse order, whatever happens. With ``scenario``, wait (at most ``wait_seconds``, polling
    every ``poll_seconds`` with a progress line) and read the results back before restoring, evaluate the
    expectations on them and print the verdict (``_gameday_read``). Returns what was done and read."""
    undo: list[Callable[[], None]] = []
    results: dict[str, Any] = {"injected": 0, "errors": []}
    injected: list[_read.Injected] = []
    t0_ms = int(time.time() * 1000)  # a game day runs on the wall clock: log events are filtered from here
    try:
        for c in p.changes:
            out.write(f"apply: {c.service} {c.action} {c.resource}\n")
            undo.append(_apply_change(c, clients))
        last = 0.0
        for at, kind, target, payload, key in p.injections:
            if at > last:
                sleep((at - last) / speed)
                last = at
            rid = _inject(clients, kind, target, payload, key, topic_arns or {})
            injected.append(_read.Injected(int(time.time() * 1000), kind, target, payload, key, rid))
            results["injected"] += 1
        out.write(f"injected {results['injected']} event(s)\n")
        if scenario is not None:
            results["readback"] = _read.wait_and_read(
                scenario, clients, functions=_faulted_functions(scenario), injected=injected, t0_ms=t0_ms, out=out,
                wait_seconds=wait_seconds, poll_seconds=poll_seconds, sleep=sleep, clock=clock)
    finally:
        for step in reversed(undo):
            try:
                step()
            except Exception as exc:  # keep restoring the rest; report every failure
                results["errors"].append(f"restore failed: {exc}")
                out.write(f"restore FAILED: {exc}\n")
        out.write(f"restored {len(undo) - len(results['errors'])} of {len(undo)} change(s)\n")
    if "readback" in results:
        out.write(_read.render(results["readback"]))
        results["verdict"] = results["readback"].verdict
    return results


def _apply_change(c: Change, clients: Clients) -> Callable[[], None]:
    if c.service == "ssm":
        ssm = clients.ssm
        try:
            before: str | None = ssm.get_parameter(Name=c.resource)["Parameter"]["Value"]
        except Exception as exc:
            if not _not_found(exc):
                raise
            before = None
        ssm.put_parameter(Name=c.resource, Value=c.value, Type="String", Overwrite=True)
        if before is None:
            return lambda: ssm.delete_parameter(Name=c.resource)
        return lambda: ssm.put_parameter(Name=c.resource, Value=before, Type="String", Overwrite=True)
    lam = clients.lambda_
    if c.action == "PutFunctionConcurrency":
        previous = lam.get_function_concurrency(FunctionName=c.resource).get("ReservedConcurrentExecutions")
        lam.put_function_concurrency(FunctionName=c.resource, ReservedConcurrentExecutions=c.value)
        if previous is None:
            return lambda: lam.delete_function_concurrency(FunctionName=c.resource)
        return lambda: lam.put_function_concurrency(FunctionName=c.resource, ReservedConcurrentExecutions=previous)
    cfg = lam.get_function_configuration(FunctionName=c.resource)
    handler, env = cfg["Handler"], dict((cfg.get("Environment") or {}).get("Variables") or {})
    added = dict(c.value["Environment.Variables (added)"], LAMBDACHAOS_HANDLER=handler)
    lam.update_function_configuration(FunctionName=c.resource, Handler=c.value["Handler"],
                                      Environment={"Variables": {**env, **added}})
    return lambda: lam.update_function_configuration(FunctionName=c.resource, Handler=handler,
                                                     Environment={"Variables": env})


def _inject(clients: Clients, kind: str, target: str, payload: Any, key: str | None,
            topic_arns: Mapping[str, str]) -> str | None:
    """Send one event; returns the id it is known by (the invocation's request id, the message id) or None."""
    text = payload if isinstance(payload, (str, bytes)) else json.dumps(payload)
    if kind.startswith("lambda"):
        r = clients.lambda_.invoke(FunctionName=target,
                                   InvocationType="Event" if "async" in kind else "RequestResponse",
                                   Payload=text if isinstance(text, bytes) else text.encode())
        return (r.get("ResponseMetadata") or {}).get("RequestId")  # an Event invoke's id is the attempts' request id
    if kind.startswith("sqs"):
        url = clients.sqs.get_queue_url(QueueName=target)["QueueUrl"]
        return str(clients.sqs.send_message(QueueUrl=url, MessageBody=text if isinstance(text, str)
                                            else text.decode())["MessageId"])
    if kind.startswith("sns"):
        clients.sns.publish(TopicArn=topic_arns.get(target, target), Message=text)
    elif kind.startswith("events"):
        clients.events.put_events(Entries=[{"Source": payload["source"], "DetailType": payload["detail_type"],
                                            "Detail": json.dumps(payload["detail"]), "EventBusName": target}])
    elif kind.startswith("dynamodb"):
        raise NotImplementedError("table traffic is not injected on a game day yet: write the items yourself")
    else:
        clients.kinesis.put_record(StreamName=target, Data=payload, PartitionKey=key or "pk-0")
    return None


def fis_template(scenario: Scenario, *, role_arn: str, function_arns: list[str]) -> dict[str, Any]:
    """The scenario's fault plan as an FIS experiment template, with what FIS cannot express."""
    export = scenario.faults.to_fis_template(role_arn=role_arn, function_arns=function_arns,
                                             description=f"lambdachaos scenario {scenario.name}")
    return {"template": export.template, "unsupported": [list(u) for u in export.unsupported]}


def gameday_from_args(scenario: Scenario, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """``lambdachaos run SCENARIO --target aws``: print the plan (default) or ``--apply`` it; ``--fis``."""
    arns = dict(a.split("=", 1) for a in args.function_arn if "=" in a)
    p = plan(scenario, seed=args.seed, region=str(scenario.settings.get("region", "us-east-1")))
    if args.fis:
        if not args.role_arn:
            err.write("error: --fis needs --role-arn (the FIS experiment role)\n")
            return 2
        template = fis_template(scenario, role_arn=args.role_arn,
                                function_arns=[arns.get(n, n) for n in _faulted_functions(scenario)])
        Path(args.fis).write_text(json.dumps(template, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        out.write(f"FIS experiment template written to {args.fis}"
                  f" ({len(template['unsupported'])} rule(s) FIS cannot express fully)\n")
    if args.dry_run:
        out.write(p.render())
        return 0
    clients = Clients(region=str(scenario.settings.get("region", "us-east-1")))
    try:
        results = apply(p, clients, out=out, speed=args.speed or 1.0, scenario=scenario,
                        wait_seconds=getattr(args, "wait", None) or 300.0)
    except KeyboardInterrupt:
        err.write("interrupted: every change made so far was restored\n")
        return 130
    return 1 if results["errors"] or results.get("verdict", "passed") != "passed" else 0
