"""Assertion helpers that answer the questions a Lambda test asks, and show their evidence when they fail.

Every helper reads a :class:`lambdachaos.Ledger` (or, for :func:`assert_delivered`, a queue's messages),
raises :class:`LedgerAssertionError` (an ``AssertionError``) and hides its own frame from pytest's
traceback. A failure message says what was expected and what happened, then lists the attempts and
deliveries involved as bullets with their virtual times. This module does not import pytest, so the
helpers work in any test runner.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lambdachaos.ledger._ledger import Attempt, Ledger

OrderKey = str
"""What :func:`assert_ordered` groups records by: ``"shard"`` (each attempt's source), or the ordering key of a
poll-based source in the source table (``"message_group"`` for FIFO queues, ``"partition_key"`` for Kinesis and
DynamoDB Streams, and each further source's own)."""

KeySource = Mapping[str, str] | Callable[[str], "str | None"] | Any
"""Record id → ordering key: a mapping, a callable, or a queue (its messages' ``message_group_id``)."""

_NOT_RUN = frozenset({"throttled", "rejected"})
_FAILED_FATES = frozenset({"dead_lettered", "on_failure", "dropped"})


class LedgerAssertionError(AssertionError):
    """A lambdachaos assertion failed; the message shows the slice of the ledger that explains why."""

    __module__ = "lambdachaos.plugins"

    def __init__(self, summary: str, *, expected: str, observed: str, evidence: Iterable[str] = ()) -> None:
        self.summary = summary
        """One line: what did not hold."""
        self.expected = expected
        """What the assertion wanted."""
        self.observed = observed
        """What the ledger shows."""
        self.evidence = tuple(evidence)
        """Timeline lines of the attempts and deliveries involved."""
        lines = [summary, f"  expected: {expected}", f"  observed: {observed}"]
        if self.evidence:
            lines.append("  timeline:")
            lines.extend(f"  - {line}" for line in self.evidence)
        else:
            lines.append("  timeline: (no attempts or deliveries involved)")
        super().__init__("\n".join(lines))


def _name(function: Any) -> str:
    return function if isinstance(function, str) else str(getattr(function, "name", function))


def _arn(target: Any) -> str:
    return target if isinstance(target, str) else str(getattr(target, "arn", target))


def _ran(attempt: Attempt) -> bool:
    return attempt.outcome.value not in _NOT_RUN


def _evidence(ledger: Ledger, ids: Iterable[str]) -> list[str]:
    return ledger.timeline(list(ids))


def _fate_text(ledger: Ledger, event_id: str) -> str:
    fate = ledger.fates.get(event_id)
    if fate is None:
        return "never entered the simulation"
    cond = f" ({fate.condition})" if fate.condition else ""
    return f"fate {fate.status.value}{cond}"


def _known(ledger: Ledger, event_id: str) -> None:
    __tracebackhide__ = True
    if event_id not in ledger.fates and not ledger.attempts_for(event_id):
        known = ", ".join(list(ledger.fates)[:5]) or "none"
        raise LedgerAssertionError(
            f"record {event_id!r} never entered this simulation",
            expected=f"a record or event with id {event_id!r}", observed=f"known ids: {known}",
        )


def assert_attempts(ledger: Ledger, event_id: str, n: int) -> None:
    """Assert that the event or record ``event_id`` ran the handler exactly ``n`` times.

    Throttled and rejected attempts never ran the handler and do not count (AWS's
    ``approximateInvokeCount`` does not count them either); they still appear in the timeline.
    """
    __tracebackhide__ = True
    _known(ledger, event_id)
    ran = [a for a in ledger.attempts_for(event_id) if _ran(a)]
    if len(ran) != n:
        raise LedgerAssertionError(
            f"record {event_id!r} ran {len(ran)} time(s), expected {n}",
            expected=f"{n} attempt(s)",
            observed=f"{len(ran)} attempt(s), {_fate_text(ledger, event_id)}",
            evidence=_evidence(ledger, [event_id]),
        )


def assert_retries_exhausted(ledger: Ledger, event_id: str) -> None:
    """Assert that Lambda gave up on ``event_id`` because its retries ran out (``RetriesExhausted``)."""
    __tracebackhide__ = True
    _known(ledger, event_id)
    fate = ledger.fates.get(event_id)
    if fate is None or fate.condition != "RetriesExhausted":
        raise LedgerAssertionError(
            f"record {event_id!r} did not exhaust its retries",
            expected="a failed fate with condition RetriesExhausted",
            observed=_fate_text(ledger, event_id),
            evidence=_evidence(ledger, [event_id]),
        )


def assert_dead_lettered(ledger: Ledger, event_id: str, target: Any) -> None:
    """Assert that ``event_id`` failed and reached ``target`` (a DLQ or on-failure destination, or an ARN)."""
    __tracebackhide__ = True
    _known(ledger, event_id)
    arn = _arn(target)
    fate = ledger.fates.get(event_id)
    ok = [d for d in ledger.deliveries_to(arn) if d.event_id == event_id and d.ok]
    if fate is None or fate.status.value not in _FAILED_FATES or not ok:
        sent = ", ".join(fate.destinations) if fate is not None and fate.destinations else "nowhere"
        raise LedgerAssertionError(
            f"record {event_id!r} did not reach {arn}",
            expected=f"a failed fate delivered to {arn}",
            observed=f"{_fate_text(ledger, event_id)}, sent to {sent}",
            evidence=_evidence(ledger, [event_id]),
        )


def _subset(expected: Any, actual: Any) -> bool:
    if isinstance(expected, Mapping):
        return isinstance(actual, Mapping) and all(k in actual and _subset(v, actual[k])
                                                   for k, v in expected.items())
    return bool(expected == actual)


def _shape_problems(shape: Any, actual: Any, path: str = "$") -> list[str]:
    if isinstance(shape, type):
        if isinstance(actual, shape):
            return []
        return [f"{path}: {type(actual).__name__}, expected {shape.__name__}"]
    if isinstance(shape, Mapping):
        if not isinstance(actual, Mapping):
            return [f"{path}: {type(actual).__name__}, expected an object"]
        problems = [f"{path}: missing key {k!r}" for k in shape if k not in actual]
        problems += [f"{path}: unexpected key {k!r}" for k in actual if k not in shape]
        for k in shape:
            if k in actual:
                problems += _shape_problems(shape[k], actual[k], f"{path}.{k}")
        return problems
    return [] if shape == actual else [f"{path}: {actual!r}, expected {shape!r}"]


def _body(message: Any) -> Any:
    text = getattr(message, "body", message)
    try:
        return json.loads(text) if isinstance(text, (str, bytes)) else text
    except ValueError:
        return text


def assert_delivered(
    target: Any, matching: Mapping[str, Any] | None = None, *, shape: Any = None, count: int | None = None
) -> list[Any]:
    """Assert that messages arrived in ``target`` (a sim queue: every message it ever held counts).

    ``matching`` is a nested subset of the JSON body (``{"requestContext": {"condition":
    "RetriesExhausted"}}``); ``shape`` is the body's exact shape: every key present and no other, with a
    type (``str``) or an exact value at each leaf. ``count`` is the number of matching messages
    wanted (default: at least one). Returns the parsed bodies that matched.
    """
    __tracebackhide__ = True
    messages = list(getattr(target, "history", target))
    bodies = [_body(m) for m in messages]
    hits = [b for b in bodies if matching is None or _subset(matching, b)]
    name = getattr(target, "name", repr(target))
    wanted = f"{count} message(s)" if count is not None else "at least one message"
    if (count is None and not hits) or (count is not None and len(hits) != count):
        evidence = [f"message {i + 1}: {json.dumps(b, sort_keys=True)[:300]}" for i, b in enumerate(bodies)]
        raise LedgerAssertionError(
            f"{name} holds {len(hits)} matching message(s) of {len(bodies)}",
            expected=f"{wanted}" + (f" matching {json.dumps(matching, sort_keys=True)}" if matching else ""),
            observed=f"{len(hits)} matching", evidence=evidence,
        )
    if shape is not None:
        for i, b in enumerate(hits):
            problems = _shape_problems(shape, b)
            if problems:
                raise LedgerAssertionError(
                    f"a message in {name} does not have the expected shape",
                    expected="the exact shape given (keys and leaf types)",
                    observed=f"matching message {i + 1}: " + "; ".join(problems[:8]),
                    evidence=[json.dumps(b, sort_keys=True)[:600]],
                )
    return hits


def _key_function(ledger: Ledger, by: str, keys: KeySource | None) -> Callable[[str, Attempt], str | None]:
    if keys is None:
        if by == "shard":
            return lambda _record, attempt: attempt.source
        raise TypeError(
            f"assert_ordered(by={by!r}) needs keys=: a mapping or callable from record id to {by}, "
            "the sim FIFO queue or the Kinesis stream the records came from (only by='shard' needs none)"
        )
    if isinstance(keys, Mapping):
        table: Mapping[str, str] = keys
        return lambda record, _attempt: table.get(record)
    from lambdachaos.service.mappings._sources import by_order_key, source_of

    row = source_of(keys)
    if row is not None:  # a resource of the source table: each record's ordering key as the source keeps it
        if by != "shard" and row not in by_order_key(by):
            raise TypeError(f"assert_ordered(by={by!r}, keys={keys!r}): {row.title} orders records by "
                            + " or ".join(repr(k) for k in (row.order_key, *row.aliases)))
        by_id = row.order_keys(keys)
        return lambda record, _attempt: by_id.get(record)
    if callable(keys):
        fn = keys
        return lambda record, _attempt: fn(record)
    raise TypeError(f"keys={keys!r} ({type(keys).__name__}) must be a mapping, a callable, a sim queue or a "
                    "Kinesis stream")


def assert_ordered(
    ledger: Ledger, by: OrderKey = "message_group", *, keys: KeySource | None = None, function: Any = None
) -> None:
    """Assert that records sharing a key (message group, partition key, shard) were handled in arrival order.

    Two orders are checked per key: the order in which records were first delivered to the function,
    and the order in which they succeeded, both against the order the records entered the
    simulation. ``keys`` maps record ids to keys: a mapping, a callable, the FIFO queue (message group)
    or the Kinesis stream (partition key) the records came from; only ``by="shard"`` needs none (it uses
    each attempt's ``source``).
    """
    __tracebackhide__ = True
    key_of = _key_function(ledger, by, keys)
    entry = {rid: i for i, rid in enumerate(ledger.fates)}
    fn_name = None if function is None else _name(function)
    first: dict[str, list[str]] = {}
    seen: set[str] = set()
    last_attempt: dict[str, Attempt] = {}
    for a in ledger.attempts:
        if not _ran(a) or (fn_name is not None and a.function != fn_name):
            continue
        for rid in a.records or (a.event_id,):
            last_attempt[rid] = a
            if rid not in seen:
                seen.add(rid)
                entry.setdefault(rid, len(entry))
                key = key_of(rid, a)
                if key is not None:
                    first.setdefault(key, []).append(rid)
    fates = ledger.fates
    for key, rids in first.items():
        done = [r for r in rids if r in fates and fates[r].status.value == "succeeded"]
        done.sort(key=lambda r: (fates[r].at_ns or 0, last_attempt[r].seq, last_attempt[r].records.index(r)
                                 if r in last_attempt[r].records else 0))
        for what, order in (("first delivered", rids), ("succeeded", done)):
            for prev, cur in itertools.pairwise(order):
                if entry[cur] < entry[prev]:
                    raise LedgerAssertionError(
                        f"{by} {key!r}: record {prev!r} {what} before the earlier record {cur!r}",
                        expected=f"records of {by} {key!r} {what} in arrival order",
                        observed=f"{what} order: " + ", ".join(order[:12]) + (" ..." * (len(order) > 12)),
                        evidence=_evidence(ledger, [prev, cur]),
                    )


def assert_nothing_lost(ledger: Ledger) -> None:
    """Assert that every record ended somewhere: succeeded, filtered, or delivered to a DLQ or destination.

    A record that was dropped (with nowhere to go), expired (left its source's retention unprocessed) or is still
    pending counts as lost, and so does a failed delivery to a DLQ or destination.
    """
    __tracebackhide__ = True
    lost = [f for f in ledger.fates.values() if f.status.value in ("dropped", "pending", "expired")]
    failed = [d for d in ledger.deliveries if not d.ok]
    if lost or failed:
        ids = [f.event_id for f in lost] + [d.event_id for d in failed]
        parts = [f"{f.event_id} {f.status.value} ({f.condition or '-'})" for f in lost[:10]]
        parts += [f"{d.event_id} delivery to {d.target} failed" for d in failed[:10]]
        raise LedgerAssertionError(
            f"{len(lost)} record(s) lost and {len(failed)} failed delivery(ies) "
            f"out of {len(ledger.fates)} records",
            expected="every record succeeded, filtered, dead-lettered or sent to a destination",
            observed="; ".join(parts), evidence=_evidence(ledger, ids[:10]),
        )


def assert_throttled(ledger: Ledger, function: Any, n: int) -> None:
    """Assert that ``function`` (a function or its name) was throttled exactly ``n`` times."""
    __tracebackhide__ = True
    name = _name(function)
    hits = [a for a in ledger.attempts if a.function == name and a.outcome.value == "throttled"]
    if len(hits) != n:
        reasons = sorted({a.reason or "?" for a in hits})
        raise LedgerAssertionError(
            f"function {name!r} was throttled {len(hits)} time(s), expected {n}",
            expected=f"{n} throttle(s)",
            observed=f"{len(hits)} throttle(s)" + (f", reasons {reasons}" if reasons else ""),
            evidence=[a.describe() for a in ledger.attempts if a.function == name][:20],
        )


def assert_timed_out(ledger: Ledger, event_id: str | None = None, *, function: Any = None,
                     n: int | None = None) -> None:
    """Assert that attempts timed out (``Sandbox.Timedout``): of one event, of one function, or any.

    ``n`` is the exact number of timeouts wanted (default: at least one).
    """
    __tracebackhide__ = True
    if event_id is not None:
        _known(ledger, event_id)
    pool = ledger.attempts_for(event_id) if event_id is not None else list(ledger.attempts)
    if function is not None:
        pool = [a for a in pool if a.function == _name(function)]
    hits = [a for a in pool if a.outcome.value == "timeout"]
    if (n is None and not hits) or (n is not None and len(hits) != n):
        what = (f"record {event_id!r}" if event_id else
                f"function {_name(function)!r}" if function is not None else "the run")
        raise LedgerAssertionError(
            f"{what} timed out {len(hits)} time(s)",
            expected=f"{n if n is not None else 'at least one'} timeout(s)",
            observed=f"{len(hits)} timeout(s) in {len(pool)} attempt(s)",
            evidence=[a.describe() for a in pool][:20],
        )


def assert_bisect_sequence(ledger: Ledger, expected: Sequence[int | tuple[int, int]], *,
                           function: Any = None) -> None:
    """Assert the batches a stream mapping invoked, in order: batch sizes, or ``(bisect_depth, size)`` pairs.

    With ``BisectBatchOnFunctionError`` a failing batch of 4 is split in halves: ``[4, 2, 2, 1, 1]`` or
    ``[(0, 4), (1, 2), (1, 2), (2, 1), (2, 1)]``. Only attempts of event source mappings that ran count.
    """
    __tracebackhide__ = True
    pool = [a for a in ledger.attempts if a.path.value == "esm" and _ran(a)]
    if function is not None:
        pool = [a for a in pool if a.function == _name(function)]
    with_depth = any(isinstance(e, tuple) for e in expected)
    observed: list[int | tuple[int, int]] = [
        (a.bisect_depth, len(a.records)) if with_depth else len(a.records) for a in pool
    ]
    if observed != list(expected):
        raise LedgerAssertionError(
            f"the batch sequence differs from the expected bisect sequence ({len(observed)} batches)",
            expected=str(list(expected)), observed=str(observed),
            evidence=[f"{a.describe()} depth={a.bisect_depth} batch={a.batch_id}" for a in pool][:30],
        )
