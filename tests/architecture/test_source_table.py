"""A new poll-based source needs one module and one row of the source table: a toy source registered through
the table alone can be mapped, faulted, asserted on and declared in a scenario file."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from lambdachaos import ConfigError, Sim
from lambdachaos.faults import (
    DuplicateDelivery,
    FaultPlan,
    FaultRule,
    FieldMatch,
    InvocationError,
    Reorder,
    Target,
    When,
)
from lambdachaos.faults import _target as fault_target
from lambdachaos.ledger._ledger import Fate, FateStatus, Path
from lambdachaos.plugins import assert_ordered
from lambdachaos.service.mappings import _sources
from lambdachaos.service.mappings._table import DeliveryOps, MapRequest, PollSource, ScenarioOps

_NS = 1_000_000_000


class ToyRecord:
    """One record of a toy log: an offset in a named log, an ordering key and a body."""

    def __init__(self, log: ToyLog, offset: int, key: str, body: bytes) -> None:
        self.log, self.offset, self.key, self.body = log, offset, key, body
        self.record_id = f"{log.name}@{offset}"


class ToyLog:
    """A toy source resource: an append-only log (the toy's ``_interceptor`` is the delivery-fault hook)."""

    def __init__(self, world: Any, name: str) -> None:
        self.world, self.name = world, name
        self.arn = world.arn("toy", f"log/{name}")
        self.records: list[ToyRecord] = []
        self.listeners: list[Any] = []
        self._interceptor: Any = None

    def put(self, key: str, body: bytes | str) -> str:
        record = self.append(key, body.encode() if isinstance(body, str) else body)
        self.notify()
        return record.record_id

    def append(self, key: str, body: bytes) -> ToyRecord:
        record = ToyRecord(self, len(self.records), key, body)
        self.records.append(record)
        for listener in self.listeners:
            listener.opened(record)
        if self._interceptor is not None:
            self._interceptor.after_put(self, record)
        return record

    def notify(self) -> None:
        for listener in self.listeners:
            listener.wake()


class ToyMapping:
    """Reads the log in order, ``batch_size`` records at a time; a failed batch is retried after 1 s until
    it succeeds (a stream-style checkpoint)."""

    def __init__(self, request: MapRequest) -> None:
        self.service, self.function, self.log = request.service, request.function, request.resource
        self.config = dict(request.settings)
        self.uuid = request.service.world.uuid("esm")
        self.enabled = request.enabled
        self.event_source_arn = self.log.arn
        self.position = 0
        self.busy = False
        self.log.listeners.append(self)
        for record in self.log.records:
            self.opened(record)

    def opened(self, record: ToyRecord) -> None:
        self.service.ledger.open(record.record_id, self.service.world.clock.now_ns)

    def wake(self) -> None:
        if not self.busy and self.enabled and self.position < len(self.log.records):
            self.busy = True
            clock = self.service.world.clock
            clock.call_at(clock.now_ns, self.poll)

    def disable(self) -> None:
        self.enabled = False

    def enable(self) -> None:
        self.enabled = True
        self.wake()

    def poll(self) -> None:
        batch = self.log.records[self.position:self.position + self.config["batch_size"]]
        event = {"eventSource": "toy:log", "toyRecords": [
            {"toyId": r.record_id, "key": r.key, "body": r.body.decode()} for r in batch]}
        service = self.service
        ex = service.execute(self.function, None, b"", path=Path.ESM, request_id=service.world.uuid(),
                             event_id=f"{self.uuid}:{self.position}", attempt=1,
                             records=tuple(r.record_id for r in batch), source=self.log.arn, event=event)
        service.world.clock.call_at(ex.end_ns, self.complete, batch, ex)

    def complete(self, batch: list[ToyRecord], ex: Any) -> None:
        clock = self.service.world.clock
        if ex.failed:
            clock.call_at(clock.now_ns + _NS, self.poll)
            return
        for r in batch:
            self.service.ledger.settle(Fate(event_id=r.record_id, status=FateStatus.SUCCEEDED, at_ns=clock.now_ns,
                                            attempts=1))
        self.position += len(batch)
        self.busy = False
        self.wake()


def _records_of(event: Mapping[str, Any]) -> list[Mapping[str, Any]] | None:
    records = event.get("toyRecords") if isinstance(event, dict) else None
    return records if isinstance(records, list) else None


def _record_id(record: Mapping[str, Any]) -> str | None:
    value = record.get("toyId") if isinstance(record, dict) else None
    return value if isinstance(value, str) else None


def _duplicate(log: ToyLog, record: ToyRecord) -> str:
    return log.append(record.key, record.body).record_id


def _poison(log: ToyLog, after: ToyRecord, body: bytes) -> str:
    return log.append(after.key, body).record_id


def _send(log: ToyLog, payload: Any, key: str | None) -> list[str]:
    return [log.put(key or "k-0", payload if isinstance(payload, str | bytes) else str(payload))]


TOY = PollSource(
    name="toy", title="Toy Log", event_source="toy:log", resource_kind="toy_logs", resource_types=lambda: (ToyLog,),
    settings={"batch_size": 2}, refused_hint="the toy log has no such setting", create=ToyMapping,
    records_of=_records_of, record_id=_record_id, order_key="toy_key",
    order_keys=lambda log: {r.record_id: r.key for r in log.records}, event_source_arn=lambda log: log.arn,
    delivery=DeliveryOps(identity=lambda r: (r.record_id, r.body.decode()), duplicate=_duplicate,
                         duplicate_note=None, reorder_note="not applied: a toy log keeps its order",
                         poison=_poison, label="Toy", notify=lambda log: log.notify()),
    scenario=ScenarioOps(key="toy_logs", reference="toy_log", schema={"type": "object", "properties": {},
                                                                      "additionalProperties": False},
                         create=lambda sim, name, spec: sim.registry.add("toy_logs", name, ToyLog(sim.world, name),
                                                                          arns=()), send=_send),
    localstack="toy logs are not run on the localstack target",
)


@pytest.fixture
def toy() -> Iterator[PollSource]:
    _sources.register(TOY)
    try:
        yield TOY
    finally:
        _sources.unregister("toy")


def _handler(event: Any, context: Any) -> None:
    for record in event["toyRecords"]:
        if record["body"] == "bad":
            raise ValueError("bad record")


def test_a_registered_row_is_mapped_and_its_records_get_one_fate_each(toy):
    with Sim(seed=3) as sim:
        log = sim.registry.add("toy_logs", "orders", ToyLog(sim.world, "orders"))
        fn = sim.function(_handler, name="consumer")
        mapping = sim.map(log, fn, batch_size=3)
        ids = [log.put(f"k{i % 2}", f"order-{i}") for i in range(7)]
        sim.run()
    assert isinstance(mapping, ToyMapping)
    assert [a.records for a in sim.ledger.attempts] == [tuple(ids[0:3]), tuple(ids[3:6]), tuple(ids[6:7])]
    assert {sim.ledger.fate(i).status.value for i in ids} == {"succeeded"}
    assert sim.registry.get("mappings", mapping.uuid) is mapping
    assert_ordered(sim.ledger, by="toy_key", keys=log)


def test_a_setting_the_row_lacks_is_refused_naming_the_source(toy):
    with Sim(seed=3) as sim:
        log = sim.registry.add("toy_logs", "orders", ToyLog(sim.world, "orders"))
        fn = sim.function(_handler, name="consumer")
        with pytest.raises(ConfigError, match=r"parallelization_factor=4 is not supported for Toy Log event "
                                              r"sources; the toy log has no such setting"):
            sim.map(log, fn, parallelization_factor=4)


def test_invocation_faults_target_the_rows_record_identity(toy):
    body_is_order_1 = Target(records=(FieldMatch(path="body", equals="order-1"),))
    plan = FaultPlan(rules=(FaultRule(fault=InvocationError(), target=body_is_order_1, when=When(first=1),
                                      id="bad-1"),))
    with Sim(seed=3) as sim:
        sim.apply_faults(plan)
        log = sim.registry.add("toy_logs", "orders", ToyLog(sim.world, "orders"))
        fn = sim.function(_handler, name="consumer")
        sim.map(log, fn, batch_size=1)
        for i in range(3):
            log.put("k", f"order-{i}")
        sim.run()
    assert [(a.records, a.outcome.value) for a in sim.ledger.attempts] == [
        (("orders@0",), "success"), (("orders@1",), "function_error"), (("orders@1",), "success"),
        (("orders@2",), "success")]
    fired = [(f.fault, f.detail["records"]) for f in sim.ledger.faults]
    assert fired == [("invocation-error:bad-1", ["orders@1"])]
    assert fault_target.records_of({"toyRecords": [{"toyId": "x"}]}) == [{"toyId": "x"}]


def test_delivery_faults_apply_through_the_rows_operations(toy):
    plan = FaultPlan(rules=(FaultRule(fault=Reorder(), id="reorder"),
                      FaultRule(fault=DuplicateDelivery(delay_seconds=0), when=When(first=1), id="dup")))
    with Sim(seed=3) as sim:
        log = sim.registry.add("toy_logs", "orders", ToyLog(sim.world, "orders"))
        sim.apply_faults(plan)
        fn = sim.function(_handler, name="consumer")
        sim.map(log, fn, batch_size=10)
        log.put("k", "order-0")
        sim.run()
    assert [(f.fault, f.event_id, f.effect) for f in sim.ledger.faults] == [
        ("reorder:reorder", "orders@0", "not applied: a toy log keeps its order"),
        ("duplicate-delivery:dup", "orders@0", "delivered 1 extra time(s)"),
        ("duplicate-delivery:dup", "orders@1", "redelivered: orders@0 delivered again as orders@1"),
    ]
    assert sim.ledger.fate("orders@1").status.value == "succeeded"


def test_scenario_files_declare_map_and_feed_a_registered_source(toy, tmp_path):
    from lambdachaos.scenarios import load_scenario, run_scenario

    path = tmp_path / "toy.yaml"
    path.write_text(textwrap.dedent("""\
        version: 1
        name: toy
        resources:
          toy_logs:
            orders: {}
        functions:
          consumer: {handler: tests.architecture.test_source_table._handler}
        mappings:
          - {source: orders, function: consumer, batch_size: 2}
        traffic:
          - {toy_log: orders, count: 5}
        expectations:
          - fates: {succeeded: 5}
        """))
    scenario = load_scenario(path)
    assert scenario.sources == {"toy_logs": {"orders": {}}}
    result = run_scenario(scenario)
    assert result.passed, result
    assert [len(a.records) for a in result.sim.ledger.attempts] == [2, 2, 1]


def test_the_localstack_target_refuses_what_the_row_says_it_cannot_run(toy, tmp_path):
    from lambdachaos.scenarios import load_scenario
    from lambdachaos.targets._ls_scenario import unsupported

    path = tmp_path / "toy.yaml"
    path.write_text("version: 1\nname: toy\nresources: {toy_logs: {orders: {}}}\nfunctions:\n"
                    "  consumer: {handler: tests.architecture.test_source_table._handler}\n"
                    "traffic:\n  - {function: consumer, count: 1}\n")
    assert unsupported(load_scenario(path)) == [
        "resources.toy_logs.orders: toy logs are not run on the localstack target"]


def test_the_table_refuses_a_second_row_of_the_same_name(toy):
    with pytest.raises(ConfigError, match="name='toy': the source table already has a row with this name"):
        _sources.register(TOY)
    with pytest.raises(ConfigError, match="name='sqs' is a built-in source and cannot be removed"):
        _sources.unregister("sqs")


def test_a_setting_of_another_source_is_refused_unless_it_is_left_at_none():
    with Sim(seed=3) as sim:
        queue = sim.sqs_queue("orders")
        fn = sim.function(_handler, name="consumer")
        with pytest.raises(ConfigError, match=r"consumer_group_id='g' is not supported for Amazon SQS event sources"):
            sim.map(queue, fn, consumer_group_id="g")
        mapping = sim.map(queue, fn, consumer_group_id=None, batch_size=5)
        assert mapping.config.batch_size == 5
