"""The ``localstack`` target: run a scenario against a real LocalStack and read back the same kind of ledger.

The API mirrors :class:`lambdachaos.Sim` for the parts a scenario uses (``sqs_queue``, ``function``,
``invoke``, ``map``, ``kinesis_stream``, ``apply_faults``, ``run``, ``ledger``), so one scenario
function can run on both. Functions are deployed as zips holding the handler's module, the
deployable fault wrapper (as ``lambdachaos_faults``) and a small entry point that logs the
invocation's records and reported batch failures. Time is the wall clock: ``run`` polls until
every input has a fate or ``timeout`` seconds pass.

Example (needs a running LocalStack: ``lambdachaos localstack up --fast``)::

    from lambdachaos.targets import LocalStackTarget
    import handlers  # a module whose functions are the handlers

    with LocalStackTarget(seed=7) as ls:
        dlq = ls.sqs_queue("orders-dlq")
        fn = ls.function(handlers.always_fails, name="orders", dead_letter_queue=dlq)
        request_id = ls.invoke(fn, {"order": 1}, invocation_type="Event")
        ls.run(timeout=60)
        assert ls.ledger.fate(request_id).status == "dead_lettered"
"""

from __future__ import annotations

import inspect
import io
import json
import time
import uuid
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Final

from lambdachaos.ledger._ledger import FateStatus, Ledger
from lambdachaos.targets import _ls_ledger as rb
from lambdachaos.targets._ls_connection import Connection
from lambdachaos.targets._ls_manager import LocalStackError, status

ROLE: Final = "arn:aws:iam::000000000000:role/lambdachaos"
RUNTIME: Final = "python3.13"
_ENTRY: Final = '''"""lambdachaos entry point: logs records and batch responses around the fault wrapper."""
import json
from lambdachaos_faults import wrapper
from lambdachaos_faults._target import record_id, records_of


def handler(event, context):
    records = [r for r in records_of(event) if isinstance(r, dict) and "eventSource" in r]
    print(json.dumps({"lambdachaos": "start", "requestId": context.aws_request_id, "esm": bool(records),
                      "eventSource": next((r.get("eventSourceARN") for r in records), None),
                      "records": [record_id(r) for r in records]}), flush=True)
    result = wrapper.handler(event, context)
    failures = result.get("batchItemFailures") if isinstance(result, dict) else None
    print(json.dumps({"lambdachaos": "response", "requestId": context.aws_request_id,
                      "batchItemFailures": failures}), flush=True)
    return result
'''


@dataclass(frozen=True)
class SentMessage:
    """What ``LsQueue.send`` returns (``message_id`` like the simulator's)."""

    message_id: str


class LsQueue:
    """An SQS queue in LocalStack."""

    def __init__(self, target: LocalStackTarget, name: str, url: str, arn: str, max_receive_count: int | None):
        self.target, self.name, self.url, self.arn = target, name, url, arn
        self.max_receive_count = max_receive_count
        self.role: str | None = None  # "dlq", "on_failure", "on_success", "queue_dlq", "stream_on_failure"

    def send(self, body: str, *, message_group_id: str | None = None,
             message_deduplication_id: str | None = None) -> SentMessage:
        """``SendMessage``; the message is tracked for the ledger."""
        kwargs: dict[str, Any] = {"QueueUrl": self.url, "MessageBody": body}
        if message_group_id is not None:
            kwargs["MessageGroupId"] = message_group_id
        if message_deduplication_id is not None:
            kwargs["MessageDeduplicationId"] = message_deduplication_id
        mid = str(self.target.client("sqs").send_message(**kwargs)["MessageId"])
        self.target._sent[mid] = rb.SentMessage(mid, self.arn, self.target._now_ns(), self.max_receive_count)
        return SentMessage(mid)

    def __repr__(self) -> str:
        return f"<LsQueue {self.name}>"


class LsStream:
    """A Kinesis stream in LocalStack."""

    def __init__(self, target: LocalStackTarget, name: str, arn: str) -> None:
        self.target, self.name, self.arn = target, name, arn

    def put_record(self, data: bytes | str, partition_key: str, *, explicit_hash_key: str | None = None
                   ) -> dict[str, str]:
        """``PutRecord`` (the simulator's signature): returns ``{"ShardId", "SequenceNumber"}``.

        The record is tracked for the ledger under its Lambda ``eventID`` (``shardId-…:<sequence number>``),
        the id the simulator's ledger uses too.
        """
        raw = data.encode() if isinstance(data, str) else data
        kwargs: dict[str, Any] = {"StreamName": self.arn.rsplit("/", 1)[-1], "Data": raw,
                                  "PartitionKey": partition_key}
        if explicit_hash_key is not None:
            kwargs["ExplicitHashKey"] = explicit_hash_key
        out = self.target.client("kinesis").put_record(**kwargs)
        shard, seq = str(out["ShardId"]), str(out["SequenceNumber"])
        self.target._records[f"{shard}:{seq}"] = (self.arn, shard)
        return {"ShardId": shard, "SequenceNumber": seq}

    def put(self, data: bytes | str, partition_key: str = "pk") -> str:
        """``PutRecord``; returns the record's ledger id (its ``eventID``, ``shardId-…:<sequence number>``)."""
        out = self.put_record(data, partition_key)
        return f"{out['ShardId']}:{out['SequenceNumber']}"


class LsFunction:
    """A deployed function."""

    def __init__(self, name: str, arn: str, settings: dict[str, Any]) -> None:
        self.name, self.arn, self.settings = name, arn, settings

    def __repr__(self) -> str:
        return f"<LsFunction {self.name}>"


def _arn(target: Any) -> str:
    arn = getattr(target, "arn", target)
    if not isinstance(arn, str):
        raise LocalStackError(f"target={target!r} is not a queue or an ARN")
    return arn


class LocalStackTarget:
    """One scenario run against LocalStack; resource names get a unique prefix per run."""

    def __init__(self, connection: Connection | None = None, *, seed: int = 0, prefix: str | None = None) -> None:
        conn = connection or status()
        if conn is None:
            raise LocalStackError("no LocalStack is running: start one with 'lambdachaos localstack up --fast'")
        self.connection = conn
        self.seed = seed
        self.prefix = prefix or f"lc{uuid.uuid4().hex[:6]}-"
        self._clients: dict[str, Any] = {}
        self._t0_ms = int(time.time() * 1000)
        self.queues: dict[str, LsQueue] = {}
        self.functions: dict[str, LsFunction] = {}
        self._async: dict[str, rb.AsyncEvent] = {}
        self._sent: dict[str, rb.SentMessage] = {}
        self._records: dict[str, tuple[str, str]] = {}
        self._received: list[rb.Received] = []
        self._plan: Any = None
        self.ledger = Ledger(seed)

    # ---- plumbing -----------------------------------------------------------------------------
    def client(self, service: str) -> Any:
        """A cached boto3 client on this LocalStack."""
        if service not in self._clients:
            self._clients[service] = self.connection.client(service)
        return self._clients[service]

    def _now_ns(self) -> int:
        return (int(time.time() * 1000) - self._t0_ms) * 1_000_000

    def __enter__(self) -> LocalStackTarget:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Delete the functions (and so their mappings and warm processes) this run created."""
        lam = self.client("lambda")
        for mapping in lam.list_event_source_mappings().get("EventSourceMappings", []):
            if any(mapping.get("FunctionArn", "").endswith(f":{f.name}") for f in self.functions.values()):
                lam.delete_event_source_mapping(UUID=mapping["UUID"])
        for fn in self.functions.values():
            lam.delete_function(FunctionName=self.prefix + fn.name)

    # ---- resources ----------------------------------------------------------------------------
    def sqs_queue(self, name: str, *, dead_letter_queue: LsQueue | None = None, max_receive_count: int | None = None,
                  visibility_timeout: int | None = None) -> LsQueue:
        """``CreateQueue`` (FIFO when the name ends in ``.fifo``), with an optional redrive policy."""
        attrs: dict[str, str] = {}
        if name.endswith(".fifo"):
            attrs["FifoQueue"] = "true"
        if visibility_timeout is not None:
            attrs["VisibilityTimeout"] = str(visibility_timeout)
        if dead_letter_queue is not None:
            attrs["RedrivePolicy"] = json.dumps({"deadLetterTargetArn": dead_letter_queue.arn,
                                                 "maxReceiveCount": max_receive_count or 1})
            dead_letter_queue.role = "queue_dlq"
        sqs = self.client("sqs")
        url = sqs.create_queue(QueueName=self.prefix + name, Attributes=attrs)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        queue = self.queues[name] = LsQueue(self, name, url, arn, max_receive_count)
        return queue

    def kinesis_stream(self, name: str, *, shards: int = 1) -> LsStream:
        """``CreateStream`` and wait until it is active."""
        kinesis = self.client("kinesis")
        kinesis.create_stream(StreamName=self.prefix + name, ShardCount=shards)
        kinesis.get_waiter("stream_exists").wait(StreamName=self.prefix + name,
                                                  WaiterConfig={"Delay": 0.5, "MaxAttempts": 120})
        arn = kinesis.describe_stream_summary(StreamName=self.prefix + name)["StreamDescriptionSummary"]["StreamARN"]
        return LsStream(self, name, arn)

    def function(self, handler: Callable[..., Any], *, name: str | None = None, timeout: int = 3,
                 memory_size: int = 128, environment: dict[str, str] | None = None,
                 reserved_concurrency: int | None = None, dead_letter_queue: LsQueue | None = None,
                 maximum_retry_attempts: int | None = None, maximum_event_age_in_seconds: int | None = None,
                 on_success: LsQueue | None = None, on_failure: LsQueue | None = None) -> LsFunction:
        """Deploy ``handler`` (a module-level function; its module file is zipped) behind the fault wrapper."""
        module = inspect.getmodule(handler)
        source = inspect.getsourcefile(handler)
        if module is None or source is None:
            raise LocalStackError(f"handler={handler!r}: deploy a module-level function of a .py file")
        module_name = Path(source).stem
        name = name or handler.__name__
        env = {"LAMBDACHAOS_ENABLED": "true", "LAMBDACHAOS_HANDLER": f"{module_name}.{handler.__name__}",
               "LAMBDACHAOS_SEED": str(self.seed), **(environment or {})}
        if self._plan is not None:
            env["LAMBDACHAOS_PLAN"] = self._plan.to_json()
        kwargs: dict[str, Any] = {}
        if dead_letter_queue is not None:
            kwargs["DeadLetterConfig"] = {"TargetArn": dead_letter_queue.arn}
            dead_letter_queue.role = "dlq"
        lam = self.client("lambda")
        arn = lam.create_function(
            FunctionName=self.prefix + name, Runtime=RUNTIME, Role=ROLE, Handler="lambdachaos_entry.handler",
            Code={"ZipFile": _zip(Path(source))}, Timeout=timeout, MemorySize=memory_size,
            Environment={"Variables": env}, **kwargs,
        )["FunctionArn"]
        lam.get_waiter("function_active_v2").wait(FunctionName=self.prefix + name,
                                                   WaiterConfig={"Delay": 0.2, "MaxAttempts": 300})
        if reserved_concurrency is not None:
            lam.put_function_concurrency(FunctionName=self.prefix + name,
                                         ReservedConcurrentExecutions=reserved_concurrency)
        destinations: dict[str, Any] = {}
        for kind, queue in (("OnSuccess", on_success), ("OnFailure", on_failure)):
            if queue is not None:
                destinations[kind] = {"Destination": queue.arn}
                queue.role = "on_success" if kind == "OnSuccess" else "on_failure"
        config: dict[str, Any] = {}
        if maximum_retry_attempts is not None:
            config["MaximumRetryAttempts"] = maximum_retry_attempts
        if maximum_event_age_in_seconds is not None:
            config["MaximumEventAgeInSeconds"] = maximum_event_age_in_seconds
        if destinations:
            config["DestinationConfig"] = destinations
        if config:
            lam.put_function_event_invoke_config(FunctionName=self.prefix + name, **config)
        settings = {"max_retry_attempts": 2 if maximum_retry_attempts is None else maximum_retry_attempts,
                    "dlq": dead_letter_queue.arn if dead_letter_queue else None,
                    "on_failure": on_failure.arn if on_failure else None,
                    "on_success": on_success.arn if on_success else None}
        fn = self.functions[name] = LsFunction(name, arn, settings)
        return fn

    def map(self, source: LsQueue | LsStream, function: LsFunction, *, batch_size: int | None = None,
            function_response_types: Iterable[str] = (), maximum_batching_window_in_seconds: int = 0,
            maximum_retry_attempts: int | None = None, maximum_record_age_in_seconds: int | None = None,
            bisect_batch_on_function_error: bool = False, on_failure: LsQueue | None = None,
            starting_position: str = "TRIM_HORIZON") -> str:
        """``CreateEventSourceMapping``; waits until it is enabled. Returns its UUID."""
        kwargs: dict[str, Any] = {"EventSourceArn": source.arn, "FunctionName": self.prefix + function.name,
                                  "FunctionResponseTypes": list(function_response_types),
                                  "MaximumBatchingWindowInSeconds": maximum_batching_window_in_seconds}
        if batch_size is not None:
            kwargs["BatchSize"] = batch_size
        if isinstance(source, LsStream):
            kwargs.update(StartingPosition=starting_position, BisectBatchOnFunctionError=bisect_batch_on_function_error)
            if maximum_retry_attempts is not None:
                kwargs["MaximumRetryAttempts"] = maximum_retry_attempts
            if maximum_record_age_in_seconds is not None:
                kwargs["MaximumRecordAgeInSeconds"] = maximum_record_age_in_seconds
            if on_failure is not None:
                kwargs["DestinationConfig"] = {"OnFailure": {"Destination": on_failure.arn}}
                on_failure.role = "stream_on_failure"
        lam = self.client("lambda")
        uuid_ = str(lam.create_event_source_mapping(**kwargs)["UUID"])
        deadline = time.monotonic() + 30
        while lam.get_event_source_mapping(UUID=uuid_)["State"] != "Enabled":
            if time.monotonic() > deadline:
                raise LocalStackError(f"event source mapping {uuid_} did not become Enabled within 30 s")
            time.sleep(0.1)
        return uuid_

    # ---- input --------------------------------------------------------------------------------
    def invoke(self, function: LsFunction, event: Any = None, *, invocation_type: str = "RequestResponse") -> Any:
        """``Invoke``: ``Event`` returns the request id (tracked); ``RequestResponse`` the parsed payload."""
        payload = json.dumps({} if event is None else event, separators=(",", ":"))
        out = self.client("lambda").invoke(FunctionName=self.prefix + function.name, Payload=payload,
                                           InvocationType=invocation_type)
        if invocation_type != "Event":
            return json.loads(out["Payload"].read() or b"null")
        rid = str(out["ResponseMetadata"]["RequestId"])
        s = function.settings
        self._async[rid] = rb.AsyncEvent(rid, function.name, payload, self._now_ns(), s["max_retry_attempts"],
                                         s["dlq"], s["on_failure"], s["on_success"])
        return rid

    def apply_faults(self, plan: Any) -> None:
        """Put a :class:`lambdachaos.faults.FaultPlan` into every function's ``LAMBDACHAOS_PLAN`` (from now on)."""
        self._plan = plan if self._plan is None else self._plan + plan
        lam = self.client("lambda")
        for fn in self.functions.values():
            env = lam.get_function_configuration(FunctionName=self.prefix + fn.name)["Environment"]["Variables"]
            env["LAMBDACHAOS_PLAN"] = self._plan.to_json()
            lam.update_function_configuration(FunctionName=self.prefix + fn.name, Environment={"Variables": env})
            lam.get_waiter("function_updated_v2").wait(FunctionName=self.prefix + fn.name,
                                                       WaiterConfig={"Delay": 0.2, "MaxAttempts": 300})

    # ---- waiting and reading back -------------------------------------------------------------
    def run(self, *, timeout: float = 60.0, poll: float = 0.5, settle: float = 1.0) -> Ledger:
        """Wait (wall clock) until every input has a fate, then ``settle`` seconds more; rebuild the ledger."""
        deadline = time.monotonic() + timeout
        while True:
            self.ledger = self._rebuild()
            pending = [f for f in self.ledger.fates.values() if f.status is FateStatus.PENDING]
            if not pending:
                time.sleep(settle)
                self.ledger = self._rebuild()
                return self.ledger
            if time.monotonic() > deadline:
                return self.ledger
            time.sleep(poll)

    def messages(self, queue: LsQueue) -> list[dict[str, Any]]:
        """Messages read so far from a DLQ/destination/redrive queue (bodies and attributes as SQS gave them)."""
        return [r.message for r in self._received if r.queue_arn == queue.arn]

    def _drain(self) -> None:
        sqs = self.client("sqs")
        for queue in self.queues.values():
            if queue.role is None:
                continue
            while True:
                got = sqs.receive_message(QueueUrl=queue.url, MaxNumberOfMessages=10, WaitTimeSeconds=0,
                                          AttributeNames=["All"], MessageAttributeNames=["All"]).get("Messages", [])
                if not got:
                    break
                for message in got:
                    self._received.append(rb.Received(queue.arn, queue.role, message, self._now_ns()))
                    sqs.delete_message(QueueUrl=queue.url, ReceiptHandle=message["ReceiptHandle"])

    def _rebuild(self) -> Ledger:
        self._drain()
        logs = self.client("logs")
        observed: list[rb.Observed] = []
        for fn in self.functions.values():
            events: list[dict[str, Any]] = []
            kwargs: dict[str, Any] = {"logGroupName": f"/aws/lambda/{self.prefix}{fn.name}"}
            try:
                for page in logs.get_paginator("filter_log_events").paginate(**kwargs):
                    events += page.get("events", [])
            except logs.exceptions.ResourceNotFoundException:
                continue
            observed += [rb.observe(block, fn.name) for block in rb.blocks(events)]
        return rb.rebuild(t0_ms=self._t0_ms, seed=self.seed, observed=observed, async_events=self._async,
                          sent=self._sent, received=self._received, stream_records=self._records)

    def logical(self, arn: str) -> str:
        """The scenario's name for a resource ARN (without this run's prefix)."""
        return arn.rsplit(":", 1)[-1].rsplit("/", 1)[-1].removeprefix(self.prefix)


def _zip(handler_file: Path) -> bytes:
    """The function zip: the handler's module, the fault wrapper package and the entry point."""
    import lambdachaos.faults as faults_pkg

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(handler_file.name, handler_file.read_text())
        for path in sorted(Path(faults_pkg.__file__).parent.glob("*.py")):
            zf.writestr(f"lambdachaos_faults/{path.name}", path.read_text())
        zf.writestr("lambdachaos_entry.py", _ENTRY)
    return buf.getvalue()

