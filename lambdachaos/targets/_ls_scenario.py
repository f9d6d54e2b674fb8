"""``lambdachaos run SCENARIO --target localstack``: a scenario file on a running LocalStack.

The scenario's queues, streams, functions (behind the deployable fault wrapper, with the file's fault
plan), dead-letter queues, asynchronous settings and event source mappings are created with a
:class:`~lambdachaos.targets._ls_target.LocalStackTarget`; the traffic is sent on the wall clock (its
schedule compressed to at most :data:`MAX_TRAFFIC_SECONDS` unless a speed is given); the run waits until
every input has a fate (or the timeout passes), rebuilds the ledger and evaluates the same expectations
as the simulator (``lambdachaos.scenarios._expect``).

What LocalStack cannot run is never passed silently: a scenario with SNS topics or EventBridge buses is
refused (exit 3); a fault rule LocalStack cannot fire (``_coverage.unreachable``) makes the scenario NOT
EVALUATED (exit 3) unless the rule is ``optional: true``; every other rule must fire at least once (a
``fault <id> fires`` verdict); and expectations that depend on virtual time (``latency``, ``delivered.within_seconds``)
or on traffic this target cannot send are reported as ``NOT EVALUATED on localstack``.
"""

from __future__ import annotations

import importlib
import json
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, TextIO, cast

from lambdachaos.ledger._ledger import Ledger
from lambdachaos.scenarios import _coverage, _traffic
from lambdachaos.scenarios._expect import Context, SentRecord, Verdict, evaluate
from lambdachaos.scenarios._model import ExpectationSpec, Scenario
from lambdachaos.targets._ls_manager import LocalStackError, status
from lambdachaos.targets._ls_target import LocalStackTarget, LsFunction

MAX_TRAFFIC_SECONDS: Final = 10.0
"""Traffic spanning longer than this (virtual seconds) is compressed to this many wall seconds by default."""
_EPOCH_S: Final = 1_767_225_600.0  # the simulator's epoch: generated payload dates match a sim run
_FUNCTION_CONFIG: Final = {"timeout", "memory_size", "environment"}
_QUEUE_SETTINGS: Final = {"dead_letter_queue", "max_receive_count", "visibility_timeout"}
_MAPPING_SETTINGS: Final = {"batch_size", "function_response_types", "maximum_batching_window_in_seconds",
                            "maximum_retry_attempts", "maximum_record_age_in_seconds",
                            "bisect_batch_on_function_error", "on_failure", "starting_position"}
_ASYNC_SETTINGS: Final = {"maximum_retry_attempts", "maximum_event_age_in_seconds", "on_success", "on_failure"}
EXIT_OK, EXIT_FAILED, EXIT_UNAVAILABLE = 0, 1, 3


@dataclass(frozen=True, slots=True)
class QueueMessage:
    """An SQS message read back from LocalStack, in the shape expectations read (``Queue.history`` items)."""

    message_id: str
    body: str
    message_attributes: Mapping[str, Any]
    dead_letter_queue_source_arn: str | None = None


@dataclass(slots=True)
class LsRunResult:
    """What a LocalStack run produced (read like :class:`lambdachaos.scenarios.RunResult`)."""

    scenario: Scenario
    seed: int
    ledger: Ledger
    sent: list[SentRecord]
    verdicts: list[Verdict]
    not_evaluated: list[tuple[ExpectationSpec, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    wall_seconds: float = 0.0
    settled: bool = True

    @property
    def sim(self) -> Any:
        """Duck type for the report writers (``result.sim.ledger``)."""
        return self

    @property
    def passed(self) -> bool:
        """True when every evaluated expectation held (not-evaluated ones are listed, never counted as passed)."""
        return all(v.passed for v in self.verdicts)

    @property
    def exit_code(self) -> int:
        """0 when every evaluated expectation held, 1 otherwise."""
        return EXIT_OK if self.passed else EXIT_FAILED

    def summary(self) -> dict[str, Any]:
        """JSON-ready summary: counts, verdicts and the expectations not evaluated on LocalStack."""
        fates: dict[str, int] = {}
        for f in self.ledger.fates.values():
            fates[f.status.value] = fates.get(f.status.value, 0) + 1
        return {"scenario": self.scenario.name, "seed": self.seed, "target": "localstack",
                "wall_seconds": round(self.wall_seconds, 3), "virtual_seconds": round(self.wall_seconds, 3),
                "sent": len(self.sent), "attempts": len(self.ledger), "deliveries": len(self.ledger.deliveries),
                "faults": len(self.ledger.faults), "fates": dict(sorted(fates.items())), "passed": self.passed,
                "verdicts": [v.as_dict() for v in self.verdicts],
                "not_evaluated": [{"name": e.name, "line": e.line, "reason": r} for e, r in self.not_evaluated]}


def _handler(spec: Any) -> Any:
    """The handler callable named by a function spec (``module.function``; ``code_dir`` on ``sys.path``)."""
    module_name, _, attr = str(spec.handler).rpartition(".")
    if spec.code_dir and spec.code_dir not in sys.path:
        sys.path.insert(0, str(spec.code_dir))
    return getattr(importlib.import_module(module_name), attr)


def unsupported(scenario: Scenario) -> list[str]:
    """Parts of ``scenario`` this target cannot build at all (the run is refused when any)."""
    problems = [f"resources.topics.{n}: SNS topics are not run on the localstack target" for n in scenario.topics]
    problems += [f"resources.buses.{n}: EventBridge buses are not run on the localstack target" for n in scenario.buses]
    from lambdachaos.service.mappings._sources import sources

    for row in sources().values():  # the source table says which poll-based sources LocalStack can run
        if row.localstack is None or row.scenario is None:
            continue
        declared = getattr(scenario, row.scenario.key, None)
        if declared is None:
            declared = scenario.sources.get(row.scenario.key, {})
        problems += [f"resources.{row.scenario.key}.{n}: {row.localstack}" for n in declared]
    for name, f in scenario.functions.items():
        for key in ("on_success", "on_failure"):
            dest = f.async_config.get(key)
            if dest is not None and dest not in scenario.queues:
                problems.append(f"functions.{name}.async.{key}: only SQS queue destinations are read back")
    return problems


def _notes(scenario: Scenario) -> list[str]:
    notes = []
    for name, f in scenario.functions.items():
        notes += [f"functions.{name}.{k}: not applied on localstack" for k in sorted(set(f.config) - _FUNCTION_CONFIG)]
        notes += [f"functions.{name}.async.{k}: not applied on localstack"
                  for k in sorted(set(f.async_config) - _ASYNC_SETTINGS)]
    for name, q in scenario.queues.items():
        notes += [f"resources.queues.{name}.{k}: not applied on localstack" for k in sorted(set(q) - _QUEUE_SETTINGS)]
    for i, m in enumerate(scenario.mappings):
        keys = set(m.settings) - _MAPPING_SETTINGS - {"report_batch_item_failures"}
        notes += [f"mappings[{i}].{k}: not applied on localstack" for k in sorted(keys)]
        if m.settings.get("bisect_batch_on_function_error"):
            notes.append(f"mappings[{i}].bisect_batch_on_function_error: LocalStack 4.14.0 accepts it but never "
                         "bisects (docs/localstack.md): a failing batch is retried and discarded whole")
    return notes


def build(ls: LocalStackTarget, scenario: Scenario) -> dict[str, Any]:
    """Create the scenario's queues, streams, functions and mappings; returns every resource by name."""
    res: dict[str, Any] = {}
    pending = dict(scenario.queues)
    while pending:  # a queue's dead-letter queue first
        ready = [n for n, q in pending.items() if q.get("dead_letter_queue") in (None, *res)]
        if not ready:
            raise LocalStackError(f"redrive cycle among queues {sorted(pending)}")
        for name in ready:
            q = pending.pop(name)
            dlq = q.get("dead_letter_queue")
            res[name] = ls.sqs_queue(name, dead_letter_queue=res[dlq] if dlq else None,
                                     max_receive_count=q.get("max_receive_count"),
                                     visibility_timeout=q.get("visibility_timeout"))
    for name, s in scenario.streams.items():
        res[name] = ls.kinesis_stream(name, shards=int(s.get("shards", 1)))
    if len(scenario.faults):
        ls._plan = scenario.faults
    for name, f in scenario.functions.items():
        cfg = {k: v for k, v in f.config.items() if k in _FUNCTION_CONFIG}
        a = f.async_config
        res[name] = ls.function(
            _handler(f), name=name, reserved_concurrency=f.reserved_concurrency,
            dead_letter_queue=res[f.dead_letter_queue] if f.dead_letter_queue else None,
            maximum_retry_attempts=a.get("maximum_retry_attempts"),
            maximum_event_age_in_seconds=a.get("maximum_event_age_in_seconds"),
            on_success=res.get(a["on_success"]) if "on_success" in a else None,
            on_failure=res.get(a["on_failure"]) if "on_failure" in a else None, **cfg)
    for m in scenario.mappings:
        settings = {k: v for k, v in m.settings.items() if k in _MAPPING_SETTINGS}
        if m.settings.get("report_batch_item_failures"):
            settings["function_response_types"] = ["ReportBatchItemFailures"]
        if "on_failure" in settings:
            settings["on_failure"] = res[settings["on_failure"]]
        ls.map(res[m.source], res[m.function], **settings)
    return res


def _send(ls: LocalStackTarget, res: Mapping[str, Any], spec: Any, send: _traffic.Send) -> list[str]:
    p, target = send.payload, res[spec.target]
    if spec.kind == "function":
        fn = cast(LsFunction, target)
        if spec.invocation == "sync":
            out = ls.client("lambda").invoke(FunctionName=ls.prefix + fn.name, Payload=json.dumps(p))
            return [str(out["ResponseMetadata"]["RequestId"])]
        return [str(ls.invoke(fn, p, invocation_type="Event"))]
    if spec.kind == "queue":
        text = p if isinstance(p, str) else json.dumps(p)
        if target.name.endswith(".fifo"):
            return [target.send(text, message_group_id=send.key or "group-0",
                                message_deduplication_id=f"{send.traffic}-{send.index}").message_id]
        return [target.send(text).message_id]
    return [str(target.put(p, send.key or "pk-0"))]


def _skip_reason(e: ExpectationSpec, untracked: set[str]) -> str | None:
    if e.kind == "latency":
        return "latency limits are virtual-time figures; LocalStack runs on a compressed wall clock"
    if "within_seconds" in e.params:
        return "within_seconds is a virtual-time limit; LocalStack runs on a compressed wall clock"
    if e.params.get("traffic") in untracked:
        return f"traffic {e.params['traffic']} is synchronous: its fate is the caller's, not in the rebuilt ledger"
    return None


def _messages(ls: LocalStackTarget) -> dict[str, list[QueueMessage]]:
    out: dict[str, list[QueueMessage]] = {}
    for name, queue in ls.queues.items():
        out[name] = [QueueMessage(str(m.get("MessageId")), str(m.get("Body")), m.get("MessageAttributes") or {},
                                  (m.get("Attributes") or {}).get("DeadLetterQueueSourceArn"))
                     for m in ls.messages(queue)]
    return out


def run_on(ls: LocalStackTarget, scenario: Scenario, *, seed: int, speed: float | None = None,
           timeout: float | None = None, out: TextIO | None = None) -> LsRunResult:
    """Build, send, wait and evaluate ``scenario`` on an open target (the caller closes it)."""
    started = time.monotonic()
    res = build(ls, scenario)
    sends: list[_traffic.Send] = []
    region = ls.connection.region
    for spec in scenario.traffic:
        if spec.replay is not None:
            sends += _traffic.replayed(spec, seed=seed, region=region, target_kind=spec.kind)[1]
        else:
            sends += _traffic.generated(spec, seed=seed, epoch_s=_EPOCH_S, region=region, target_kind=spec.kind)
    sends.sort(key=lambda s: s.at)
    span = sends[-1].at if sends else 0.0
    speed = speed or max(1.0, span / MAX_TRAFFIC_SECONDS)
    specs = {t.name: t for t in scenario.traffic}
    if out is not None:
        out.write(f"sending {len(sends)} event(s) over {span / speed:.1f} s wall ({speed:g}x the scenario's "
                  "schedule)\n")
    t0 = time.monotonic()
    sent: list[SentRecord] = []
    for s in sends:
        lag = s.at / speed - (time.monotonic() - t0)
        if lag > 0:
            time.sleep(lag)
        spec = specs[s.traffic]
        try:
            ids, rejected = _send(ls, res, spec, s), None
        except Exception as exc:  # a refused send is a result (``nothing_lost`` reports it), not a crash
            ids, rejected = [], f"{type(exc).__name__}: {str(exc)[:200]}"
        sent.append(SentRecord(s.traffic, s.index, (time.monotonic() - t0), tuple(ids), spec.target, s.key,
                               s.poison, rejected))
    base = float(ls.connection.settings.get("LAMBDA_RETRY_BASE_DELAY", "60"))
    wait = timeout if timeout is not None else 30.0 + 6 * base
    if out is not None:
        out.write(f"waiting up to {wait:.0f} s for every event's fate (LAMBDA_RETRY_BASE_DELAY={base:g})\n")
    ledger = ls.run(timeout=wait)
    settled = all(f.status.value != "pending" for f in ledger.fates.values())
    untracked = {t.name for t in scenario.traffic if t.kind == "function" and t.invocation == "sync"}
    ctx = Context(ledger=ledger, sent=sent, arns={n: q.arn for n, q in ls.queues.items()}, messages=_messages(ls))
    skipped = [(e, r) for e in scenario.expectations if (r := _skip_reason(e, untracked)) is not None]
    evaluated = [e for e in scenario.expectations if _skip_reason(e, untracked) is None]
    verdicts = evaluate(ctx, evaluated) + _coverage.fault_verdicts(
        scenario, ledger, skip=_coverage.unreachable(scenario.faults, "localstack"))
    return LsRunResult(scenario=scenario, seed=seed, ledger=ledger, sent=sent, verdicts=verdicts,
                       not_evaluated=skipped, notes=_notes(scenario) + _coverage.notes(scenario, "localstack"),
                       wall_seconds=time.monotonic() - started, settled=settled)


def write_text(result: LsRunResult, out: TextIO) -> None:
    """The verdicts as plain text, in the simulator runner's layout, plus what was not evaluated."""
    s = result.summary()
    out.write(f"scenario {s['scenario']} (seed {s['seed']}) on localstack: {s['sent']} sent, {s['attempts']} "
              f"attempts, {s['deliveries']} DLQ/destination deliveries, {s['faults']} fault firings, "
              f"{s['wall_seconds']:.1f} s wall\n")
    out.write("fates: " + (", ".join(f"{k} {v}" for k, v in s["fates"].items()) or "none") + "\n")
    for note in result.notes:
        out.write(f"note: {note}\n")
    if not result.settled:
        out.write("note: the wait timed out with records still pending\n")
    for v in result.verdicts:
        out.write(f"{'PASS' if v.passed else 'FAIL'}  line {v.line:>3}  {v.name}\n        expected {v.expected}\n"
                  f"        observed {v.observed}\n")
    for e, reason in result.not_evaluated:
        out.write(f"NOT EVALUATED on localstack  line {e.line:>3}  {e.name}\n        reason {reason}\n")
    for v in result.verdicts:
        if not v.passed:
            out.write(f"evidence for {v.name!r}:\n" + "".join(f"  - {x}\n" for x in v.evidence))
    passed = sum(v.passed for v in result.verdicts)
    skipped = f"; {len(result.not_evaluated)} not evaluated on localstack" if result.not_evaluated else ""
    out.write(f"verdict: {'PASS' if result.passed else 'FAIL'} ({passed} of {len(result.verdicts)} evaluated "
              f"expectations held{skipped})\n")


def run_scenario(scenario: Scenario, *, seed: int | None, report: str | None, ledger: str | None,
                 out: TextIO, speed: float | None = None, timeout: float | None = None,
                 err: TextIO | None = None) -> int:
    """Run ``scenario`` on the running LocalStack; print the verdicts; return the ``lambdachaos run`` exit code."""
    err = err or sys.stderr
    problems = unsupported(scenario)
    if problems:
        err.write("error: this scenario cannot run on the localstack target:\n"
                  + "".join(f"  {p}\n" for p in problems) + "run it with --target sim\n")
        return EXIT_UNAVAILABLE
    blocked = _coverage.blocking(scenario, "localstack")
    if blocked:
        out.write(f"scenario {scenario.name} on localstack: NOT EVALUATED (nothing was run)\n"
                  + "".join(f"  fault {rid} (line {line}) cannot fire on localstack: {why}\n"
                            for rid, line, why in blocked)
                  + "mark such a rule optional: true to run the rest here, or run the scenario with --target sim\n")
        return EXIT_UNAVAILABLE
    conn = status()
    if conn is None:
        err.write("error: no LocalStack is running: start one with 'lambdachaos localstack up --fast'\n")
        return EXIT_UNAVAILABLE
    seed = scenario.seed if seed is None else seed
    with LocalStackTarget(conn, seed=seed) as ls:
        result = run_on(ls, scenario, seed=seed, speed=speed, timeout=timeout, out=out)
    if ledger:
        Path(ledger).write_text(result.ledger.to_json(), encoding="utf-8")
    if report:
        from lambdachaos.scenarios import _report

        _report.write_html(cast(Any, result), report)
    write_text(result, out)
    for what, path in (("ledger", ledger), ("report", report)):
        if path:
            out.write(f"{what} written to {path}\n")
    return result.exit_code
