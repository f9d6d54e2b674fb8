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

import json
import os
import textwrap
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, TextIO, final

from lambdachaos.scenarios import _gameday_read as _read
from lambdachaos.scenarios import _traffic
from lambdachaos.scenarios._gameday_check import Check, identity, setting_checks
from lambdachaos.scenarios._model import Scenario

WRAPPER_HANDLER: Final = "chaos.wrapper.handler"
"""The handler of the deployable fault wrapper when the ``faults`` folder ships as ``chaos/`` (a layer)."""
PARAMETER_ROOT: Final = "/lambdachaos"
_WIDTH: Final = 100
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
    region: str = ""
    account: str = "not checked"
    """The account id from ``sts:GetCallerIdentity`` (or why it is unknown)."""
    checks: list[Check] | None = None
    """The settings the expectations rely on, as the account has them (``None``: not read)."""

    def render(self) -> str:
        """The plan as the text ``--dry-run`` prints: where, every change in full (wrapped), what it relies on."""
        lines = [f"game day plan for scenario {self.scenario!r} (dry run: nothing was changed)",
                 f"account: {self.account}", f"region: {self.region}", "", "changes:"]
        for i, c in enumerate(self.changes, 1):
            value = c.value if isinstance(c.value, str) else json.dumps(c.value, sort_keys=True)
            lines.append(f"  {i}. {c.service} {c.action} {c.resource}")
            lines += textwrap.wrap(value, _WIDTH, initial_indent="       set: ", subsequent_indent=" " * 12,
                                   break_long_words=True, break_on_hyphens=False)
            lines.append(f"       restore: {c.restore}")
        kinds: dict[tuple[str, str], int] = {}
        for _, kind, target, _, _ in self.injections:
            kinds[(kind, target)] = kinds.get((kind, target), 0) + 1
        span = self.injections[-1][0] if self.injections else 0.0
        lines += ["", f"event injection ({len(self.injections)} events over {span:.1f} s):"]
        lines += [f"  {n} × {kind} → {target}" for (kind, target), n in sorted(kinds.items())]
        lines += ["", "results will be read from:"] + [f"  {r}" for r in self.results]
        if self.checks is not None:
            lines += ["", "settings the expectations rely on (read from the account):"]
            lines += [f"  {c}" for c in self.checks] or ["  (none)"]
        lines += ["", "run with --apply to make these changes; every change is restored afterwards (also on Ctrl-C)."]
        return "\n".join(lines) + "\n"


_INJECT: Final = {"function": ("lambda", "Invoke"), "queue": ("sqs", "SendMessage"), "topic": ("sns", "Publish"),
                  "bus": ("events", "PutEvents"), "stream": ("kinesis", "PutRecord"), "table": ("dynamodb", "PutItem")}


def plan(scenario: Scenario, *, region: str, seed: int | None = None) -> GameDayPlan:
    """The game-day plan for ``scenario`` in ``region`` (no AWS call is made; see :func:`survey`)."""
    seed = scenario.seed if seed is None else seed
    root = f"{PARAMETER_ROOT}/{scenario.name}"
    p = GameDayPlan(scenario.name, region=region)
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


def survey(p: GameDayPlan, scenario: Scenario, clients: Clients) -> GameDayPlan:
    """Fill in the account (``sts:GetCallerIdentity``) and the settings the expectations rely on (read-only)."""
    account, caller = identity(clients)
    p.account = f"{account} ({caller})" if account else f"unknown: {caller}"
    if account:
        p.checks = setting_checks(scenario, clients)
    return p


class Clients:
    """The boto3 clients a game day uses, all in one region (``endpoint_url`` points them at LocalStack)."""

    def __init__(self, *, region: str | None = None, endpoint_url: str | None = None, session: Any = None) -> None:
        import boto3

        s: Any = session or boto3.session.Session(region_name=region)
        self.session = s
        self.region = str(region or s.region_name)
        kw: dict[str, Any] = {"endpoint_url": endpoint_url} if endpoint_url else {}
        if region:
            kw["region_name"] = region
        self.sts = s.client("sts", **kw)
        self.iam = s.client("iam", **kw)
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
          clock: Callable[[], float] = time.monotonic, journal: Journal | None = None) -> dict[str, Any]:
    """Make the plan's changes, inject its events (paced: ``speed`` virtual seconds per wall second), and restore
    every change in reverse order, whatever happens. With ``scenario``, wait (at most ``wait_seconds``, polling
    every ``poll_seconds`` with a progress line) and read the results back before restoring, evaluate the
    expectations on them and print the verdict (``_gameday_read``). Returns what was done and read."""
    undo: list[tuple[int, Callable[[], None]]] = []
    results: dict[str, Any] = {"injected": 0, "errors": []}
    injected: list[_read.Injected] = []
    t0_ms = int(time.time() * 1000)  # a game day runs on the wall clock: log events are filtered from here
    try:
        for c in p.changes:
            out.write(f"apply: {c.service} {c.action} {c.resource}\n")
            record = (lambda previous, c=c: journal.add(c, previous)) if journal is not None else None
            undo.append((len(undo), _apply_change(c, clients, record)))
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
        for index, step in reversed(undo):
            try:
                step()
            except Exception as exc:  # keep restoring the rest; report every failure
                results["errors"].append(f"restore failed: {exc}")
                out.write(f"restore FAILED: {exc}\n")
                continue
            if journal is not None:
                journal.restored(index)
        out.write(f"restored {len(undo) - len(results['errors'])} of {len(undo)} change(s)\n")
    if "readback" in results:
        out.write(_read.render(results["readback"]))
        results["verdict"] = results["readback"].verdict
    return results


def _apply_change(c: Change, clients: Clients, record: Callable[[Any], None] | None = None
                  ) -> Callable[[], None]:
    """Read what ``c`` is about to change, ``record`` it (the journal), make the change; returns its undo."""
    previous = _read_previous(c, clients)
    if record is not None:
        record(previous)
    if c.service == "ssm":
        clients.ssm.put_parameter(Name=c.resource, Value=c.value, Type="String", Overwrite=True)
    elif c.action == "PutFunctionConcurrency":
        clients.lambda_.put_function_concurrency(FunctionName=c.resource, ReservedConcurrentExecutions=c.value)
    else:
        added = dict(c.value["Environment.Variables (added)"], LAMBDACHAOS_HANDLER=previous["Handler"])
        clients.lambda_.update_function_configuration(
            FunctionName=c.resource, Handler=c.value["Handler"],
            Environment={"Variables": {**previous["Environment"], **added}})
    return lambda: undo_change(c, previous, clients)


def _read_previous(c: Change, clients: Clients) -> Any:
    if c.service == "ssm":
        try:
            return clients.ssm.get_parameter(Name=c.resource)["Parameter"]["Value"]
        except Exception as exc:
            if not _not_found(exc):
                raise
            return None
    lam = clients.lambda_
    if c.action == "PutFunctionConcurrency":
        return lam.get_function_concurrency(FunctionName=c.resource).get("ReservedConcurrentExecutions")
    cfg = lam.get_function_configuration(FunctionName=c.resource)
    return {"Handler": cfg["Handler"], "Environment": dict((cfg.get("Environment") or {}).get("Variables") or {})}


def undo_change(c: Change, previous: Any, clients: Clients) -> None:
    """Put back what ``c`` changed, from the value recorded before it (``None``: there was none)."""
    if c.service == "ssm":
        if previous is None:
            clients.ssm.delete_parameter(Name=c.resource)
        else:
            clients.ssm.put_parameter(Name=c.resource, Value=previous, Type="String", Overwrite=True)
    elif c.action == "PutFunctionConcurrency":
        if previous is None:
            clients.lambda_.delete_function_concurrency(FunctionName=c.resource)
        else:
            clients.lambda_.put_function_concurrency(FunctionName=c.resource, ReservedConcurrentExecutions=previous)
    else:
        clients.lambda_.update_function_configuration(FunctionName=c.resource, Handler=previous["Handler"],
                                                      Environment={"Variables": previous["Environment"]})


class Journal:
    """What a game day changed, with the value before each change, written before the change is made.

    A restore interrupted by a crash or a lost connection is finished later from this file
    (``lambdachaos run SCENARIO --target aws --restore JOURNAL``), exactly: every value comes from the account
    as it was read just before the change.
    """

    def __init__(self, path: str | os.PathLike[str], *, scenario: str, account: str, region: str) -> None:
        self.path = os.fspath(path)
        self.doc: dict[str, Any] = {"scenario": scenario, "account": account, "region": region, "changes": []}

    def add(self, c: Change, previous: Any) -> None:
        """Record ``previous`` as the value before ``c``."""
        self.doc["changes"].append({"service": c.service, "action": c.action, "resource": c.resource,
                                    "value": c.value, "restore": c.restore, "previous": previous,
                                    "restored": False})
        self._write()

    def restored(self, index: int) -> None:
        """Mark change ``index`` as put back."""
        self.doc["changes"][index]["restored"] = True
        self._write()

    def _write(self) -> None:
        tmp = f"{self.path}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(self.doc, fh, indent=2, sort_keys=True)
        os.replace(tmp, self.path)


def restore_journal(path: str | os.PathLike[str], clients: Clients, out: TextIO) -> int:
    """Put back every change of a journal not yet marked restored, newest first; returns how many failed."""
    with open(path, encoding="utf-8") as fh:
        doc = json.load(fh)
    journal = Journal(path, scenario=doc["scenario"], account=doc["account"], region=doc["region"])
    journal.doc = doc
    failed = 0
    for i in reversed(range(len(doc["changes"]))):
        entry = doc["changes"][i]
        if entry["restored"]:
            continue
        change = Change(entry["service"], entry["action"], entry["resource"], entry["value"], entry["restore"])
        try:
            undo_change(change, entry["previous"], clients)
        except Exception as exc:
            failed += 1
            out.write(f"restore FAILED: {change.service} {change.action} {change.resource}: {exc}\n")
            continue
        journal.restored(i)
        out.write(f"restored: {change.service} {change.action} {change.resource}\n")
    return failed


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
