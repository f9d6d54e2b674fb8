"""Rebuild a :class:`lambdachaos.Ledger` from what a LocalStack run left behind.

Attempts come from the functions' CloudWatch log streams: the executor frames every invocation
with ``START``/``END``/``REPORT`` lines, the deployed entry point writes a ``start`` line (request id
and record ids) and a ``response`` line (reported batch item failures), and the fault wrapper
writes its ``invocation`` line (outcome, error type, fault firings). Deliveries and fates come from
the messages read off the DLQs, on-failure/on-success destination queues and redrive queues.

Times are wall-clock nanoseconds since the target was created. LocalStack stamps all lines of one
invocation with the time it stored them, so an attempt's start is that time minus its duration.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from lambdachaos.ledger._ledger import Attempt, Delivery, Fate, FateStatus, FaultRecord, Ledger, Outcome, Path

_START: Final = re.compile(r"^START RequestId: (\S+)")
_END: Final = re.compile(r"^END RequestId: (\S+)")
_REPORT: Final = re.compile(r"^REPORT RequestId: (\S+)\s+Duration: ([\d.]+) ms")
_ERROR: Final = re.compile(r"^\[ERROR\] ([\w.]+): (.*)")
_TIMED_OUT: Final = re.compile(r"Task timed out after ([\d.]+) seconds")
_EXITED: Final = re.compile(r"Error: Runtime exited with error: (.*)$")


@dataclass(slots=True)
class LogBlock:
    """The lines of one invocation in one log stream."""

    request_id: str
    stream: str
    at_ms: int
    lines: list[str] = field(default_factory=list)
    duration_ms: float = 0.0


def blocks(events: Iterable[Mapping[str, Any]]) -> list[LogBlock]:
    """Group CloudWatch log events (``logStreamName``, ``timestamp``, ``message``) into invocations."""
    out: list[LogBlock] = []
    open_blocks: dict[str, LogBlock] = {}
    for event in events:
        stream = str(event.get("logStreamName", ""))
        for line in str(event.get("message", "")).splitlines():
            if m := _START.match(line):
                open_blocks[stream] = LogBlock(m.group(1), stream, int(event.get("timestamp", 0)))
                continue
            block = open_blocks.get(stream)
            if block is None:
                continue
            if m := _REPORT.match(line):
                block.duration_ms = float(m.group(2))
                out.append(block)
                del open_blocks[stream]
            elif not _END.match(line):
                block.lines.append(line)
    return out


def _json_lines(lines: Iterable[str]) -> Iterable[dict[str, Any]]:
    for line in lines:
        start = line.find('{"lambdachaos"')
        if start < 0:
            continue
        try:
            data = json.loads(line[start:])
        except ValueError:
            continue
        if isinstance(data, dict):
            yield data


@dataclass(slots=True)
class Observed:
    """One attempt as read from the logs, before ledger sequence numbers are assigned."""

    block: LogBlock
    function: str
    outcome: Outcome
    error_type: str | None
    error_message: str | None
    records: tuple[str, ...]
    source: str | None
    failures: tuple[Any, ...] | None
    faults: list[dict[str, Any]]


def _reported_failures(obs: Observed) -> tuple[str, ...]:
    """The item identifiers of a successful batch's ``batchItemFailures`` (a partial failure, as the
    simulator records it); empty when the handler failed, reported none, or answered something Lambda
    cannot read (then the whole batch failed and the attempt keeps its own outcome)."""
    if obs.outcome is not Outcome.SUCCESS or not obs.failures:
        return ()
    ids = [f.get("itemIdentifier") if isinstance(f, dict) else None for f in obs.failures]
    if not all(isinstance(i, str) and i for i in ids):
        return ()
    return tuple(str(i) for i in ids)


def observe(block: LogBlock, function: str) -> Observed:
    """Read one invocation's outcome, records, reported failures and fault firings."""
    start: dict[str, Any] = {}
    wrapper: dict[str, Any] = {}
    response: dict[str, Any] = {}
    for data in _json_lines(block.lines):
        kind = data.get("lambdachaos")
        if kind == "start":
            start = data
        elif kind == "invocation":
            wrapper = data
        elif kind == "response":
            response = data
    outcome, error_type, error_message = Outcome.SUCCESS, None, None
    for line in block.lines:
        if m := _ERROR.match(line):
            error_type, error_message = m.group(1), m.group(2)
    text = "\n".join(block.lines)
    if m := _TIMED_OUT.search(text):
        outcome, error_type = Outcome.TIMEOUT, "Sandbox.Timedout"
        error_message = f"RequestId: {block.request_id} Error: Task timed out after {m.group(1)} seconds"
    elif m := _EXITED.search(text):
        outcome, error_type = Outcome.FUNCTION_ERROR, "Runtime.ExitError"
        error_message = f"RequestId: {block.request_id} Error: Runtime exited with error: {m.group(1)}"
    elif wrapper.get("outcome") in ("error", "killed") or error_type is not None:
        outcome = Outcome.FUNCTION_ERROR
        error_type = error_type or wrapper.get("errorType")
    elif wrapper.get("outcome") == "timeout":
        outcome, error_type = Outcome.TIMEOUT, "Sandbox.Timedout"
    records = tuple(start.get("records") or wrapper.get("records") or ())
    failures = response.get("batchItemFailures")
    return Observed(
        block=block, function=function, outcome=outcome, error_type=error_type, error_message=error_message,
        records=records if start.get("esm") else (), source=start.get("eventSource"),
        failures=tuple(failures) if isinstance(failures, list) else None, faults=list(wrapper.get("faults") or ()),
    )


@dataclass(slots=True)
class AsyncEvent:
    """An event the target invoked asynchronously."""

    request_id: str
    function: str
    payload: str
    accepted_ns: int
    max_retry_attempts: int = 2
    dlq_arn: str | None = None
    on_failure_arn: str | None = None
    on_success_arn: str | None = None


@dataclass(slots=True)
class Received:
    """A message read (and deleted) from a DLQ, destination or redrive queue."""

    queue_arn: str
    kind: str
    message: dict[str, Any]
    at_ns: int


@dataclass(slots=True)
class SentMessage:
    """A message the target sent to a mapped source queue."""

    message_id: str
    queue_arn: str
    sent_ns: int
    max_receive_count: int | None = None


def rebuild(
    *, t0_ms: int, seed: int, observed: list[Observed], async_events: Mapping[str, AsyncEvent],
    sent: Mapping[str, SentMessage], received: list[Received], stream_records: Mapping[str, tuple[str, str]],
) -> Ledger:
    """Assemble the ledger: attempts in start order, deliveries in arrival order, one fate per input."""
    ledger = Ledger(seed)

    def ns(ms: float) -> int:
        return round((ms - t0_ms) * 1_000_000)

    ordered = sorted(observed, key=lambda o: (o.block.at_ms - o.block.duration_ms, o.block.request_id))
    counts: dict[str, int] = defaultdict(int)
    per_record: dict[str, list[tuple[Observed, Attempt]]] = defaultdict(list)
    streams_seen: set[str] = set()
    for obs in ordered:
        rid = obs.block.request_id
        path = Path.ASYNC if rid in async_events else Path.ESM if obs.records else Path.SYNC
        counts[rid] += 1
        env = obs.block.stream.rsplit("]", 1)[-1] or None
        reported = _reported_failures(obs) if path is Path.ESM else ()
        attempt = Attempt(
            seq=ledger.next_seq(), path=path, function=obs.function, qualifier=None, executed_version="$LATEST",
            request_id=rid, event_id=rid if path is not Path.ESM else (obs.records[0] if obs.records else rid),
            attempt=counts[rid], outcome=Outcome.PARTIAL_FAILURE if reported else obs.outcome, failed_items=reported,
            start_ns=ns(obs.block.at_ms - obs.block.duration_ms),
            end_ns=ns(obs.block.at_ms), env_id=env, cold=obs.block.stream not in streams_seen,
            error_type=obs.error_type, error_message=obs.error_message, records=obs.records, source=obs.source,
            faults=tuple(str(f.get("rule_id")) for f in obs.faults),
        )
        streams_seen.add(obs.block.stream)
        ledger.add_attempt(attempt)
        for f in obs.faults:
            ledger.add_fault(FaultRecord(
                seq=ledger.next_seq(), fault=str(f.get("rule_id")), at_ns=attempt.start_ns, function=obs.function,
                event_id=attempt.event_id, attempt=attempt.attempt, effect=str(f.get("effect", "")),
                detail=dict(f.get("detail") or {}),
            ))
        for record in obs.records:
            per_record[record].append((obs, attempt))
    _settle_async(ledger, async_events, received)
    _settle_sqs(ledger, sent, received, per_record)
    _settle_stream(ledger, stream_records, received, per_record)
    return ledger


def _canonical(text: str) -> str:
    try:
        return json.dumps(json.loads(text), sort_keys=True)
    except ValueError:
        return text


def _settle_async(ledger: Ledger, events: Mapping[str, AsyncEvent], received: list[Received]) -> None:
    by_payload: dict[tuple[str, str], list[str]] = defaultdict(list)
    for event in events.values():
        if event.dlq_arn:
            by_payload[(event.dlq_arn, _canonical(event.payload))].append(event.request_id)
        ledger.open(event.request_id, event.accepted_ns)
    hits: dict[str, list[tuple[Received, str | None]]] = defaultdict(list)
    for item in received:
        message = item.message
        if item.kind == "dlq":
            attrs = message.get("MessageAttributes") or {}
            rid = (attrs.get("RequestID") or {}).get("StringValue")
            if rid not in events:  # LocalStack sends a fresh UUID here (and re-serialises the body): match the JSON
                candidates = by_payload.get((item.queue_arn, _canonical(str(message.get("Body")))), [])
                rid = candidates.pop(0) if candidates else None
            if rid is not None:
                hits[rid].append((item, None))
        elif item.kind in ("on_failure", "on_success"):
            try:
                record = json.loads(message.get("Body") or "{}")
                context = record.get("requestContext") or {}
            except (ValueError, AttributeError):
                continue
            request_id = context.get("requestId")
            if isinstance(request_id, str) and request_id in events:
                hits[request_id].append((item, context.get("condition")))
    for rid, event in events.items():
        attempts = [a for a in ledger.attempts if a.request_id == rid]
        condition: str | None = None
        destinations: list[str] = []
        dead_lettered = succeeded = False
        at_ns: int | None = None
        # A DLQ message carries no condition; the on-failure record does, else the attempts tell it.
        known = next((cond for _, cond in hits.get(rid, []) if cond), None)
        dlq_condition = known or ("RetriesExhausted" if attempts else "ZeroReservedConcurrency")
        for item, cond in hits.get(rid, []):
            condition = cond or condition
            at_ns = item.at_ns
            ledger.add_delivery(Delivery(seq=ledger.next_seq(), kind=item.kind, target=item.queue_arn, event_id=rid,
                                         at_ns=item.at_ns, condition=dlq_condition if item.kind == "dlq" else cond,
                                         message_id=item.message.get("MessageId")))
            if item.kind == "dlq":
                dead_lettered = True
                destinations.insert(0, item.queue_arn)
            elif item.kind == "on_failure":
                destinations.append(item.queue_arn)
            else:
                succeeded = True
                destinations.append(item.queue_arn)
        failed_all = len(attempts) >= event.max_retry_attempts + 1 and all(
            a.outcome is not Outcome.SUCCESS for a in attempts)
        if succeeded or (attempts and attempts[-1].outcome is Outcome.SUCCESS):
            if event.on_success_arn and not succeeded:
                continue  # the on-success record has not arrived yet
            status, condition = FateStatus.SUCCEEDED, "Success"
        elif (event.dlq_arn and not dead_lettered and not destinations) or (
                event.on_failure_arn and event.on_failure_arn not in destinations):
            # A configured failure target has not received it yet. (A DLQ that stays empty after the on-failure
            # record arrived is LocalStack failing to send it, as with reserved concurrency 0.)
            continue
        elif dead_lettered:
            status = FateStatus.DEAD_LETTERED
        elif destinations:
            status = FateStatus.ON_FAILURE
        elif failed_all:
            status = FateStatus.DROPPED
        else:
            continue
        if condition is None:
            condition = "RetriesExhausted" if attempts else "ZeroReservedConcurrency"
        end = at_ns if at_ns is not None else (attempts[-1].end_ns if attempts else None)
        ledger.settle(Fate(event_id=rid, status=status, at_ns=end, condition=condition,
                           destinations=tuple(destinations), attempts=len(attempts)))


def _settle_sqs(ledger: Ledger, sent: Mapping[str, SentMessage], received: list[Received],
                per_record: Mapping[str, list[tuple[Observed, Attempt]]]) -> None:
    redriven = {str(r.message.get("MessageId")): r for r in received if r.kind == "queue_dlq"}
    for mid, msg in sent.items():
        ledger.open(mid, msg.sent_ns)
        seen = per_record.get(mid, [])
        if mid in redriven:
            item = redriven[mid]
            ledger.add_delivery(Delivery(seq=ledger.next_seq(), kind="queue_dlq", target=item.queue_arn, event_id=mid,
                                         at_ns=item.at_ns, condition="maxReceiveCount", message_id=mid))
            ledger.settle(Fate(event_id=mid, status=FateStatus.DEAD_LETTERED, at_ns=item.at_ns,
                               condition="maxReceiveCount", destinations=(item.queue_arn,),
                               attempts=msg.max_receive_count or len(seen)))
        elif seen and _succeeded(mid, *seen[-1]):
            ledger.settle(Fate(event_id=mid, status=FateStatus.SUCCEEDED, at_ns=seen[-1][1].end_ns,
                               attempts=len(seen)))


def _succeeded(record: str, obs: Observed, attempt: Attempt) -> bool:
    if attempt.outcome is not Outcome.SUCCESS and attempt.outcome is not Outcome.PARTIAL_FAILURE:
        return False
    failed = {str(f.get("itemIdentifier")) for f in obs.failures or () if isinstance(f, dict)}
    if not failed:
        return True
    seq = record.rsplit(":", 1)[-1]  # a stream record's ledger id is its eventID, shardId-…:<sequence number>
    if record in failed or seq in failed:
        return False
    # Streams: a checkpoint at the lowest reported sequence number; everything after it is retried too.
    if all(f.isdigit() for f in failed) and seq.isdigit():
        return int(seq) < min(int(f) for f in failed)
    return True


def _settle_stream(ledger: Ledger, records: Mapping[str, tuple[str, str]], received: list[Received],
                   per_record: Mapping[str, list[tuple[Observed, Attempt]]]) -> None:
    """``records`` maps a record's eventID (``shardId-…:<sequence number>``) → (stream ARN, shard id)."""
    failed: dict[str, tuple[Received, dict[str, Any]]] = {}
    for item in received:
        if item.kind != "stream_on_failure":
            continue
        try:
            record = json.loads(item.message.get("Body") or "{}")
        except ValueError:
            continue
        info = record.get("KinesisBatchInfo") or record.get("DDBStreamBatchInfo") or {}
        lo, hi = int(info.get("startSequenceNumber", 0)), int(info.get("endSequenceNumber", -1))
        for rid, (_, shard) in records.items():
            if shard == info.get("shardId") and lo <= int(rid.rsplit(":", 1)[-1]) <= hi:
                failed[rid] = (item, record)
    for seq in records:
        ledger.open(seq, 0)
        seen = per_record.get(seq, [])
        if seq in failed:
            item, record = failed[seq]
            condition = (record.get("requestContext") or {}).get("condition") or "RecordAgeExceeded"
            ledger.add_delivery(Delivery(seq=ledger.next_seq(), kind="on_failure", target=item.queue_arn, event_id=seq,
                                         at_ns=item.at_ns, condition=condition))
            ledger.settle(Fate(event_id=seq, status=FateStatus.ON_FAILURE, at_ns=item.at_ns, condition=condition,
                               destinations=(item.queue_arn,), attempts=len(seen)))
        elif seen and _succeeded(seq, *seen[-1]):
            ledger.settle(Fate(event_id=seq, status=FateStatus.SUCCEEDED, at_ns=seen[-1][1].end_ns,
                               attempts=len(seen)))
