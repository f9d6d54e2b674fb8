"""Game days, second half: after ``--apply`` has injected the events, wait (bounded) and read the results back.

What is read is what the plan lists under "results will be read from": the fault wrapper's JSON lines in
CloudWatch Logs (``faults/wrapper.py``, :func:`lambdachaos.faults.wrapper.parse_log_lines`) rebuild the
attempts; the dead-letter, destination and redrive queues are peeked (ReceiveMessage with
``VisibilityTimeout=0``, never DeleteMessage) and counted (GetQueueAttributes). The ledger rebuilt from them
(:func:`lambdachaos.targets._ls_ledger.rebuild`) is what the scenario's expectations are evaluated on; an
expectation that this evidence cannot decide is reported as NOT EVALUATED with the reason, never as passed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, TextIO, final

from lambdachaos.faults.wrapper import parse_log_lines
from lambdachaos.ledger._ledger import Ledger, Outcome
from lambdachaos.scenarios import _coverage
from lambdachaos.scenarios._expect import Context, SentRecord, Verdict, evaluate
from lambdachaos.scenarios._model import ExpectationSpec, Scenario
from lambdachaos.targets._ls_ledger import AsyncEvent, LogBlock, Observed, Received, SentMessage, rebuild

_PEEK_CALLS: Final = 5
"""ReceiveMessage calls per result queue and poll (10 messages each): a peek, not a drain."""
_OUTCOMES: Final = {"success": Outcome.SUCCESS, "timeout": Outcome.TIMEOUT}


@final
@dataclass(frozen=True, slots=True)
class Injected:
    """One event ``apply`` sent: the plan's injection and the id AWS gave it (request id or message id)."""

    at_ms: int
    kind: str
    target: str
    payload: Any
    key: str | None
    id: str | None


@final
@dataclass(slots=True)
class Readback:
    """What was read: attempts (wrapper lines), queue messages, the rebuilt ledger and one line per expectation."""

    attempts: list[dict[str, Any]] = field(default_factory=list)
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    verdicts: list[Verdict] = field(default_factory=list)
    not_evaluated: list[tuple[ExpectationSpec, str]] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        """``passed`` (every expectation evaluated and held), ``FAILED`` (one failed) or ``INCOMPLETE``."""
        if any(not v.passed for v in self.verdicts):
            return "FAILED"
        return "INCOMPLETE" if self.not_evaluated else "passed"


def result_queues(scenario: Scenario) -> dict[str, str]:
    """Queue name → the ledger's delivery kind, for every queue the results are read from."""
    out: dict[str, str] = {}
    for f in scenario.functions.values():
        if f.dead_letter_queue in scenario.queues:
            out[str(f.dead_letter_queue)] = "dlq"
        for key in ("on_success", "on_failure"):
            if f.async_config.get(key) in scenario.queues:
                out[str(f.async_config[key])] = key
    for m in scenario.mappings:
        if m.settings.get("on_failure") in scenario.queues:
            out[str(m.settings["on_failure"])] = "stream_on_failure" if m.source in scenario.streams else "on_failure"
    for q in scenario.queues.values():
        if "dead_letter_queue" in q:
            out[str(q["dead_letter_queue"])] = "queue_dlq"
    return out


def _log_events(logs: Any, function: str, t0_ms: int) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    kw: dict[str, Any] = {"logGroupName": f"/aws/lambda/{function}", "startTime": t0_ms,
                          "filterPattern": '"lambdachaos"'}
    while True:
        try:
            page = logs.filter_log_events(**kw)
        except Exception as exc:  # the log group appears with the first invocation
            if getattr(exc, "response", {}).get("Error", {}).get("Code") == "ResourceNotFoundException":
                return events
            raise
        events += page.get("events", [])
        if not page.get("nextToken"):
            return events
        kw["nextToken"] = page["nextToken"]


def _peek(sqs: Any, url: str) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for _ in range(_PEEK_CALLS):
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0, WaitTimeSeconds=0,
                                  MessageAttributeNames=["All"], AttributeNames=["All"]).get("Messages", [])
        fresh = [m for m in got if m["MessageId"] not in seen]
        seen.update((m["MessageId"], m) for m in fresh)
        if not fresh:
            break
    return list(seen.values())


def read_once(scenario: Scenario, clients: Any, functions: list[str], urls: Mapping[str, str], t0_ms: int,
              into: Readback) -> None:
    """One poll: every wrapper line since ``t0_ms`` and every result queue's count and messages."""
    into.attempts = []
    for name in functions:
        for event in _log_events(clients.logs, name, t0_ms):
            for a in parse_log_lines([str(event.get("message", ""))]):
                into.attempts.append({**a, "stream": event.get("logStreamName", ""),
                                      "timestamp": int(event.get("timestamp", t0_ms))})
    for name, url in urls.items():
        attrs = clients.sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])
        into.counts[name] = sum(int(v) for v in attrs.get("Attributes", {}).values())
        into.messages[name] = _peek(clients.sqs, url)


def wait_and_read(scenario: Scenario, clients: Any, *, functions: list[str], injected: list[Injected], t0_ms: int,
                  out: TextIO, wait_seconds: float = 300.0, poll_seconds: float = 10.0, settle_polls: int = 2,
                  sleep: Callable[[float], None] = time.sleep,
                  clock: Callable[[], float] = time.monotonic) -> Readback:
    """Poll until nothing new has arrived for ``settle_polls`` polls (or ``wait_seconds`` pass), printing
    progress, then rebuild the ledger and evaluate the expectations."""
    queues = result_queues(scenario)
    urls = {q: clients.sqs.get_queue_url(QueueName=q)["QueueUrl"] for q in queues}
    rb = Readback()
    started, last, stable = clock(), (-1, -1), 0
    while True:
        read_once(scenario, clients, functions, urls, t0_ms, rb)
        now = (len(rb.attempts), sum(rb.counts.values()))
        stable = stable + 1 if now == last and now[0] + now[1] > 0 else 0
        last = now
        elapsed = clock() - started
        out.write(f"waiting for results: {now[0]} attempt line(s), {now[1]} message(s) on result queues"
                  f" ({elapsed:.0f} s of {wait_seconds:.0f} s)\n")
        if stable >= settle_polls or elapsed + poll_seconds > wait_seconds:
            break
        sleep(poll_seconds)
    ledger = _ledger(scenario, clients, rb, injected, queues, urls, t0_ms)
    _judge(scenario, ledger, rb, injected, functions, queues)
    return rb


def _arn(clients: Any, url: str) -> str:
    return str(clients.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"])


def _ledger(scenario: Scenario, clients: Any, rb: Readback, injected: list[Injected], queues: Mapping[str, str],
            urls: Mapping[str, str], t0_ms: int) -> Ledger:
    arns = {q: _arn(clients, u) for q, u in urls.items()}
    observed = []
    for a in rb.attempts:
        block = LogBlock(str(a["request_id"]), str(a["stream"]), int(a["timestamp"]))
        outcome = _OUTCOMES.get(str(a["outcome"]), Outcome.FUNCTION_ERROR)
        records = tuple(str(r) for r in a["records"]) if a.get("event_source") else ()
        observed.append(Observed(block=block, function=str(a["function_name"]), outcome=outcome,
                                 error_type=a.get("error_type"), error_message=None, records=records,
                                 source=a.get("event_source"), failures=None, faults=list(a["faults"])))
    async_events, sent = {}, {}
    mapped = {m.source for m in scenario.mappings}
    for inj in injected:
        at_ns = (inj.at_ms - t0_ms) * 1_000_000
        if inj.id and inj.kind == "lambda Invoke (async)":
            f = scenario.functions[inj.target]
            dlq, cfg = f.dead_letter_queue, f.async_config
            async_events[inj.id] = AsyncEvent(
                inj.id, inj.target, str(inj.payload), at_ns, int(cfg.get("maximum_retry_attempts", 2)),
                arns.get(str(dlq)), arns.get(str(cfg.get("on_failure"))), arns.get(str(cfg.get("on_success"))))
        elif inj.id and inj.kind.startswith("sqs") and inj.target in mapped:
            q = scenario.queues.get(inj.target, {})
            sent[inj.id] = SentMessage(inj.id, "", at_ns, q.get("max_receive_count"))
    received = [Received(arns[q], queues[q], m, (int(m.get("Attributes", {}).get("SentTimestamp", t0_ms)) - t0_ms)
                         * 1_000_000) for q, ms in rb.messages.items() for m in ms]
    return rebuild(t0_ms=t0_ms, seed=scenario.seed, observed=observed, async_events=async_events, sent=sent,
                   received=received, stream_records={})


def _why_not(scenario: Scenario, spec: ExpectationSpec, functions: list[str]) -> str | None:
    if spec.kind == "latency":
        return "attempt durations are not in the fault wrapper's log lines"
    if spec.kind == "delivered" and "shape" in spec.params:
        return "message shapes are checked on the simulator only (the game day peeks, it does not keep messages)"
    params = spec.params if isinstance(spec.params, dict) else {}
    traffic = [t for t in scenario.traffic if params.get("traffic") in (None, t.name)]
    if any(t.kind in ("stream", "topic", "bus", "table") for t in traffic) and spec.kind != "delivered":
        return "records sent to a stream, topic, bus or table are not traced back to their attempts on a game day"
    targets = {params["function"]} if "function" in params else {
        t.target if t.kind == "function" else next((m.function for m in scenario.mappings if m.source == t.target), "")
        for t in traffic}
    unwrapped = sorted(targets - set(functions))
    if unwrapped and spec.kind != "delivered":
        return f"{', '.join(unwrapped)} run(s) without the fault wrapper: no attempt lines to read"
    return None


def _judge(scenario: Scenario, ledger: Ledger, rb: Readback, injected: list[Injected], functions: list[str],
           queues: Mapping[str, str]) -> None:
    by_name = {t.name: [i for i in injected if i.target == t.target] for t in scenario.traffic}
    sent = [SentRecord(name, n, i.at_ms / 1000, (i.id,) if i.id else (), i.target, i.key)
            for name, items in by_name.items() for n, i in enumerate(items)]
    arns = {d.target.rsplit(":", 1)[-1]: d.target for d in ledger.deliveries}
    ctx = Context(ledger=ledger, sent=sent, arns=arns, messages={})
    judged = []
    for spec in scenario.expectations:
        reason = _why_not(scenario, spec, functions)
        if reason is None:
            judged.append(spec)
        else:
            rb.not_evaluated.append((spec, reason))
    cannot = _coverage.unreachable(scenario.faults, "aws")
    rb.verdicts = evaluate(ctx, judged) + _coverage.fault_verdicts(scenario, ledger, skip=cannot)
    rb.not_evaluated += [(ExpectationSpec(kind=_coverage.KIND, params={}, name=f"fault {rid} fires", line=line), why)
                         for rid, line, why in _coverage.blocking(scenario, "aws")]


def render(rb: Readback) -> str:
    """The verdict block ``--apply`` prints after the restore."""
    lines = ["expectations (on the ledger rebuilt from the logs and queues):"]
    for v in rb.verdicts:
        lines.append(f"  {'PASS' if v.passed else 'FAIL'} {v.name} (line {v.line}): {v.observed}")
    for spec, reason in rb.not_evaluated:
        lines.append(f"  NOT EVALUATED {spec.name} (line {spec.line}): {reason}")
    failed = sum(1 for v in rb.verdicts if not v.passed)
    lines.append(f"verdict: {rb.verdict} ({len(rb.verdicts) - failed} passed, {failed} failed,"
                 f" {len(rb.not_evaluated)} not evaluated)")
    return "\n".join(lines) + "\n"
