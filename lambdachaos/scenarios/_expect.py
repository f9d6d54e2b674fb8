"""Expectations: the checks a scenario states, evaluated against the ledger into a verdict per check.

The kinds match the pytest plugin's assertions: ``fates`` (how many records ended where), ``attempts``
(per record and in total), ``delivered`` (DLQ / destination arrival, count, condition, time and shape),
``ordered`` (per partition key or message group, first delivery and success in send order), ``nothing_lost``
(every record succeeded, was filtered, or reached a DLQ or destination) and ``latency`` (attempt duration
percentiles, time from send to fate). Counts are an exact number, ``all``, ``none`` or a comparison such
as ``>= 5`` or ``<= 2%`` (of the records in scope).
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, final

from lambdachaos.scenarios._model import ExpectationSpec

if TYPE_CHECKING:
    from lambdachaos.ledger._ledger import Attempt, Ledger

_NOT_RUN: Final = frozenset({"throttled", "rejected"})
_SAFE: Final = frozenset({"succeeded", "filtered", "dead_lettered", "on_failure"})
_CMP: Final[dict[str, Callable[[float, float], bool]]] = {
    "==": lambda a, b: a == b, ">=": lambda a, b: a >= b, "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b, "<": lambda a, b: a < b,
}


@final
@dataclass(frozen=True, slots=True)
class SentRecord:
    """One thing the scenario sent: its traffic, when, the ledger ids that stand for it, its ordering key,
    poison kind, and why it was refused at the door (``rejected``) if it was."""

    traffic: str
    index: int
    at: float
    ids: tuple[str, ...]
    target: str
    key: str | None = None
    poison: str | None = None
    rejected: str | None = None


@final
@dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome of one expectation: what was expected, what was observed, and the evidence."""

    name: str
    kind: str
    line: int
    passed: bool
    expected: str
    observed: str
    evidence: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (used in the run summary)."""
        return {"name": self.name, "kind": self.kind, "line": self.line, "passed": self.passed,
                "expected": self.expected, "observed": self.observed, "evidence": list(self.evidence)}


@dataclass(frozen=True, slots=True)
class Context:
    """What an expectation reads: the ledger, the sent records and the resources by name."""

    ledger: Ledger
    sent: Sequence[SentRecord]
    arns: Mapping[str, str]
    """Queue/topic name → ARN."""
    messages: Mapping[str, Sequence[Any]]
    """Queue name → every message it ever received (``Queue.history``)."""


def compare(spec: int | str, value: int, total: int) -> tuple[bool, str]:
    """Whether ``value`` (out of ``total``) satisfies a count ``spec``; also the spec as text."""
    if isinstance(spec, int):
        return value == spec, f"== {spec}"
    if spec == "all":
        return value == total, f"all ({total})"
    if spec == "none":
        return value == 0, "none"
    m = re.fullmatch(r"(==|>=|<=|>|<)\s*(\d+(?:\.\d+)?)(%?)", spec.strip())
    if m is None:
        raise ValueError(f"count {spec!r} is not a number, all, none or a comparison such as '>= 5'")
    op, number, pct = m.group(1), float(m.group(2)), m.group(3)
    bound = number * total / 100 if pct else number
    return _CMP[op](value, bound), spec


def _scope(ctx: Context, params: Mapping[str, Any]) -> tuple[list[str], str]:
    traffic, function, poison = params.get("traffic"), params.get("function"), params.get("poison")
    if poison is not None:
        ids = [i for s in ctx.sent if (traffic is None or s.traffic == traffic) and bool(s.poison) == poison
               for i in s.ids]
        return ids, f"{'poisoned' if poison else 'clean'} records" + (f" of traffic {traffic}" if traffic else "")
    if traffic is not None:
        ids = [i for s in ctx.sent if s.traffic == traffic for i in s.ids]
        return ids, f"traffic {traffic}"
    if function is not None:
        ids = list(dict.fromkeys(
            [i for s in ctx.sent if s.target == function for i in s.ids]
            + [r for a in ctx.ledger.attempts if a.function == function for r in (a.records or (a.event_id,))]))
        return ids, f"function {function}"
    return list(ctx.ledger.fates), "all records"


def _ran(a: Attempt) -> bool:
    return a.outcome.value not in _NOT_RUN


def _fates(ctx: Context, spec: ExpectationSpec) -> Verdict:
    ids, where = _scope(ctx, spec.params)
    fates = ctx.ledger.fates
    counts = {f: 0 for f in ("succeeded", "filtered", "dead_lettered", "on_failure", "dropped", "pending", "expired")}
    for i in ids:
        fate = fates.get(i)
        counts[fate.status.value if fate else "pending"] += 1
    ok = True
    want: list[str] = []
    bad: list[str] = []
    for status, count in spec.params.items():
        if status in ("traffic", "function", "poison"):
            continue
        hit, text = compare(count, counts[status], len(ids))
        want.append(f"{status} {text}")
        if not hit:
            ok = False
            bad.extend(f"{i}: {fates[i].status.value if i in fates else 'pending'}" for i in ids
                       if (fates[i].status.value if i in fates else "pending") != status)
    observed = ", ".join(f"{k} {v}" for k, v in counts.items() if v) or "no records"
    return _verdict(spec, ok, f"{where}: " + ", ".join(want), f"{observed} of {len(ids)}", bad)


def _attempts(ctx: Context, spec: ExpectationSpec) -> Verdict:
    ids, where = _scope(ctx, spec.params)
    per: dict[str, int] = dict.fromkeys(ids, 0)
    fn = spec.params.get("function")
    for a in ctx.ledger.attempts:
        if _ran(a) and (fn is None or a.function == fn):
            for rid in a.records or (a.event_id,):
                if rid in per:
                    per[rid] += 1
    total = sum(per.values())
    ok = True
    want: list[str] = []
    bad: list[str] = []
    hi, lo = spec.params.get("per_event_max"), spec.params.get("per_event_min")
    if hi is not None:
        want.append(f"at most {hi} per record")
        over = [f"{r}: {n} attempts" for r, n in per.items() if n > hi]
        ok, bad = ok and not over, bad + over
    if lo is not None:
        want.append(f"at least {lo} per record")
        under = [f"{r}: {n} attempts" for r, n in per.items() if n < lo]
        ok, bad = ok and not under, bad + under
    if "total" in spec.params:
        hit, text = compare(spec.params["total"], total, total)
        want.append(f"total {text}")
        ok = ok and hit
    spread = f"max {max(per.values(), default=0)} per record"
    return _verdict(spec, ok, f"{where}: " + ", ".join(want), f"{total} attempts, {spread}", bad)


def _shape_problems(shape: str, msg: Any) -> list[str]:
    attrs = getattr(msg, "message_attributes", {}) or {}
    try:
        body = json.loads(msg.body)
    except ValueError:
        body = None
    if shape == "lambda-dlq":
        want = {"RequestID": "String", "ErrorCode": "Number", "ErrorMessage": "String"}
        # an empty error message has no ErrorMessage attribute (docs/aws-behaviour.md)
        return [f"attribute {k} ({t}) missing" for k, t in want.items()
                if attrs.get(k, {}).get("DataType") != t and (k != "ErrorMessage" or k in attrs)]
    if shape == "sqs-redrive":
        return [] if getattr(msg, "dead_letter_queue_source_arn", None) else ["no DeadLetterQueueSourceArn"]
    if not isinstance(body, dict):
        return ["body is not a JSON object"]
    need = ["version", "timestamp", "requestContext"]
    if shape == "async-destination":
        need.append("requestPayload")
    problems = [f"key {k} missing" for k in need if k not in body]
    if shape == "stream-destination" and not any(k.endswith("BatchInfo") for k in body):
        problems.append("no KinesisBatchInfo/DDBStreamBatchInfo")
    return problems


def _delivered(ctx: Context, spec: ExpectationSpec) -> Verdict:
    to = spec.params["to"]
    arn = ctx.arns.get(to, to)
    found = [d for d in ctx.ledger.deliveries if d.target == arn and d.ok]
    ok = True
    want: list[str] = []
    bad: list[str] = []
    count = spec.params.get("count", "> 0")
    hit, text = compare(count, len(found), len(ctx.ledger.fates))
    want.append(f"{text} deliveries")
    ok = hit
    if "condition" in spec.params:
        cond = spec.params["condition"]
        want.append(f"condition {cond}")
        wrong = [d.describe() for d in found if d.condition != cond]
        ok, bad = ok and not wrong, bad + wrong
    if "within_seconds" in spec.params:
        limit = spec.params["within_seconds"]
        want.append(f"by t={limit}s")
        late = [d.describe() for d in found if d.at_ns > limit * 1e9]
        ok, bad = ok and not late, bad + late
    if "shape" in spec.params:
        want.append(f"shape {spec.params['shape']}")
        for msg in ctx.messages.get(to, ()):
            problems = _shape_problems(spec.params["shape"], msg)
            if problems:
                ok = False
                bad.append(f"message {msg.message_id}: " + "; ".join(problems))
    conds = sorted({d.condition or "-" for d in found})
    return _verdict(spec, ok, f"{to}: " + ", ".join(want),
                    f"{len(found)} deliveries" + (f" ({', '.join(conds)})" if found else ""), bad)


def _ordered(ctx: Context, spec: ExpectationSpec) -> Verdict:
    ids, where = _scope(ctx, spec.params)
    wanted = set(ids)
    by = spec.params.get("by", "partition_key")
    entry: dict[str, int] = {}
    key_of: dict[str, str] = {}
    for s in sorted(ctx.sent, key=lambda s: (s.at, s.index)):
        for i in s.ids:
            entry.setdefault(i, len(entry))
            key_of[i] = "all" if by == "event" else (s.key or "-")
    first: dict[str, list[str]] = {}
    seen: set[str] = set()
    for a in ctx.ledger.attempts:
        for rid in a.records or (a.event_id,):
            if _ran(a) and rid in wanted and rid in entry and rid not in seen:
                seen.add(rid)
                first.setdefault(key_of[rid], []).append(rid)
    fates = ctx.ledger.fates
    bad = []
    for key, rids in first.items():
        done = sorted((r for r in rids if r in fates and fates[r].status.value == "succeeded"),
                      key=lambda r: (fates[r].at_ns or 0, rids.index(r)))
        for what, order in (("first delivered", rids), ("succeeded", done)):
            bad += [f"{by} {key}: {cur} {what} before the earlier {prev}"
                    for prev, cur in itertools.pairwise(order) if entry[cur] < entry[prev]]
    return _verdict(spec, not bad, f"{where}: per {by}, first delivery and success in send order",
                    f"{len(first)} key(s), {len(seen)} records, {len(bad)} out of order", bad)


def _nothing_lost(ctx: Context, spec: ExpectationSpec) -> Verdict:
    ids, where = _scope(ctx, spec.params)
    fates = ctx.ledger.fates
    lost = [f"{i}: {fates[i].status.value if i in fates else 'pending'}"
            + (f" ({fates[i].condition})" if i in fates and fates[i].condition else "")
            for i in ids if i not in fates or fates[i].status.value not in _SAFE]
    failed = [d.describe() for d in ctx.ledger.deliveries if not d.ok and d.event_id in set(ids)]
    scope = {s.traffic for s in ctx.sent} if "traffic" not in spec.params else {spec.params["traffic"]}
    refused = [f"{s.traffic}[{s.index}] refused: {s.rejected}" for s in ctx.sent
               if s.rejected and s.traffic in scope]
    bad = lost + failed + refused
    return _verdict(spec, not bad, f"{where}: every record succeeded, filtered, dead-lettered or sent to a "
                    "destination", f"{len(lost)} lost, {len(failed)} failed deliveries, {len(refused)} refused "
                    f"of {len(ids)}", bad)


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (``q`` in 0–100); 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def _latency(ctx: Context, spec: ExpectationSpec) -> Verdict:
    ids, where = _scope(ctx, spec.params)
    wanted = set(ids)
    fn = spec.params.get("function")
    durations = [a.duration_ms for a in ctx.ledger.attempts if _ran(a) and (fn is None or a.function == fn)
                 and (wanted.intersection(a.records) or a.event_id in wanted)]
    sent_at = {i: s.at for s in ctx.sent for i in s.ids}
    fates = ctx.ledger.fates
    e2e = [(fates[i].at_ns or 0) / 1e9 - sent_at[i] for i in ids
           if i in fates and i in sent_at and fates[i].at_ns is not None and fates[i].status.value != "pending"]
    figures = {"p50_ms": percentile(durations, 50), "p95_ms": percentile(durations, 95),
               "p99_ms": percentile(durations, 99), "max_ms": max(durations, default=0.0),
               "end_to_end_p95_seconds": percentile(e2e, 95), "end_to_end_max_seconds": max(e2e, default=0.0)}
    want, bad = [], []
    for key, limit in spec.params.items():
        if key in figures:
            want.append(f"{key} <= {limit}")
            if figures[key] > limit:
                bad.append(f"{key} = {figures[key]:.3f} exceeds {limit}")
    observed = ", ".join(f"{k} {v:.3f}" for k, v in figures.items() if k in spec.params)
    return _verdict(spec, not bad, f"{where}: " + ", ".join(want), observed or "no limits given", bad)


def _verdict(spec: ExpectationSpec, ok: bool, expected: str, observed: str, bad: list[str]) -> Verdict:
    return Verdict(spec.name, spec.kind, spec.line, ok, expected, observed, tuple(bad[:10]))


_EVALUATORS: Final[dict[str, Callable[[Context, ExpectationSpec], Verdict]]] = {
    "fates": _fates, "attempts": _attempts, "delivered": _delivered, "ordered": _ordered,
    "nothing_lost": _nothing_lost, "latency": _latency,
}


def evaluate(ctx: Context, expectations: Sequence[ExpectationSpec]) -> list[Verdict]:
    """One verdict per expectation, in file order."""
    return [_EVALUATORS[e.kind](ctx, e) for e in expectations]
